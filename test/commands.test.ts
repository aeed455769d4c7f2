// The verbs as users say them, through the same dispatcher every adapter uses, against a real
// engine and store, with the clock fixed at 14:00 in London (outside the 22:00-06:00 quiet hours).
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../src/commands/actor.ts';
import { handleText } from '../src/commands/dispatch.ts';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { silentLogger, type CoreEvent } from '../src/core/ports.ts';
import { MemoryTaskStore } from '../src/store/index.ts';
import type { agent } from './helpers/agents.ts';
import { waitFor } from './helpers/agents.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { FIXTURE_INSTANT, makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

const owner: Actor = { id: 'U-OWNER', name: 'Olive', role: 'owner', adapter: 'test' };
const stranger: Actor = { id: 'U-X', name: 'Sam', role: 'stranger', adapter: 'test' };
const requester: Actor = { id: 'U-R', name: 'Rita', role: 'requester', adapter: 'test' };

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.shutdown(0);
  engine = null;
});

async function setup(at = '2026-11-25T14:00:00Z', script: Parameters<typeof agent>[0] = 'hang') {
  const dir = await tempDir();
  const clock = new FakeClock(at);
  const store = new MemoryTaskStore();
  await store.open();
  const events: CoreEvent[] = [];
  engine = new Engine({
    store,
    builder: fakeAgentBuilder(script, dir, { name: 'fake agent', killGraceMs: 200 }),
    policy: defaultPolicy({ timeZone: 'Europe/London' }),
    clock,
    logger: silentLogger,
    runBuilds: true,
  });
  engine.subscribe({ announce: (e) => void events.push(e) });
  await engine.start();
  const say = (text: string, who: Actor = owner) => handleText({ engine: engine!, actor: who }, text);
  return { engine, clock, say, events, store };
}

describe('build: what was understood and what happens next', () => {
  it('a deadline tonight is high priority and starts now', async () => {
    const { say } = await setup();
    const r = await say('build a hello-world CLI by tonight');
    expect(r.kind).toBe('created');
    expect(r.text).toMatch(/t-1 "Build a hello-world CLI" · high priority: deadline within 24 h \(by tonight\) · due 23:59 \(Europe\/London\) · started with fake agent/);
  });

  it('a medium task says when quiet hours open', async () => {
    const { say } = await setup();
    const r = await say('nice to have: a dark mode toggle for the settings page');
    expect(r.text).toMatch(/medium priority/);
    expect(r.text).toMatch(/starts at 22:00 tonight \(quiet hours\)/);
  });

  it('a risky task says it waits for approval and quotes the words', async () => {
    const { say, events } = await setup();
    const r = await say('urgent: force-push the rewritten history to main');
    expect(r.text).toMatch(/waiting for your approval: it mentions "force-push[^"]*" \(destructive/);
    expect(events.some((e) => e.type === 'owner_attention' && e.reason === 'approval')).toBe(true);
  });

  it('several tasks from one message, one line each', async () => {
    const { say } = await setup();
    const r = await say('build these tomorrow:\n1. the login page\n2. the signup page\n3. the password reset flow');
    expect(r.tasks.map((t) => t.id)).toEqual(['t-1', 't-2', 't-3']);
    expect(r.text.split('\n')).toHaveLength(4);
  });

  it('questions are answered, not queued', async () => {
    const { say, engine } = await setup();
    await say('build a hello-world CLI by tonight');
    const status = await say("how's the build going?");
    expect(status.kind).toBe('status');
    expect(status.text).toMatch(/Building \(1\):\n {2}t-1 · building · high · "Build a hello-world CLI"/);
    expect((await say("what's in the queue?")).kind).toBe('queue');
    expect((await say('what did you build last night?')).kind).toBe('summary');
    expect(engine.live()).toHaveLength(1);
  });

  it('chit-chat gets a hint, not a task', async () => {
    const { say, engine } = await setup();
    const r = await say('thanks!');
    expect(r.kind).toBe('hint');
    expect(r.text).toMatch(/build <what>/);
    expect(engine.live()).toHaveLength(0);
  });

  it('a bad flag is a specific error and queues nothing', async () => {
    const { say, engine } = await setup();
    const r = await say('build a CLI --priority urgent');
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/priority/);
    expect(engine.live()).toHaveLength(0);
  });

  it('strangers cannot request builds', async () => {
    const { say, engine } = await setup();
    const r = await say('build a hello-world CLI by tonight', stranger);
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/not on the list/);
    expect(engine.live()).toHaveLength(0);
  });
});

