// Messages in a task's thread at the moments that matter: started, failed and retrying, done or
// accepted anyway (with deliverables and what the agent says it did), approval needed and escalation
// (with buttons). Completion and anything that needs the owner mention them; that one mention is the
// only ping allowed in the message.
import { doneCheckSummary } from '../../core/check-summary.ts';
import { formatDuration } from '../../core/durations.ts';
import type { AttentionReason } from '../../core/ports.ts';
import { publishProblemsLine } from '../../core/publish-problems.ts';
import { formatOwnerTime } from '../../core/time-of-day.ts';
import type { Task, TaskEvent } from '../../core/task.ts';
import { attemptLabel, lastAttempt } from '../../core/transitions.ts';
import { sentence } from '../../commands/format.ts';
import { formatAgentUsage } from '../../commands/usage-format.ts';
import { cardButtons, type CardContext, type DiscordMessage } from './card.ts';
import { codeBlock, cut, LIMIT, mention, safeText, who } from './text.ts';

const message = (content: string, extra: Omit<DiscordMessage, 'content'> = {}): DiscordMessage => ({ content: cut(content, LIMIT.content), ...extra });
const pinging = (ownerId: string, content: string, extra: Omit<DiscordMessage, 'content'> = {}): DiscordMessage =>
  message(content, { ...extra, allowed_mentions: { parse: [], users: [ownerId] } });

function deliverables(task: Task, ctx: CardContext): string {
  const d = task.deliverables;
  const lines: string[] = [];
  if (d.branch) lines.push(`Branch: \`${d.branch.replace(/`/g, "'")}\``);
  if (d.diffstat) lines.push(`Diffstat: ${safeText(d.diffstat, 200)}`);
  if (d.commits.length) lines.push(`Commits: ${d.commits.length} (${safeText(d.commits.at(-1) ?? '', 120)})`);
  if (d.pushed) lines.push(`Pushed to \`${d.pushed.replace(/`/g, "'")}\``);
  for (const l of d.links) lines.push(`Pull request: <${l}>`);
  if (d.noPullRequest) lines.push(safeText(publishProblemsLine(d.noPullRequest), 400));
  const a = lastAttempt(task);
  if (a) lines.push(ctx.links ? `Details: [the task page](<${ctx.links.task(task.id)}>) · [the log](<${ctx.links.log(task.id, a.n)}>)` : `Log: \`${a.logPath.replace(/`/g, "'")}\``);
  if (task.status === 'done') lines.push(sentence(doneCheckSummary(task, { who, text: (t) => safeText(t, 300) })));
  const usage = formatAgentUsage(a?.usage);
  if (usage) lines.push(`Usage: ${usage}`);
  return lines.join('\n');
}

/** The thread message for a milestone event, or null when the status message alone says enough. */
export function milestone(task: Task, event: TaskEvent, ownerId: string, ctx: CardContext): DiscordMessage | null {
  const a = lastAttempt(task);
  const demo = a?.demo ? ' *(demo build: nothing real was built)*' : '';
  switch (event.type) {
    case 'started':
      return message(`🛠️ Started attempt ${attemptLabel(task, ctx.maxAttempts)} with ${safeText(a?.builder ?? 'the builder', 200)}.${demo}`);
    case 'retry_scheduled':
      return message(`⚠️ Attempt ${a?.n ?? '?'} failed: ${safeText(a?.reason ?? 'unknown', 500)}. Retrying at ${task.retryAt ? formatOwnerTime(new Date(task.retryAt), ctx.now, ctx.timeZone) : 'soon'}.`);
    case 'done':
    case 'accepted': {
      const said = task.deliverables.summary;
      const embeds = said ? [{ title: 'What the agent says it did', description: safeText(said, 3500, a ? `the log, ${a.logPath}` : 'the log') }] : [];
      return pinging(ownerId, `✅ ${mention(ownerId)} **${safeText(task.title, 300)}** is done after ${formatDuration(a?.durationMs ?? 0)}.${demo}\n${deliverables(task, ctx)}`, { embeds });
    }
    case 'cancelled':
      return message(`🚫 Cancelled${event.by ? ` by ${who(event.by)}` : ''}.`);
    case 'rejected':
      return message(`❌ Rejected${event.by ? ` by ${who(event.by)}` : ''}${event.detail ? `: ${safeText(event.detail, 500)}` : ''}.`);
    case 'approved':
      return message(`👍 Approved${event.by ? ` by ${who(event.by)}` : ''}.`);
    case 'clarified':
      return message(`📝 Clarified${event.by ? ` by ${who(event.by)}` : ''}: ${safeText(event.detail ?? '', 1000)}`);
    case 'interrupted':
      return message(`🔌 ${safeText(event.detail ?? 'Interrupted', 300)}; it is ${task.status === 'queued' ? 'back in the queue' : 'going to retry'}.`);
    default:
      return null;
  }
}

/** A message that needs the owner: it mentions them and carries the buttons to act. */
export function attention(task: Task, reason: AttentionReason, text: string, ownerId: string, logTail?: string): DiscordMessage {
  const icon = { approval: '✋', escalated: '🚨', deadline_at_risk: '⏰', stalled: '💤', usage_limited: '🔋', cannot_record: '💾' }[reason];
  const components = cardButtons(task);
  if (reason === 'approval') {
    const reasons = task.safety.reasons.map((r) => `• ${safeText(r.message, 300)}`).join('\n');
    return pinging(ownerId, `${icon} ${mention(ownerId)} **${task.id} needs your approval** before it runs:\n${reasons}\nReply in this thread to clarify it.`, { components });
  }
  const tail = reason === 'escalated' && logTail ? `\nWhat it said last:\n${codeBlock(logTail, 1200, lastAttempt(task)?.logPath ?? 'the log')}` : '';
  return pinging(ownerId, `${icon} ${mention(ownerId)} ${safeText(text.split('\n')[0] ?? text, 600)}${tail}`, { components });
}

/** A question that has been answered: its text kept, its buttons replaced by who answered and when. */
export function closedAsk(content: string, decided: string): DiscordMessage {
  return { content: cut(`${content}\n☑️ ${decided}`, LIMIT.content), components: [], allowed_mentions: { parse: [] } };
}
