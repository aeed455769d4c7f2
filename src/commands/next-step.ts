// "What happens next" for a task, as the owner reads it in a reply: when it starts, how long it
// will take (from comparable history, with a range) and when it should be done.
import { formatDuration } from '../core/durations.ts';
import { describeEstimate, type Estimate } from '../core/estimate.ts';
import type { Engine } from '../core/engine.ts';
import { describeStart, waitingOf, type ScheduleDecision } from '../core/schedule.ts';
import type { Task } from '../core/task.ts';
import { formatOwnerTime } from '../core/time-of-day.ts';
import { lastAttempt } from '../core/transitions.ts';

/** When the task starts (or started), when that is known: now, the quiet window, the end of a back-off; null while it waits for a person or a slot. */
export function expectedStart(engine: Engine, task: Task, decision: ScheduleDecision, now: Date): Date | null {
  if (task.status === 'building') {
    const a = lastAttempt(task);
    return a ? new Date(a.startedAt) : null;
  }
  if (task.status !== 'queued' && task.status !== 'failed') return null;
  if (!engine.runsBuilds) return null;
  if (decision.start.includes(task.id)) return now;
  return waitingOf(decision, task.id)?.startsAt ?? null;
}

/** "usually 12m–25m (8 similar builds with claude); done around 02:40", or '' with no estimate. */
export function estimateText(engine: Engine, task: Task, startsAt: Date | null = null, now: Date = engine.now()): string {
  const e = engine.estimate(task);
  if (!e) return '';
  const done = doneAround(e, startsAt, now, engine.policy.timeZone);
  return done ? `${describeEstimate(e)}; ${done}` : describeEstimate(e);
}

function doneAround(e: Estimate, startsAt: Date | null, now: Date, timeZone: string): string {
  if (!startsAt) return '';
  const at = new Date(Math.max(now.getTime(), startsAt.getTime() + e.ms));
  return `done around ${formatOwnerTime(at, now, timeZone)}`;
}

/**
 * A warning when the task cannot (with the owner's estimate) or likely will not (with history)
 * make its deadline, said when it is accepted; '' otherwise.
 */
export function deadlineWarning(engine: Engine, task: Task, decision: ScheduleDecision, now: Date): string {
  if (!task.deadline || (task.status !== 'queued' && task.status !== 'failed' && task.status !== 'building')) return '';
  const e = engine.estimate(task);
  if (!e) return '';
  const start = expectedStart(engine, task, decision, now) ?? now;
  const due = Date.parse(task.deadline);
  if (start.getTime() + e.ms <= due) return '';
  const dueText = formatOwnerTime(new Date(due), now, engine.policy.timeZone);
  const why = e.own ? `it cannot make its deadline: it needs ~${formatDuration(e.ms)} (your estimate)` : `it will likely miss its deadline: builds like it take ~${formatDuration(e.ms)} (${e.basis})`;
  return `${why} and is due ${dueText}`;
}

export function nextStep(engine: Engine, task: Task, decision: ScheduleDecision, now: Date, opts: { estimate?: boolean } = {}): string {
  const step = nextStepOnly(engine, task, decision, now);
  const estimate = opts.estimate !== false && ['queued', 'failed', 'building'].includes(task.status) ? estimateText(engine, task, expectedStart(engine, task, decision, now), now) : '';
  return estimate ? `${step} · ${estimate}` : step;
}

function nextStepOnly(engine: Engine, task: Task, decision: ScheduleDecision, now: Date): string {
  if (task.status === 'building') {
    return `started with ${engine.builderName}${engine.builderIsDemo ? ' (a demo build: it builds nothing real)' : ''}`;
  }
  if (task.status === 'awaiting_approval') {
    const reasons = task.safety.reasons.map((r) => r.message).join('; ');
    return `waiting for your approval: ${reasons}`;
  }
  const line = describeStart(task, now, engine.policy, decision);
  if (!engine.runsBuilds && (task.status === 'queued' || task.status === 'failed')) {
    return `${line === 'ready to start' || line === 'starting now' ? 'ready' : line}; it starts once nightshift is running ("nightshift start" or "nightshift run --until-idle")`;
  }
  return line;
}
