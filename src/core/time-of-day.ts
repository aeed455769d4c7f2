// Local times of day in the owner's zone: parsing what a person types ("07:30", "22:00-06:00"),
// the owner's calendar date and clock at an instant, and "07:30 on a local date" as an instant.
// The zone arithmetic is zone.ts; a time in a spring-forward gap is the first instant after the gap,
// a repeated one its first occurrence.
import { formatMinuteOfDay, HOUR, MINUTE, type MinuteOfDay, type QuietHours } from './policy.ts';
import { instantOfWallClock, wallClockAt } from './zone.ts';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export const MINUTES_PER_DAY = 24 * 60;
const DAY_MS = 24 * HOUR;

const TIME_OF_DAY = /^(\d{1,2}):(\d{2})$/;
const TIME_EXPECTED = 'expected HH:MM (24-hour clock), like 07:30';
const QUIET_EXPECTED = 'expected HH:MM-HH:MM, like 22:00-06:00';

/** "07:30" → 450. Accepts H:MM and HH:MM, 00:00 to 23:59, surrounding spaces ignored. */
export function parseTimeOfDay(input: string): ParseResult<MinuteOfDay> {
  const m = TIME_OF_DAY.exec(input.trim());
  const h = Number(m?.[1]);
  const min = Number(m?.[2]);
  if (!m || h > 23 || min > 59) return { ok: false, error: `"${input}" is not a time of day: ${TIME_EXPECTED}` };
  return { ok: true, value: h * 60 + min };
}

/**
 * "22:00-06:00" → { start: 1320, end: 360 }. The window may cross midnight. Start equal to end
 * ("00:00-00:00") means quiet hours all day long; see quiet-hours.ts.
 */
export function parseQuietHours(input: string): ParseResult<QuietHours> {
  const parts = input.trim().split(/\s*[-–]\s*/);
  const start = parts.length === 2 ? parseTimeOfDay(parts[0] ?? '') : null;
  const end = parts.length === 2 ? parseTimeOfDay(parts[1] ?? '') : null;
  if (!start?.ok || !end?.ok) return { ok: false, error: `"${input}" is not a quiet-hours window: ${QUIET_EXPECTED}` };
  return { ok: true, value: { start: start.value, end: end.value } };
}

export const formatQuietHours = (q: QuietHours): string => `${formatMinuteOfDay(q.start)}-${formatMinuteOfDay(q.end)}`;

/** A calendar date in some zone, held as the UTC midnight of that date (only its Y-M-D matters). */
export type LocalDate = number;

export interface LocalTime {
  date: LocalDate;
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday */
  weekday: number;
}

/** The owner's calendar and clock at `instant`. */
export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const wall = new Date(wallClockAt(instant.getTime(), timeZone));
  return {
    date: Math.floor(wall.getTime() / DAY_MS) * DAY_MS,
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    weekday: wall.getUTCDay(),
  };
}

/** The owner's calendar date at `instant`. */
export const localDateOf = (instant: Date, timeZone: string): LocalDate => localTimeOf(instant, timeZone).date;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * An instant on the owner's clock, relative to `now`: "22:00" on the same local date,
 * "22:00 Fri 27 Nov" on another date this year, "09:00 Fri 1 Jan 2027" in another year.
 */
export function formatOwnerTime(at: Date, now: Date, timeZone: string): string {
  return formatAgainst(localTimeOf(at, timeZone), localTimeOf(now, timeZone));
}

function formatAgainst(t: LocalTime, today: LocalTime): string {
  const hhmm = formatMinuteOfDay(t.hour * 60 + t.minute);
  if (t.date === today.date) return hhmm;
  const date = `${WEEKDAYS[t.weekday] ?? ''} ${t.day} ${MONTHS[t.month - 1] ?? ''}`;
  return t.year === today.year ? `${hhmm} ${date}` : `${hhmm} ${date} ${t.year}`;
}

/**
 * localTimeOf's answers for ownerClock, per zone, kept across clocks (emptied when full): a queue's
 * retry times and deadlines are the same instants in every schedule pass, and each costs a zone
 * look-up. A zone's rules do not change while the process runs, so a kept answer stays right.
 */
const localTimes = new Map<string, Map<number, Readonly<LocalTime>>>();
const LOCAL_TIMES_KEPT = 8192;

/**
 * The owner's clock for many instants against one `now` (a schedule pass, a reply listing many
 * tasks): the same answers as formatOwnerTime and localTimeOf, each instant read from the zone once.
 */
export interface OwnerClock {
  readonly now: Date;
  readonly timeZone: string;
  /** formatOwnerTime(at, now, timeZone). */
  format(at: Date): string;
  /** localTimeOf(at, timeZone). */
  localTime(at: Date): LocalTime;
}

export function ownerClock(now: Date, timeZone: string): OwnerClock {
  let local = localTimes.get(timeZone);
  if (!local) localTimes.set(timeZone, (local = new Map()));
  const known = local;
  const formatted = new Map<number, string>();
  const localTime = (at: Date): LocalTime => {
    const key = at.getTime();
    let t = known.get(key);
    if (!t) {
      if (known.size >= LOCAL_TIMES_KEPT) known.clear();
      known.set(key, (t = Object.freeze(localTimeOf(at, timeZone))));
    }
    return t;
  };
  const today = localTime(now);
  return {
    now,
    timeZone,
    localTime,
    format(at) {
      const key = at.getTime();
      let text = formatted.get(key);
      if (text === undefined) formatted.set(key, (text = formatAgainst(localTime(at), today)));
      return text;
    },
  };
}

export const addDays = (date: LocalDate, days: number): LocalDate => date + days * DAY_MS;

export function assertMinuteOfDay(m: MinuteOfDay, what: string): void {
  if (!Number.isInteger(m) || m < 0 || m >= MINUTES_PER_DAY) {
    throw new RangeError(`${what} is ${m}: expected whole minutes after midnight, 0 to 1439`);
  }
}

/**
 * The instant at which the wall clock in `timeZone` reads `minuteOfDay` on `date`.
 * Nonexistent times resolve to the end of the gap, repeated times to their first occurrence.
 */
export function atLocalTime(date: LocalDate, minuteOfDay: MinuteOfDay, timeZone: string): Date {
  const wall = date + minuteOfDay * MINUTE;
  const key = `${timeZone} ${wall}`;
  let instant = localTimeInstants.get(key);
  if (instant === undefined) {
    instant = instantOfWallClock(wall, timeZone, 'after-gap');
    if (localTimeInstants.size >= LOCAL_TIME_MEMO) localTimeInstants.clear();
    localTimeInstants.set(key, instant);
  }
  return new Date(instant);
}

/**
 * atLocalTime's answers, remembered: the quiet-window edges and the summary time are the same few
 * local times all day, and each costs a dozen zone look-ups. A zone's rules do not change while
 * the process runs, so a remembered answer stays right; the memo is emptied when it fills.
 */
const localTimeInstants = new Map<string, number>();
const LOCAL_TIME_MEMO = 512;

/**
 * The next instant strictly after `after` at which the owner's clock reads `minuteOfDay`
 * (the morning summary). Once per local date, so on a fall-back day a repeated time fires once.
 */
export function nextDailyAt(after: Date, minuteOfDay: MinuteOfDay, timeZone: string): Date {
  assertMinuteOfDay(minuteOfDay, 'the time of day');
  const today = localDateOf(after, timeZone);
  for (let d = 0; ; d++) {
    const at = atLocalTime(addDays(today, d), minuteOfDay, timeZone);
    if (at.getTime() > after.getTime()) return at;
  }
}
