// The live status card: the root message of a task's thread, edited in place as the task moves.
// Pure: (task, progress, context) → Block Kit, so it is tested (and shown in the README) without Slack.
import type { Progress } from '../../core/ports.ts';
import { formatOwnerTime } from '../../core/time-of-day.ts';
import { isStale, type PlanStep, type Task, type TaskStatus } from '../../core/task.ts';
import { attemptLabel, canAccept, lastAttempt } from '../../core/transitions.ts';
import { progressBar, statusLabel } from '../../commands/format.ts';
import { escapeMrkdwn, link, safeText, who } from './mrkdwn.ts';
import { decisionLine } from '../shared/card-sequence.ts';
import { planDone, planOf, timeLine, type CardContext } from '../shared/card-facts.ts';

export type { CardContext };

/** A Block Kit block, as JSON: the cards are checked against Slack's limits by tests. */
export type Block = Record<string, unknown>;

export interface SlackMessage {
  /** The notification and accessibility fallback: always set, plain. */
  text: string;
  blocks: Block[];
}

export const ACTION = {
  approve: 'ns_approve',
  reject: 'ns_reject',
  cancel: 'ns_cancel',
  retry: 'ns_retry',
  accept: 'ns_accept',
} as const;
export type ActionName = keyof typeof ACTION;

const STATUS_EMOJI: Record<TaskStatus, string> = {
  awaiting_approval: ':hourglass_flowing_sand:',
  queued: ':clock3:',
  building: ':hammer_and_wrench:',
  done: ':white_check_mark:',
  failed: ':warning:',
  escalated: ':rotating_light:',
  cancelled: ':no_entry_sign:',
  rejected: ':x:',
};

const button = (action: ActionName, label: string, taskId: string, style?: 'primary' | 'danger', confirm?: string): Block => ({
  type: 'button',
  action_id: ACTION[action],
  text: { type: 'plain_text', text: label, emoji: true },
  value: taskId,
  ...(style ? { style } : {}),
  ...(confirm
    ? { confirm: { title: { type: 'plain_text', text: 'Are you sure?' }, text: { type: 'mrkdwn', text: confirm }, confirm: { type: 'plain_text', text: label }, deny: { type: 'plain_text', text: 'Keep it' } } }
    : {}),
});

/** The buttons a task offers in its status; none once it is finished. */
export function cardButtons(task: Task): Block[] {
  const id = task.id;
  switch (task.status) {
    case 'awaiting_approval':
      // Work a crash left too long ago asks to be resumed (approve runs it) or dropped.
      if (isStale(task)) return [button('approve', 'Resume', id, 'primary'), button('cancel', 'Cancel', id, 'danger')];
      return [button('approve', 'Approve', id, 'primary'), button('reject', 'Reject', id, 'danger')];
    case 'building':
      return [button('cancel', 'Cancel', id, 'danger', `Stop the build of *${id}* and end its processes?`)];
    case 'escalated':
    case 'failed': {
      // Built work that only fails the project's checks may be taken as it is.
      const accept = canAccept(task) ? [button('accept', 'Accept anyway', id)] : [];
      return [button('retry', task.status === 'failed' ? 'Retry now' : 'Retry', id, 'primary'), ...accept, button('cancel', 'Cancel', id, 'danger')];
    }
    case 'queued':
      return [button('cancel', 'Cancel', id, 'danger')];
    default:
      return [];
  }
}

export function statusCard(task: Task, progress: Progress | null, ctx: CardContext): SlackMessage {
  const a = lastAttempt(task);
  const fields: string[] = [
    `*Status*\n${STATUS_EMOJI[task.status]} ${statusLabel(task, ctx.now, ctx.timeZone)}${a?.demo ? ' (demo build)' : ''}`,
    `*Priority*\n${task.priority}: ${safeText(task.priorityReason, 200)}`,
  ];
  if (task.project) fields.push(`*Project*\n${escapeMrkdwn(task.project)}`);
  if (task.attempts.length > 0) fields.push(`*Attempt*\n${attemptLabel(task, ctx.maxAttempts)}`);
  const time = timeLine(task, ctx);
  if (time) fields.push(`*Time*\n${time}`);
  if (task.deadline) fields.push(`*Deadline*\n${formatOwnerTime(new Date(task.deadline), ctx.now, ctx.timeZone)} (${ctx.timeZone})`);
  if (task.status === 'failed' && task.retryAt) fields.push(`*Next try*\n${formatOwnerTime(new Date(task.retryAt), ctx.now, ctx.timeZone)}`);

  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: clipPlain(`${task.id} · ${task.title}`, 150), emoji: false } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (task.status === 'building') {
    const line = progress?.message ? ` ${safeText(progress.message, 300)}` : '';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`${progressBar(progress?.percent ?? null, 20)}\`${line}` } });
  }
  const plan = planBlock(task, progress);
  if (plan) blocks.push(plan);
  const d = task.deliverables;
  if (task.status === 'done') {
    const bits = [d.branch ? `branch \`${escapeMrkdwn(d.branch)}\`` : null, d.diffstat ? escapeMrkdwn(d.diffstat) : null, ...d.links.map((l) => link(l, 'pull request'))].filter(Boolean);
    if (bits.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: bits.join(' · ') } });
  }
  const decision = decisionLine(task, ctx, who);
  const context = [`Asked by ${task.origin.userId.startsWith('U') || task.origin.userId.startsWith('W') ? `<@${task.origin.userId}>` : escapeMrkdwn(task.origin.userName ?? task.origin.userId)}`];
  if (decision) context.push(decision);
  if (ctx.links) context.push(link(ctx.links.task(task.id), 'Open on the dashboard'));
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });
  const buttons = cardButtons(task);
  if (buttons.length) blocks.push({ type: 'actions', block_id: `ns_actions_${task.id}`, elements: buttons });

  const pct = task.status === 'building' && progress?.percent !== null && progress?.percent !== undefined ? ` ${progress.percent}%` : '';
  return { text: `${task.id} ${escapeMrkdwn(task.title)}: ${statusLabel(task, ctx.now, ctx.timeZone)}${pct}`, blocks };
}

/** Slack's task_card statuses: "complete", not "completed"; a failed step is an "error". */
const STEP_STATUS: Record<PlanStep['status'], 'pending' | 'in_progress' | 'complete' | 'error'> = { pending: 'pending', in_progress: 'in_progress', done: 'complete', failed: 'error' };
const MAX_STEPS = 20;

/**
 * The agent's plan as Slack's own checklist (a `plan` block of `task_card`s), live while it builds
 * and as it was left after: the same steps the dashboard and the console show.
 */
export function planBlock(task: Task, progress: Progress | null): Block | null {
  const plan = planOf(task, progress);
  if (!plan) return null;
  const shown = plan.slice(0, MAX_STEPS).map((s, i) => ({ type: 'task_card', task_id: `step_${i + 1}`, title: clipPlain(s.text, 200), status: STEP_STATUS[s.status] }));
  if (plan.length > MAX_STEPS) shown.push({ type: 'task_card', task_id: 'more_steps', title: `…and ${plan.length - MAX_STEPS} more steps`, status: 'pending' });
  return { type: 'plan', title: `The agent's plan: ${planDone(plan)}`, tasks: shown };
}

function clipPlain(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
