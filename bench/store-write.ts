// What a write costs as history grows: LowdbTaskStore (journal + snapshot of the live tasks +
// append-only archive) against a plain lowdb JSONFile holding every task in one array, measured in
// the same run and the same temp directories. Also history({ limit: 20 }), get() of an archived
// task (the first call builds the id index; later calls use it) and open(). How a write's cost
// varies with the number of live tasks is bench/store-live.ts.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { Task, type TaskStatus } from '../src/core/task.ts';
import { LowdbTaskStore } from '../src/store/index.ts';
import { percentile, timeEach } from './lib/stats.ts';

export const name = 'store-write';
export const description = 'put() cost vs history size: LowdbTaskStore vs one plain lowdb JSONFile';

const HISTORY_SIZES = [100, 10_000, 100_000];
const LIVE_TASKS = 20;
const STORE_WRITES = 40;
const READS = 20;
/** Plain lowdb rewrites everything on each write: fewer samples at the larger sizes keep the run short. */
const plainWrites = (n: number): number => (n >= 100_000 ? 3 : n >= 10_000 ? 10 : STORE_WRITES);
const SEED_BATCH = 1000;

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString();

/** A task as it looks after a real night: about 1.5 KB of JSON with events and an attempt. */
export function benchTask(n: number, status: TaskStatus, finishedAtMs: number): Task {
  const created = finishedAtMs - 3 * 3600_000;
  const started = created + 60_000;
  const finished = status === 'done' || status === 'cancelled' || status === 'rejected';
  return Task.parse({
    id: `t-${n}`,
    title: `Add CSV export to the reports page (${n})`,
    spec:
      `Add a CSV export button to /reports that downloads the current filtered table, task ${n}. ` +
      'Use the same column order as the screen, quote every field, and name the file reports-<date>.csv.\n\n' +
      'Clarification (owner): include the totals row and skip archived accounts.',
    request: `add CSV export to the reports page by tonight (#${n})`,
    clarifications: [{ at: iso(created + 30_000), by: 'owner', text: 'include the totals row and skip archived accounts' }],
    origin: { adapter: 'slack', userId: 'U024BE7LH', userName: 'dana', channel: 'C02ABCDEF', thread: '1740938400.001200' },
    priority: 'high',
    priorityReason: 'deadline tonight',
    deadline: iso(created + 6 * 3600_000),
    estimateMs: 7_200_000,
    status,
    createdAt: iso(created),
    updatedAt: iso(finishedAtMs),
    attempts: [
      {
        n: 1,
        startedAt: iso(started),
        ...(finished ? { endedAt: iso(finishedAtMs), exitCode: 0, signal: null, reason: 'exited with code 0', durationMs: finishedAtMs - started } : {}),
        outcome: finished ? 'succeeded' : 'running',
        logPath: `/home/dana/.nightshift/logs/t-${n}/attempt-1.log`,
        builder: 'command /usr/local/bin/my-agent --non-interactive',
        counts: true,
      },
    ],
    events: [
      { at: iso(created), type: 'created', by: 'dana' },
      { at: iso(created + 30_000), type: 'clarified', by: 'owner', detail: 'include the totals row' },
      { at: iso(created + 31_000), type: 'queued' },
      { at: iso(started), type: 'started', detail: 'attempt 1' },
      ...(finished ? [{ at: iso(finishedAtMs), type: 'done' as const, detail: 'exited with code 0; 3 files changed' }] : []),
    ],
    safety: { needsApproval: false, reasons: [], checkedAt: iso(created + 10) },
    deliverables: {
      workspace: `/home/dana/.nightshift/work/t-${n}`,
      branch: `nightshift/t-${n}`,
      commits: ['4f1c2ab9e0d1', '9a7b3c2d1e0f'],
      changedFiles: ['src/reports/export.ts', 'src/reports/ReportsPage.tsx', 'test/reports/export.test.ts'],
      diffstat: '3 files changed, 142 insertions(+), 7 deletions(-)',
      links: [],
      summary: 'Added an Export CSV button; totals row included; archived accounts skipped.',
    },
  });
}

interface Timings {
  median: number;
  p95: number;
  max: number;
}

function summarize(samples: number[]): Timings {
  return { median: percentile(samples, 50), p95: percentile(samples, 95), max: samples.length ? Math.max(...samples) : NaN };
}

/** Times `fn` `count` times; also the longest event-loop stall meanwhile. */
async function measure(count: number, fn: (i: number) => Promise<unknown>): Promise<{ t: Timings; stallMs: number }> {
  const { samples, stallMs } = await timeEach(count, fn);
  return { t: summarize(samples), stallMs };
}

interface Row {
  n: number;
  archiveMB: number;
  seedS: number;
  store: Timings;
  storeStall: number;
  plain: Timings;
  plainStall: number;
  plainMB: number;
  plainSamples: number;
  open: number;
  history: Timings;
  firstGet: number;
  get: Timings;
}