describe('deciding: only the owner and approvers', () => {
  it('approve by the owner queues it; by anyone else is refused politely and changes nothing', async () => {
    const { say, engine } = await setup();
    await say('someday maybe try a websocket dashboard for the metrics', requester);
    expect(engine.live()[0]?.status).toBe('awaiting_approval');
    const refused = await say('approve t-1', requester);
    expect(refused.ok).toBe(false);
    expect(refused.ephemeral).toBe(true);
    expect(refused.text).toBe('Sorry Rita, only the owner or an approver can approve tasks. Nothing was changed.');
    expect(engine.live()[0]?.status).toBe('awaiting_approval');
    const ok = await say('approve t-1');
    expect(ok.text).toMatch(/t-1 .* approved · starts at 22:00 tonight \(quiet hours\)/);
    expect(engine.live()[0]?.approved).toBe(true);
  });

  it('cancel, retry and reject refuse strangers too', async () => {
    const { say } = await setup();
    await say('build a hello-world CLI by tonight');
    for (const verb of ['cancel', 'retry', 'reject', 'bump']) {
      const r = await say(`${verb} t-1`, stranger);
      expect(r.ok).toBe(false);
      expect(r.text).toContain('only the owner or an approver');
    }
  });

  it('illegal moves say why', async () => {
    const { say } = await setup();
    await say('someday maybe try a websocket dashboard for the metrics');
    await say('reject t-1 not now');
    const r = await say('cancel t-1');
    expect(r.text).toBe('t-1 was rejected; nothing to cancel');
  });

  it('clarify appends to the spec and re-runs the checks', async () => {
    const { say, engine } = await setup();
    await say('urgent: build it');
    expect(engine.live()[0]?.status).toBe('awaiting_approval');
    const r = await say('clarify t-1 a CLI that prints hello world, in TypeScript');
    expect(r.ok).toBe(true);
    await waitFor(() => engine.live()[0]?.status === 'building', 2_000, 'the clarified task to start');
    expect(engine.live()[0]?.spec).toMatch(/build it[\s\S]*a CLI that prints hello world/);
  });

  it('bump raises a waiting medium task to high and it starts', async () => {
    const { say, engine } = await setup();
    await say('nice to have: a dark mode toggle for the settings page');
    expect(engine.live()[0]?.status).toBe('queued');
    const r = await say('bump t-1');
    expect(r.text).toMatch(/is now high priority \(was medium\)/);
    await waitFor(() => engine.live()[0]?.status === 'building', 2_000, 'the bumped task to start');
  });

  it('a task id that does not exist, and a missing id', async () => {
    const { say } = await setup();
    expect((await say('approve t-42')).text).toBe('There is no task t-42; "queue" lists the live ones');
    expect((await say('approve')).text).toBe('approve needs a task id, like "approve t-7"; "queue" lists them');
    expect((await say('cancel all')).text).toBe('cancel needs a task id, like "cancel t-7" ("all" is not a task id); "queue" lists them');
  });
});

describe('several ids, and other words for a verb', () => {
  it('"cancel t-1 t-2" cancels both; "stop t-3" is cancel', async () => {
    const { say, engine } = await setup();
    await say('nice to have: a dark mode toggle for the settings page');
    await say('nice to have: a CSV export for invoices');
    await say('nice to have: a print stylesheet for receipts');
    const both = await say('cancel t-1 t-2');
    expect(both.text.split('\n')).toEqual([expect.stringMatching(/^t-1 .* cancelled$/), expect.stringMatching(/^t-2 .* cancelled$/)]);
    const stop = await say('stop t-3');
    expect(stop.text).toMatch(/^t-3 .* cancelled$/);
    expect(engine.live()).toHaveLength(0);
  });

  it('a verb word followed by other words is not taken for the command', async () => {
    const { say } = await setup();
    const r = await say('stop the spinner from flickering on the dashboard');
    expect(r.kind).toBe('hint');
    expect(r.text).not.toContain('needs a task id');
  });
});

