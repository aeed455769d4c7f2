/*
 * Deadlines: finding the words that give one and turning them into an instant.
 *
 * Every wall-clock word is read in the OWNER's zone (ctx.timeZone), never the machine's. Our own
 * meanings, chosen for "have it ready by ..." requests (docs/intake.md says the same):
 *
 *   tonight, by tonight          today 23:59 (said at 01:00 it is still today 23:59: the coming night)
 *   tomorrow, by tomorrow        tomorrow 09:00, ready when the owner starts the day
 *   tomorrow 3pm, 3pm tomorrow   tomorrow 15:00: an explicit time is kept
 *   tomorrow morning / night     tomorrow 09:00 / tomorrow 23:59
 *   end of day, EOD, COB, today  today 18:00; once past 18:00, today 23:59
 *   this weekend                 the coming Sunday 23:59 (on Saturday or Sunday: this Sunday)
 *   this week, end of week, EOW  Friday 18:00 of this week (Monday-Sunday); once past, Sunday 23:59
 *   next week                    Friday 18:00 of next week
 *   by morning, overnight        the next 09:00
 *   by friday, by next tuesday   that day 18:00 (chrono's noon is not what "by friday" means)
 *   by Dec 3, by 2026-03-10      that day 18:00; a date with a time ("Dec 3 4pm") keeps the time
 *   by friday evening / night    chrono's evening (20:00) / 23:59
 *   in 3 hours, in 90 minutes    exactly that long after now
 *   in 2 days                    that day, at the current time of day
 *   by 5pm EST                   the zone written wins over the owner's
 *
 * Deadlines are in the future. A time of day already past ("by 9am" said at 10:00) means that
 * time tomorrow; a bare weekday already past today ("by friday" on Friday evening) means next
 * week's. A date that names the past ("by yesterday", "by March 1" said on March 4 with a year)
 * is returned with `past: true` and the caller refuses it.
 *
 * Which words count: our own phrases above anywhere in the text, and chrono's finds only when
 * introduced by by/before/until/till/for/due/no later than/on/at, or starting with in/within, or
 * (without a preposition) when they name tomorrow/tonight/today or sit at the very end of the
 * text and look like a date (a weekday, a month, 5pm, 17:00). That keeps "build a 3d viewer",
 * "make a second version" and "update it every friday" free of deadlines. When phrases overlap the
 * longest wins (an own phrase wins a tie); when there are several, the first one is the deadline.
 */
// The English parsers only: the package's main entry loads every locale (~140 ms at start-up,
// against ~35 ms for English), and nightshift reads English.
import * as chrono from 'chrono-node/en';
import { zoneOffsetMs } from '../zone.ts';
import type { IntakeContext } from './types.ts';
import { addDays, instantAt, wallClock, type CivilDate, type WallTime } from './zoned.ts';

export interface DeadlineMatch {
  /** The words as written, preposition included ("by tonight"), to echo back. */
  phrase: string;
  /** Where the phrase sits in the searched text, so it can be cut out of the title. */
  start: number;
  end: number;
  at: Date;
  /** True when the words name a moment already gone ("by yesterday"): the caller refuses it. */
  past: boolean;
}

/** 'sentence': find a deadline inside a request. 'value': the whole text is a date (`--by` values). */
export type DeadlineMode = 'sentence' | 'value';

interface Candidate {
  start: number;
  end: number;
  own: boolean;
  at: Date;
  past: boolean;
}

type Slot = readonly [CivilDate, number, number];

const DAY_MS = 86_400_000;

const PREPOSITION = String.raw`(?:(?:by|before|until|till|til|for|due(?:\s+(?:by|on|at))?|no\s+later\s+than)\s+)`;

/** The first of the slots (date, hour, minute) that is still ahead of now. */
function firstFuture(ctx: IntakeContext, slots: Slot[]): Date {
  let at = ctx.now;
  for (const [date, hour, minute] of slots) {
    at = instantAt(date, hour, minute, ctx.timeZone);
    if (at > ctx.now) return at;
  }
  return at;
}

