// status: the active builds with progress and elapsed time, the queue with when each task starts,
// what waits for the owner, and recent completions; or one task in detail.
import { doneCheckSummary } from '../core/check-summary.ts';
import { formatDuration } from '../core/durations.ts';
import { sortForStart } from '../core/schedule.ts';
import { parseTaskId, type Task } from '../core/task.ts';
import { publishProblemsLine } from '../core/publish-problems.ts';
import { attemptLabel } from '../core/transitions.ts';
import type { CommandContext } from './context.ts';
import { deadlineText, demoNote, elapsed, escalatedChoices, progressBar, sentence, STATUS_LABEL, statusLabel, taskLine, when } from './format.ts';
import { estimateText, expectedStart, nextStep } from './next-step.ts';
import { formatAgentUsage, formatUsage } from './usage-format.ts';
import { errorReply, type Reply } from './reply.ts';
import { quoteForDisplay } from '../core/safe-text.ts';

export type StatusSection = 'all' | 'active' | 'queue' | 'completed';

export interface StatusOptions {
  section?: StatusSection;
  /** How many finished tasks to show. */
  limit?: number;
}

export async function statusReply(ctx: CommandContext, taskIdText?: string, opts: StatusOptions = {}): Promise<Reply> {
  if (taskIdText) return taskDetail(ctx, taskIdText);
  const { engine } = ctx;
  const now = engine.now();
  const tz = engine.policy.timeZone;
  const max = engine.policy.maxAttempts;
  const section = opts.section ?? 'all';
  const live = engine.live();
  const decision = engine.schedule();
  const lines: string[] = [];
  const shown: Task[] = [];

  const building = live.filter((t) => t.status === 'building');
  if (section === 'all' || section === 'active') {
    lines.push(building.length ? `Building (${building.length}):` : 'Nothing is building right now.');
    for (const t of building) lines.push(`  ${taskLine(t, now, tz, max, engine.progressOf(t.id))}`);
    shown.push(...building);
  }
  if (section === 'all' || section === 'queue') {
    const waiting = sortForStart(live.filter((t) => t.status === 'queued' || t.status === 'failed'));
    if (waiting.length) lines.push(`Queue (${waiting.length}):`);
    else if (section === 'queue') lines.push('The queue is empty.');
    waiting.forEach((t, i) => lines.push(`  ${i + 1}. ${taskLine(t, now, tz, max)} · ${nextStep(engine, t, decision, now)}`));
    shown.push(...waiting);
    const needsYou = live.filter((t) => t.status === 'awaiting_approval' || t.status === 'escalated');
    if (needsYou.length) lines.push(`Waiting for you (${needsYou.length}):`);
    for (const t of needsYou) {
      const why = t.status === 'escalated' ? `say ${escalatedChoices(t)}` : t.safety.reasons.map((r) => r.message).join('; ');
      lines.push(`  ${taskLine(t, now, tz, max)} · ${why}`);
    }
    shown.push(...needsYou);
  }
  if (section === 'all' || section === 'completed') {
    const limit = opts.limit ?? (section === 'completed' ? 20 : 5);
    // One more than shown tells whether there are more, without counting the whole history.
    const found = await engine.history({ limit: limit + 1 });
    const finished = found.slice(0, limit);
    if (finished.length) lines.push(found.length > limit ? `Recently finished (the newest ${limit}; there are more):` : `Recently finished (${finished.length}):`);
    else if (section === 'completed') lines.push('Nothing has finished yet.');
    // A done task says how its checks went: work accepted anyway must not pass for checked work.
    const checks = (t: Task) => (t.status === 'done' ? ` · ${doneCheckSummary(t)}` : '');
    for (const t of finished) lines.push(`  ${t.id} · ${STATUS_LABEL[t.status]} ${when(t.updatedAt, now, tz)} · "${t.title}"${demoNote(t)}${checks(t)}${deliverableNote(t)}`);
    shown.push(...finished);
  }
  return { kind: 'status', ok: true, text: lines.join('\n'), tasks: shown, json: shown };
}

