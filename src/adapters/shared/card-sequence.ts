// What every chat adapter does around a task's card (its live status message), whatever the
// platform: later messages for a task wait until its card exists, the newest state is rendered when
// an edit's turn comes (a finished task has left the live set, so its last state is kept here), and
// the lines that say who decided and when.
import type { Engine } from '../../core/engine.ts';
import type { Logger } from '../../core/ports.ts';
import type { Task, TaskId } from '../../core/task.ts';
import { formatOwnerTime } from '../../core/time-of-day.ts';

export class CardSequence {
  private readonly ready = new Map<TaskId, Promise<void>>();
  private readonly latest = new Map<TaskId, Task>();
  /** Per task, the end of its queue of updates: they run one after another, in event order. */
  private readonly chains = new Map<TaskId, Promise<void>>();

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
    private readonly platform: string,
  ) {}

  /** The card is being created; everything later for this task waits for it. */
  creating(id: TaskId, creation: Promise<void>): void {
    this.ready.set(id, creation);
  }

  /** Resolves once the card's creation has ended (or at once when there is none). */
  async created(id: TaskId): Promise<void> {
    await this.ready.get(id)?.catch(() => undefined);
  }

  /**
   * Runs `work` after the card exists and after the task's earlier updates, so its thread reads in
   * the order things happened ("Approved" before "Started") even when one update waits on a disk
   * write. A failure is logged, never thrown at the engine.
   */
  after(id: TaskId, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(id) ?? this.created(id)).then(async () => {
      try {
        await work();
      } catch (e) {
        this.logger.warn(`could not update ${this.platform}`, { task: id, error: String(e) });
      }
    });
    this.chains.set(id, next);
    void next.then(() => {
      if (this.chains.get(id) === next) this.chains.delete(id);
    });
    return next;
  }

  /** A finished task gets no more updates: what was kept for it can go (its last edit renders from the event's task). */
  forget(id: TaskId): void {
    this.ready.delete(id);
    this.latest.delete(id);
  }

  remember(task: Task): void {
    this.latest.set(task.id, task);
  }

  /** The newest state known for a task (a lookup, not a scan of the live tasks). */
  newest(id: TaskId, fallback: Task): Task {
    return this.engine.liveTask(id) ?? this.latest.get(id) ?? fallback;
  }
}

/** Events after which an open question to the owner is settled. */
export const DECIDED = new Set(['approved', 'rejected', 'cancelled', 'retried', 'accepted', 'started', 'done']);

interface When {
  now: Date;
  timeZone: string;
}

/** "Approved by @x at 13:02": the last decision a person made, for the card; null when none. */
export function decisionLine(task: Task, ctx: When, who: (by: string) => string): string | null {
  const decided = [...task.events].reverse().find((e) => ['approved', 'rejected', 'cancelled', 'retried', 'accepted'].includes(e.type) && e.by);
  if (!decided) return null;
  const verb = { approved: 'Approved', rejected: 'Rejected', cancelled: 'Cancelled', retried: 'Retried', accepted: 'Accepted with checks failing' }[decided.type as 'approved'];
  return `${verb} by ${who(decided.by ?? '')} at ${formatOwnerTime(new Date(decided.at), ctx.now, ctx.timeZone)}`;
}

/** What settled an open question (the task's last event), for the message that asked it. */
export function closingLine(task: Task, ctx: When, who: (by: string) => string): string {
  const e = task.events[task.events.length - 1];
  const when = e ? formatOwnerTime(new Date(e.at), ctx.now, ctx.timeZone) : '';
  const by = e?.by ? ` by ${who(e.by)}` : '';
  const what = { approved: 'Approved', rejected: 'Rejected', cancelled: 'Cancelled', retried: 'Retried', accepted: 'Accepted with checks failing', started: 'Started', done: 'Done' }[e?.type as 'approved'] ?? 'Settled';
  return `${what}${by} at ${when}`;
}
