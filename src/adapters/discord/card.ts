// The live status message: the starter of a task's thread, edited in place as the task moves.
// Pure: (task, progress, context) → a message body (an embed and its buttons), so it is tested
// without Discord. Embeds never ping; times are shown in the owner's zone and as Discord
// timestamps (each reader sees their own zone).
import type { APIActionRowComponent, APIButtonComponent, APIEmbed, APIEmbedField } from 'discord.js';
import { ButtonStyle, ComponentType } from 'discord.js';
import type { Progress } from '../../core/ports.ts';
import { formatOwnerTime } from '../../core/time-of-day.ts';
import { isStale, type PlanStep, type Task, type TaskStatus } from '../../core/task.ts';
import { attemptLabel, canAccept, lastAttempt } from '../../core/transitions.ts';
import { progressBar, statusLabel } from '../../commands/format.ts';
import { LIMIT, plain, safeText, stamp, who } from './text.ts';
import { decisionLine } from '../shared/card-sequence.ts';
import { planDone, planOf, timeLine, type CardContext } from '../shared/card-facts.ts';

export type { CardContext };

/** What the bot sends to create or edit a message (the REST body). */
export interface DiscordMessage {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIButtonComponent>[];
  /** Who may be pinged; unset: nobody (the client's default). */
  allowed_mentions?: { parse: []; users?: string[] };
  /** Answer to a person's message (a request by mention or DM). */
  message_reference?: { message_id: string; fail_if_not_exists: boolean };
}

export const BUTTON_VERBS = ['approve', 'reject', 'cancel', 'retry', 'accept'] as const;
export type ButtonVerb = (typeof BUTTON_VERBS)[number];

/** `ns:approve:t-7`: the verb and the task travel in the button itself, so any message can carry it. */
export const customId = (verb: ButtonVerb, taskId: string): string => `ns:${verb}:${taskId}`;

export function parseCustomId(id: string): { verb: ButtonVerb; taskId: string } | null {
  const m = /^ns:(approve|reject|cancel|retry|accept):(t-\d+)$/.exec(id);
  return m ? { verb: m[1] as ButtonVerb, taskId: m[2] as string } : null;
}

const COLOR: Record<TaskStatus, number> = {
  awaiting_approval: 0xf1c40f,
  queued: 0x95a5a6,
  building: 0x3498db,
  done: 0x2ecc71,
  failed: 0xe67e22,
  escalated: 0xe74c3c,
  cancelled: 0x7f8c8d,
  rejected: 0x992d22,
};

const EMOJI: Record<TaskStatus, string> = {
  awaiting_approval: '⏳',
  queued: '🕒',
  building: '🛠️',
  done: '✅',
  failed: '⚠️',
  escalated: '🚨',
  cancelled: '🚫',
  rejected: '❌',
};

const button = (verb: ButtonVerb, label: string, taskId: string, style: ButtonStyle): APIButtonComponent => ({
  type: ComponentType.Button,
  custom_id: customId(verb, taskId),
  label,
  style: style as ButtonStyle.Primary,
});

/** The buttons a task offers in its status; none once it is finished. */
export function cardButtons(task: Task): APIActionRowComponent<APIButtonComponent>[] {
  const id = task.id;
  const row = (...buttons: APIButtonComponent[]) => [{ type: ComponentType.ActionRow as const, components: buttons }];
  switch (task.status) {
    case 'awaiting_approval':
      // Work a crash left too long ago asks to be resumed (approve runs it) or dropped.
      if (isStale(task)) return row(button('approve', 'Resume', id, ButtonStyle.Success), button('cancel', 'Cancel', id, ButtonStyle.Danger));
      return row(button('approve', 'Approve', id, ButtonStyle.Success), button('reject', 'Reject', id, ButtonStyle.Danger));
    case 'building':
    case 'queued':
      return row(button('cancel', 'Cancel', id, ButtonStyle.Danger));
    case 'escalated':
    case 'failed': {
      // Built work that only fails the project's checks may be taken as it is.
      const accept = canAccept(task) ? [button('accept', 'Accept anyway', id, ButtonStyle.Secondary)] : [];
      return row(button('retry', task.status === 'failed' ? 'Retry now' : 'Retry', id, ButtonStyle.Primary), ...accept, button('cancel', 'Cancel', id, ButtonStyle.Danger));
    }
    default:
      return [];
  }
}