const OWN_PHRASES: Array<{ words: string; slots: (today: WallTime) => Slot[]; needsPreposition?: boolean }> = [
  { words: 'tonight', slots: (t) => [[t, 23, 59], [addDays(t, 1), 23, 59]] },
  { words: 'tomorrow', slots: (t) => [[addDays(t, 1), 9, 0]] },
  {
    words: String.raw`(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|today)|eod|cob|close\s+of\s+business|today`,
    slots: (t) => [[t, 18, 0], [t, 23, 59], [addDays(t, 1), 18, 0]],
  },
  {
    words: String.raw`this\s+weekend|over\s+the\s+weekend`,
    slots: (t) => [[addDays(t, 7 - t.isoWeekday), 23, 59], [addDays(t, 14 - t.isoWeekday), 23, 59]],
  },
  {
    words: String.raw`the\s+weekend`,
    needsPreposition: true,
    slots: (t) => [[addDays(t, 7 - t.isoWeekday), 23, 59], [addDays(t, 14 - t.isoWeekday), 23, 59]],
  },
  {
    words: String.raw`(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week|this\s+week|eow`,
    slots: (t) => [
      ...(t.isoWeekday <= 5 ? [[addDays(t, 5 - t.isoWeekday), 18, 0] as const] : []),
      [addDays(t, 7 - t.isoWeekday), 23, 59],
      [addDays(t, 14 - t.isoWeekday), 23, 59],
    ],
  },
  { words: String.raw`next\s+week`, slots: (t) => [[addDays(t, 12 - t.isoWeekday), 18, 0]] },
  { words: 'overnight', slots: (t) => [[t, 9, 0], [addDays(t, 1), 9, 0]] },
  { words: String.raw`(?:the\s+)?morning`, needsPreposition: true, slots: (t) => [[t, 9, 0], [addDays(t, 1), 9, 0]] },
];

const OWN_RES = OWN_PHRASES.map(({ words, slots, needsPreposition }) => ({
  re: new RegExp(String.raw`(?<![\w-])${PREPOSITION}${needsPreposition ? '' : '?'}(?:${words})(?![\w-])`, 'gi'),
  slots,
}));

const CHRONO_PREPOSITION = new RegExp(String.raw`(?:^|\s)(${PREPOSITION}|(?:on|at)\s+)$`, 'i');
const SELF_INTRODUCED = /^(?:in|within|on|at|by)\s/i;
const CASUAL_DAY = /\b(?:tomorrow|tonight|today)\b/i;
const DATE_LIKE = new RegExp(
  [
    String.raw`\b(?:mon|tues?|wed|thu|thurs?|fri|sat|sun)(?:day)?\b|\b(?:wednes|satur)day\b`,
    String.raw`\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b`,
    String.raw`\d\s*(?:am|pm)\b|\d:\d\d|\bnoon\b|\bmidnight\b|\d{4}-\d\d-\d\d|\b\d{1,2}/\d{1,2}\b`,
  ].join('|'),
  'i',
);
const NOT_A_DEADLINE = /^(?:last|past|previous)\b|\bago$|^(?:right\s+)?now$|^(?:in|within)\s+\d+\s*d$/i;
/** Words that make a date part of the thing to build: "every friday", "the today view". */
const BAD_BEFORE = /(?:^|\s)(?:every|each|since|from|after|the|a|an|my|our|your)\s+$/i;
const BAD_AFTER = /^(?:['’]s\b|-\w)/;
const ONLY_NOISE_AFTER = /^[\s.!?,;:)]*(?:(?:please|pls|thanks|thx|asap|if\s+possible)[\s.!?,;:)]*)*$/i;

function ownCandidates(text: string, ctx: IntakeContext, today: WallTime): Candidate[] {
  const found: Candidate[] = [];
  for (const { re, slots } of OWN_RES) {
    for (const m of text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (BAD_BEFORE.test(text.slice(0, start)) || BAD_AFTER.test(text.slice(end))) continue;
      found.push({ start, end, own: true, at: firstFuture(ctx, slots(today)), past: false });
    }
  }
  return found;
}

/** Hour and minute for a chrono result with no time written, by our meanings above. */
function impliedTime(result: chrono.ParsedResult): [number, number] {
  const s = result.start;
  const tags = result.tags();
  if (s.isCertain('hour')) return [s.get('hour') ?? 18, s.get('minute') ?? 0];
  if (/\bnight\b|\btonight\b/i.test(result.text)) return [23, 59];
  if (tags.has('casualReference/morning')) return [9, 0];
  const casualTime = ['afternoon', 'evening', 'noon', 'midnight'].some((w) => tags.has(`casualReference/${w}`));
  if (casualTime || tags.has('result/relativeDate')) return [s.get('hour') ?? 18, s.get('minute') ?? 0];
  return [18, 0];
}

function resolveChrono(result: chrono.ParsedResult, ctx: IntakeContext, today: WallTime): { at: Date; past: boolean } {
  const s = result.start;
  const dateWritten = s.isCertain('day') || s.isCertain('month') || s.isCertain('year');
  // A time past today moves on a day, a weekday past today a week; a written date stays past.
  const step = dateWritten ? 0 : s.isCertain('weekday') ? 7 : 1;
  if (result.tags().has('result/relativeDateAndTime') || s.isCertain('timezoneOffset')) {
    // "in 3 hours", "5pm EST": chrono's instant is exact (a fixed offset); no owner wall clock involved.
    let at = result.date();
    if (at <= ctx.now && step > 0) at = new Date(at.getTime() + step * DAY_MS);
    return { at, past: at <= ctx.now };
  }
  const date: CivilDate = { year: s.get('year') ?? today.year, month: s.get('month') ?? today.month, day: s.get('day') ?? today.day };
  const [hour, minute] = impliedTime(result);
  const at = instantAt(date, hour, minute, ctx.timeZone);
  if (at > ctx.now || step === 0) return { at, past: at <= ctx.now };
  return { at: instantAt(addDays(date, step), hour, minute, ctx.timeZone), past: false };
}

