// The morning briefing in Block Kit: a header with the headline, what needs the owner first (each
// with its Approve / Reject or Retry / Cancel buttons, and Accept anyway for built work whose checks
// fail), then what was built with the agent's own summary, time, cost and links (work accepted
// anyway says so, with who took it), then what waited and what is next. Within Slack's limits: at most
// 50 blocks, 3,000 characters a section, 150 a header; long lists end with "and N more".
import type { Briefing, Built, Waiting } from '../../commands/briefing.ts';
import type { TaskId } from '../../core/task.ts';
import { doneCheckSummary } from '../../core/check-summary.ts';
import { cardButtons, type Block, type SlackMessage } from './card.ts';
import { escapeMrkdwn, link, safeText, who } from './mrkdwn.ts';

/** Links to each task's thread, when its card is known. */
export type ThreadLinks = ReadonlyMap<TaskId, string>;

const MAX_NEEDS_YOU = 5;
const MAX_BUILT = 10;
const MAX_LINES = 15;

const text = (t: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: t } });

function titleOf(id: TaskId, title: string, links: ThreadLinks): string {
  const name = `${id} · ${title}`;
  const url = links.get(id);
  return url ? `*${link(url, name)}*` : `*${escapeMrkdwn(name)}*`;
}

function builtBlock(b: Built, links: ThreadLinks, dashboard: Briefing['dashboard']): Block {
  const facts = [
    escapeMrkdwn(b.took),
    doneCheckSummary(b.task, { who, text: escapeMrkdwn }), // whoever accepted it anyway, as Slack shows a person
    b.cost ? escapeMrkdwn(b.cost) : null,
    b.pullRequest ? link(b.pullRequest, 'pull request') : b.branch ? `branch \`${escapeMrkdwn(b.branch)}\`` : null,
    dashboard ? link(dashboard.task(b.task.id), 'details') : null,
  ].filter(Boolean);
  const lines = [`:white_check_mark: ${titleOf(b.task.id, b.task.title, links)}${b.demo ? ' _(demo build: nothing real was built)_' : ''}`];
  if (b.said) lines.push(`_${safeText(b.said, 600)}_`);
  lines.push(facts.join(' · '));
  return text(lines.join('\n'));
}

function listBlock(title: string, items: Waiting[], links: ThreadLinks): Block[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, MAX_LINES).map((w) => `• ${titleOf(w.task.id, w.task.title, links)}: ${safeText(w.why, 300)}`);
  if (items.length > MAX_LINES) shown.push(`…and ${items.length - MAX_LINES} more (\`nightshift status\`)`);
  return [text(safeTextBlock(`*${title}*\n${shown.join('\n')}`))];
}

/** Keeps a section under Slack's 3,000 characters by whole lines. */
function safeTextBlock(t: string): string {
  if (t.length <= 3000) return t;
  const cut = t.slice(0, 2960);
  return `${cut.slice(0, cut.lastIndexOf('\n'))}\n…(more: \`nightshift summary\`)`;
}

/** The tasks the message names, the only ones worth a thread link (each costs a chat.getPermalink call). */
export function shownTaskIds(b: Briefing): TaskId[] {
  return [
    ...b.needsYou.slice(0, MAX_NEEDS_YOU),
    ...b.built.slice(0, MAX_BUILT),
    ...[b.building, b.waited, b.next, b.dropped].flatMap((list) => list.slice(0, MAX_LINES)),
  ].map((x) => x.task.id);
}

export function briefingMessage(b: Briefing, links: ThreadLinks = new Map()): SlackMessage {
  const headline = `Good morning: ${b.headline}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: headline.length > 150 ? `${headline.slice(0, 149)}…` : headline, emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(b.since) }] },
  ];
  if (b.needsYou.length) {
    blocks.push(text('*Needs you*'));
    for (const n of b.needsYou.slice(0, MAX_NEEDS_YOU)) {
      const icon = n.kind === 'approval' ? ':raised_hand:' : ':rotating_light:';
      blocks.push(text(`${icon} ${titleOf(n.task.id, n.task.title, links)}\n${safeText(n.why, 1500)}`));
      const buttons = cardButtons(n.task);
      if (buttons.length) blocks.push({ type: 'actions', block_id: `ns_brief_${n.task.id}`, elements: buttons });
    }
    if (b.needsYou.length > MAX_NEEDS_YOU) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${b.needsYou.length - MAX_NEEDS_YOU} more waiting for you (\`nightshift status\`)` }] });
  }
  if (b.built.length) {
    blocks.push({ type: 'divider' }, text(`*Built (${b.built.length})*`));
    for (const x of b.built.slice(0, MAX_BUILT)) blocks.push(builtBlock(x, links, b.dashboard));
    if (b.built.length > MAX_BUILT) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${b.built.length - MAX_BUILT} more built (\`nightshift summary\`)` }] });
  }
  const rest = [
    ...listBlock('Still building', b.building, links),
    ...listBlock('Waited', b.waited, links),
    ...listBlock('Next', b.next, links),
    ...listBlock('Cancelled or rejected', b.dropped, links),
  ];
  if (rest.length) blocks.push({ type: 'divider' }, ...rest);
  if (b.dashboard) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: link(b.dashboard.night, 'The night at a glance, on the dashboard') }] });
  return { text: headline, blocks };
}
