// The console prompt as the owner types and pastes into it: a real readline on a stream that says
// it is a terminal, a real engine and store; the terminal's bracketed-paste marks are what a real
// terminal sends around a paste.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleAdapter } from '../src/adapters/console/console-adapter.ts';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { silentLogger } from '../src/core/ports.ts';
import { MemoryTaskStore } from '../src/store/index.ts';
import { waitFor } from './helpers/agents.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

let adapter: ConsoleAdapter | null = null;
let engine: Engine | null = null;
afterEach(async () => {
  adapter?.stop();
  await engine?.shutdown(0);
  adapter = null;
  engine = null;
});

/** A terminal: input and output streams that say they are TTYs, and the text the owner sees. */
async function terminal(opts: { tty: boolean }) {
  const store = new MemoryTaskStore();
  await store.open();
  // Wednesday 14:00 in London: "tomorrow" tasks are medium and wait for the quiet hours.
  engine = new Engine({
    store,
    builder: fakeAgentBuilder('hang', await tempDir(), { name: 'fake agent', killGraceMs: 200 }),
    policy: defaultPolicy({ timeZone: 'Europe/London' }),
    clock: new FakeClock('2026-11-25T14:00:00Z'),
    logger: silentLogger,
    runBuilds: true,
  });
  await engine.start();
  const input = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (on: boolean) => void };
  const out = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  if (opts.tty) {
    input.isTTY = true;
    input.setRawMode = () => undefined;
    out.isTTY = true;
    out.columns = 120;
  }
  let seen = '';
  out.on('data', (chunk: Buffer) => (seen += chunk.toString('utf8')));
  adapter = new ConsoleAdapter({ engine, out, input });
  await adapter.start();
  const e = engine;
  return {
    engine: e,
    input,
    seen: () => seen,
    /** Waits until every message so far is answered. */
    settled: async () => {
      await new Promise((r) => setImmediate(r));
      await adapter?.idle();
    },
  };
}

const DESIGNED = 'These three things would be cool to have tomorrow:\r1. a dark mode toggle\r2. CSV export of the report\r3. a keyboard shortcut cheat sheet';
const TITLES = ['A dark mode toggle', 'CSV export of the report', 'A keyboard shortcut cheat sheet'];

describe('console: a message that spans lines is one message', () => {
  it('a pasted multi-line request becomes three medium tasks due tomorrow, answered once', async () => {
    const t = await terminal({ tty: true });
    expect(t.seen()).toContain('\x1b[?2004h'); // bracketed paste asked for
    t.input.write(`${PASTE_START}${DESIGNED}\r${PASTE_END}`);
    await waitFor(() => t.engine.live().length === 3, 5_000);
    await t.settled();
    expect(t.engine.live().map((x) => x.title)).toEqual(TITLES);
    expect(t.engine.live().every((x) => x.priority === 'medium' && x.deadline?.startsWith('2026-11-26T09:00'))).toBe(true);
    expect(t.seen().match(/Got it/g)).toHaveLength(1);
    expect(t.seen()).toContain('Got it: 3 tasks.');
    expect(t.seen()).not.toContain('Say "build');
  });

  it('a paste that ends mid-line is sent by the Enter after it, with what was typed', async () => {
    const t = await terminal({ tty: true });
    t.input.write(`${PASTE_START}${DESIGNED}${PASTE_END}`);
    await new Promise((r) => setImmediate(r));
    expect(t.engine.live()).toHaveLength(0); // waits for Enter
    expect(t.seen()).toContain('... ');
    t.input.write('\r');
    await waitFor(() => t.engine.live().length === 3, 5_000);
    expect(t.engine.live().map((x) => x.title)).toEqual(TITLES);
  });

  it('lines typed one by one after a line ending in ":" are one message, sent by an empty line', async () => {
    const t = await terminal({ tty: true });
    for (const line of DESIGNED.split('\r')) {
      t.input.write(`${line}\r`);
      await new Promise((r) => setImmediate(r));
    }
    expect(t.engine.live()).toHaveLength(0);
    t.input.write('\r');
    await waitFor(() => t.engine.live().length === 3, 5_000);
    expect(t.engine.live().map((x) => x.title)).toEqual(TITLES);
  });

  it('piped lines follow the same ":" rule, and each other line is its own message', async () => {
    const t = await terminal({ tty: false });
    t.input.write(`${DESIGNED.replaceAll('\r', '\n')}\n\nurgent: build a favicon\n`);
    await waitFor(() => t.engine.live().length === 4, 5_000);
    expect(t.engine.live().map((x) => x.title)).toEqual([...TITLES, 'Build a favicon']);
    expect(t.seen()).not.toContain('\x1b['); // no terminal codes when piped
  });

  it('an ordinary line is still handled at once', async () => {
    const t = await terminal({ tty: true });
    t.input.write('urgent: build a favicon\r');
    await waitFor(() => t.engine.live().length === 1, 5_000);
    await t.settled();
    expect(t.seen()).toMatch(/t-1 "Build a favicon" · high priority/);
  });

  it('asks the terminal to stop marking pastes when it stops', async () => {
    const t = await terminal({ tty: true });
    adapter?.stop();
    adapter = null;
    expect(t.seen()).toContain('\x1b[?2004l');
  });
});

