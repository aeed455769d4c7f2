// Plain-text pieces shared by every reply: task lines, progress bars, times in the owner's zone.
import { formatDuration } from '../core/durations.ts';
import type { Progress } from '../core/ports.ts';
import { formatOwnerTime } from '../core/schedule.ts';
import { attemptLabel, canAccept, lastAttempt } from '../core/transitions.ts';
import type { Task, TaskStatus } from '../core/task.ts';

export const STATUS_LABEL: Record<TaskStatus, string> = {
  awaiting_approval: 'awaiting approval',
  queued: 'queued',
  building: 'building',
  done: 'done',
  failed: 'failed, will retry',
  escalated: 'escalated',
  cancelled: 'cancelled',
  rejected: 'rejected',
};

/** A failed task whose last attempt hit the agent's usage limit: it waits for quota; it did not fail. */
export function waitsForQuota(task: Task): boolean {
  return task.status === 'failed' && lastAttempt(task)?.outcome === 'usage_limited';
}

/** The status as a person reads it: "waiting for quota until 03:00" rather than "failed, will retry". */
export function statusLabel(task: Task, now: Date, timeZone: string): string {
  if (waitsForQuota(task)) return task.retryAt ? `waiting for quota until ${when(task.retryAt, now, timeZone)}` : 'waiting for quota';
  return STATUS_LABEL[task.status];
}

/** `[██████░░░░░░] 50%`; unknown progress draws an empty bar with "…". */
export function progressBar(percent: number | null, width = 12): string {
  if (percent === null) return `[${'░'.repeat(width)}] …`;
  const p = Math.max(0, Math.min(100, percent));
  const full = Math.round((p / 100) * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${Math.round(p)}%`;
}

export function when(iso: string, now: Date, timeZone: string): string {
  return formatOwnerTime(new Date(iso), now, timeZone);
}

export function deadlineText(task: Task, now: Date, timeZone: string): string | null {
  return task.deadline ? `due ${when(task.deadline, now, timeZone)} (${timeZone})` : null;
}

export function elapsed(task: Task, now: Date): number {
  const a = lastAttempt(task);
  return a ? Math.max(0, (a.endedAt ? Date.parse(a.endedAt) : now.getTime()) - Date.parse(a.startedAt)) : 0;
}

/** One line per task: id, status, priority, title, and what matters for its status. */
export function taskLine(task: Task, now: Date, timeZone: string, maxAttempts: number, progress?: Progress | null): string {
  const parts = [`${task.id}`, statusLabel(task, now, timeZone), task.priority, `"${task.title}"`];
  if (task.status === 'building') {
    parts.push(progressBar(progress?.percent ?? null));
    if (progress?.message) parts.push(progress.message);
    parts.push(`${formatDuration(elapsed(task, now))} elapsed`);
    parts.push(`attempt ${attemptLabel(task, maxAttempts)}`);
  }
  const due = deadlineText(task, now, timeZone);
  if (due && task.status !== 'done') parts.push(due);
  return parts.join(' · ');
}

/** Cuts text to `max` characters, saying where the rest is. */
export function clip(text: string, max: number, rest = 'the full log'): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}… (cut; see ${rest})`;
}

/** Said wherever a build is reported, when the bundled demo builder did it. */
export function demoNote(task: Task): string {
  return lastAttempt(task)?.demo ? ' (demo build: nothing real was built)' : '';
}

/** What the owner can say about an escalated task: "retry t-3" or "cancel t-3", and "accept t-3" when only failing checks stand between its built work and done. */
export function escalatedChoices(task: Task): string {
  const id = task.id;
  return canAccept(task) ? `"retry ${id}", "accept ${id}" or "cancel ${id}"` : `"retry ${id}" or "cancel ${id}"`;
}

/** A phrase made to open a line: "checks passed (…)" → "Checks passed (…)". */
export const sentence = (phrase: string): string => phrase.charAt(0).toUpperCase() + phrase.slice(1);
