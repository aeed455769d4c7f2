// Local times of day in the owner's zone: parsing what a person types ("07:30", "22:00-06:00")
// and turning "07:30 on a local date" into an instant, correctly across daylight-saving changes.
//
// How a local time that does not map to exactly one instant is resolved (everywhere in nightshift):
// - Nonexistent (inside a spring-forward gap, e.g. 02:30 in America/Chicago on 2026-03-08):
//   the first instant after the gap, i.e. the transition itself (03:00 CDT, 08:00Z). It is the
//   first instant whose wall clock reads at or after the wanted time.
// - Repeated (inside a fall-back overlap, e.g. 01:30 in America/Chicago on 2026-11-01):
//   the first occurrence (01:30 CDT, 06:30Z), never the second.
import { formatMinuteOfDay, HOUR, MINUTE, type MinuteOfDay, type QuietHours } from './policy.ts';

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

// Zone arithmetic reads Intl directly rather than date-fns-tz: date-fns-tz's getTimezoneOffset
// takes a wall time, not an instant (it answers +10 for Australia/Sydney at 2026-10-03T16:30Z,
// which is 03:30 +11:00), and formatInTimeZone shifts times that fall in a DST gap of the
// *machine's* zone (02:30Z on 2026-03-08 in Europe/London prints 03:30 when TZ=America/Chicago).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}": expected an IANA name like Europe/London`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock reading at `instant` (ms) in `timeZone`, as if it were a UTC timestamp. */
function wallClock(instant: number, timeZone: string): number {
  const ms = ((instant % 1000) + 1000) % 1000;
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant - ms)) p[part.type] = Number(part.value);
  const { year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN } = p;
  return Date.UTC(year, month - 1, day, hour % 24, minute, second) + ms;
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Europe/London in summer: 3_600_000). */
export const zoneOffsetMs = (timeZone: string, instant: number): number => wallClock(instant, timeZone) - instant;

/** The owner's calendar date at `instant`. */
export const localDateOf = (instant: Date, timeZone: string): LocalDate =>
  Math.floor(wallClock(instant.getTime(), timeZone) / DAY_MS) * DAY_MS;

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
  const wall = new Date(wallClock(instant.getTime(), timeZone));
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

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * An instant on the owner's clock, relative to `now`: "22:00" on the same local date,
 * "22:00 Fri 27 Nov" on another date this year, "09:00 Fri 1 Jan 2027" in another year.
 */
export function formatOwnerTime(at: Date, now: Date, timeZone: string): string {
  const t = localTimeOf(at, timeZone);
  const today = localTimeOf(now, timeZone);
  const hhmm = formatMinuteOfDay(t.hour * 60 + t.minute);
  if (t.date === today.date) return hhmm;
  const date = `${WEEKDAYS[t.weekday] ?? ''} ${t.day} ${MONTHS[t.month - 1] ?? ''}`;
  return t.year === today.year ? `${hhmm} ${date}` : `${hhmm} ${date} ${t.year}`;
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
  const wanted = date + minuteOfDay * MINUTE;
  // Every offset in force within two days of the wanted time: transitions are never closer.
  const offsets = new Set([-2, -1, 0, 1, 2].map((d) => zoneOffsetMs(timeZone, wanted + d * DAY_MS)));
  const guesses = [...offsets].map((o) => wanted - o).sort((a, b) => a - b);
  const exact = guesses.find((t) => wallClock(t, timeZone) === wanted);
  if (exact !== undefined) return new Date(exact); // the earliest guess: the first occurrence
  // In a gap: the wall clock jumps over `wanted` somewhere between the guesses. Find the first
  // millisecond whose wall clock reads at or after it (the clock only moves forward in a gap).
  let lo = guesses[0] ?? wanted; // wall clock before `wanted`
  let hi = guesses[guesses.length - 1] ?? wanted; // wall clock after `wanted`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClock(mid, timeZone) >= wanted) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

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
