// What a status card says about time, the same on every platform: the context a card is drawn in
// (now, the owner's zone, the attempt budget, how long builds usually take), and the "12m elapsed ·
// est ~40m" line. Each adapter only decides how it looks.
import { formatDuration } from '../../core/durations.ts';
import type { Engine } from '../../core/engine.ts';
import type { Progress, TaskLinks } from '../../core/ports.ts';
import type { PlanStep, Task } from '../../core/task.ts';
import { lastAttempt } from '../../core/transitions.ts';
import { elapsed } from '../../commands/format.ts';

export interface CardContext {
  now: Date;
  timeZone: string;
  maxAttempts: number;
  /** Median of past build durations, for "est ~40m" when the task has no estimate. */
  typicalMs: number | null;
  /** The dashboard, when it is on: cards and replies link to the task's page and logs. */
  links?: TaskLinks | null;
}

export function cardContext(engine: Pick<Engine, 'now' | 'policy' | 'typicalDurationMs' | 'links'>): CardContext {
  return { now: engine.now(), timeZone: engine.policy.timeZone, maxAttempts: engine.policy.maxAttempts, typicalMs: engine.typicalDurationMs(), links: engine.links };
}

/** How a step of the plan is marked in text: the console and the dashboard alike. */
export const PLAN_MARK: Record<PlanStep['status'], string> = { done: '✓', in_progress: '▶', pending: '○', failed: '✗' };

/** "1 of 4 done". */
export const planDone = (plan: readonly PlanStep[]): string => `${plan.filter((s) => s.status === 'done').length} of ${plan.length} done`;

/** The agent's plan to show: the live one while it builds, else the last one an attempt left; null when it shared none. */
export function planOf(task: Task, progress: Progress | null): PlanStep[] | null {
  const plan = task.status === 'building' ? (progress?.plan ?? lastAttempt(task)?.plan) : task.attempts.findLast((a) => a.plan?.length)?.plan;
  return plan?.length ? plan : null;
}

/** "12m elapsed · est ~40m" while building, "took 41m · est ~40m" after; null when nothing is known. */
export function timeLine(task: Task, ctx: CardContext): string | null {
  const a = lastAttempt(task);
  const est = task.estimateMs ?? ctx.typicalMs;
  const timing = task.status === 'building' ? `${formatDuration(elapsed(task, ctx.now))} elapsed` : a?.durationMs !== undefined ? `took ${formatDuration(a.durationMs)}` : null;
  return timing || est ? [timing, est ? `est ~${formatDuration(est)}` : null].filter(Boolean).join(' · ') : null;
}
