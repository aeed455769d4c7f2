// Wall-clock arithmetic in the owner's zone, machine-zone free: wall-clock fields come from
// Intl.DateTimeFormat with the owner's timeZone, calendar arithmetic is done on UTC dates.
//
// date-fns-tz is not used here on purpose: its getTimezoneOffset and fromZonedTime read the
// wall-clock fields of the Date they are given with the machine's local getters, so the instant
// they pick for a repeated or skipped hour (2026-11-01 01:30 in Chicago) changes with the
// machine's TZ, and toZonedTime/formatInTimeZone build a machine-local Date that cannot hold a
// wall time the machine's own zone skips.

export interface CivilDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface WallTime extends CivilDate {
  hour: number;
  minute: number;
  second: number;
  /** 1 = Monday ... 7 = Sunday (ISO). */
  isoWeekday: number;
}

const HOUR_MS = 3_600_000;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when it is not a zone Intl knows. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}": expected an IANA name like "America/Chicago"`);
  }
}

/** What the owner's clock shows at that instant. */
export function wallClock(instant: Date, timeZone: string): WallTime {
  const get: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) get[part.type] = part.value;
  return {
    year: Number(get.year),
    month: Number(get.month),
    day: Number(get.day),
    hour: Number(get.hour),
    minute: Number(get.minute),
    second: Number(get.second),
    isoWeekday: WEEKDAYS.indexOf(get.weekday ?? '') + 1,
  };
}

/** Offset of the zone from UTC at that instant, in milliseconds (Chicago in winter: -6 h). */
export function offsetMs(timeZone: string, instant: Date | number): number {
  const t = Math.floor(Number(instant) / 1000) * 1000;
  const w = wallClock(new Date(t), timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - t;
}

export function addDays(date: CivilDate, days: number): CivilDate {
  const t = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/**
 * The instant at which the owner's clock shows that date and time. When the time occurs twice
 * (clocks go back) the earlier one is taken; when it does not occur (clocks go forward) it is
 * moved forward by the gap, as a wall clock would.
 */
export function instantAt(date: CivilDate, hour: number, minute: number, timeZone: string): Date {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const before = offsetMs(timeZone, asUtc - 12 * HOUR_MS);
  const after = offsetMs(timeZone, asUtc + 12 * HOUR_MS);
  const fits = [asUtc - before, asUtc - after].filter((t) => offsetMs(timeZone, t) === asUtc - t);
  return new Date(fits.length > 0 ? Math.min(...fits) : asUtc - before);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** ISO 8601 with the owner's offset, e.g. 2026-03-04T23:59:00-06:00 (UTC prints as Z). */
export function toIsoInZone(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  const offsetMinutes = Math.round(offsetMs(timeZone, instant) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${offset}`;
}
