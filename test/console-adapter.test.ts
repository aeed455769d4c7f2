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
  adapter.start();
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
