// The conversation's rough edges, each as the owner met it: a bump that approved, a clarification
// that changed nothing it should have, a cancelled task that could not come back, confirmations
// said twice, counts that did not add up. A real engine, store, git worktrees and fake agents.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleAdapter } from '../src/adapters/console/console-adapter.ts';
import { renderEvent } from '../src/adapters/console/render-event.ts';
import type { Actor } from '../src/commands/actor.ts';
import { handleText } from '../src/commands/dispatch.ts';
import { idleReport } from '../src/commands/idle-report.ts';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { silentLogger } from '../src/core/ports.ts';
import { estimateFor } from '../src/core/estimate.ts';
import type { Task } from '../src/core/task.ts';
import { attemptLabel } from '../src/core/transitions.ts';
import { MemoryTaskStore } from '../src/store/index.ts';
import type { agent } from './helpers/agents.ts';
import { waitFor } from './helpers/agents.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

const owner: Actor = { id: 'U-OWNER', name: 'Olive', role: 'owner', adapter: 'test' };

let engine: Engine | null = null;
let consoleAdapter: ConsoleAdapter | null = null;
afterEach(async () => {
  consoleAdapter?.stop();
  await engine?.shutdown(0);
  engine = null;
  consoleAdapter = null;
});

/** Wednesday 14:00 in London: outside the 22:00-06:00 quiet hours. */
async function setup(script: Parameters<typeof agent>[0] = 'hang', history: Task[] = []) {
  const dir = await tempDir();
  const store = new MemoryTaskStore();
  await store.open();
  if (history.length) await store.put(...history);
  engine = new Engine({
    store,
    builder: fakeAgentBuilder(script, dir, { name: 'fake agent', killGraceMs: 200 }),
    policy: defaultPolicy({ timeZone: 'Europe/London' }),
    clock: new FakeClock('2026-11-25T14:00:00Z'),
    logger: silentLogger,
    runBuilds: true,
  });
  await engine.start();
  const e = engine;
  const say = (text: string) => handleText({ engine: e, actor: owner }, text);
  return { engine: e, say, store };
}

describe('bump never approves', () => {
  it('a low task waiting for approval, bumped, keeps waiting; the reply names the new priority and how to start it', async () => {
    const { engine, say } = await setup();
    await say('someday maybe try Bun for the test runner');
    expect(engine.liveTask('t-1')?.status).toBe('awaiting_approval');
    const r = await say('bump t-1');
    expect(engine.liveTask('t-1')?.status).toBe('awaiting_approval');
    expect(engine.liveTask('t-1')?.priority).toBe('high');
    expect(r.text).toMatch(/^t-1 "Try Bun for the test runner" is now high priority \(was low\) · waiting for your approval: it was asked as low priority, and a bump does not approve it; say "approve t-1" to start it$/);
    await say('approve t-1');
    expect(engine.liveTask('t-1')?.status).toBe('building');
  });

  it('a queued task bumped says its new priority and what happens next', async () => {
    const { say } = await setup();
    await say('urgent: build the invoice CSV export');
    await say('nice to have: a dark mode toggle');
    const r = await say('bump t-2 high');
    expect(r.text).toMatch(/^t-2 "A dark mode toggle" is now high priority \(was medium\) · next in line after t-1/);
  });
});