function deliverableNote(t: Task): string {
  const d = t.deliverables;
  const bits: string[] = [];
  if (d.branch) bits.push(`branch ${d.branch}`);
  if (d.changedFiles.length) bits.push(`${d.changedFiles.length} file${d.changedFiles.length === 1 ? '' : 's'} changed`);
  if (d.links.length) bits.push(d.links.join(' '));
  return bits.length ? ` · ${bits.join(' · ')}` : '';
}

async function taskDetail(ctx: CommandContext, idText: string): Promise<Reply> {
  const { engine } = ctx;
  const id = parseTaskId(idText);
  if (!id) return errorReply(`"${quoteForDisplay(idText, 30)}" is not a task id; ids look like t-7`);
  const task = await engine.get(id);
  if (!task) return errorReply(`there is no task ${id}; "queue" lists the live ones`);
  const now = engine.now();
  const tz = engine.policy.timeZone;
  const lines = [`${task.id} "${task.title}"${task.project ? ` in ${task.project}` : ''}: ${statusLabel(task, now, tz)}${demoNote(task)}, ${task.priority} priority: ${task.priorityReason}`];
  const due = deadlineText(task, now, tz);
  if (due) lines.push(`Deadline: ${due}`);
  const estimate = estimateText(engine, task, expectedStart(engine, task, engine.schedule(), now), now);
  if (estimate && ['queued', 'failed', 'building'].includes(task.status)) lines.push(`Estimate: ${estimate}`);
  if (task.status === 'building') {
    const p = engine.progressOf(task.id);
    lines.push(`Progress: ${progressBar(p?.percent ?? null)}${p?.message ? ` ${p.message}` : ''} · ${formatDuration(elapsed(task, now))} elapsed · attempt ${attemptLabel(task, engine.policy.maxAttempts)}`);
  } else if (!['done', 'cancelled', 'rejected'].includes(task.status)) {
    lines.push(`Next: ${nextStep(engine, task, engine.schedule(), now, { estimate: false })}`);
  }
  const decided = [...task.events].reverse().find((e) => e.type === 'rejected' || e.type === 'cancelled');
  if (decided && task.status === decided.type) lines.push(`${decided.type === 'rejected' ? 'Rejected' : 'Cancelled'}${decided.by ? ` by ${decided.by}` : ''} ${when(decided.at, now, tz)}${decided.detail && decided.detail !== `cancelled by ${decided.by}` ? `: ${decided.detail}` : ''}`);
  // Done says how the checks went: passed, none configured, or accepted anyway with them failing.
  if (task.status === 'done') lines.push(sentence(doneCheckSummary(task)));
  if (task.safety.reasons.length) lines.push(`Safety: ${task.safety.reasons.map((r) => r.message).join('; ')}${task.approved ? ' (approved)' : ''}`);
  for (const a of task.attempts) {
    const took = a.durationMs !== undefined ? `, ${formatDuration(a.durationMs)}` : '';
    const spent = [a.resources ? formatUsage(a.resources) : '', formatAgentUsage(a.usage)].filter(Boolean).join(' · ');
    lines.push(`Attempt ${a.n}: ${a.outcome}${a.reason ? ` (${a.reason})` : ''}${took}${spent ? ` · ${spent}` : ''} · log ${a.logPath}`);
  }
  const d = task.deliverables;
  if (d.workspace) lines.push(`Workspace: ${d.workspace}`);
  if (d.branch) lines.push(`Branch: ${d.branch}`);
  if (d.diffstat) lines.push(`Diffstat: ${d.diffstat}`);
  if (d.changedFiles.length) lines.push(`Changed: ${d.changedFiles.slice(0, 10).join(', ')}${d.changedFiles.length > 10 ? ` and ${d.changedFiles.length - 10} more` : ''}`);
  if (d.summary) lines.push(`Summary: ${d.summary}`);
  if (d.pushed) lines.push(`Pushed: ${d.pushed}`);
  for (const l of d.links) lines.push(`Link: ${l}`);
  if (d.noPullRequest) lines.push(publishProblemsLine(d.noPullRequest));
  if (task.clarifications.length) lines.push(`Clarifications: ${task.clarifications.map((c) => `"${c.text}"`).join('; ')}`);
  return { kind: 'task', ok: true, text: lines.join('\n'), tasks: [task], json: task };
}