async function measureSize(n: number): Promise<Row> {
  const dir = await mkdtemp(path.join(tmpdir(), `nightshift-bench-${n}-`));
  try {
    const finishedAt = (i: number): number => T0 + i * 60_000;
    const live = Array.from({ length: LIVE_TASKS }, (_, i) => benchTask(n + i + 1, 'building', finishedAt(n + i)));
    const archived = (i: number): Task => benchTask(i + 1, 'done', finishedAt(i));

    // This store: N archived (seeded through put(), in batches), 20 live.
    const homeDir = path.join(dir, 'home');
    let store = new LowdbTaskStore({ dir: homeDir });
    await store.open();
    const seedStart = performance.now();
    for (let i = 0; i < n; i += SEED_BATCH) {
      await store.put(...Array.from({ length: Math.min(SEED_BATCH, n - i) }, (_, k) => archived(i + k)));
    }
    await store.put(...live);
    const seedS = (performance.now() - seedStart) / 1000;
    await store.close();

    const openStart = performance.now();
    store = new LowdbTaskStore({ dir: homeDir });
    await store.open();
    const open = performance.now() - openStart;

    const target = live[0] as Task;
    const storeRun = await measure(STORE_WRITES, (i) =>
      store.put({ ...target, updatedAt: iso(finishedAt(n) + i * 1000), events: [...target.events, { at: iso(finishedAt(n) + i * 1000), type: 'priority_changed', detail: `bench ${i}` }] }),
    );
    const history = (await measure(READS, () => store.history({ limit: 20 }))).t;
    const firstGetStart = performance.now();
    const found = await store.get(`t-${Math.ceil(n / 2)}`);
    const firstGet = performance.now() - firstGetStart;
    if (found?.status !== 'done') throw new Error(`bench: archived t-${Math.ceil(n / 2)} not found`);
    const get = (await measure(READS, (i) => store.get(`t-${1 + ((i * 7919) % n)}`))).t;
    const archiveMB = (await stat(store.archiveFile)).size / 1e6;
    await store.close();

    // Plain lowdb: one JSONFile, every task in one array, in the same temp directory.
    const plainFile = path.join(dir, 'plain.json');
    const plain = new Low<{ tasks: Task[] }>(new JSONFile(plainFile), { tasks: [] });
    for (let i = 0; i < n; i++) plain.data.tasks.push(archived(i));
    plain.data.tasks.push(...live);
    await plain.write();
    const liveIndex = n;
    const samples = plainWrites(n);
    const plainRun = await measure(samples, async (i) => {
      plain.data.tasks[liveIndex] = { ...target, updatedAt: iso(finishedAt(n) + i * 1000) };
      await plain.write();
    });
    const plainMB = (await stat(plainFile)).size / 1e6;

    return {
      n,
      archiveMB,
      seedS,
      store: storeRun.t,
      storeStall: storeRun.stallMs,
      plain: plainRun.t,
      plainStall: plainRun.stallMs,
      plainMB,
      plainSamples: samples,
      open,
      history,
      firstGet,
      get,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function printTable(rows: Row[]): void {
  const header = [
    'history N',
    'store put p50',
    'p95',
    'loop stall',
    'plain lowdb p50',
    'p95',
    'loop stall',
    'history(20) p50',
    'get archived: 1st',
    'then p50',
    'open',
    'archive MB',
    'plain MB',
  ];
  const lines = rows.map((r) => [
    r.n.toLocaleString('en-US'),
    ms(r.store.median),
    ms(r.store.p95),
    ms(r.storeStall),
    ms(r.plain.median),
    ms(r.plain.p95),
    ms(r.plainStall),
    ms(r.history.median),
    ms(r.firstGet),
    ms(r.get.median),
    ms(r.open),
    r.archiveMB.toFixed(1),
    r.plainMB.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 1) + ':').join('|')}|`);
  for (const l of lines) console.log(fmt(l));
  console.log(
    `\nAll times in ms. store: ${STORE_WRITES} put() updates of one live task with ${LIVE_TASKS} live and N archived ` +
      `(one journal line + fdatasync). plain lowdb: JSONFile + Low holding N+${LIVE_TASKS} tasks, ` +
      `${rows.map((r) => r.plainSamples).join('/')} writes (no fsync). loop stall: longest event-loop delay during the writes. ` +
      `get 1st: builds the id -> offset index (one forward scan); then: indexed lookups. ` +
      `Seeding through put() in batches of ${SEED_BATCH}: ${rows.map((r) => `${r.seedS.toFixed(1)} s`).join(' / ')}.`,
  );
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const n of HISTORY_SIZES) {
    process.stdout.write(`  measuring N = ${n.toLocaleString('en-US')}...\n`);
    rows.push(await measureSize(n));
  }
  printTable(rows);
}
