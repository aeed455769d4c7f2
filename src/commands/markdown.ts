// status --markdown: the queue and status as the old BUILD_QUEUE.md / BUILD_STATUS.md files
// showed them, for assistants that read those files.
import { formatInTimeZone } from 'date-fns-tz';
import { formatDuration } from '../core/durations.ts';
import { compareForStart } from '../core/schedule.ts';
import type { Task } from '../core/task.ts';
import { attemptLabel } from '../core/transitions.ts';
import type { CommandContext } from './context.ts';
import { deadlineText, elapsed, STATUS_LABEL, when } from './format.ts';
import { nextStep } from './next-step.ts';
import type { Reply } from './reply.ts';

export async function statusMarkdown(ctx: CommandContext): Promise<Reply> {
  const { engine } = ctx;
  const now = engine.now();
  const tz = engine.policy.timeZone;
  const live = engine.live();
  const decision = engine.schedule();
  const due = (t: Task) => {
    const d = deadlineText(t, now, tz);
    return d ? `, ${d}` : '';
  };
  const out = ['# Build status', '', `_Updated ${formatInTimeZone(now, tz, 'yyyy-MM-dd HH:mm')} (${tz}) · builder: ${engine.builderName}_`, ''];

  out.push('## Building', '');
  const building = live.filter((t) => t.status === 'building');
  if (!building.length) out.push('_Nothing is building._');
  for (const t of building) {
    const p = engine.progressOf(t.id);
    const pct = p?.percent !== null && p?.percent !== undefined ? `${p.percent}%` : 'in progress';
    out.push(`- **${t.id}** ${t.title} (${t.priority}) — ${pct}${p?.message ? `: ${p.message}` : ''}, ${formatDuration(elapsed(t, now))} elapsed, attempt ${attemptLabel(t, engine.policy.maxAttempts)}${due(t)}`);
  }

  out.push('', '## Queue', '');
  const queue = live.filter((t) => t.status === 'queued' || t.status === 'failed').sort(compareForStart);
  if (!queue.length) out.push('_The queue is empty._');
  queue.forEach((t, i) => out.push(`${i + 1}. **${t.id}** ${t.title} (${t.priority}${due(t)}) — ${nextStep(engine, t, decision, now)}`));

  out.push('', '## Waiting for the owner', '');
  const waiting = live.filter((t) => t.status === 'awaiting_approval' || t.status === 'escalated');
  if (!waiting.length) out.push('_Nothing is waiting for you._');
  for (const t of waiting) {
    const why = t.status === 'escalated' ? 'escalated after repeated failures' : t.safety.reasons.map((r) => r.message).join('; ');
    out.push(`- [ ] **${t.id}** ${t.title} — ${STATUS_LABEL[t.status]}: ${why}`);
  }

  out.push('', '## Recently completed', '');
  const finished = await engine.history({ limit: 20 });
  if (!finished.length) out.push('_Nothing has finished yet._');
  for (const t of finished) {
    const mark = t.status === 'done' ? 'x' : ' ';
    out.push(`- [${mark}] **${t.id}** ${t.title} — ${STATUS_LABEL[t.status]} ${when(t.updatedAt, now, tz)}${t.deliverables.workspace ? ` · \`${t.deliverables.workspace}\`` : ''}`);
  }
  return { kind: 'status', ok: true, text: `${out.join('\n')}\n`, tasks: [...building, ...queue, ...waiting, ...finished] };
}
