// The status card and thread messages as Block Kit: what they say, that user text can never ping
// anyone, and that they stay inside Slack's limits.
import { describe, expect, it } from 'vitest';
import { ACTION, statusCard, type Block } from '../src/adapters/slack/card.ts';
import { attention, milestone } from '../src/adapters/slack/milestones.ts';
import { escapeMrkdwn, safeText } from '../src/adapters/slack/mrkdwn.ts';
import { mrkdwnTexts } from './helpers/slack-text.ts';
import { blockKitProblems } from './fakes/slack/block-kit.ts';
import { makeTask } from './helpers/task-factory.ts';

const ctx = { now: new Date('2026-11-25T14:00:00Z'), timeZone: 'Europe/London', maxAttempts: 3, typicalMs: 40 * 60_000 };
const running = makeTask({
  id: 't-7',
  title: 'Build a Spotify integration',
  status: 'building',
  priority: 'high',
  priorityReason: 'deadline within 24 h (by tonight)',
  deadline: '2026-11-25T23:59:00.000Z',
  origin: { adapter: 'slack', userId: 'U0ASKER', channel: 'C1' },
  attempts: [{ n: 1, startedAt: '2026-11-25T13:48:00.000Z', outcome: 'running', logPath: '/h/logs/t-7/attempt-1.log', builder: 'Claude Code', counts: true, demo: false }],
});

const actionIds = (blocks: Block[]) => blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements as { action_id: string }[]).map((e) => e.action_id));
const allText = (blocks: Block[]) => JSON.stringify(blocks);

/** Slack's documented limits for the blocks we use. */
function checkLimits(blocks: Block[]): void {
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks) {
    if (b.type === 'header') expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(150);
    if (b.type === 'section' && b.text) expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(3000);
    if (b.type === 'section' && b.fields) {
      expect((b.fields as unknown[]).length).toBeLessThanOrEqual(10);
      for (const f of b.fields as { text: string }[]) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    if (b.type === 'actions') expect((b.elements as unknown[]).length).toBeLessThanOrEqual(25);
  }
}

describe('the agent\'s plan on the card', () => {
  const building = (plan: { text: string; status: 'pending' | 'in_progress' | 'done' | 'failed' }[]) =>
    makeTask({ id: 't-9', status: 'building', attempts: [{ n: 1, startedAt: '2026-11-25T13:48:00.000Z', outcome: 'running', logPath: '/l', builder: 'Claude Code', counts: true, demo: false, plan }] });

  it('is a plan block of task cards with Slack\'s statuses (complete, error), which the fake accepts', () => {
    const card = statusCard(building([{ text: 'a', status: 'done' }, { text: 'b', status: 'in_progress' }, { text: 'c', status: 'failed' }, { text: 'd', status: 'pending' }]), null, ctx);
    const plan = card.blocks.find((b) => b.type === 'plan')!;
    expect(plan).toEqual({
      type: 'plan',
      title: "The agent's plan: 1 of 4 done",
      tasks: ['complete', 'in_progress', 'error', 'pending'].map((status, i) => ({ type: 'task_card', task_id: `step_${i + 1}`, title: 'abcd'[i], status })),
    });
    expect(blockKitProblems({ text: card.text, blocks: card.blocks })).toEqual([]);
  });

  it('a long plan shows 20 steps and says how many more; long step titles are cut; still within the fake\'s limits', () => {
    const card = statusCard(building(Array.from({ length: 60 }, (_, i) => ({ text: `step ${i} ${'x'.repeat(400)}`, status: 'pending' as const }))), null, ctx);
    const tasks = (card.blocks.find((b) => b.type === 'plan')!.tasks as { title: string }[]);
    expect(tasks).toHaveLength(21);
    expect(tasks.at(-1)!.title).toBe('…and 40 more steps');
    expect(Math.max(...tasks.map((t) => t.title.length))).toBeLessThanOrEqual(200);
    expect(blockKitProblems({ text: card.text, blocks: card.blocks })).toEqual([]);
  });

  it('the fake refuses what Slack would: "completed" is not a status; a plan and loose task cards together', () => {
    expect(blockKitProblems({ blocks: [{ type: 'plan', title: 'p', tasks: [{ type: 'task_card', task_id: 's1', title: 'x', status: 'completed' }] }] })).toEqual([
      '[ERROR] must be one of pending, in_progress, complete, error [json-pointer:/blocks/0/tasks/0/status]',
    ]);
    expect(blockKitProblems({ blocks: [{ type: 'plan', title: 'p' }, { type: 'task_card', task_id: 's1', title: 'x', status: 'pending' }] })).toEqual([
      '[ERROR] must hold a plan block or task_card blocks, not both [json-pointer:/blocks]',
    ]);
  });

  it('no plan shared, no plan block', () => {
    expect(statusCard(makeTask({ status: 'queued' }), null, ctx).blocks.some((b) => b.type === 'plan')).toBe(false);
  });
});

