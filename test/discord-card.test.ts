// The Discord status message and thread messages: what they say, that user text can never ping or
// break formatting, that they stay inside Discord's limits, and the slash commands' wording.
import { describe, expect, it } from 'vitest';
import { customId, parseCustomId, statusCard, type DiscordMessage } from '../src/adapters/discord/card.ts';
import { attention, closedAsk, milestone } from '../src/adapters/discord/milestones.ts';
import { commandDefinitions, commandText, taskChoices } from '../src/adapters/discord/slash-commands.ts';
import { cut, safeText } from '../src/adapters/discord/text.ts';
import { replyMessage } from '../src/adapters/discord/discord-adapter.ts';
import { INTENTS, inviteUrl, PERMISSIONS } from '../src/adapters/discord/invite.ts';
import { readFileSync } from 'node:fs';
import { FIXTURE_INSTANT, makeTask } from './helpers/task-factory.ts';

const OWNER = '400000000000000001';
const ctx = { now: new Date('2026-11-25T14:00:00Z'), timeZone: 'Europe/London', maxAttempts: 3, typicalMs: 40 * 60_000 };
const running = makeTask({
  id: 't-7',
  title: 'Build a Spotify integration',
  status: 'building',
  priority: 'high',
  priorityReason: 'deadline within 24 h (by tonight)',
  deadline: '2026-11-25T23:59:00.000Z',
  origin: { adapter: 'discord', userId: '400000000000000009', channel: '300000000000000001' },
  attempts: [{ n: 1, startedAt: '2026-11-25T13:48:00.000Z', outcome: 'running', logPath: '/h/logs/t-7/attempt-1.log', builder: 'Claude Code', counts: true, demo: false }],
});

const buttons = (m: DiscordMessage) => (m.components ?? []).flatMap((r) => r.components.map((b) => (b as { custom_id: string }).custom_id));

/** Discord's limits for what the bot sends (the fake Discord enforces them too). */
function checkLimits(m: DiscordMessage): void {
  expect((m.content ?? '').length).toBeLessThanOrEqual(2000);
  for (const e of m.embeds ?? []) {
    expect((e.title ?? '').length).toBeLessThanOrEqual(256);
    expect((e.description ?? '').length).toBeLessThanOrEqual(4096);
    expect((e.fields ?? []).length).toBeLessThanOrEqual(25);
    for (const f of e.fields ?? []) {
      expect(f.name.length).toBeLessThanOrEqual(256);
      expect(f.value.length).toBeLessThanOrEqual(1024);
      expect(f.value.length).toBeGreaterThan(0);
    }
  }
  expect((m.components ?? []).length).toBeLessThanOrEqual(5);
  for (const row of m.components ?? []) expect(row.components.length).toBeLessThanOrEqual(5);
}

