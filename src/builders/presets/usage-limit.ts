// Usage limits: the known texts of each CLI (agent-clis.md §0.3) and when the limit resets, when
// the message says so in a form we can read. Structured signals are noted by each parser; this
// module only ever sees error texts, never the agent's own prose or tool output.
import { parseDuration } from '../../core/durations.ts';
import { nextDailyAt } from '../../core/time-of-day.ts';
import { assertTimeZone } from '../../core/zone.ts';
import type { AgentVerdict, ParserOptions } from './preset.ts';
import { clip } from './text.ts';

const LIMIT_TEXTS: RegExp[] = [
  // Claude "You've hit your limit · resets …" and, in 2.1.3xx, "You've hit your 5-hour limit · resets 9:14am (UTC)";
  // Codex "You've hit your usage limit…"
  /you(?:'|’)ve hit your (?:usage |[\w-]+ )?limit/i,
  /usage limit reached/i, // older Claude "Claude AI usage limit reached|<epoch>"
  /exhausted your (?:daily )?quota/i, // Gemini terminal quota error
  /exhausted your capacity|\bMODEL_CAPACITY_EXHAUSTED\b|\bRESOURCE_EXHAUSTED\b|\bQUOTA_EXHAUSTED\b/i, // Gemini
  /request a quota increase/i, // Gemini 429 advice
  /has rate limited you/i, // Aider RateLimitError
  /exceeded retry limit, last status: 429/i, // Codex RetryLimitReachedError
];

export const isUsageLimitText = (text: string): boolean => LIMIT_TEXTS.some((re) => re.test(text));

/** An epoch in seconds or milliseconds → ISO; undefined when implausible. */
export function epochToIso(value: number | undefined): string | undefined {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return undefined;
  const ms = value < 1e12 ? value * 1000 : value;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const EPOCH = /usage limit reached\|(\d{9,13})/i;
const RESETS = /\bresets\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?(?:\s*\(([^)]+)\))?|\bresets\s+(?:at\s+)?(\d{1,2}):(\d{2})(?:\s*\(([^)]+)\))?/i;
const TRY_AT = /try again at (\d{1,2}):(\d{2})\s*(?:([ap])\.?m\.?)?\s*(?:\(([^)]+)\))?\s*\.?\s*$/i;
const TRY_IN = /(?:retry|try again)\s+(?:in|after)\s+((?:\d+(?:\.\d+)?\s*[a-z]+\s*)+)/i;

/**
 * When a limit resets, from its message: an epoch ("…reached|1787000000"), a time of day
 * ("resets 3pm (UTC)", "try again at 3:28 PM") taken as its next occurrence after `now` in the
 * zone named in parentheses or else `timeZone`, or a delay ("retry in 1h30m").
 */
export function parseResetsAt(text: string, now: Date, timeZone: string): string | undefined {
  const epoch = EPOCH.exec(text);
  if (epoch?.[1]) return epochToIso(Number(epoch[1]));
  const resets = RESETS.exec(text);
  if (resets) {
    const [, h12, m12, ap, zone12, h24, m24, zone24] = resets;
    return h12 !== undefined ? clockTime(h12, m12, ap, zone12 ?? timeZone, now) : clockTime(h24, m24, undefined, zone24 ?? timeZone, now);
  }
  const at = TRY_AT.exec(text);
  if (at) return clockTime(at[1], at[2], at[3], at[4] ?? timeZone, now);
  const delay = TRY_IN.exec(text);
  if (delay?.[1]) {
    const ms = parseDuration(delay[1]);
    if (ms !== null) return new Date(now.getTime() + ms).toISOString();
  }
  return undefined;
}

function clockTime(hour: string | undefined, minute: string | undefined, ampm: string | undefined, zone: string, now: Date): string | undefined {
  let h = Number(hour);
  const m = minute === undefined ? 0 : Number(minute);
  if (ampm) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (ampm.toLowerCase() === 'p' ? 12 : 0);
  }
  if (!Number.isInteger(h) || h > 23 || !Number.isInteger(m) || m > 59) return undefined;
  try {
    assertTimeZone(zone.trim());
    return nextDailyAt(now, h * 60 + m, zone.trim()).toISOString();
  } catch {
    return undefined; // "(PST)" and other abbreviations are not zones Intl knows
  }
}

/** Collects usage-limit evidence during one run: structured signals and known texts. */
export class UsageLimitWatch {
  private evidence: string | undefined;
  private resets: string | undefined;

  constructor(private readonly opts: ParserOptions) {}

  get hit(): boolean {
    return this.evidence !== undefined;
  }

  get resetsAt(): string | undefined {
    return this.resets;
  }

  /** Checks an error text; true (and remembered) when it is a known usage-limit text. */
  text(text: string): boolean {
    if (!isUsageLimitText(text)) return false;
    this.evidence = clip(text, 160);
    this.resets ??= parseResetsAt(text, this.opts.now?.() ?? new Date(), this.timeZone());
    return true;
  }

  /** A structured signal (a rejected rate-limit event, an HTTP 429 status). */
  structured(evidence: string, resetsAt?: string): void {
    this.evidence ??= evidence;
    if (resetsAt) this.resets = resetsAt;
  }

  verdict(agent: string, rest: Omit<AgentVerdict, 'outcome' | 'reason' | 'resetsAt'>): AgentVerdict {
    // The reason says what happened; when it resets travels as resetsAt, and the engine says when
    // nightshift will try again, in the owner's zone (nightshift retries by itself).
    return {
      ...rest,
      outcome: 'usage_limited',
      reason: `${agent} hit a usage limit ("${this.evidence ?? 'limit reached'}")${this.resets ? '' : ' and did not say when it resets'}`,
      ...(this.resets ? { resetsAt: this.resets } : {}),
    };
  }

  private timeZone(): string {
    return this.opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
}