function chronoCandidates(text: string, ctx: IntakeContext, today: WallTime, mode: DeadlineMode): Candidate[] {
  const reference = { instant: ctx.now, timezone: Math.round(zoneOffsetMs(ctx.timeZone, ctx.now.getTime()) / 60_000) };
  const found: Candidate[] = [];
  for (const result of chrono.casual.parse(text, reference, { forwardDate: true })) {
    const words = result.text.replace(/[\s,;.!?]+$/, '').trim();
    let start = result.index + result.text.indexOf(words);
    const end = start + words.length;
    if (NOT_A_DEADLINE.test(words) || result.tags().has('casualReference/now')) continue;
    const before = text.slice(0, start);
    const after = text.slice(end);
    const preposition = CHRONO_PREPOSITION.exec(before)?.[1];
    if (preposition) start -= preposition.length;
    else if (BAD_BEFORE.test(before)) continue;
    if (BAD_AFTER.test(after)) continue;
    const introduced = Boolean(preposition) || SELF_INTRODUCED.test(words) || CASUAL_DAY.test(words);
    const trailingDate = ONLY_NOISE_AFTER.test(after) && DATE_LIKE.test(words);
    if (mode === 'sentence' && !introduced && !trailingDate) continue;
    const resolved = resolveChrono(result, ctx, today);
    // A bare trailing date that lies in the past is more likely a mention than a deadline.
    if (resolved.past && mode === 'sentence' && !introduced) continue;
    found.push({ start, end, own: false, ...resolved });
  }
  return found;
}

/** The first deadline phrase in the text (see the meanings at the top of this file), or null. */
export function findDeadline(text: string, ctx: IntakeContext, mode: DeadlineMode = 'sentence'): DeadlineMatch | null {
  const today = wallClock(ctx.now, ctx.timeZone);
  const candidates = [...ownCandidates(text, ctx, today), ...chronoCandidates(text, ctx, today, mode)];
  candidates.sort((a, b) => a.start - b.start);
  const first = candidates[0];
  if (!first) return null;
  // The first cluster of overlapping phrases: its longest member wins, an own phrase on a tie.
  let best = first;
  let clusterEnd = first.end;
  for (const c of candidates) {
    if (c.start >= clusterEnd) break;
    clusterEnd = Math.max(clusterEnd, c.end);
    const longer = c.end - c.start > best.end - best.start;
    const tie = c.end - c.start === best.end - best.start;
    if (longer || (tie && c.own && !best.own)) best = c;
  }
  return { phrase: text.slice(best.start, best.end), start: best.start, end: best.end, at: best.at, past: best.past };
}

/** The text with the phrase cut out and the seams tidied ("build X, by tonight, please" → "build X, please"). */
export function withoutPhrase(text: string, match: Pick<DeadlineMatch, 'start' | 'end'>): string {
  return `${text.slice(0, match.start)} ${text.slice(match.end)}`
    .replace(/\s+([,;:.!?])/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const ORDINAL = String.raw`\d{1,2}(?:st|nd|rd|th)?`;
/** What follows "by", "before", "until", "due" when it means to be a date: the words to check. */
const MEANT_AS_DATE = new RegExp(
  String.raw`\b(?:by|before|until|till|due(?:\s+(?:by|on))?|no\s+later\s+than)\s+(` +
    [
      String.raw`(?:the\s+)?year\s+\d+`,
      String.raw`(?:the\s+)?${ORDINAL}\s+(?:of\s+)?${MONTH}(?:,?\s+\d{4})?`,
      String.raw`${MONTH}\s+${ORDINAL}(?:,?\s+\d{4})?`,
      String.raw`\d{1,2}:\d{2}(?:\s*[ap]m)?`,
      String.raw`\d{1,2}\/\d{1,2}(?:\/\d{2,4})?`,
      String.raw`\d{4}(?=[\s.,;!?]|$)`,
    ].join('|') +
    ')',
  'gi',
);

/**
 * Words meant as a deadline that do not make one ("by February 30", "by 25:99", "by the year 3000":
 * chrono reads the last as "the year", a year from now). Returns the words, or null when every
 * such phrase was read whole as the deadline found.
 */
export function unreadableDeadline(text: string, found: DeadlineMatch | null): string | null {
  for (const m of text.matchAll(MEANT_AS_DATE)) {
    const end = m.index + m[0].length;
    if (found && found.start <= m.index && found.end >= end) continue;
    return m[0];
  }
  return null;
}