describe('status card', () => {
  it('shows title, status, priority and why, attempt, elapsed and estimate, deadline in the owner zone, progress', () => {
    const card = statusCard(running, { at: '', percent: 40, message: 'editing src/spotify.ts' }, ctx);
    const text = allText(card.blocks);
    expect(card.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 't-7 · Build a Spotify integration', emoji: false } });
    expect(text).toContain('building');
    expect(text).toContain('high: deadline within 24 h (by tonight)');
    expect(text).toContain('*Attempt*\\n1/3');
    expect(text).toContain('12m elapsed · est ~40m');
    expect(text).toContain('23:59 (Europe/London)');
    expect(text).toContain('`[████████░░░░░░░░░░░░] 40%` editing src/spotify.ts');
    expect(card.text).toBe('t-7 Build a Spotify integration: building 40%');
    expect(actionIds(card.blocks)).toEqual([ACTION.cancel]);
    checkLimits(card.blocks);
  });

  it('offers Approve / Reject while waiting, Retry / Cancel when escalated, nothing when done', () => {
    expect(actionIds(statusCard(makeTask({ status: 'awaiting_approval' }), null, ctx).blocks)).toEqual([ACTION.approve, ACTION.reject]);
    expect(actionIds(statusCard(makeTask({ status: 'escalated' }), null, ctx).blocks)).toEqual([ACTION.retry, ACTION.cancel]);
    expect(actionIds(statusCard(makeTask({ status: 'done' }), null, ctx).blocks)).toEqual([]);
  });

  it('asks Resume / Cancel of interrupted work that waited too long (RESUME_MAX_AGE)', () => {
    const stale = makeTask({ status: 'awaiting_approval', safety: { needsApproval: true, reasons: [{ kind: 'stale', quote: '', message: 'interrupted 7h ago' }], checkedAt: ctx.now.toISOString() } });
    const card = statusCard(stale, null, ctx);
    expect(actionIds(card.blocks)).toEqual([ACTION.approve, ACTION.cancel]);
    expect(allText(card.blocks)).toContain('Resume');
    expect(allText(card.blocks)).not.toContain('Reject');
  });

  it('replaces the buttons by who decided and when', () => {
    const approved = makeTask({ status: 'queued', events: [{ at: '2026-11-25T13:02:00.000Z', type: 'approved', by: 'U0OWNER' }] });
    const card = statusCard(approved, null, ctx);
    expect(allText(card.blocks)).toContain('Approved by <@U0OWNER> at 13:02');
  });

  it('user text can never ping or break formatting', () => {
    const evil = makeTask({ title: 'hey <!channel> and <!here> <@U123> *bold* `x`', status: 'building', origin: { adapter: 'slack', userId: 'U1', channel: 'C1' } });
    const card = statusCard(evil, { at: '', percent: null, message: '<!everyone> deploy now' }, ctx);
    const parsed = [...mrkdwnTexts(card.blocks), card.text].join('\n');
    expect(parsed).not.toMatch(/<!channel>|<!here>|<!everyone>|<@U123>/);
    expect(parsed).toContain('&lt;!everyone&gt;');
    expect(card.text).toContain('&lt;!channel&gt;');
    // the header is plain_text: Slack shows it as written and never parses a mention there
    expect((card.blocks[0] as { text: { type: string } }).text.type).toBe('plain_text');
  });

  it('a very long title and progress line stay inside the limits', () => {
    const long = makeTask({ title: 'x'.repeat(400), status: 'building', priorityReason: 'y'.repeat(5000) });
    checkLimits(statusCard(long, { at: '', percent: 1, message: 'z'.repeat(5000) }, ctx).blocks);
  });
});

