// Reports a builder that has gone quiet: no output, no progress, for `stallMs`. Cheap to feed:
// activity() only notes the time; the one timer re-checks the silence when it fires.

export interface StallClock {
  /** Milliseconds; only differences matter. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StallWatchOptions {
  /** Milliseconds without activity() after which the builder counts as stalled. */
  stallMs: number;
  /** Called once per stall with the silence so far (≥ stallMs). Must not throw. */
  onStall(silentForMs: number): void;
  /** Default: performance.now and unref'd Node timers. */
  clock?: StallClock;
}

export interface StallWatch {
  /** The builder did something. After a stall, this re-arms the watch. */
  activity(): void;
  /** No more reports. Idempotent. */
  stop(): void;
}

/** Node's timers fire at once when asked for more than this (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const monotonicClock: StallClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Starts watching now: the silence counts from this call until the first activity(). */
export function watchForStall({ stallMs, onStall, clock = monotonicClock }: StallWatchOptions): StallWatch {
  if (!Number.isFinite(stallMs) || stallMs <= 0) throw new RangeError(`stallMs must be a positive number of milliseconds, got ${stallMs}`);

  let lastActivity = clock.now();
  let timer: unknown;
  let armed = false;
  let stopped = false;

  const arm = (ms: number): void => {
    armed = true;
    timer = clock.setTimeout(check, Math.min(Math.max(0, ms), MAX_TIMER_MS));
  };

  function check(): void {
    armed = false;
    if (stopped) return;
    const silentFor = clock.now() - lastActivity;
    if (silentFor < stallMs) return arm(stallMs - silentFor);
    onStall(silentFor); // stays disarmed until the next activity()
  }

  arm(stallMs);

  return {
    activity() {
      if (stopped) return;
      lastActivity = clock.now();
      if (!armed) arm(stallMs);
    },
    stop() {
      stopped = true;
      if (armed) clock.clearTimeout(timer);
      armed = false;
    },
  };
}
