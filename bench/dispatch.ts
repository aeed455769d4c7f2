// From a request to the builder's first instruction, with a free build slot: how long a person
// waits between saying "build it" and the agent starting. Three ways in, one daemon (the built
// binary): a line typed at the console, `nightshift add` run while the daemon runs, and a /build
// slash command through the real Bolt app in Socket Mode against a local fake Slack. The builder
// is a shell script whose first instruction writes the time (bench/fixtures/first-instruction.sh);
// the request's time is taken just before it is sent. Samples of the three paths are interleaved.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendControl } from '../src/control/control-client.ts';
import { socketPathFor } from '../src/control/control-socket.ts';
import { startFakeSlack } from '../test/fakes/slack/fake-slack.ts';
import { slashCommand } from '../test/fakes/slack/payloads.ts';
import { BIN, benchEnv, startDaemon } from './lib/processes.ts';
import { ms, percentile, printTable } from './lib/stats.ts';

export const name = 'dispatch';
export const description = 'request → builder first instruction (console, nightshift add, Slack /build), p50/p99';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20);
const AGENT = fileURLToPath(new URL('./fixtures/first-instruction.sh', import.meta.url));
const OWNER = 'U0OWNER';

/** Wall-clock now in ms with sub-ms precision, comparable with the agent's `date +%s%N`. */
const wallNow = (): number => performance.timeOrigin + performance.now();

async function firstInstructionAt(home: string, id: string, timeoutMs = 30_000): Promise<number> {
  const file = join(home, 'workspaces', id, '.first-instruction');
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.trim()) return Number(BigInt(text.trim()) / 1000n) / 1000;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${id}: the builder never started`);
}

async function finished(socket: string, id: string): Promise<void> {
  for (;;) {
    const reply = await sendControl(socket, { verb: 'status', id });
    const task = reply.json as { status?: string } | undefined;
    if (task?.status === 'done' || task?.status === 'failed' || task?.status === 'escalated') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'nightshift-bench-dispatch-'));
  const fake = await startFakeSlack({ botToken: 'xoxb-bench', appToken: 'xapp-bench' });
  const home = join(root, 'home');
  const env = benchEnv(home, {
    BUILDER: AGENT,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_APP_TOKEN: 'xapp-bench',
    SLACK_OWNER_ID: OWNER,
    SLACK_API_URL: fake.apiUrl,
  });
  const daemon = await startDaemon(env, root);
  const socket = socketPathFor(home);
  try {
    await fake.waitForConnection({ timeoutMs: 10_000 });
    let next = 1;
    const paths: { label: string; send: (text: string) => Promise<void> }[] = [
      { label: 'console line', send: async (text) => void daemon.child.stdin.write(`${text}\n`) },
      {
        label: 'nightshift add (daemon running)',
        send: async (text) => {
          spawn(process.execPath, [BIN, 'add', text], { env, cwd: root, stdio: 'ignore' });
        },
      },
      {
        label: 'Slack /build (Bolt, Socket Mode)',
        send: async (text) => {
          void fake.sendEnvelope('slash_commands', slashCommand({ text, userId: OWNER, channelId: 'C0BENCH' }));
        },
      },
    ];
    const delays = new Map<string, number[]>(paths.map((p) => [p.label, []]));
    const warmup = 1;
    for (let round = 0; round < warmup + SAMPLES; round++) {
      for (const p of paths) {
        const id = `t-${next++}`;
        const sentAt = wallNow();
        await p.send(`urgent: build sample ${id}`);
        const startedAt = await firstInstructionAt(home, id);
        if (round >= warmup) delays.get(p.label)?.push(startedAt - sentAt);
        await finished(socket, id); // the slot is free again before the next request
      }
    }
    console.log(`${SAMPLES} samples per path (after ${warmup} warm-up), one build slot, free each time; a fresh git worktree per task.\n`);
    printTable(
      ['request path', 'p50', 'p99', 'max', 'target p99'],
      paths.map((p) => {
        const d = delays.get(p.label) ?? [];
        return [p.label, ms(percentile(d, 50)), ms(percentile(d, 99)), ms(Math.max(...d)), '≤ 500 ms'];
      }),
    );
  } finally {
    await daemon.stop();
    await fake.stop();
    await rm(root, { recursive: true, force: true });
  }
}
