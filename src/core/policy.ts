// The settings the core's policies read. src/config.ts builds this from the environment;
// tests build it with `defaultPolicy()` and override what they exercise.

/** A local time of day as minutes after midnight (22:00 → 1320). */
export type MinuteOfDay = number;

export interface QuietHours {
  start: MinuteOfDay;
  end: MinuteOfDay;
}

export interface SafetyExtras {
  destructive: string[];
  external: string[];
  blockers: string[];
}

export interface Policy {
  /** IANA time zone of the owner: quiet hours, deadlines and the morning summary are read in it. */
  timeZone: string;
  quietHours: QuietHours;
  maxParallelBuilds: number;
  /** Attempts in one retry budget (the first try included). */
  maxAttempts: number;
  /** Wait before retry n+1 after attempt n failed; the last value repeats. */
  retryBackoffMs: number[];
  buildTimeoutMs: number;
  /** The safety net for time-based moves; events start work immediately. */
  tickMs: number;
  summaryTime: MinuteOfDay;
  safetyExtras: SafetyExtras;
  /** Assumed build duration for deadline checks when a task has no estimate and there is no history. */
  defaultEstimateMs: number;
  /** A task waiting this long for approval is asked about once more (APPROVAL_REMINDER); null: never. */
  approvalReminderMs: number | null;
  /** Interrupted work older than this waits for the owner instead of running again (RESUME_MAX_AGE); null: always runs. */
  resumeMaxAgeMs: number | null;
  /** FALLBACK_BUILDER's name: a usage limit hit by the other builder hands the task to it at once, instead of a wait. */
  fallbackBuilder?: string;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function defaultPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    timeZone: 'UTC',
    quietHours: { start: 22 * 60, end: 6 * 60 },
    maxParallelBuilds: 1,
    maxAttempts: 3,
    retryBackoffMs: [1 * MINUTE, 5 * MINUTE],
    buildTimeoutMs: 2 * HOUR,
    tickMs: 60_000,
    summaryTime: 7 * 60 + 30,
    safetyExtras: { destructive: [], external: [], blockers: [] },
    defaultEstimateMs: 1 * HOUR,
    approvalReminderMs: 2 * HOUR,
    resumeMaxAgeMs: 6 * HOUR,
    ...overrides,
  };
}

export function formatMinuteOfDay(m: MinuteOfDay): string {
  const h = Math.floor(m / 60);
  const min = m % 60;
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}
