// What a one-shot `nightshift` costs a person at the terminal: wall time from spawn to exit and
// peak memory of the built binary, beside `node -e 0` (the floor: Node itself) measured in the same
// run. Every case runs in turn, round after round, so a machine that gets busier halfway slows
// every case alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbTaskStore } from '../src/store/index.ts';
import { benchTask } from './store-write.ts';
import { BIN, benchEnv, startDaemon, timeNode, type Run } from './lib/processes.ts';
import { mb, ms, percentile, printTable } from './lib/stats.ts';

export const name = 'cli-start';
export const description = 'one-shot commands: wall p50/p95 and peak RSS, beside node -e 0';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WARMUP = 2;
const FINISHED = 10_000;

interface Case {
  label: string;
  args: string[];
  home: string;
  target?: string;
}

/** A home with `count` finished tasks in its archive, written through the store itself. */
async function homeWithHistory(dir: string, count: number): Promise<void> {
  const store = new LowdbTaskStore({ dir });
  await store.open();
  const t0 = Date.UTC(2026, 10, 1);
  for (let start = 1; start <= count; start += 1000) {
    const batch = [];
    for (let n = start; n < start + 1000 && n <= count; n++) batch.push(benchTask(n, 'done', t0 + n * 60_000));
    await store.put(...batch);
  }
  await store.close();
}

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'nightshift-bench-cli-'));
  try {
    const empty = join(root, 'empty');
    const history = join(root, 'history');
    const solo = join(root, 'add-alone');
    const withDaemon = join(root, 'with-daemon');
    await homeWithHistory(history, FINISHED);
    const daemon = await startDaemon(benchEnv(withDaemon), root);
    try {
      // Low priority: the task waits for approval, so the daemon never starts a build meanwhile.
      const add = ['add', 'a CSV export of the report', '--priority', 'low'];
      const cases: Case[] = [
        { label: 'node -e 0 (baseline)', args: ['-e', '0'], home: empty },
        { label: 'nightshift --help', args: [BIN, '--help'], home: empty, target: '≤ 300 ms, ≤ 80 MB' },
        { label: 'nightshift --version', args: [BIN, '--version'], home: empty },
        { label: 'status, empty home', args: [BIN, 'status'], home: empty, target: '≤ 300 ms, ≤ 80 MB' },
        { label: `status, ${FINISHED.toLocaleString('en')} finished tasks`, args: [BIN, 'status'], home: history, target: '≤ 500 ms' },
        { label: 'add, no daemon', args: [BIN, ...add], home: solo },
        { label: 'status, daemon running', args: [BIN, 'status'], home: withDaemon },
        { label: 'add, daemon running', args: [BIN, ...add], home: withDaemon },
      ];
      const runs = new Map<Case, Run[]>(cases.map((c) => [c, []]));
      for (let round = 0; round < WARMUP + ROUNDS; round++) {
        for (const c of cases) {
          const r = await timeNode(c.args, benchEnv(c.home), root);
          if (r.code !== 0) throw new Error(`${c.label} failed (exit ${r.code}): ${r.stderr}`);
          if (round >= WARMUP) runs.get(c)?.push(r);
        }
      }
      console.log(`${ROUNDS} runs of each after ${WARMUP} warm-ups, interleaved; wall from spawn to exit; peak RSS as the process reports it.\n`);
      printTable(
        ['command', 'wall p50', 'wall p95', 'peak RSS p50', 'target'],
        cases.map((c) => {
          const rs = runs.get(c) ?? [];
          const wall = rs.map((r) => r.wallMs);
          return [c.label, ms(percentile(wall, 50)), ms(percentile(wall, 95)), mb(percentile(rs.map((r) => r.peakRssBytes), 50)), c.target ?? ''];
        }),
      );
    } finally {
      await daemon.stop();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