describe('Discord status message', () => {
  it('shows title, status, priority and why, attempt n/3, elapsed and estimate, deadline, progress bar and line, and Cancel', () => {
    const m = statusCard(running, { at: ctx.now.toISOString(), percent: 40, message: 'editing src/spotify.ts' }, ctx);
    const e = m.embeds![0]!;
    expect(e.title).toBe('t-7 · Build a Spotify integration');
    const field = (n: string) => e.fields!.find((f) => f.name === n)?.value;
    expect(field('Status')).toMatch(/building/);
    expect(field('Priority')).toBe('high: deadline within 24 h (by tonight)');
    expect(field('Attempt')).toBe('1/3');
    expect(field('Time')).toBe('12m elapsed · est ~40m');
    expect(field('Deadline')).toMatch(/^23:59 \(Europe\/London\) · <t:\d+:R>$/);
    expect(field('Asked by')).toBe('<@400000000000000009>');
    expect(e.description).toContain('████████░░░░░░░░░░░░] 40%');
    expect(e.description).toContain('editing src/spotify.ts');
    expect(buttons(m)).toEqual(['ns:cancel:t-7']);
    checkLimits(m);
  });

  it('offers Approve/Reject while waiting, Retry/Cancel when escalated, nothing once done; the decision is named', () => {
    const waiting = makeTask({ id: 't-3', status: 'awaiting_approval', safety: { needsApproval: true, reasons: [{ kind: 'destructive', quote: 'drop', message: 'it says "drop": destructive' }], checkedAt: ctx.now.toISOString() } });
    expect(buttons(statusCard(waiting, null, ctx))).toEqual(['ns:approve:t-3', 'ns:reject:t-3']);
    expect(statusCard(waiting, null, ctx).embeds![0]!.description).toContain('destructive');
    expect(buttons(statusCard({ ...waiting, status: 'escalated' }, null, ctx))).toEqual(['ns:retry:t-3', 'ns:cancel:t-3']);
    // interrupted work that waited too long (RESUME_MAX_AGE) asks Resume / Cancel
    const stale = { ...waiting, safety: { ...waiting.safety, reasons: [{ kind: 'stale' as const, quote: '', message: 'interrupted 7h ago' }] } };
    expect(buttons(statusCard(stale, null, ctx))).toEqual(['ns:approve:t-3', 'ns:cancel:t-3']);
    expect(JSON.stringify(statusCard(stale, null, ctx).components)).toContain('"label":"Resume"');
    const done = { ...waiting, status: 'done' as const, events: [{ at: '2026-11-25T13:02:00.000Z', type: 'approved' as const, by: OWNER }], deliverables: { ...waiting.deliverables, branch: 'nightshift/t-3-x', diffstat: '2 files changed', links: ['https://github.com/o/r/pull/9'] } };
    const m = statusCard(done, null, ctx);
    expect(m.components).toEqual([]); // an edit that removes the buttons
    expect(m.embeds![0]!.fields!.find((f) => f.name === 'Decision')?.value).toBe(`Approved by <@${OWNER}> at 13:02`);
    expect(m.embeds![0]!.description).toContain('[Pull request](https://github.com/o/r/pull/9)');
  });

  it('user text cannot ping (@everyone, @here) or break formatting, and huge text stays inside the limits', () => {
    const evil = makeTask({ ...running, title: `@everyone **bold** ${'x'.repeat(400)}`, priorityReason: '@here `tick`' });
    const m = statusCard(evil, { at: ctx.now.toISOString(), percent: null, message: `@everyone ${'y'.repeat(5000)}` }, ctx);
    checkLimits(m);
    expect(JSON.stringify(m)).not.toMatch(/@(everyone|here)/);
    expect(m.embeds![0]!.fields!.find((f) => f.name === 'Priority')?.value).toContain('\\`tick\\`');
    expect(m.embeds![0]!.description).toMatch(/… \(cut; see the full log\)/);
  });

  it('button ids carry the verb and the task, and nothing else parses', () => {
    expect(parseCustomId(customId('approve', 't-12'))).toEqual({ verb: 'approve', taskId: 't-12' });
    expect(parseCustomId('ns:delete:t-1')).toBeNull();
    expect(parseCustomId('ns:approve:t-1;rm')).toBeNull();
  });
});

describe('the agent\'s plan on the Discord status message', () => {
  const building = (plan: { text: string; status: 'pending' | 'in_progress' | 'done' | 'failed' }[]) =>
    makeTask({ id: 't-9', status: 'building', attempts: [{ n: 1, startedAt: '2026-11-25T13:48:00.000Z', outcome: 'running', logPath: '/l', builder: 'Claude Code', counts: true, demo: false, plan }] });

  it('is a checklist field, one line a step, marked by status', () => {
    const m = statusCard(building([{ text: 'a', status: 'done' }, { text: 'b', status: 'in_progress' }, { text: 'c', status: 'failed' }, { text: 'd', status: 'pending' }]), null, ctx);
    expect(m.embeds![0]!.fields!.find((f) => f.name.startsWith("The agent's plan"))).toEqual({ name: "The agent's plan: 1 of 4 done", value: '✅ a\n▶️ b\n❌ c\n⬜ d', inline: false });
    checkLimits(m);
  });

  it('a long plan is cut to fit a field, saying how many steps are left out', () => {
    const m = statusCard(building(Array.from({ length: 60 }, (_, i) => ({ text: `step ${i} ${'x'.repeat(140)}`, status: 'pending' as const }))), null, ctx);
    const field = m.embeds![0]!.fields!.find((f) => f.name.startsWith("The agent's plan"))!;
    expect(field.value.length).toBeLessThanOrEqual(1024);
    expect(field.value).toMatch(/\n…and \d+ more$/);
    checkLimits(m);
  });
});

