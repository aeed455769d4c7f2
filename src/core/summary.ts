// The morning summary as data: what finished since the last one, what failed or escalated, what
// waits for approval, what is queued and when it will start. Adapters render it.
import type { WaitingTask } from './schedule.ts';
import type { Task } from './task.ts';

export interface Summary {
  since: string;
  generatedAt: string;
  timeZone: string;
  /** Finished since `since`, newest first, with their deliverables. */
  done: Task[];
  /** Cancelled or rejected since `since`. */
  dropped: Task[];
  escalated: Task[];
  /** Failed and waiting for a retry. */
  retrying: Task[];
  awaitingApproval: Task[];
  building: Task[];
  queued: { task: Task; waiting: WaitingTask | null }[];
}

export interface SummaryInput {
  since: Date;
  now: Date;
  timeZone: string;
  /** Archived tasks that finished at or after `since`. */
  finished: Task[];
  live: Task[];
  waiting: WaitingTask[];
}

export function buildSummary(input: SummaryInput): Summary {
  const byStatus = (s: Task['status']) => input.live.filter((t) => t.status === s);
  const waitingById = new Map(input.waiting.map((w) => [w.id, w]));
  return {
    since: input.since.toISOString(),
    generatedAt: input.now.toISOString(),
    timeZone: input.timeZone,
    done: input.finished.filter((t) => t.status === 'done'),
    dropped: input.finished.filter((t) => t.status === 'cancelled' || t.status === 'rejected'),
    escalated: byStatus('escalated'),
    retrying: byStatus('failed'),
    awaitingApproval: byStatus('awaiting_approval'),
    building: byStatus('building'),
    queued: byStatus('queued').map((task) => ({ task, waiting: waitingById.get(task.id) ?? null })),
  };
}

export const isQuietSummary = (s: Summary): boolean =>
  s.done.length + s.dropped.length + s.escalated.length + s.retrying.length + s.awaitingApproval.length + s.building.length + s.queued.length === 0;
