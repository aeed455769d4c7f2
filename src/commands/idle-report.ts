// What `nightshift run --until-idle` says when it stops: that nothing more can start now, and what
// is left and why (waiting for approval, for quota, for a retry, for the quiet window). "Nothing
// more to start" alone read as "all done" while tasks waited for the owner.
import type { Engine } from '../core/engine.ts';
import { describeStart } from '../core/schedule.ts';
import type { Task } from '../core/task.ts';
import { canAccept } from '../core/transitions.ts';
import { waitsForQuota } from './format.ts';

const SHOWN = 5;

function ids(tasks: Task[], each: (t: Task) => string = (t) => t.id): string {
  const shown = tasks.slice(0, SHOWN).map(each).join(', ');
  return tasks.length > SHOWN ? `${shown} and ${tasks.length - SHOWN} more` : shown;
}

export function idleReport(engine: Engine): string {
  const live = engine.live();
  const now = engine.now();
  const decision = engine.schedule();
  const next = (t: Task) => `${t.id} (${describeStart(t, now, engine.policy, decision)})`;
  const of = (f: (t: Task) => boolean) => live.filter(f);
  const approval = of((t) => t.status === 'awaiting_approval');
  const escalated = of((t) => t.status === 'escalated');
  const quota = of(waitsForQuota);
  const retrying = of((t) => t.status === 'failed' && !waitsForQuota(t));
  const queued = of((t) => t.status === 'queued');
  const lines = [live.length === 0 ? 'Idle: every task has finished.' : 'Idle: nothing more can start now.'];
  if (approval.length) lines.push(`Waiting for your approval (${approval.length}): ${ids(approval)}; "nightshift approve ${approval[0]?.id}" lets one start.`);
  const acceptable = escalated.find(canAccept);
  const orAccept = acceptable ? `, "nightshift accept ${acceptable.id}" takes its built work as it is (checks failing)` : '';
  if (escalated.length) lines.push(`Failed and waiting for you (${escalated.length}): ${ids(escalated)}; "nightshift retry ${escalated[0]?.id}" tries again${orAccept}.`);
  if (quota.length) lines.push(`Waiting for quota (${quota.length}): ${ids(quota, next)}.`);
  if (retrying.length) lines.push(`Failed, retrying later (${retrying.length}): ${ids(retrying, next)}.`);
  if (queued.length) lines.push(`Queued for later (${queued.length}): ${ids(queued, next)}.`);
  return lines.join('\n');
}
