// Core events as console lines. Pure: (event, state) → lines, so it is tested without a terminal.
import { doneCheckSummary } from '../../core/check-summary.ts';
import { publishProblems } from '../../core/publish-problems.ts';
import { formatDuration } from '../../core/durations.ts';
import type { CoreEvent, Progress, TaskLinks } from '../../core/ports.ts';
import { attemptLabel, lastAttempt } from '../../core/transitions.ts';
import type { PlanStep, Task } from '../../core/task.ts';
import { clip, demoNote as taskDemoNote, elapsed, progressBar, when } from '../../commands/format.ts';
import { formatAgentUsage } from '../../commands/usage-format.ts';
import { renderSummaryText } from '../../commands/summary.ts';
import { PLAN_MARK, planDone } from '../shared/card-facts.ts';

export interface RenderOptions {
  timeZone: string;
  maxAttempts: number;
  now: Date;
  /** The dashboard, when it is on: lines point at the task's page instead of a local log path. */
  links?: TaskLinks | null;
}

/** "· http://127.0.0.1:7431/tasks/t-1" with the dashboard on, else "· log /path/attempt-1.log". */
const whereToLook = (t: Task, o: RenderOptions): string => (o.links ? ` · ${o.links.task(t.id)}` : ` · log ${lastAttempt(t)?.logPath ?? ''}`);

function deliverablesLine(t: Task): string {
  const d = t.deliverables;
  const bits: string[] = [];
  if (d.branch) bits.push(`branch ${d.branch}`);
  if (d.diffstat) bits.push(d.diffstat);
  else if (d.changedFiles.length) bits.push(`${d.changedFiles.length} file${d.changedFiles.length === 1 ? '' : 's'} changed (${d.changedFiles.slice(0, 5).join(', ')}${d.changedFiles.length > 5 ? ', …' : ''})`);
  if (d.workspace) bits.push(`in ${d.workspace}`);
  if (d.pushed) bits.push(`pushed to ${d.pushed}`);
  bits.push(...d.links);
  if (d.noPullRequest) bits.push(publishProblems(d.noPullRequest));
  return bits.join(' · ');
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

const demoNote = (t: Task | null): string => (t ? taskDemoNote(t) : '');

/** The agent's plan on one line: "t-1 plan (1 of 4 done): ✓ Read the spec · ▶ Plan the work · ○ …". */
export function planLine(task: Task, plan: readonly PlanStep[]): string {
  return `  ${task.id} plan (${planDone(plan)}): ${plan.map((s) => `${PLAN_MARK[s.status]} ${clip(oneLine(s.text), 80, '')}`).join(' · ')}`;
}

/** A running build's live line on a terminal: "t-1 [████░░░░░░] 40% editing src/app.ts · 2m · Build a CSV export". */
export function liveLine(task: Task, progress: Progress | null, now: Date): string {
  const what = progress?.message ? ` ${progress.message}` : ' starting';
  return `${task.id} ${progressBar(progress?.percent ?? null, 20)}${what} · ${formatDuration(elapsed(task, now))} · ${task.title}`;
}

export function renderEvent(ev: CoreEvent, o: RenderOptions): string | null {
  const demo = demoNote(ev.type === 'task_changed' ? ev.task : null);
  switch (ev.type) {
    case 'task_created':
      return ev.task.origin.adapter === 'console' ? null : `${ev.task.id} "${ev.task.title}" was added from ${ev.task.origin.adapter}`;
    case 'progress':
      return `  ${ev.task.id} ${progressBar(ev.progress.percent, 20)} ${ev.progress.message}`;
    case 'owner_attention':
      return `>> ${ev.message}`;
    case 'summary_due':
      return renderSummaryText(ev.summary, o.links ?? null);
    case 'task_changed':
      break;
  }
  const t = ev.task;
  const a = lastAttempt(t);
  switch (ev.event.type) {
    case 'started':
      return `${t.id} started: attempt ${attemptLabel(t, o.maxAttempts)} with ${a?.builder ?? 'the builder'}${a?.demo ? ' (a demo build)' : ''}${whereToLook(t, o)}`;
    case 'done':
    case 'accepted': {
      // What the agent says it did and what it cost: here as in chat, not only in "status t-N".
      // Work accepted anyway says so where the checks would be, never "checks passed".
      const usage = formatAgentUsage(a?.usage);
      const said = t.deliverables.summary ? `\n  ${clip(oneLine(t.deliverables.summary), 300, `"status ${t.id}"`)}` : '';
      return `${t.id} "${t.title}" is done after ${formatDuration(a?.durationMs ?? 0)}${demo} · ${deliverablesLine(t)} · ${doneCheckSummary(t)}${usage ? ` · ${usage}` : ''}${whereToLook(t, o)}${said}`;
    }
    case 'retry_scheduled':
      return `${t.id} attempt ${a?.n ?? '?'}${demo} failed (${a?.reason ?? 'unknown'}); retrying at ${t.retryAt ? when(t.retryAt, o.now, o.timeZone) : 'soon'}`;
    case 'escalated':
      return null; // the owner_attention message carries the error and the log tail
    case 'cancelled':
      return `${t.id} "${t.title}" cancelled${ev.event.by ? ` by ${ev.event.by}` : ''}`;
    case 'approved':
      return `${t.id} approved by ${ev.event.by ?? 'the owner'}`;
    case 'rejected':
      return `${t.id} rejected by ${ev.event.by ?? 'the owner'}`;
    case 'interrupted':
      return `${t.id} ${ev.event.detail ?? 'was interrupted'}; it is ${t.status === 'queued' ? 'back in the queue' : t.status}`;
    default:
      return null;
  }
}