describe('thread messages', () => {
  it('done mentions the owner with the deliverables', () => {
    const done = makeTask({
      status: 'done',
      title: 'Build the CSV export',
      deliverables: { branch: 'nightshift/t-7-build-the-csv-export', diffstat: '3 files changed, 42 insertions(+)', commits: ['abc1234 feat: export'], changedFiles: [], links: ['https://github.com/acme/w/pull/4'], summary: 'Added the export. <!channel>' },
      attempts: [{ n: 1, startedAt: '2026-11-25T13:00:00.000Z', endedAt: '2026-11-25T13:20:00.000Z', durationMs: 1_200_000, outcome: 'succeeded', logPath: '/l', builder: 'Claude Code', counts: true, demo: false, usage: { costUsd: 0.42 } }],
    });
    const msg = milestone(done, { at: '', type: 'done' }, 'U0OWNER', ctx)!;
    const text = allText(msg.blocks);
    expect(text).toContain('<@U0OWNER>');
    expect(text).toContain('nightshift/t-7-build-the-csv-export');
    expect(text).toContain('3 files changed, 42 insertions(+)');
    expect(text).toContain('<https://github.com/acme/w/pull/4>');
    expect(text).toContain('$0.42');
    expect(text).not.toContain('<!channel>');
    expect(msg.text).not.toContain('<@U0OWNER>'); // the fallback never pings twice
    expect(text).toContain('Log: `/l`'); // no dashboard: the local path
    checkLimits(msg.blocks);
    // With the dashboard on, the reply and the card link to the task's page and its log instead.
    const links = { home: 'https://ns.example.com/', task: (id: string) => `https://ns.example.com/tasks/${id}`, log: (id: string, n: number) => `https://ns.example.com/tasks/${id}/attempts/${n}/log` };
    const linked = allText(milestone(done, { at: '', type: 'done' }, 'U0OWNER', { ...ctx, links })!.blocks);
    expect(linked).toContain(`Details: <https://ns.example.com/tasks/${done.id}|the task page> · <https://ns.example.com/tasks/${done.id}/attempts/1/log|the log>`);
    expect(linked).not.toContain('`/l`');
    expect(allText(statusCard(done, null, { ...ctx, links }).blocks)).toContain(`<https://ns.example.com/tasks/${done.id}|Open on the dashboard>`);
  });

  it('an approval request lists the reasons, pings the owner and carries the buttons', () => {
    const waiting = makeTask({ status: 'awaiting_approval', safety: { needsApproval: true, checkedAt: '2026-11-25T14:00:00.000Z', reasons: [{ kind: 'destructive', quote: 'force-push', message: 'it mentions "force-push" (destructive)' }] } });
    const msg = attention(waiting, 'approval', '', 'U0OWNER');
    expect(allText(msg.blocks)).toContain('<@U0OWNER>');
    expect(allText(msg.blocks)).toContain('it mentions \\"force-push\\" (destructive)');
    expect(actionIds(msg.blocks)).toEqual([ACTION.approve, ACTION.reject]);
  });

  it('an escalation shows the log tail in a code block that user text cannot close', () => {
    const esc = makeTask({ status: 'escalated' });
    const msg = attention(esc, 'escalated', 't-1 failed 3 times', 'U0OWNER', 'Error: boom\n``` <!here>');
    const text = allText(msg.blocks);
    expect(text).toContain('Error: boom');
    expect(text).not.toContain('<!here>');
    expect(actionIds(msg.blocks)).toEqual([ACTION.retry, ACTION.cancel]);
  });
});

describe('mrkdwn escaping', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
  ])('%j', (input, out) => expect(escapeMrkdwn(input)).toBe(out));

  it('cuts long text with a pointer to the rest', () => {
    const t = safeText('x'.repeat(100), 40, 'the full log');
    expect(t.length).toBeLessThanOrEqual(40);
    expect(t).toMatch(/… \(cut; see the full log\)$/);
  });
});

describe('the card shown in the README', () => {
  it('docs/slack-status-card.json is exactly what the code renders (run npm run card:preview after a change)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { sampleCard } = await import('../src/adapters/slack/card-sample.ts');
    const committed = JSON.parse(await readFile(new URL('../docs/slack-status-card.json', import.meta.url), 'utf8')) as unknown;
    expect(committed).toEqual({ blocks: sampleCard().blocks });
  });
});
