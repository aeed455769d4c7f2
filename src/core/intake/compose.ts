// Turning analysed lines into drafts: one message → one draft, an inline list → one per item,
// a bulleted list → one per bullet (the rules are in split.ts, the priority order in priority.ts).
import type { TaskDraft } from '../task.ts';
import { findDeadline, withoutPhrase } from './dates.ts';
import { extractFlags } from './flags.ts';
import { analyzeLine, dateLengthIn, type LineInfo } from './line.ts';
import { decidePriority, type PrioritySource } from './priority.ts';
import { CHAT_HINT } from './questions.ts';
import { splitInlineList, withoutMarker, type BulletList } from './split.ts';
import { joinVerb, makeTitle } from './title.ts';
import type { IntakeContext, Interpretation } from './types.ts';
import { stripNoise, trimChars } from './noise.ts';
import { announcesList, namesList, pointsAtList, splitVerb } from './verbs.ts';
import { looksBuildable } from './wish.ts';
import { toIsoInZone } from './zoned.ts';

const unclear = (hint: string): Interpretation => ({ kind: 'unclear', hint });
const invalid = (error: string): Interpretation => ({ kind: 'invalid', error });

export function whatHint(verb: string): string {
  const v = verb.toLowerCase().replace(/\s+/g, ' ');
  return `Say what to ${v}: "${v} <what> [by <when>]".`;
}

interface DraftParts {
  title: string;
  request: string;
  sources: PrioritySource[];
  deadline: LineInfo['deadline'];
  estimateMs: number | null;
}

function draft(parts: DraftParts, ctx: IntakeContext): TaskDraft {
  const { priority, priorityReason } = decidePriority({
    sources: parts.sources,
    deadline: parts.deadline?.at ?? null,
    deadlinePhrase: parts.deadline?.phrase ?? null,
    now: ctx.now,
  });
  return {
    title: makeTitle(parts.title),
    request: parts.request,
    priority,
    priorityReason,
    deadline: parts.deadline ? toIsoInZone(parts.deadline.at, ctx.timeZone) : null,
    deadlinePhrase: parts.deadline?.phrase ?? null,
    estimateMs: parts.estimateMs,
  };
}

/**
 * A message that is one request. Deadline, priority and title come from its first line; further
 * lines are the spec and go into the request as written.
 */
export function fromSingle(text: string, explicitBuild: boolean, ctx: IntakeContext): Interpretation {
  const flagged = extractFlags(text, dateLengthIn(ctx));
  if (!flagged.ok) return invalid(flagged.error);
  const request = flagged.text;
  const headline = request.split('\n')[0] ?? '';
  const analysed = analyzeLine(headline, flagged.flags, ctx);
  if (!analysed.ok) return invalid(analysed.error);
  const line = analysed.line;
  const verbPhrase = splitVerb(line.core);
  // A verb with nothing after it is not a request yet: say what is missing. A verb with only a
  // pronoun or a filler object ("build it", "do the thing") is a request too vague to act on: it
  // becomes a task that the safety check holds for the owner, who can clarify it.
  if (verbPhrase && verbPhrase.object.trim() === '') return unclear(whatHint(verbPhrase.verb));
  // A wish ("I need a CSV export") is a request when it names something to build; "I need a break" is not.
  const wish = !verbPhrase && line.wished && line.core !== '' && looksBuildable(line.core);
  if (!verbPhrase && !wish && (line.core === '' || (!line.labeled && !explicitBuild))) {
    return unclear(explicitBuild ? whatHint('build') : CHAT_HINT);
  }
  const base = { sources: [line.priority], deadline: line.deadline, estimateMs: line.estimateMs };
  const items = verbPhrase ? splitInlineList(verbPhrase.object) : wish ? splitInlineList(line.core) : [line.core];
  if (items.length < 2) return { kind: 'tasks', drafts: [draft({ ...base, title: line.core, request }, ctx)] };
  return {
    kind: 'tasks',
    drafts: items.map((item) => {
      const title = makeTitle(joinVerb(verbPhrase?.verb ?? null, item, splitVerb(item) !== null));
      return draft({ ...base, title, request: `${request}\nThis task: ${title}` }, ctx);
    }),
  };
}

const WHOLE_LIST = /^(?:(?:and\s+)?(?:all|both|each|everything|every\s+one|all\s+of\s+(?:them|these|those|it))(?:\s+of\s+(?:them|these|those))?)?$/i;

/**
 * A deadline written after the list is the whole list's: "1. x 2. y 3. z by friday" (after the
 * last item of a one-line list) or a last line "all by friday" under bullets. It moves to the lead.
 */
