// The app's Home tab: the night at a glance inside Slack. The owner and approvers see everything,
// with Approve / Reject, Retry and Cancel where a decision waits; anyone else sees only their own
// requests, without buttons. Pure: (tasks, schedule, viewer) → a home view, within Slack's 100 blocks.
import type { Policy } from '../../core/policy.ts';
import type { Progress, TaskLinks } from '../../core/ports.ts';
import { describeStart, sortForStart, type ScheduleDecision } from '../../core/schedule.ts';
import { formatOwnerTime } from '../../core/time-of-day.ts';
import type { Task } from '../../core/task.ts';
import { lastAttempt } from '../../core/transitions.ts';
import { progressBar, statusLabel } from '../../commands/format.ts';
import { formatDuration } from '../../core/durations.ts';
import { cardButtons, planBlock, type Block } from './card.ts';
import { escapeMrkdwn, link, safeText } from './mrkdwn.ts';

export interface HomeInput {
  live: readonly Task[];
  /** Finished lately (the last 24 hours), newest first. */
  recent: readonly Task[];
  decision: ScheduleDecision;
  policy: Policy;
  now: Date;
  progressOf: (id: string) => Progress | null;
  links: TaskLinks | null;
  /** The person looking, and whether they decide (the owner or an approver). */
  viewer: { userId: string; decides: boolean };
}

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

const MAX_BLOCKS = 100;
/** Rows per section, so the view stays within Slack's 100 blocks whatever the queue holds. */
const MAX_ROWS = 10;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: safeTextBlock(text) } });
const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150), emoji: true } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: safeTextBlock(text) }] });

function safeTextBlock(t: string): string {
  return t.length <= 2900 ? t : `${t.slice(0, 2899)}…`;
}

function name(task: Task, links: TaskLinks | null): string {
  const label = `${task.id} · ${task.title}`;
  return links ? `*${link(links.task(task.id), label)}*` : `*${escapeMrkdwn(label)}*`;
}

function more(total: number, shown: number): Block[] {
  return total > shown ? [context(`…and ${total - shown} more (\`/build status\`)`)] : [];
}

export function homeView(i: HomeInput): HomeView {
  const { now, policy, links, viewer } = i;
  const tz = policy.timeZone;
  // Someone who does not decide sees what they asked for, nothing else.
  const mine = (t: Task) => viewer.decides || t.origin.userId === viewer.userId;
  const live = i.live.filter(mine);
  const actions = (task: Task): Block[] => {
    if (!viewer.decides) return [];
    const buttons = cardButtons(task);
    return buttons.length ? [{ type: 'actions', block_id: `ns_home_${task.id}`, elements: buttons }] : [];
  };
  const blocks: Block[] = [header('nightshift'), context(`${viewer.decides ? 'Everything in the queue' : 'Your requests'} · times in ${escapeMrkdwn(tz)}${links ? ` · ${link(links.home, 'the dashboard')}` : ''}`)];

  const needsYou = viewer.decides ? live.filter((t) => t.status === 'awaiting_approval' || t.status === 'escalated') : [];
  if (needsYou.length) {
    blocks.push({ type: 'divider' }, header('Needs you'));
    for (const t of needsYou.slice(0, MAX_ROWS)) {
      const why = t.status === 'awaiting_approval' ? `waits for your approval: ${t.safety.reasons.map((r) => r.message).join('; ') || 'it asks first'}` : `failed for good: ${lastAttempt(t)?.reason ?? 'unknown'}`;
      blocks.push(section(`${name(t, links)}\n${safeText(why, 600)}`), ...actions(t));
    }
    blocks.push(...more(needsYou.length, MAX_ROWS));
  }

  const building = live.filter((t) => t.status === 'building');
  blocks.push({ type: 'divider' }, header('Building now'));
  if (building.length === 0) blocks.push(context('Nothing is building right now.'));
  for (const t of building.slice(0, MAX_ROWS)) {
    const p = i.progressOf(t.id);
    const a = lastAttempt(t);
    blocks.push(section(`${name(t, links)}\n\`${progressBar(p?.percent ?? null, 20)}\` ${safeText(p?.message ?? 'starting', 300)}\n_attempt ${a?.n ?? 1} with ${escapeMrkdwn(a?.builder ?? 'the builder')}, since ${formatOwnerTime(new Date(a?.startedAt ?? t.updatedAt), now, tz)}_`));
    const plan = planBlock(t, p);
    // A plan block holds its steps; the home view may hold loose blocks, so the plan goes in whole.
    if (plan) blocks.push(plan);
    blocks.push(...actions(t));
  }
  blocks.push(...more(building.length, MAX_ROWS));

  const waiting = sortForStart(live.filter((t) => t.status === 'queued' || t.status === 'failed' || (t.status === 'awaiting_approval' && !viewer.decides)));
  blocks.push({ type: 'divider' }, header('Queue'));
  if (waiting.length === 0) blocks.push(context('The queue is empty.'));
  else blocks.push(section(waiting.slice(0, MAX_ROWS).map((t, n) => `${n + 1}. ${name(t, links)} · ${t.priority} · ${safeText(describeStart(t, now, policy, i.decision), 200)}`).join('\n')));
  blocks.push(...more(waiting.length, MAX_ROWS));

  const recent = i.recent.filter(mine);
  blocks.push({ type: 'divider' }, header('Last night'));
  if (recent.length === 0) blocks.push(context('Nothing finished in the last 24 hours.'));
  else {
    const line = (t: Task) => {
      const took = t.attempts.reduce((s, a) => s + (a.durationMs ?? 0), 0);
      return `${t.status === 'done' ? ':white_check_mark:' : ':no_entry_sign:'} ${name(t, links)} · ${statusLabel(t, now, tz)}${took ? ` after ${formatDuration(took)}` : ''} · ${formatOwnerTime(new Date(t.updatedAt), now, tz)}`;
    };
    blocks.push(section(recent.slice(0, MAX_ROWS).map(line).join('\n')));
    blocks.push(...more(recent.length, MAX_ROWS));
  }
  return { type: 'home', blocks: blocks.slice(0, MAX_BLOCKS) };
}