describe('clarify answers what it answers', () => {
  it('"build it", clarified, takes its title (and so its branch) from the clarification and stops waiting', async () => {
    const { engine, say } = await setup();
    await say('urgent: build it');
    expect(engine.liveTask('t-1')?.status).toBe('awaiting_approval');
    const r = await say('clarify t-1 a markdown-to-HTML converter CLI in Node');
    expect(r.text).toMatch(/^t-1 "Build a markdown-to-HTML converter CLI in Node" clarified \(was "Build it"\) · that answers what to build · /);
    await waitFor(() => engine.liveTask('t-1')?.status === 'building', 5_000, 'the build to start');
    const workspace = engine.liveTask('t-1')?.deliverables.workspace ?? '';
    // The worktree's directory appears before its branch is checked out: wait for the branch.
    const branch = () => {
      try {
        return existsSync(workspace) ? execFileSync('git', ['-C', workspace, 'rev-parse', '--abbrev-ref', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() : '';
      } catch {
        return '';
      }
    };
    await waitFor(() => branch().startsWith('nightshift/'), 10_000, 'the worktree on its branch');
    expect(branch()).toMatch(/^nightshift\/t-1-build-a-markdown-to-html-converter/);
  });

  it('a clarification of a task with a real title adds to its spec and keeps its title', async () => {
    const { engine, say } = await setup();
    await say('nice to have: build a Spotify integration');
    await say('clarify t-1 use OAuth with PKCE');
    expect(engine.liveTask('t-1')?.title).toBe('Build a Spotify integration');
    expect(engine.liveTask('t-1')?.spec).toContain('Clarification (Olive): use OAuth with PKCE');
  });

  it('a clarification that says the thing waited for is here answers the blocker; one that says it is not does not', async () => {
    const { engine, say } = await setup();
    await say('nice to have: build the Stripe webhook, waiting for the API key');
    expect(engine.liveTask('t-1')?.safety.reasons.map((r) => r.kind)).toEqual(['blocker']);
    const notYet = await say("clarify t-1 the key isn't there yet");
    expect(engine.liveTask('t-1')?.status).toBe('awaiting_approval');
    expect(notYet.text).not.toMatch(/that answers/);
    const r = await say('clarify t-1 the key is in .env now');
    expect(r.text).toMatch(/clarified · that answers "waiting for the API key" · starts at 22:00 tonight \(quiet hours\)/);
    expect(engine.liveTask('t-1')?.status).toBe('queued');
    expect(engine.liveTask('t-1')?.safety.reasons).toEqual([]);
  });
});

describe('what a clarification may not do', () => {
  const requester: Actor = { id: 'U-R', name: 'Rita', role: 'requester', adapter: 'test' };

  it('the asker saying the thing is in place does not release a blocked task: only the owner or an approver can', async () => {
    const { engine, say } = await setup();
    await handleText({ engine, actor: requester }, 'nice to have: build the Stripe webhook, waiting for the API key');
    const r = await handleText({ engine, actor: requester }, 'clarify t-1 the key is in .env now');
    expect(r.text).not.toMatch(/that answers/);
    expect(engine.liveTask('t-1')?.status).toBe('awaiting_approval');
    await say('clarify t-1 the key is in .env now');
    expect(engine.liveTask('t-1')?.status).toBe('queued');
  });

  it('"now" alone is no answer: "finance now says next week" keeps the task waiting', async () => {
    const { engine, say } = await setup();
    await say('nice to have: build the Stripe webhook, waiting on the API key from finance');
    await say('clarify t-1 finance now says next week');
    expect(engine.liveTask('t-1')?.status).toBe('awaiting_approval');
  });

  it('a low task bumped and then clarified still waits for approval', async () => {
    const { engine, say } = await setup();
    await say('someday maybe try Bun for the test runner');
    await say('bump t-1 high');
    await say('clarify t-1 use the latest Bun');
    expect(engine.liveTask('t-1')?.status).toBe('awaiting_approval');
    expect(engine.liveTask('t-1')?.title).toBe('Try Bun for the test runner');
  });

  it('a vague task keeps its title when the clarification names nothing to build', async () => {
    const { engine, say } = await setup();
    await say('build it');
    await say('clarify t-1 sorry, I meant the thing from yesterday');
    expect(engine.liveTask('t-1')?.title).toBe('Build it');
  });
});

describe('retry brings back a task cancelled by mistake', () => {
  it('a cancelled task is queued again with a fresh budget, builds, and is done', async () => {
    const { engine, say } = await setup('succeed');
    await say('nice to have: build a favicon');
    await say('cancel t-1');
    expect((await engine.get('t-1'))?.status).toBe('cancelled');
    const r = await say('retry t-1');
    expect(r.text).toMatch(/^t-1 "Build a favicon" is back \(it was cancelled\) · starts at 22:00 tonight \(quiet hours\)/);
    expect(engine.liveTask('t-1')?.status).toBe('queued');
    expect((await engine.history()).map((t) => t.id)).toEqual([]);
    await say('bump t-1 high');
    await waitFor(async () => (await engine.get('t-1'))?.status === 'done', 10_000, 't-1 to be done');
  });
});

describe('said once, kept, counted right', () => {
  async function consoleOn() {
    const { engine } = await setup();
    const input = new PassThrough();
    const out = new PassThrough();
    let seen = '';
    out.on('data', (c: Buffer) => (seen += c.toString('utf8')));
    consoleAdapter = new ConsoleAdapter({ engine, out, input });
    await consoleAdapter.start();
    const type = async (line: string) => {
      input.write(`${line}\n`);
      await new Promise((r) => setImmediate(r));
      await consoleAdapter?.idle();
    };
    return { engine, type, seen: () => seen };
  }

  it('the console says "rejected" once, with the reason, and status keeps the reason', async () => {
    const c = await consoleOn();
    await c.type('someday try Bun');
    await c.type('reject t-1 too early for this');
    expect(c.seen().match(/rejected/g)).toHaveLength(1);
    expect(c.seen()).toContain('t-1 "Try Bun" rejected: too early for this');
    await c.type('status t-1');
    expect(c.seen()).toMatch(/Rejected by you \S+.*: too early for this/);
  });

  it('after a long list is confirmed, the console still says why each task past the tenth waits', async () => {
    const c = await consoleOn();
    await c.type(`someday maybe:\n${Array.from({ length: 25 }, (_, i) => `- widget page ${i + 1}`).join('\n')}`.split('\n').join('\n'));
    await c.type('');
    await c.type('yes');
    expect(c.seen()).toContain('… and 15 more, t-11 to t-25');
    expect(c.seen()).toMatch(/>> t-25 "Widget page 25" is waiting for your approval/);
    expect(c.seen()).not.toMatch(/>> t-3 "Widget page 3"/); // said in the reply already
  });

  it('the console gives the reasons a task waits for approval once', async () => {
    const c = await consoleOn();
    await c.type('build it');
    expect(c.seen().match(/too vague to act on/g)).toHaveLength(1);
  });

  it('"t-1?" gives the estimate once', async () => {
    const { say } = await setup();
    await say('nice to have: a stats page --eta 2h');
    const r = await say('t-1?');
    expect(r.text.match(/~2h/g)).toHaveLength(1);
  });

  it('"Recently finished" does not call the newest five all there is', async () => {
    const { say, store } = await setup();
    for (let n = 1; n <= 7; n++) await store.put(makeTask({ id: `t-${n}`, title: `Task ${n}`, status: 'done', updatedAt: new Date(Date.UTC(2026, 10, 25, 12, n)).toISOString() }));
    const r = await say('status');
    expect(r.text).toContain('Recently finished (the newest 5; there are more):');
    expect(r.text).not.toContain('Recently finished (5)');
  });

  it('run --until-idle does not call two tasks waiting for approval "nothing more to start"', async () => {
    const { engine, say } = await setup();
    await say('someday try Bun');
    await say('build it');
    const report = idleReport(engine);
    expect(report).toMatch(/^Idle: nothing more can start now\.\nWaiting for your approval \(2\): t-1, t-2; "nightshift approve t-1" lets one start\.$/);
  });

  it('after a retry with a fresh budget, the attempt is numbered as its log is', () => {
    const attempt = (n: number) => ({ n, startedAt: '2026-11-25T14:00:00.000Z', outcome: 'failed' as const, logPath: `/logs/t-1/attempt-${n}.log`, builder: 'fake', counts: true, demo: false });
    const t = makeTask({ id: 't-1', status: 'building', budgetStart: 3, attempts: [1, 2, 3, 4].map(attempt) });
    expect(attemptLabel(t, 3)).toBe('4 (1/3 since the retry)');
    const line = renderEvent({ type: 'task_changed', task: t, event: { at: t.updatedAt, type: 'started' } }, { timeZone: 'Europe/London', maxAttempts: 3, now: new Date() });
    expect(line).toMatch(/started: attempt 4 \(1\/3 since the retry\) .* log \/logs\/t-1\/attempt-4\.log$/);
  });

  it('after an attempt that cost nothing (a shutdown, a hand-back), the attempt is still numbered as its log is', () => {
    const attempt = (n: number, counts: boolean) => ({ n, startedAt: '2026-11-25T14:00:00.000Z', outcome: counts ? ('running' as const) : ('interrupted' as const), logPath: `/logs/t-1/attempt-${n}.log`, builder: 'fake', counts, demo: false });
    const t = makeTask({ id: 't-1', status: 'building', attempts: [attempt(1, false), attempt(2, true)] });
    expect(attemptLabel(t, 3)).toBe('2 (1/3 counted)');
    expect(attemptLabel({ ...t, attempts: [attempt(1, true)] }, 3)).toBe('1/3');
  });
});

describe('a very long list is asked about first', () => {
  const list = (n: number) => `build these:\n${Array.from({ length: n }, (_, i) => `- widget page number ${i + 1}`).join('\n')}`;

  it('25 items: nothing is queued until the same person says yes; the reply sums up past the first ten', async () => {
    const { engine, say } = await setup();
    const ask = await say(list(25));
    expect(ask.text).toMatch(/^That lists 25 things to build \("Build widget page number 1", .*\)\. Queue all 25 as separate tasks\? Say "yes" within 10 minutes/);
    expect(engine.live()).toEqual([]);
    const stranger: Actor = { id: 'U-X', name: 'Sam', role: 'approver', adapter: 'test' };
    await handleText({ engine, actor: stranger }, 'yes');
    expect(engine.live()).toEqual([]);
    const r = await say('yes');
    expect(engine.live()).toHaveLength(25);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('Got it: 25 tasks.');
    expect(lines).toHaveLength(12);
    expect(lines[11]).toBe('… and 15 more, t-11 to t-25 ("queue" lists them all)');
    expect((await say('yes')).kind).not.toBe('created'); // asked once, answered once
  });

  it('10,000 items: refused at once, with how to ask instead; nothing is queued', async () => {
    const { engine, say } = await setup();
    const r = await say(list(10_000));
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/^That lists 10000 things; one message can queue at most 200\. Nothing was queued\./);
    expect(engine.live()).toEqual([]);
  });
});

describe('estimates from comparable history, and a word when a deadline cannot be met', () => {
  const MIN = 60_000;
  /** A finished build: who built it, how long its spec was, how long it took. */
  const built = (n: number, builder: string, words: number, minutes: number): Task =>
    makeTask({
      id: `t-${100 + n}`,
      status: 'done',
      spec: Array.from({ length: words }, () => 'word').join(' '),
      updatedAt: new Date(Date.UTC(2026, 10, 24, 12, n)).toISOString(),
      attempts: [{ n: 1, startedAt: '2026-11-24T11:00:00.000Z', outcome: 'succeeded', logPath: '/l', builder, counts: true, demo: false, durationMs: minutes * MIN }],
    });

  it('uses builds by the same builder of a similar size, as a range; the owner\'s --eta wins', () => {
    const samples = [
      ...[10, 12, 20, 30].map((m) => ({ builder: 'claude', words: 8, durationMs: m * MIN })),
      ...[90, 120].map((m) => ({ builder: 'claude', words: 400, durationMs: m * MIN })),
      ...[1, 2].map((m) => ({ builder: 'codex', words: 8, durationMs: m * MIN })),
    ];
    expect(estimateFor({ estimateMs: null, spec: 'build a small CSV export for the report' }, 'claude', samples)).toMatchObject({ ms: 20 * MIN, lowMs: 12 * MIN, highMs: 20 * MIN, basis: '4 similar builds with claude' });
    expect(estimateFor({ estimateMs: null, spec: 'build a small CSV export for the report' }, 'aider', samples)).toMatchObject({ basis: '8 past builds' });
    expect(estimateFor({ estimateMs: 2 * 60 * MIN, spec: 'x' }, 'claude', samples)).toMatchObject({ ms: 120 * MIN, own: true, basis: 'your estimate' });
    expect(estimateFor({ estimateMs: null, spec: 'x' }, 'claude', [])).toBeNull();
  });

  it('a queued task says how long builds like it took and when it should be done; a task waiting for approval says neither', async () => {
    const history = [10, 12, 20, 30].map((m, i) => built(i, 'fake agent', 6, m));
    const { say } = await setup('hang', history);
    const r = await say('nice to have: a CSV export for the report');
    expect(r.text).toMatch(/starts at 22:00 tonight \(quiet hours\) · usually 12m–20m \(4 similar builds with fake agent\); done around 22:20$/);
    const waiting = await say('someday try Bun for the tests');
    expect(waiting.text).not.toMatch(/usually|took|done around/);
  });

  it('"in 2 hours --eta 4h" is accepted with a word that it cannot make its deadline', async () => {
    const { say } = await setup();
    const r = await say('build a retry wrapper in 2 hours --eta 4h');
    expect(r.text).toMatch(/needs ~4h \(your estimate\); done around 18:00 · ⚠ it cannot make its deadline: it needs ~4h \(your estimate\) and is due 16:00$/);
  });
});

describe('the console\'s "done" line', () => {
  it('carries what the agent said it did and what it cost, not only "status t-N"', () => {
    const t = makeTask({
      id: 't-1',
      title: 'Build a CSV export',
      status: 'done',
      attempts: [{ n: 1, startedAt: '2026-11-25T13:00:00.000Z', outcome: 'succeeded', logPath: '/l/attempt-1.log', builder: 'Claude Code', counts: true, demo: false, durationMs: 42 * 60_000, usage: { costUsd: 0.31, turns: 12 } }],
      deliverables: { branch: 'nightshift/t-1-build-a-csv-export', commits: ['a'], changedFiles: ['x.ts'], links: [], summary: 'Added a CSV export endpoint\nwith tests.' },
    });
    const line = renderEvent({ type: 'task_changed', task: t, event: { at: t.updatedAt, type: 'done' } }, { timeZone: 'Europe/London', maxAttempts: 3, now: new Date('2026-11-25T14:00:00Z') });
    expect(line).toBe('t-1 "Build a CSV export" is done after 42m · branch nightshift/t-1-build-a-csv-export · 1 file changed (x.ts) · no checks configured · $0.31 · 12 turns · log /l/attempt-1.log\n  Added a CSV export endpoint with tests.');
  });

  it('work accepted anyway says it was accepted with its checks failing where passed checks would be', () => {
    const accepted = { at: '2026-11-25T13:50:00.000Z', type: 'accepted' as const, by: 'Ann', detail: 'accepted by Ann with checks failing (npm test exited with code 1 after 3s)' };
    const t = makeTask({
      id: 't-2',
      title: 'Build the answer module',
      status: 'done',
      attempts: [{ n: 1, startedAt: '2026-11-25T13:00:00.000Z', outcome: 'failed', reason: 'built, checks failing (npm test exited with code 1 after 3s)', logPath: '/l/attempt-1.log', builder: 'Claude Code', counts: true, demo: false, durationMs: 5 * 60_000, checks: { command: 'npm test', outcome: 'failed', exitCode: 1, durationMs: 3000 } }],
      events: [accepted],
      deliverables: { branch: 'nightshift/t-2-build-the-answer-module', commits: ['a'], changedFiles: ['answer.txt'], links: [] },
    });
    const line = renderEvent({ type: 'task_changed', task: t, event: accepted }, { timeZone: 'Europe/London', maxAttempts: 3, now: new Date('2026-11-25T14:00:00Z') });
    expect(line).toBe('t-2 "Build the answer module" is done after 5m · branch nightshift/t-2-build-the-answer-module · 1 file changed (answer.txt) · accepted by Ann with checks failing (npm test exited with code 1 after 3s) · log /l/attempt-1.log');
  });
});
