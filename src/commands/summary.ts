// summary: the morning report, now. The same text the daily post carries.
import { isQuietSummary, type Summary } from '../core/summary.ts';
import { composeSummary } from '../core/summary-scheduler.ts';
import type { CommandContext } from './context.ts';
import { demoNote, taskLine, when } from './format.ts';
import type { Reply } from './reply.ts';

export function renderSummaryText(s: Summary, maxAttempts: number): string {
  const now = new Date(s.generatedAt);
  const tz = s.timeZone;
  const line = (t: Parameters<typeof taskLine>[0]) => `  ${taskLine(t, now, tz, maxAttempts)}`;
  const out = [`Summary since ${when(s.since, now, tz)} (${tz}):`];
  if (isQuietSummary(s)) return [...out, '  Nothing happened and nothing is waiting.'].join('\n');
  if (s.done.length) {
    out.push(`Built (${s.done.length}):`);
    for (const t of s.done) {
      const d = t.deliverables;
      const bits = [d.branch ? `branch ${d.branch}` : null, d.diffstat ?? (d.changedFiles.length ? `${d.changedFiles.length} files changed` : null), ...d.links].filter(Boolean);
      out.push(`  ${t.id} "${t.title}"${demoNote(t)}${bits.length ? ` · ${bits.join(' · ')}` : ''}`);
    }
  }
  if (s.escalated.length) out.push(`Needs you, failed repeatedly (${s.escalated.length}):`, ...s.escalated.map(line));
  if (s.retrying.length) out.push(`Failed, retrying (${s.retrying.length}):`, ...s.retrying.map(line));
  if (s.awaitingApproval.length) out.push(`Waiting for your approval (${s.awaitingApproval.length}):`, ...s.awaitingApproval.map(line));
  if (s.building.length) out.push(`Building now (${s.building.length}):`, ...s.building.map(line));
  if (s.queued.length) {
    out.push(`Queued (${s.queued.length}):`);
    for (const q of s.queued) out.push(`${line(q.task)}${q.waiting ? ` · ${q.waiting.why}` : ''}`);
  }
  if (s.dropped.length) out.push(`Cancelled or rejected (${s.dropped.length}):`, ...s.dropped.map((t) => `  ${t.id} "${t.title}" (${t.status})`));
  return out.join('\n');
}

export async function summaryReply(ctx: CommandContext): Promise<Reply> {
  const s = await composeSummary(ctx.engine);
  const tasks = [...s.done, ...s.escalated, ...s.retrying, ...s.awaitingApproval, ...s.building, ...s.queued.map((q) => q.task), ...s.dropped];
  return { kind: 'summary', ok: true, text: renderSummaryText(s, ctx.engine.policy.maxAttempts), tasks, summary: s, json: s };
}
