// "What happens next" for a task, as the owner reads it in a reply.
import { formatDuration } from '../core/durations.ts';
import type { Engine } from '../core/engine.ts';
import { describeStart, type ScheduleDecision } from '../core/schedule.ts';
import type { Task } from '../core/task.ts';

/** "needs ~2h (your estimate)", "similar builds took ~40m", or '' with neither. */
export function estimateText(engine: Engine, task: Task): string {
  if (task.estimateMs) return `needs ~${formatDuration(task.estimateMs)} (your estimate)`;
  const typical = engine.typicalDurationMs();
  return typical ? `similar builds took ~${formatDuration(typical)}` : '';
}

export function nextStep(engine: Engine, task: Task, decision: ScheduleDecision, now: Date, opts: { estimate?: boolean } = {}): string {
  const step = nextStepOnly(engine, task, decision, now);
  const estimate = opts.estimate !== false && ['queued', 'failed'].includes(task.status) ? estimateText(engine, task) : '';
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
