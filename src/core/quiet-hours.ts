// Quiet hours: the owner's nightly window in which medium and low priority builds may run.
//
// A window is a span of instants. The window that opens on local date D runs from `start` on D
// to `end` on D (if end > start) or on D+1 (if end < start: it crosses midnight). Its edges are
// resolved as in time-of-day.ts, so across daylight-saving changes:
// - 22:00-06:00 in America/Chicago on the night of 2026-03-07 lasts 7 hours, on 2026-10-31 9 hours;
// - an edge on a nonexistent local time (02:30 on a spring-forward day) is the end of the gap;
// - an edge on a repeated local time (01:30 on a fall-back day) is its first occurrence, so in a
//   window ending 01:30 the repeated half hour after it is outside quiet hours.
// Start equal to end ("00:00-00:00") means quiet hours always: nothing ever waits for them.
import type { QuietHours } from './policy.ts';
import { addDays, assertMinuteOfDay, atLocalTime, localDateOf, type LocalDate } from './time-of-day.ts';

export interface QuietWindow {
  start: Date;
  end: Date;
}

export const isAlwaysQuiet = (quiet: QuietHours): boolean => quiet.start === quiet.end;

function checkQuietHours(quiet: QuietHours): void {
  assertMinuteOfDay(quiet.start, 'quietHours.start');
  assertMinuteOfDay(quiet.end, 'quietHours.end');
}

/** The window that opens on local date `date`. May be empty when both edges fall in the same DST gap. */
function windowOn(date: LocalDate, quiet: QuietHours, timeZone: string): QuietWindow {
  const endDate = quiet.end > quiet.start ? date : addDays(date, 1);
  return { start: atLocalTime(date, quiet.start, timeZone), end: atLocalTime(endDate, quiet.end, timeZone) };
}

/**
 * The window containing `now`, else the next one to open; null when quiet hours are always on.
 * Windows never overlap: each closes before the next one opens.
 */
export function currentOrNextWindow(now: Date, quiet: QuietHours, timeZone: string): QuietWindow | null {
  checkQuietHours(quiet);
  if (isAlwaysQuiet(quiet)) return null;
  const t = now.getTime();
  const today = localDateOf(now, timeZone);
  // Yesterday's window may still be open (it crossed midnight); after that, the first one ahead.
  for (let d = -1; ; d++) {
    const w = windowOn(addDays(today, d), quiet, timeZone);
    if (w.end.getTime() > t && w.end.getTime() > w.start.getTime()) return w;
  }
}

export function isInQuietHours(now: Date, quiet: QuietHours, timeZone: string): boolean {
  const w = currentOrNextWindow(now, quiet, timeZone);
  return w === null || w.start.getTime() <= now.getTime();
}

/** The next instant quiet hours open; `now` itself when they are open now (and always when always on). */
export function nextQuietStart(now: Date, quiet: QuietHours, timeZone: string): Date {
  const w = currentOrNextWindow(now, quiet, timeZone);
  return w === null || w.start.getTime() <= now.getTime() ? now : w.start;
}

/** When the current window closes, or the next one if none is open; null when quiet hours never close. */
export function quietEnd(now: Date, quiet: QuietHours, timeZone: string): Date | null {
  return currentOrNextWindow(now, quiet, timeZone)?.end ?? null;
}

/**
 * The same answers as isInQuietHours, nextQuietStart and quietEnd for many instants in one pass (a
 * schedule asks them for every task): a window found for instant `t` is the answer for every
 * instant from `t` until it closes, so each window is looked up in the zone once. Per pass: what
 * it learns is kept as long as the view is.
 */
export interface QuietView {
  isQuiet(at: Date): boolean;
  nextStart(at: Date): Date;
  end(at: Date): Date | null;
}

export function quietView(quiet: QuietHours, timeZone: string): QuietView {
  checkQuietHours(quiet);
  const always = isAlwaysQuiet(quiet);
  /** Each window found, with the earliest instant it was the answer for: it answers [from, end). */
  const known: { from: number; window: QuietWindow }[] = [];
  const windowAt = (at: Date): QuietWindow | null => {
    if (always) return null;
    const t = at.getTime();
    for (const k of known) if (k.from <= t && t < k.window.end.getTime()) return k.window;
    const window = currentOrNextWindow(at, quiet, timeZone) as QuietWindow;
    const same = known.find((k) => k.window.end.getTime() === window.end.getTime());
    if (same) same.from = Math.min(same.from, t);
    else known.push({ from: t, window });
    return same?.window ?? window;
  };
  const isQuiet = (at: Date): boolean => {
    const w = windowAt(at);
    return w === null || w.start.getTime() <= at.getTime();
  };
  return {
    isQuiet,
    nextStart: (at) => (isQuiet(at) ? at : (windowAt(at) as QuietWindow).start),
    end: (at) => windowAt(at)?.end ?? null,
  };
}
