// Dates in the owner's zone as intake reads them: calendar dates as { year, month, day } objects,
// weekdays counted ISO style, deadlines printed as ISO 8601 with the owner's offset. The zone
// arithmetic itself is ../zone.ts; here a time inside a spring-forward gap moves forward by the gap
// (02:30 → 03:30), a repeated time is its first occurrence.
import { localTimeOf } from '../time-of-day.ts';
import { instantOfWallClock, wallClockAt, zoneOffsetMs } from '../zone.ts';

export interface CivilDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface WallTime extends CivilDate {
  hour: number;
  minute: number;
  /** 1 = Monday ... 7 = Sunday (ISO). */
  isoWeekday: number;
}

/** What the owner's clock shows at that instant. */
export function wallClock(instant: Date, timeZone: string): WallTime {
  const { year, month, day, hour, minute, weekday } = localTimeOf(instant, timeZone);
  return { year, month, day, hour, minute, isoWeekday: weekday === 0 ? 7 : weekday };
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
export const instantAt = (date: CivilDate, hour: number, minute: number, timeZone: string): Date =>
  new Date(instantOfWallClock(Date.UTC(date.year, date.month - 1, date.day, hour, minute), timeZone, 'shift-by-gap'));

const pad = (n: number): string => String(n).padStart(2, '0');

/** ISO 8601 with the owner's offset, e.g. 2026-03-04T23:59:00-06:00 (UTC prints as Z). */
export function toIsoInZone(instant: Date, timeZone: string): string {
  const wall = new Date(wallClockAt(instant.getTime(), timeZone));
  const offsetMinutes = Math.round(zoneOffsetMs(timeZone, instant.getTime()) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${wall.toISOString().slice(0, 19)}${offset}`;
}
