// One line of a request, read once: its deadline (from --by or its words), its priority words
// and what is left of it once flags, deadline words and noise are cut away.
import { findDeadline, unreadableDeadline, withoutPhrase, type DeadlineMatch } from './dates.ts';

/** A deadline further ahead than this is a misreading or a wish, not a night's work. */
const MAX_AHEAD_MS = 366 * 24 * 3_600_000;
import { BY_EXAMPLES, type DateLength, type Flags } from './flags.ts';
import { stripNoise, stripPoliteness } from './noise.ts';
import type { PrioritySource } from './priority.ts';
import type { IntakeContext } from './types.ts';

export interface Deadline {
  at: Date;
  phrase: string;
}

export interface LineInfo {
  deadline: Deadline | null;
  estimateMs: number | null;
  /** What priority.ts reads: the flag and the words (deadline words included: "tomorrow" counts). */
  priority: PrioritySource;
  /** The same without the deadline words: what a list item with its own deadline inherits. */
  priorityBesidesDeadline: PrioritySource;
  /** The request itself: "build a login page". */
  core: string;
  /** True when an explicit label ("idea:", "urgent:") made the line a request. */
  labeled: boolean;
  /** True when the line wished for its core ("I need a CSV export", "X would be cool"): see wish.ts. */
  wished: boolean;
}

export type LineResult = { ok: true; line: LineInfo } | { ok: false; error: string };

const INTRODUCED = /^(?:by|before|until|till|due|in|within|on|at|no\s+later\s+than)\b/i;

function fromByFlag(by: NonNullable<Flags['by']>, ctx: IntakeContext): { ok: true; deadline: Deadline } | { ok: false; error: string } {
  const match = findDeadline(by.value, ctx, 'value');
  if (!match || match.start !== 0 || by.value.slice(match.end).trim() !== '') {
    return { ok: false, error: `${by.flag} must be ${BY_EXAMPLES} (got "${by.value}")` };
  }
  if (match.past) return { ok: false, error: `${by.flag} "${by.value}" is in the past` };
  const phrase = INTRODUCED.test(match.phrase) ? match.phrase : `by ${match.phrase}`;
  return { ok: true, deadline: { at: match.at, phrase } };
}

/** For flags.ts: how much of an unquoted `--by` value is the date. */
export function dateLengthIn(ctx: IntakeContext): DateLength {
  return (text) => {
    const match = findDeadline(text, ctx, 'value');
    return match && match.start === 0 ? match.end : null;
  };
}

/**
 * Reads one line whose flags were already taken out (flags.ts). A `--by` flag wins over deadline
 * words, which are still cut from the title. A deadline in the past is an error.
 */
export function analyzeLine(text: string, flags: Flags, ctx: IntakeContext): LineResult {
  let deadline: Deadline | null = null;
  if (flags.by) {
    const by = fromByFlag(flags.by, ctx);
    if (!by.ok) return by;
    deadline = by.deadline;
  }
  const found: DeadlineMatch | null = findDeadline(text, ctx);
  if (found?.past && !deadline) return { ok: false, error: `the deadline "${found.phrase}" is in the past` };
  const unreadable = deadline ? null : unreadableDeadline(text, found);
  if (unreadable) return { ok: false, error: `"${unreadable}" is not a date I can read; say it like "by friday 5pm", "by Dec 3" or "in 3 hours"` };
  if (found && !deadline && found.at.getTime() - ctx.now.getTime() > MAX_AHEAD_MS) {
    return { ok: false, error: `the deadline "${found.phrase}" is more than a year away; say a nearer one, or leave it out` };
  }
  if (found && !found.past && !deadline) deadline = { at: found.at, phrase: found.phrase };
  // "tonight: build the export": once the date is cut, the colon it leaves must not hide the verb.
  const besidesDeadline = (found ? withoutPhrase(text, found) : text).replace(/^[\s:;,–—-]+/, '');
  const { core, labeled, wished } = stripNoise(besidesDeadline);
  return {
    ok: true,
    line: {
      deadline,
      estimateMs: flags.estimateMs,
      priority: { flag: flags.priority, text: stripPoliteness(text) },
      priorityBesidesDeadline: { flag: flags.priority, text: stripPoliteness(besidesDeadline) },
      core,
      labeled,
      wished,
    },
  };
}