describe('status, queue, summary, help', () => {
  it('status of one task shows its detail', async () => {
    const { say } = await setup();
    await say('nice to have: a dark mode toggle for the settings page');
    const r = await say('status t-1');
    expect(r.kind).toBe('task');
    expect(r.text).toMatch(/^t-1 "A dark mode toggle for the settings page": queued, medium priority: said "nice to have"/);
    expect(r.text).toMatch(/Next: starts at 22:00 tonight \(quiet hours\)/);
  });

  it('queue lists waiting tasks in start order with when they start', async () => {
    const { say } = await setup();
    await say('nice to have: a dark mode toggle for the settings page');
    await say('build the CSV export for invoices by friday --eta 2h');
    const r = await say('queue');
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('Queue (2):');
    expect(lines[1]).toMatch(/^ {2}1\. t-2 .*starts at 22:00 tonight/);
    expect(lines[2]).toMatch(/^ {2}2\. t-1 /);
  });

  it('history feeds estimates, and a finished task shows what its attempt used', async () => {
    const { say, engine } = await setup('2026-11-25T14:00:00Z', 'succeed');
    await say('urgent: build the invoice CSV export');
    await waitFor(async () => (await engine.get('t-1'))?.status === 'done', 10_000, 't-1 to finish');
    const detail = await say('status t-1');
    expect(detail.text).toMatch(/Attempt 1: succeeded .* · wall \S+ · cpu \S+ · peak \S+ MB · log /);
    const r = await say('nice to have: a print stylesheet for receipts');
    expect(r.text).toMatch(/starts at 22:00 tonight \(quiet hours\) · took ~\S+ \(1 build with fake agent\); done around 22:00/);
  });

  it('help lists the verbs', async () => {
    const { say } = await setup();
    const r = await say('help');
    for (const verb of ['status', 'queue', 'approve', 'reject', 'clarify', 'cancel', 'retry', 'accept', 'summary']) expect(r.text).toContain(verb);
  });
});

describe('accept anyway: built work whose checks fail', () => {
  const failing = { command: 'npm test', outcome: 'failed' as const, exitCode: 1, durationMs: 3000 };
  /** A task escalated after its last attempt's agent finished but the project's checks failed (or, with `checks` null, after the agent itself failed). */
  const escalated = (id: string, checks: typeof failing | null = failing) =>
    makeTask({
      id,
      status: 'escalated',
      attempts: [{ n: 1, startedAt: FIXTURE_INSTANT, endedAt: FIXTURE_INSTANT, outcome: 'failed', reason: checks ? 'built, checks failing (npm test exited with code 1 after 3s)' : 'exited with code 1', logPath: '/l/attempt-1.log', builder: 'fake agent', counts: true, demo: false, ...(checks ? { checks } : {}) }],
      deliverables: { branch: `nightshift/${id}-build-the-thing`, commits: ['add the thing'], changedFiles: ['thing.ts'], links: [] },
    });

  it('the owner accepts it: done, out of the live set, and said to be accepted with checks failing, never passed', async () => {
    const { say, store, engine, events } = await setup();
    await store.put(escalated('t-1'));
    expect((await say('status')).text).toContain('t-1 · escalated · medium · "Build the thing" · say "retry t-1", "accept t-1" or "cancel t-1"');
    const r = await say('accept t-1');
    expect(r).toMatchObject({ ok: true, text: 't-1 "Build the thing" accepted with checks failing' });
    expect(engine.liveTask('t-1')).toBeNull();
    expect((await engine.get('t-1'))?.status).toBe('done');
    // What every adapter's done path is told: the task, done, by an 'accepted' event.
    expect(events.some((e) => e.type === 'task_changed' && e.event.type === 'accepted' && e.task.status === 'done' && e.event.by === 'Olive')).toBe(true);
    const detail = (await say('status t-1')).text;
    expect(detail).toContain('Accepted by Olive with checks failing (npm test exited with code 1 after 3s)');
    expect(detail).not.toContain('checks passed');
    expect((await say('status')).text).toMatch(/t-1 · done .* "Build the thing" · accepted by Olive with checks failing \(npm test exited with code 1 after 3s\) · branch nightshift\/t-1-build-the-thing/);
  });

  it('a stranger is refused politely and nothing changes; a requester too', async () => {
    const { say, store, engine } = await setup();
    await store.put(escalated('t-1'));
    expect((await say('accept t-1', stranger)).text).toBe('Sorry Sam, only the owner or an approver can accept tasks. Nothing was changed.');
    expect((await say('accept t-1', requester)).text).toBe('Sorry Rita, only the owner or an approver can accept tasks. Nothing was changed.');
    expect(engine.liveTask('t-1')?.status).toBe('escalated');
  });

  it('a task that is not escalated with failing checks is refused with why and what to do instead', async () => {
    const { say, store, engine } = await setup();
    await say('build a hello-world CLI by tonight');
    expect((await say('accept t-1')).text).toBe('t-1 is building right now; nothing to accept');
    await store.put(escalated('t-2', null));
    expect((await say('accept t-2')).text).toBe('t-2 has no built work waiting on failing checks; nothing to accept. Say "retry t-2" to try again or "cancel t-2" to drop it');
    expect(engine.liveTask('t-2')?.status).toBe('escalated');
    expect((await say('status')).text).toContain('say "retry t-2" or "cancel t-2"'); // and it is not offered
    expect((await say('accept t-9')).text).toBe('There is no task t-9; "queue" lists the live ones');
  });
});

