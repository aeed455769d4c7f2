// Instants and wall clocks in an IANA zone: the one place nightshift asks what a zone's clock reads,
// what its offset is, and which instant a local date and time names. Machine-zone free: the wall
// clock comes from Intl.DateTimeFormat with the zone asked for, and is held as a UTC timestamp.
//
// Intl directly, not date-fns-tz, on purpose: date-fns-tz's getTimezoneOffset takes a wall time,
// not an instant (it answers +10 for Australia/Sydney at 2026-10-03T16:30Z, which is 03:30 +11:00);
// its fromZonedTime reads the Date it is given with the machine's local getters, so the instant it
// picks for a skipped or repeated hour changes with the machine's TZ; and toZonedTime and
// formatInTimeZone build a machine-local Date, which cannot hold a wall time the machine's own zone
// skips (02:30Z on 2026-03-08 in Europe/London prints 03:30 when TZ=America/Chicago).
//
// A local time that does not name exactly one instant:
// - Repeated (inside a fall-back overlap, e.g. 01:30 in America/Chicago on 2026-11-01): always the
//   first occurrence (01:30 CDT, 06:30Z), never the second.
// - Nonexistent (inside a spring-forward gap, e.g. 02:30 in America/Chicago on 2026-03-08): the
//   caller says which, see InGap. 'after-gap' (quiet hours, the summary) is the first instant after
//   the gap, the transition itself (03:00 CDT, 08:00Z); 'shift-by-gap' (intake deadlines) moves the
//   time forward by the length of the gap, as a wall clock would (03:30 CDT, 08:30Z).

/** A wall-clock reading written as a UTC timestamp: 02:30 on 2026-03-08 is Date.UTC(2026, 2, 8, 2, 30). */
export type WallClockMs = number;

/** Where a local time inside a spring-forward gap goes (see the top of this file). */
export type InGap = 'after-gap' | 'shift-by-gap';

const DAY_MS = 86_400_000;
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

/** Throws a RangeError naming the zone when it is not a zone Intl knows. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** What the clock in `timeZone` reads at `instant` (ms), milliseconds included. */
export function wallClockAt(instant: number, timeZone: string): WallClockMs {
  const ms = ((instant % 1000) + 1000) % 1000;
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant - ms)) p[part.type] = Number(part.value);
  const { year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN } = p;
  return Date.UTC(year, month - 1, day, hour % 24, minute, second) + ms;
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Europe/London in summer: 3_600_000). */
export const zoneOffsetMs = (timeZone: string, instant: number): number => wallClockAt(instant, timeZone) - instant;

/**
 * The instant (ms) at which the clock in `timeZone` reads `wall`. A repeated time is its first
 * occurrence; a nonexistent one is resolved by `inGap`.
 */
export function instantOfWallClock(wall: WallClockMs, timeZone: string, inGap: InGap): number {
  // Every offset in force within two days of the wanted time: transitions are never closer.
  const offsets = new Set([-2, -1, 0, 1, 2].map((d) => zoneOffsetMs(timeZone, wall + d * DAY_MS)));
  const guesses = [...offsets].map((o) => wall - o).sort((a, b) => a - b);
  const exact = guesses.find((t) => wallClockAt(t, timeZone) === wall);
  if (exact !== undefined) return exact; // the earliest guess: the first occurrence
  // In a gap: the wall clock jumps over `wall` somewhere between the guesses. Find the first
  // millisecond whose wall clock reads at or after it (the clock only moves forward in a gap).
  let lo = guesses[0] ?? wall; // wall clock before `wall`
  let hi = guesses[guesses.length - 1] ?? wall; // wall clock after `wall`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClockAt(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  // `hi` is the transition; shifting reads `wall` with the offset in force just before it.
  return inGap === 'after-gap' ? hi : wall - zoneOffsetMs(timeZone, hi - 1);
}