describe('console: one live line per running build on a terminal', () => {
  /** What a real terminal would show after the adapter's output: xterm.js, headless, 100×20. */
  async function screenOf(bytes: string): Promise<string[]> {
    const { Terminal } = await import('@xterm/headless');
    const term = new Terminal({ cols: 100, rows: 20, allowProposedApi: true });
    await new Promise<void>((r) => term.write(bytes.replace(/\n/g, '\r\n'), r));
    const rows: string[] = [];
    for (let i = 0; i < term.buffer.active.length; i++) rows.push((term.buffer.active.getLine(i)?.translateToString(true) ?? '').trimEnd());
    term.dispose();
    while (rows.length && rows.at(-1) === '') rows.pop();
    return rows;
  }

  const building = (id: string, title: string) =>
    makeTask({ id, title, status: 'building', attempts: [{ n: 1, startedAt: '2026-11-25T13:58:00.000Z', outcome: 'running', logPath: `/l/${id}.log`, builder: 'fake', counts: true, demo: false }] });

  it('redraws each build in place, keeps printed lines above and the prompt below, and strips escape codes from agent text', async () => {
    const t = await terminal({ tty: true });
    const a = building('t-1', 'Build a CSV export');
    const b = building('t-2', 'Build a dark mode toggle');
    const tell = (task: ReturnType<typeof building>, percent: number, message: string) =>
      adapter?.announce({ type: 'progress', task, progress: { percent, message, at: '2026-11-25T14:00:00.000Z' } });
    const shows = (pattern: RegExp) => async () => (await screenOf(t.seen())).some((r) => pattern.test(r));
    for (let p = 10; p <= 60; p += 10) {
      tell(a, p, `step ${p / 10} of the export`);
      tell(b, p / 2, `toggle step ${p / 10}`);
      await waitFor(shows(new RegExp(`^t-2 .* toggle step ${p / 10} `)), 5_000, `step ${p / 10} on screen`); // each state is drawn
    }
    tell(a, 70, 'writing \x1b[31mred\x1b[0m tests\u202e');
    t.input.write('status');
    await waitFor(shows(/70% writing/), 5_000, 'the last state on screen');
    await waitFor(shows(/^nightshift> status$/), 5_000, 'the typed text');
    const rows = await screenOf(t.seen());
    const live = rows.filter((r) => /^t-\d \[/.test(r));
    expect(live).toHaveLength(2); // one line per build, not one per update
    expect(live[0]).toMatch(/^t-1 \[█{14}░{6}\] 70% writing \[31mred\[0m tests · 2m · Build a CSV export$/);
    expect(live[1]).toMatch(/^t-2 \[█{6}░{14}\] 30% toggle step 6 · 2m · Build a dark mode toggle$/);
    expect(rows.some((r) => /10%|step 1 of/.test(r))).toBe(false); // earlier states were redrawn over
    expect(rows.at(-1)).toBe('nightshift> status'); // the prompt, with what is being typed, stays last
    expect(t.seen()).not.toContain('\x1b[31m'); // the agent's escape codes never reach the terminal
  });

  it('a line printed meanwhile goes above the live lines, which are redrawn below it', async () => {
    const t = await terminal({ tty: true });
    const a = building('t-1', 'Build a CSV export');
    adapter?.announce({ type: 'progress', task: a, progress: { percent: 40, message: 'editing', at: '2026-11-25T14:00:00.000Z' } });
    await waitFor(async () => (await screenOf(t.seen())).some((r) => r.startsWith('t-1 [')), 5_000, 'the live line');
    t.input.write('help\r');
    await t.settled();
    await waitFor(async () => (await screenOf(t.seen())).some((r) => r.startsWith('Say') || r.includes('build')), 5_000, 'the reply');
    const rows = await screenOf(t.seen());
    const liveAt = rows.findIndex((r) => r.startsWith('t-1 ['));
    const echoAt = rows.findIndex((r) => r === 'nightshift> help');
    expect(rows.filter((r) => r.startsWith('t-1 ['))).toHaveLength(1);
    expect(echoAt).toBeGreaterThan(-1);
    expect(echoAt).toBeLessThan(liveAt);
    expect(rows.at(-1)).toBe('nightshift>');
  });

  it('when piped, progress is plain lines with no terminal codes', async () => {
    const t = await terminal({ tty: false });
    const a = building('t-1', 'Build a CSV export');
    adapter?.announce({ type: 'progress', task: a, progress: { percent: 40, message: 'editing \x1b[31mred\x1b[0m', at: '2026-11-25T14:00:00.000Z' } });
    expect(t.seen()).toContain('  t-1 [████████░░░░░░░░░░░░] 40% editing [31mred[0m\n');
    expect(t.seen()).not.toContain('\x1b');
  });
});

describe('console: a paste whose end mark never comes', () => {
  it('ends at the first line typed a while later, which is then its own message', async () => {
    const { MessageAssembler } = await import('../src/adapters/console/message-assembler.ts');
    let now = 0;
    const sent: string[] = [];
    const a = new MessageAssembler((m) => sent.push(m), () => now);
    a.pasteStart();
    a.line('build these:');
    a.line('- a login page');
    now += 5_000; // the end mark was lost; the owner types on
    a.line('status');
    expect(sent).toEqual(['build these:\n- a login page', 'status']);
  });
});
