// Posts the morning summary daily at SUMMARY_TIME in the owner's zone. A summary missed while
// nightshift was down is posted late on start (within CATCH_UP_MS) rather than skipped.
import type { Engine } from './engine.ts';
import type { Clock, Logger } from './ports.ts';
import { buildSummary, type Summary } from './summary.ts';
import { addDays, atLocalTime, localDateOf, nextDailyAt } from './time-of-day.ts';

export const LAST_SUMMARY_KEY = 'lastSummaryAt';
const DAY_MS = 24 * 3_600_000;
/** A summary missed by up to this long is posted late on start; older ones are skipped. */
export const CATCH_UP_MS = 12 * 3_600_000;
/** Re-check at least this often, so a suspended laptop or a clock change cannot make us miss it. */
const MAX_SLEEP_MS = 60_000;

export async function composeSummary(engine: Engine, since?: Date): Promise<Summary> {
  const now = engine.now();
  const last = engine.getMeta<string>(LAST_SUMMARY_KEY);
  const from = since ?? (last ? new Date(last) : new Date(now.getTime() - DAY_MS));
  const finished = await engine.history({ since: from });
  return buildSummary({ since: from, now, timeZone: engine.policy.timeZone, finished, live: engine.live(), waiting: engine.schedule().waiting });
}

/** The latest scheduled summary time at or before `now`. */
export function previousDailyAt(now: Date, minuteOfDay: number, timeZone: string): Date {
  const today = atLocalTime(localDateOf(now, timeZone), minuteOfDay, timeZone);
  return today.getTime() <= now.getTime() ? today : atLocalTime(addDays(localDateOf(now, timeZone), -1), minuteOfDay, timeZone);
}

export class SummaryScheduler {
  private timer: unknown = null;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly post: (summary: Summary) => void | Promise<void>,
  ) {}

  async start(): Promise<void> {
    const { summaryTime, timeZone } = this.engine.policy;
    const now = this.clock.now();
    const last = this.engine.getMeta<string>(LAST_SUMMARY_KEY);
    if (!last) {
      // First run: nothing happened before now, so the first summary covers from here on.
      await this.engine.setMeta(LAST_SUMMARY_KEY, now.toISOString());
    } else {
      const scheduled = previousDailyAt(now, summaryTime, timeZone);
      const missed = Date.parse(last) < scheduled.getTime();
      if (missed && now.getTime() - scheduled.getTime() <= CATCH_UP_MS) {
        this.logger.info('posting the morning summary late: nightshift was not running at its time');
        await this.fire();
      }
    }
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.stopped) return;
    const { summaryTime, timeZone } = this.engine.policy;
    const now = this.clock.now();
    // A missed time was either caught up in start() or is too old to post: the next is from now.
    const due = nextDailyAt(now, summaryTime, timeZone);
    const wait = due.getTime() - now.getTime();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void (async () => {
        if (this.clock.now().getTime() >= due.getTime()) await this.fire();
        this.arm();
      })();
    }, Math.max(0, Math.min(wait, MAX_SLEEP_MS)));
  }

  /** Composes the summary since the last one, posts it, and remembers when. */
  private async fire(): Promise<void> {
    try {
      const summary = await composeSummary(this.engine);
      await this.engine.setMeta(LAST_SUMMARY_KEY, summary.generatedAt);
      await this.post(summary);
    } catch (e) {
      this.logger.error('could not post the morning summary', { error: String(e) });
    }
  }
}
