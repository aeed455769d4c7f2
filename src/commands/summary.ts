// summary: the morning report, now. The same text the daily post carries.
import type { TaskLinks } from '../core/ports.ts';
import type { Summary } from '../core/summary.ts';
import { composeSummary } from '../core/summary-scheduler.ts';
import type { CommandContext } from './context.ts';
import { makeBriefing, renderBriefingText } from './briefing.ts';
import type { Reply } from './reply.ts';

/** The morning briefing as console text (briefing.ts): the same text the daily post carries there. */
export function renderSummaryText(s: Summary, links: TaskLinks | null = null): string {
  return renderBriefingText(makeBriefing(s, links));
}

export async function summaryReply(ctx: CommandContext): Promise<Reply> {
  const s = await composeSummary(ctx.engine);
  const tasks = [...s.done, ...s.escalated, ...s.retrying, ...s.awaitingApproval, ...s.building, ...s.queued.map((q) => q.task), ...s.dropped];
  return { kind: 'summary', ok: true, text: renderSummaryText(s, ctx.engine.links), tasks, summary: s, json: s };
}
