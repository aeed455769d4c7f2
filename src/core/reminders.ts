// Approvals that cannot be missed: a task still waiting for the owner's approval is asked about
// once more after APPROVAL_REMINDER (default 2 h) — once per wait, counted from when it began to
// wait. Pure: (live tasks, now, setting) → who is due now, and when the next one will be.
import type { Task, TaskId } from './task.ts';

export interface ReminderPlan {
  /** Waiting tasks whose reminder is due now. */
  due: TaskId[];
  /** The next instant a reminder falls due (ms), or Infinity. */
  nextAt: number;
}

/** When the current wait for approval began, and whether it was already reminded; null when not waiting. */
function currentWait(task: Task): { since: number; reminded: boolean } | null {
  if (task.status !== 'awaiting_approval') return null;
  for (let i = task.events.length - 1; i >= 0; i--) {
    const e = task.events[i];
    if (!e) continue;
    if (e.type === 'approval_reminded') return { since: NaN, reminded: true };
    if (e.type === 'approval_requested') return { since: Date.parse(e.at), reminded: false };
  }
  return { since: Date.parse(task.createdAt), reminded: false };
}

export function planReminders(tasks: readonly Task[], nowMs: number, reminderMs: number | null): ReminderPlan {
  const plan: ReminderPlan = { due: [], nextAt: Infinity };
  if (reminderMs === null) return plan;
  for (const task of tasks) {
    const wait = currentWait(task);
    if (!wait || wait.reminded || Number.isNaN(wait.since)) continue;
    const at = wait.since + reminderMs;
    if (at <= nowMs) plan.due.push(task.id);
    else plan.nextAt = Math.min(plan.nextAt, at);
  }
  return plan;
}