describe('many requests at once', () => {
  it('twenty adds at once share one schedule pass, and each reply says truthfully what happens to its task', async () => {
    const { say, store, engine } = await setup();
    let passes = 0; // each schedule pass reads the live set once
    const live = store.live.bind(store);
    store.live = () => {
      passes++;
      return live();
    };
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => say(`urgent: build the invoice CSV export for customer ${i + 1}`)));
    expect(passes).toBe(1);
    expect(replies.map((r) => r.tasks.map((t) => t.id))).toEqual(Array.from({ length: 20 }, (_, i) => [`t-${i + 1}`]));
    // The one started says so; every other is next in line after the one before it.
    expect(replies[0]?.text).toMatch(/t-1 .* · started with fake agent/);
    expect(replies[0]?.tasks[0]?.status).toBe('building');
    replies.slice(1).forEach((r, i) => {
      expect(r.text).toMatch(new RegExp(`t-${i + 2} .* · next in line after t-${i + 1}$`));
      expect(r.text).not.toMatch(/starting now|started with/);
    });
    expect(engine.live().filter((t) => t.status === 'building').map((t) => t.id)).toEqual(['t-1']);
  });

  it('a change is described from the pass that followed it: the task as it stands, nothing else', async () => {
    const { say, engine } = await setup();
    await say('urgent: build the invoice CSV export');
    await say('nice to have: a dark mode toggle for the settings page');
    const r = await say('bump t-2');
    expect(r.tasks.map((t) => t.id)).toEqual(['t-2']);
    expect(r.text).toMatch(/^t-2 .* is now high priority \(was medium\) · next in line after t-1/);
    expect(engine.liveTask('t-2')?.priority).toBe('high');
    await say('cancel t-2');
    expect(engine.liveTask('t-2')).toBeNull();
    expect((await engine.get('t-2'))?.status).toBe('cancelled');
  });

  it('once stopping, no reply says a task is starting', async () => {
    const { say, engine } = await setup();
    await say('build a hello-world CLI by tonight');
    await say('urgent: build the invoice CSV export');
    await engine.shutdown(0);
    expect(engine.latestSchedule().start).toEqual([]);
  });
});

describe('the designed-around example, through every way in', () => {
  const ONE_LINE = 'These three things would be cool to have tomorrow: 1. a dark mode toggle 2. CSV export of the report 3. a keyboard shortcut cheat sheet';
  const TITLES = ['A dark mode toggle', 'CSV export of the report', 'A keyboard shortcut cheat sheet'];

  it.each([
    ['said in chat on one line', ONE_LINE, false],
    ['said in chat with real newlines', 'These three things would be cool to have tomorrow:\n1. a dark mode toggle\n2. CSV export of the report\n3. a keyboard shortcut cheat sheet', false],
    ['given to nightshift add', ONE_LINE, true],
  ])('%s: three medium tasks due tomorrow, and the reply says so', async (_how, text, asRequest) => {
    const { engine } = await setup();
    const r = await handleText({ engine, actor: owner }, text, asRequest ? { asRequest: true } : {});
    expect(r.tasks.map((t) => t.title)).toEqual(TITLES);
    expect(r.tasks.every((t) => t.priority === 'medium')).toBe(true);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('Got it: 3 tasks.');
    TITLES.forEach((title, i) => expect(lines[i + 1]).toMatch(new RegExp(`^t-${i + 1} "${title}" · medium priority: said "would be cool" · due 09:00 Thu 26 Nov \\(Europe/London\\) · starts at 22:00 tonight \\(quiet hours\\)`)));
  });
});