function hoistTrailingDeadline(list: BulletList, ctx: IntakeContext): BulletList {
  const last = list.items.at(-1);
  if (!last) return list;
  const lines = last.raw.split('\n');
  const oneLine = list.shape === 'marked' || list.shape === 'colon';
  if (oneLine && lines.length === 1) {
    const found = findDeadline(last.text, ctx);
    if (!found || found.past || !/^[\s.,;!]*$/.test(last.text.slice(found.end))) return list;
    // Whole-list only when the list was announced ("these three things: …, by tomorrow") or the
    // deadline is set apart by a comma; "1. … 2. show tasks due tomorrow" keeps it on its item.
    const before = last.text.slice(0, found.start).replace(/\s+(?:all|both|each|everything)\s*$/i, '');
    const setApart = before.trimEnd().endsWith(',');
    if (!setApart && trimChars(list.lead, ' \t:') === '') return list;
    const text = trimChars(before, ' \t,;', 'end');
    if (text === '') return list;
    return { ...list, lead: `${list.lead} ${found.phrase}`.trim(), items: [...list.items.slice(0, -1), { text, raw: text }] };
  }
  const tail = lines.at(-1) ?? '';
  if (lines.length < 2) return list;
  const found = findDeadline(tail, ctx);
  if (!found || found.past) return list;
  const besides = withoutPhrase(tail, found);
  if (!WHOLE_LIST.test(stripNoise(besides).core)) return list;
  // The lead gets the deadline and any priority words ("all by friday, no rush" → "by friday, no rush").
  const extra = trimChars(besides.replace(/^\s*(?:and\s+)?(?:all|both|each|everything|every\s+one)(?:\s+of\s+(?:them|these|those|it))?\b/i, ''), ' ,;.');
  const lead = [list.lead, found.phrase, extra].filter((p) => p !== '').join(' ');
  return { ...list, lead, items: [...list.items.slice(0, -1), { ...last, raw: lines.slice(0, -1).join('\n') }] };
}

interface ReadItem {
  line: LineInfo;
  /** The item as written (marker kept, flags removed): goes into the request under the lead. */
  written: string;
}

/**
 * One task per bullet, or null when the bullets are details of one request (see split.ts).
 * Items inherit the lead line's deadline, estimate and priority words unless they have their own.
 */
export function fromList(written: BulletList, ctx: IntakeContext): Interpretation | null {
  const list = hoistTrailingDeadline(written, ctx);
  const leadFlags = extractFlags(list.lead, dateLengthIn(ctx));
  if (!leadFlags.ok) return invalid(leadFlags.error);
  const leadRead = analyzeLine(leadFlags.text, leadFlags.flags, ctx);
  if (!leadRead.ok) return invalid(leadRead.error);
  const lead = leadRead.line;
  const items: ReadItem[] = [];
  for (const item of list.items) {
    const flagged = extractFlags(item.raw, dateLengthIn(ctx));
    if (!flagged.ok) return invalid(flagged.error);
    const read = analyzeLine(withoutMarker(flagged.text.split('\n')[0] ?? ''), flagged.flags, ctx);
    if (!read.ok) return invalid(read.error);
    if (read.line.core !== '') items.push({ line: read.line, written: flagged.text });
  }
  const leadVerb = splitVerb(lead.core);
  const everyItemHasVerb = items.every((i) => splitVerb(i.line.core) !== null);
  // Bullets, numbers and semicolons mark items: a lead that points at them or says only when/how
  // is enough. A colon list or plain lines must be named by the lead ("these three things:").
  const marked = list.shape === undefined || list.shape === 'marked';
  const splits = !marked
    ? namesList(lead.core) || (lead.wished && lead.core === '')
    : leadVerb
      ? pointsAtList(leadVerb.object)
      : everyItemHasVerb || ((announcesList(lead.core) || (lead.wished && pointsAtList(lead.core))) && leadFlags.text !== '');
  if (!splits) return null;
  if (items.length === 0) return unclear(leadVerb ? whatHint(leadVerb.verb) : CHAT_HINT);
  const leadText = leadFlags.text;
  return {
    kind: 'tasks',
    drafts: items.map(({ line, written }) => {
      const title = joinVerb(leadVerb?.verb ?? null, line.core, splitVerb(line.core) !== null);
      return draft(
        {
          title,
          request: leadText ? `${leadText}\n${written}` : written,
          // A lead's "tomorrow" is about its deadline: an item with its own deadline does not inherit it.
          sources: [line.priority, line.deadline ? lead.priorityBesidesDeadline : lead.priority],
          deadline: line.deadline ?? lead.deadline,
          estimateMs: line.estimateMs ?? lead.estimateMs,
        },
        ctx,
      );
    }),
  };
}
