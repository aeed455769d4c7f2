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

  /** Runs `work` after the card exists; a failure is logged, never thrown at the engine. */
  async after(id: TaskId, work: () => Promise<void>): Promise<void> {
    await this.created(id);
    try {
      await work();
    } catch (e) {
      this.logger.warn(`could not update ${this.platform}`, { task: id, error: String(e) });
    }
  }

  remember(task: Task): void {
    this.latest.set(task.id, task);
  }

  /** The newest state known for a task. */
  newest(id: TaskId, fallback: Task): Task {
    return this.engine.live().find((t) => t.id === id) ?? this.latest.get(id) ?? fallback;
  }
}

/** Events after which an open question to the owner is settled. */
export const DECIDED = new Set(['approved', 'rejected', 'cancelled', 'retried', 'started', 'done']);

interface When {
  now: Date;
  timeZone: string;
}

/** "Approved by @x at 13:02": the last decision a person made, for the card; null when none. */
export function decisionLine(task: Task, ctx: When, who: (by: string) => string): string | null {
  const decided = [...task.events].reverse().find((e) => ['approved', 'rejected', 'cancelled', 'retried'].includes(e.type) && e.by);
  if (!decided) return null;
  const verb = { approved: 'Approved', rejected: 'Rejected', cancelled: 'Cancelled', retried: 'Retried' }[decided.type as 'approved'];
  return `${verb} by ${who(decided.by ?? '')} at ${formatOwnerTime(new Date(decided.at), ctx.now, ctx.timeZone)}`;
}

/** What settled an open question (the task's last event), for the message that asked it. */
export function closingLine(task: Task, ctx: When, who: (by: string) => string): string {
  const e = task.events[task.events.length - 1];
  const when = e ? formatOwnerTime(new Date(e.at), ctx.now, ctx.timeZone) : '';
  const by = e?.by ? ` by ${who(e.by)}` : '';
  const what = { approved: 'Approved', rejected: 'Rejected', cancelled: 'Cancelled', retried: 'Retried', started: 'Started', done: 'Done' }[e?.type as 'approved'] ?? 'Settled';
  return `${what}${by} at ${when}`;
}