const STEP_MARK: Record<PlanStep['status'], string> = { done: '✅', in_progress: '▶️', pending: '⬜', failed: '❌' };

export function statusCard(task: Task, progress: Progress | null, ctx: CardContext): DiscordMessage {
  const a = lastAttempt(task);
  const field = (name: string, value: string, inline = true): APIEmbedField => ({ name, value: value.slice(0, LIMIT.fieldValue) || '-', inline });
  const fields: APIEmbedField[] = [
    field('Status', `${EMOJI[task.status]} ${statusLabel(task, ctx.now, ctx.timeZone)}${a?.demo ? ' (demo build)' : ''}`),
    field('Priority', `${task.priority}: ${safeText(task.priorityReason, 200)}`),
  ];
  if (task.project) fields.push(field('Project', safeText(task.project, 100)));
  if (task.attempts.length > 0) fields.push(field('Attempt', attemptLabel(task, ctx.maxAttempts)));
  const time = timeLine(task, ctx);
  if (time) fields.push(field('Time', time));
  if (task.deadline) fields.push(field('Deadline', `${formatOwnerTime(new Date(task.deadline), ctx.now, ctx.timeZone)} (${ctx.timeZone}) · ${stamp(task.deadline, 'R')}`));
  if (task.status === 'failed' && task.retryAt) fields.push(field('Next try', `${formatOwnerTime(new Date(task.retryAt), ctx.now, ctx.timeZone)} · ${stamp(task.retryAt, 'R')}`));
  fields.push(field('Asked by', task.origin.adapter === 'discord' ? who(task.origin.userId) : safeText(task.origin.userName ?? task.origin.userId, 100)));
  const decision = decisionLine(task, ctx, who);
  if (decision) fields.push(field('Decision', decision, false));

  const lines: string[] = [];
  if (task.status === 'building') {
    lines.push(`\`${progressBar(progress?.percent ?? null, 20)}\``);
    if (progress?.message) lines.push(safeText(progress.message, 300));
  }
  // The agent's plan as a checklist, live while it builds (an embed field: the card is an embed).
  const plan = planOf(task, progress);
  if (plan) {
    const steps = plan.map((s) => `${STEP_MARK[s.status]} ${safeText(s.text, 150)}`);
    let value = '';
    for (const [i, line] of steps.entries()) {
      const more = `\n…and ${steps.length - i} more`;
      if (value.length + line.length + 1 + more.length > LIMIT.fieldValue) {
        value += more;
        break;
      }
      value += (value ? '\n' : '') + line;
    }
    fields.push(field(`The agent's plan: ${planDone(plan)}`, value, false));
  }
  const d = task.deliverables;
  if (task.status === 'done') {
    if (d.branch) lines.push(`Branch \`${d.branch.replace(/`/g, "'")}\``);
    if (d.diffstat) lines.push(safeText(d.diffstat, 300));
    for (const l of d.links) lines.push(`[Pull request](${l.replace(/[()\s]/g, encodeURIComponent)})`);
  }
  if (task.status === 'awaiting_approval') lines.push(...task.safety.reasons.map((r) => `• ${safeText(r.message, 300)}`));

  const embed: APIEmbed = {
    title: plain(`${task.id} · ${task.title}`, LIMIT.title),
    color: COLOR[task.status],
    fields,
    timestamp: task.createdAt,
    footer: { text: a?.demo ? 'demo build: nothing real was built' : `nightshift · ${task.id}` },
  };
  if (lines.length) embed.description = lines.join('\n').slice(0, LIMIT.description);
  // With the dashboard on, the embed's title opens the task's page.
  if (ctx.links) embed.url = ctx.links.task(task.id);
  return { embeds: [embed], components: cardButtons(task) };
}
