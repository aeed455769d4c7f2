// Durations as people write and read them: "2h", "90m", "1h30m", "45s", "2 hrs", "45min".

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every spelling of a unit that is read, in ms. "m" is minutes (there is no month). */
const UNIT_MS = new Map<string, number>([
  ...['ms', 'msec', 'millisecond', 'milliseconds'].map((u) => [u, 1] as const),
  ...['s', 'sec', 'secs', 'second', 'seconds'].map((u) => [u, SECOND] as const),
  ...['m', 'min', 'mins', 'minute', 'minutes'].map((u) => [u, MINUTE] as const),
  ...['h', 'hr', 'hrs', 'hour', 'hours'].map((u) => [u, HOUR] as const),
  ...['d', 'day', 'days'].map((u) => [u, DAY] as const),
]);

export interface ParseDurationOptions {
  /**
   * What a number without a unit means: 'ms' (settings such as BUILD_TIMEOUT=1000) or 'invalid'
   * (`--eta 4`: four what?). Default 'ms'.
   */
  unitless?: 'ms' | 'invalid';
}

/**
 * Parses "2h", "90m", "1h30m", "1h 30m", "1.5h", "2d", "45s", "250ms", "45min", "2 hrs", "3 days"
 * (a number and a unit, repeated; case and spaces ignored) to whole milliseconds. A bare whole
 * number is milliseconds unless `unitless` says otherwise. Null when malformed or zero (but a bare
 * "0" is 0 ms).
 */
export function parseDuration(text: string, { unitless = 'ms' }: ParseDurationOptions = {}): number | null {
  const s = text.toLowerCase().replace(/\s+/g, '');
  if (/^\d+$/.test(s)) return unitless === 'ms' ? Number(s) : null;
  const part = /(\d+(?:\.\d+)?)([a-z]+)/y;
  let total = 0;
  while (part.lastIndex < s.length) {
    const m = part.exec(s);
    const unitMs = UNIT_MS.get(m?.[2] ?? '');
    if (unitMs === undefined) return null;
    total += Number(m?.[1]) * unitMs;
  }
  const ms = Math.round(total);
  return ms > 0 ? ms : null;
}

/** "2h", "1h 30m", "4m 05s", "12s", "800ms". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const totalS = Math.round(ms / 1_000);
  const h = Math.floor(totalS / 3_600);
  const m = Math.floor((totalS % 3_600) / 60);
  const s = totalS % 60;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return s > 0 ? `${m}m ${String(s).padStart(2, '0')}s` : `${m}m`;
  return `${s}s`;
}