describe('Discord thread messages', () => {
  const done = makeTask({ ...running, status: 'done', deliverables: { commits: ['add spotify client'], changedFiles: ['a', 'b'], diffstat: '2 files changed, 7 insertions(+)', branch: 'nightshift/t-7-spotify', links: [], summary: 'Added a client. @everyone look' } });
  const doneA = { ...done, attempts: [{ ...running.attempts[0]!, outcome: 'succeeded' as const, endedAt: '2026-11-25T14:30:00.000Z', durationMs: 42 * 60_000 }] };

  it('done mentions the owner (the one allowed ping) with branch, diffstat and the agent summary', () => {
    const m = milestone(doneA, { at: ctx.now.toISOString(), type: 'done' }, OWNER, ctx)!;
    expect(m.content).toMatch(new RegExp(`^✅ <@${OWNER}> \\*\\*Build a Spotify integration\\*\\* is done after 42m`));
    expect(m.content).toContain('Branch: `nightshift/t-7-spotify`');
    expect(m.allowed_mentions).toEqual({ parse: [], users: [OWNER] });
    expect(m.embeds![0]!.description).toBe('Added a client. @\u200beveryone look');
    checkLimits(m);
    // With the dashboard on: the reply links the task's page and log, the status embed's title opens the page.
    const links = { home: 'https://ns.example.com/', task: (id: string) => `https://ns.example.com/tasks/${id}`, log: (id: string, n: number) => `https://ns.example.com/tasks/${id}/attempts/${n}/log` };
    expect(milestone(doneA, { at: ctx.now.toISOString(), type: 'done' }, OWNER, { ...ctx, links })!.content).toContain('Details: [the task page](<https://ns.example.com/tasks/t-7>) · [the log](<https://ns.example.com/tasks/t-7/attempts/1/log>)');
    expect(statusCard(doneA, null, { ...ctx, links }).embeds![0]!.url).toBe('https://ns.example.com/tasks/t-7');
  });

  it('an approval question pings the owner with the reasons and the buttons; once answered it keeps its text and loses the buttons', () => {
    const waiting = makeTask({ id: 't-3', status: 'awaiting_approval', safety: { needsApproval: true, reasons: [{ kind: 'external', quote: 'deploy', message: 'it says "deploy"' }], checkedAt: ctx.now.toISOString() } });
    const ask = attention(waiting, 'approval', '', OWNER);
    expect(ask.content).toContain(`<@${OWNER}> **t-3 needs your approval**`);
    expect(ask.content).toContain('• it says "deploy"');
    expect(buttons(ask)).toEqual(['ns:approve:t-3', 'ns:reject:t-3']);
    const closed = closedAsk(ask.content!, `Approved by <@${OWNER}> at 13:02`);
    expect(closed.components).toEqual([]);
    expect(closed.content).toMatch(/needs your approval[\s\S]*☑️ Approved by/);
    expect(closed.allowed_mentions).toEqual({ parse: [] });
  });

  it('an escalation carries the log tail in a code block the tail cannot close', () => {
    const esc = makeTask({ ...running, status: 'escalated' });
    const m = attention(esc, 'escalated', 't-7 failed 3 times', OWNER, 'Error: boom\n```\n@everyone');
    expect(m.content).toContain('```\nError: boom');
    expect(m.content!.match(/```/g)).toHaveLength(2);
    expect(buttons(m)).toEqual(['ns:retry:t-7', 'ns:cancel:t-7']);
  });

  it('replies are cut with a pointer, and say where to follow the task', () => {
    const long = replyMessage({ kind: 'status', ok: true, text: 'z'.repeat(5000), tasks: [] }, 'Follow it in <#1>.');
    expect(long.content!.length).toBeLessThanOrEqual(2000);
    expect(long.content).toMatch(/cut; see \/status\)\nFollow it in <#1>\.$/);
    expect(cut('abc\\\\', 3)).not.toMatch(/\\$/);
    expect(safeText('_a_ *b*', 100)).toBe('\\_a\\_ \\*b\\*');
  });
});

describe('Discord slash commands', () => {
  it('registers /build with a required request, sibling verbs with task autocomplete, and DMs for global commands', () => {
    const defs = commandDefinitions('global') as { name: string; options?: { name: string; required?: boolean; autocomplete?: boolean }[]; contexts?: number[] }[];
    expect(defs.map((d) => d.name)).toEqual(['build', 'status', 'queue', 'approve', 'reject', 'cancel', 'retry', 'accept', 'clarify', 'bump', 'summary']);
    expect(defs[0]!.options![0]).toMatchObject({ name: 'request', required: true });
    expect(defs.find((d) => d.name === 'approve')!.options![0]).toMatchObject({ name: 'task', required: true, autocomplete: true });
    expect(defs[0]!.contexts).toEqual([0, 1]);
    expect((commandDefinitions('guild')[0] as { contexts?: unknown }).contexts).toBeUndefined();
    expect((commandDefinitions('dm')[0] as { contexts?: unknown }).contexts).toEqual([1]); // DMs only: never twice in the server
    for (const d of defs) expect(d.name).toMatch(/^[-_a-z0-9]{1,32}$/);
  });

  it('turns an invocation into the words the dispatcher takes', () => {
    expect(commandText('build', { request: 'a CLI by tonight' })).toEqual({ text: 'a CLI by tonight', asRequest: true });
    expect(commandText('reject', { task: 't-7', reason: 'too risky' })).toEqual({ text: 'reject t-7 too risky', asRequest: false });
    expect(commandText('status', {})).toEqual({ text: 'status', asRequest: false });
    expect(commandText('bump', { task: 't-2', priority: 'high' })).toEqual({ text: 'bump t-2 high', asRequest: false });
    expect(commandText('frobnicate', {})).toEqual({ problem: 'I do not know /frobnicate.' });
  });

  it('a typed value where a task belongs is refused with how to pick one, never turned into a request', () => {
    expect(commandText('bump', { task: 'the docs', priority: 'high' })).toEqual({ problem: expect.stringMatching(/^"the docs" is not a task id\. Pick one from the list/) });
    expect(commandText('approve', { task: 'deploy the docs' })).toHaveProperty('problem');
    expect(commandText('approve', { task: '7' })).toEqual({ text: 'approve 7', asRequest: false });
  });

  it('autocomplete offers the tasks the verb fits, matching what was typed, newest first, at most 25', () => {
    const tasks = [
      makeTask({ id: 't-1', title: 'Deploy docs', status: 'awaiting_approval' }),
      makeTask({ id: 't-2', title: 'Build a CLI', status: 'building' }),
      makeTask({ id: 't-3', title: 'Delete old data', status: 'awaiting_approval' }),
      makeTask({ id: 't-4', title: 'Fix flaky test', status: 'escalated' }),
    ];
    expect(taskChoices('approve', '', tasks).map((c) => c.value)).toEqual(['t-3', 't-1']);
    expect(taskChoices('approve', 'dep', tasks)).toEqual([{ name: 't-1 · Deploy docs (awaiting approval)', value: 't-1' }]);
    expect(taskChoices('retry', '', tasks).map((c) => c.value)).toEqual(['t-4']);
    // accept: only an escalated task whose built work fails the project's checks
    expect(taskChoices('accept', '', tasks)).toEqual([]);
    const failing = makeTask({ id: 't-5', title: 'Build the answer module', status: 'escalated', attempts: [{ n: 1, startedAt: FIXTURE_INSTANT, outcome: 'failed', logPath: 'l', builder: 'b', counts: true, demo: false, checks: { command: 'npm test', outcome: 'failed', exitCode: 1, durationMs: 3000 } }] });
    expect(taskChoices('accept', '', [...tasks, failing]).map((c) => c.value)).toEqual(['t-5']);
    expect(taskChoices('cancel', '', tasks).map((c) => c.value)).toEqual(['t-4', 't-3', 't-2', 't-1']);
    const many = Array.from({ length: 40 }, (_, i) => makeTask({ id: `t-${i + 1}`, title: 'x'.repeat(200) }));
    const choices = taskChoices('status', '', many);
    expect(choices).toHaveLength(25);
    expect(choices[0]!.value).toBe('t-40');
    for (const c of choices) expect(c.name.length).toBeLessThanOrEqual(100);
  });
});

describe('Discord set-up', () => {
  it('the README\'s invite link asks for exactly the permissions the bot uses, and names the privileged intent', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(inviteUrl('APP_ID'));
    expect(inviteUrl('1')).toContain(`permissions=${PERMISSIONS.toString()}`);
    expect(INTENTS).toContain(1 << 15); // Message Content
    expect(readme).toMatch(/Message Content Intent: on/);
  });
});
