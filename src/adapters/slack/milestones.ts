// Replies in a task's thread at the moments that matter: started, failed and retrying, escalated
// (with the error, the log's tail and Retry / Cancel, and Accept anyway when only the checks fail),
// done or accepted anyway (with deliverables), approval needed (with the reasons and Approve /
// Reject). Completion and anything that needs the owner mention them.
import { doneCheckSummary } from '../../core/check-summary.ts';
import { formatDuration } from '../../core/durations.ts';
import type { AttentionReason } from '../../core/ports.ts';
import { publishProblemsLine } from '../../core/publish-problems.ts';
import { formatOwnerTime } from '../../core/time-of-day.ts';
import type { Task, TaskEvent } from '../../core/task.ts';
import { attemptLabel, lastAttempt } from '../../core/transitions.ts';
import { sentence } from '../../commands/format.ts';
import { formatAgentUsage } from '../../commands/usage-format.ts';
import { cardButtons, type Block, type CardContext, type SlackMessage } from './card.ts';
import { codeBlock, escapeMrkdwn, link, mention, safeText, who } from './mrkdwn.ts';

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
const message = (text: string, extra: Block[] = []): SlackMessage => ({ text: stripMrkdwn(text), blocks: [section(text), ...extra] });

/** The plain fallback: mrkdwn markers and entity escapes removed, still never a ping. */
function stripMrkdwn(text: string): string {
  return text.replace(/<@([UW][A-Z0-9]+)>/g, '@$1').replace(/[*`]/g, '').slice(0, 3000);
}

function actions(task: Task): Block[] {
  const buttons = cardButtons(task);
  return buttons.length ? [{ type: 'actions', block_id: `ns_thread_actions_${task.id}_${task.events.length}`, elements: buttons }] : [];
}

function deliverables(task: Task, ctx: CardContext): string {
  const d = task.deliverables;
  const lines: string[] = [];
  if (d.branch) lines.push(`Branch: \`${escapeMrkdwn(d.branch)}\``);
  if (d.diffstat) lines.push(`Diffstat: ${escapeMrkdwn(d.diffstat)}`);
  if (d.commits.length) lines.push(`Commits: ${d.commits.length} (${safeText(d.commits.at(-1) ?? '', 120)})`);
  if (d.pushed) lines.push(`Pushed to \`${escapeMrkdwn(d.pushed)}\``);
  for (const l of d.links) lines.push(`Pull request: ${link(l)}`);
  if (d.noPullRequest) lines.push(escapeMrkdwn(publishProblemsLine(d.noPullRequest)));
  const a = lastAttempt(task);
  if (a) lines.push(ctx.links ? `Details: ${link(ctx.links.task(task.id), 'the task page')} · ${link(ctx.links.log(task.id, a.n), 'the log')}` : `Log: \`${escapeMrkdwn(a.logPath)}\``);
  if (task.status === 'done') lines.push(sentence(doneCheckSummary(task, { who, text: escapeMrkdwn })));
  const usage = formatAgentUsage(a?.usage);
  if (usage) lines.push(`Usage: ${usage}`);
  return lines.join('\n');
}

/** The thread reply for a milestone event, or null when the card alone says enough. */
export function milestone(task: Task, event: TaskEvent, ownerId: string, ctx: CardContext): SlackMessage | null {
  const a = lastAttempt(task);
  const demo = a?.demo ? ' _(demo build: nothing real was built)_' : '';
  switch (event.type) {
    case 'started':
      return message(`:hammer_and_wrench: Started attempt ${attemptLabel(task, ctx.maxAttempts)} with ${escapeMrkdwn(a?.builder ?? 'the builder')}.${demo}`);
    case 'retry_scheduled':
      return message(
        `:warning: Attempt ${a?.n ?? '?'} failed: ${safeText(a?.reason ?? 'unknown', 500)}. Retrying at ${task.retryAt ? formatOwnerTime(new Date(task.retryAt), ctx.now, ctx.timeZone) : 'soon'}.`,
      );
    case 'done':
    case 'accepted':
      return message(`:white_check_mark: ${mention(ownerId)} *${escapeMrkdwn(task.title)}* is done after ${formatDuration(a?.durationMs ?? 0)}.${demo}\n${deliverables(task, ctx)}`, summaryBlocks(task));
    case 'cancelled':
      return message(`:no_entry_sign: Cancelled${event.by ? ` by ${who(event.by)}` : ''}.`);
    case 'rejected':
      return message(`:x: Rejected${event.by ? ` by ${who(event.by)}` : ''}${event.detail ? `: ${safeText(event.detail, 500)}` : ''}.`);
    case 'approved':
      return message(`:thumbsup: Approved${event.by ? ` by ${who(event.by)}` : ''}.`);
    case 'clarified':
      return message(`:memo: Clarified${event.by ? ` by ${who(event.by)}` : ''}: ${safeText(event.detail ?? '', 1000)}`);
    case 'interrupted':
      return message(`:electric_plug: ${safeText(event.detail ?? 'Interrupted', 300)}; it is ${task.status === 'queued' ? 'back in the queue' : 'going to retry'}.`);
    default:
      return null;
  }
}

function summaryBlocks(task: Task): Block[] {
  const s = task.deliverables.summary;
  return s ? [section(`*What the agent says it did*\n${safeText(s, 2500, 'the log')}`)] : [];
}

/** A message that needs the owner: it mentions them and carries the buttons to act. */
export function attention(task: Task, reason: AttentionReason, text: string, ownerId: string, logTail?: string): SlackMessage {
  const icon = { approval: ':raised_hand:', escalated: ':rotating_light:', deadline_at_risk: ':alarm_clock:', stalled: ':zzz:', usage_limited: ':battery:', cannot_record: ':floppy_disk:' }[reason];
  const extra: Block[] = [];
  if (reason === 'approval') {
    const reasons = task.safety.reasons.map((r) => `• ${safeText(r.message, 300)}`).join('\n');
    return message(`${icon} ${mention(ownerId)} *${escapeMrkdwn(task.id)} needs your approval* before it runs:\n${reasons}\nReply in this thread to clarify it.`, actions(task));
  }
  if (reason === 'escalated' && logTail) extra.push(section(`What it said last:\n${codeBlock(logTail, 2500)}`));
  return message(`${icon} ${mention(ownerId)} ${safeText(text.split('\n')[0] ?? text, 1500)}`, [...extra, ...actions(task)]);
}
