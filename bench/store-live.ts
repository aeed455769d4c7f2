// What one change costs as the live queue grows (10 / 1,000 / 5,000 live tasks): LowdbTaskStore
// (one journal line per change, db.json rewritten only by compaction) against the design before
// it (every change rewrote the whole live document), measured in the same run on the same disk.
// The baseline is a minimal copy of the old write path, kept here and nowhere else: put() cloned
// the live map, appended finished tasks to the archive (fdatasync), then wrote the whole document
// pretty-printed through db.json.tmp + fsync, hard-linked the old one to db.json.bak, renamed, and
// fsynced the directory; live() sorted and structuredClone'd every live task.
// Also: live() per call, what a compaction costs and its share per change, and open() at 5,000
// live tasks with an empty journal and with one near the compaction threshold.
import { copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { isTerminal, Task, taskNumber, type TaskId } from '../src/core/task.ts';
import { fsyncDir, readTextOrNull, replaceWithCopy, writeFileSynced } from '../src/store/durable-fs.ts';
import { LowdbTaskStore } from '../src/store/index.ts';
import { TaskArchive } from '../src/store/task-archive.ts';
import { benchTask } from './store-write.ts';
import { percentile, timeEach } from './lib/stats.ts';

export const name = 'store-live';
export const description = 'put() cost vs live tasks (10 / 1,000 / 5,000): journal vs rewriting the whole live document';

const LIVE_SIZES = [10, 1000, 5000];
/** Samples per operation for the journal store; p99 is the 2nd slowest of 200. */
const SAMPLES = 200;
/** The old design rewrites everything per change: fewer samples at the larger sizes keep the run short (p99 = the slowest). */
const oldSamples = (n: number): number => (n >= 5000 ? 15 : n >= 1000 ? 30 : SAMPLES);
const SEED_BATCH = 500;
const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString();

/** The write path before the journal, minimal: only what put() and live() did. */
class WholeDocumentStore {
  private live = new Map<TaskId, Task>();
  private readonly archive: TaskArchive;
  private readonly db: string;
  private nextId = 1;

  constructor(private readonly dir: string) {
    this.db = path.join(dir, 'db.json');
    this.archive = new TaskArchive(path.join(dir, 'archive.jsonl'), { debug() {}, info() {}, warn() {}, error() {} });
  }

  /** As the old open(): read db.json, validate every task, open the archive. */
  async open(): Promise<void> {
    const text = await readTextOrNull(this.db);
    if (text !== null) {
      const doc = z.object({ nextId: z.number(), tasks: z.array(Task) }).parse(JSON.parse(text));
      this.live = new Map(doc.tasks.map((t) => [t.id, t]));
      this.nextId = doc.nextId;
    }
    await this.archive.open();
  }

  async close(): Promise<void> {
    await this.archive.close();
  }

  live_(): Task[] {
    return [...this.live.values()].sort((a, b) => taskNumber(a.id) - taskNumber(b.id)).map((t) => structuredClone(t));
  }

  async put(...tasks: Task[]): Promise<void> {
    const incoming = tasks.map((t) => Task.parse(t));
    const next = new Map(this.live);
    const finished: Task[] = [];
    for (const task of incoming) {
      this.nextId = Math.max(this.nextId, taskNumber(task.id) + 1);
      if (isTerminal(task.status)) {
        finished.push(task);
        next.delete(task.id);
      } else next.set(task.id, task);
    }
    await this.archive.append(finished);
    await this.writeDoc(next);
    this.live = next;
  }

  private async writeDoc(tasks: Map<TaskId, Task>): Promise<void> {
    const doc = {
      version: 1,
      nextId: this.nextId,
      tasks: [...tasks.values()].sort((a, b) => taskNumber(a.id) - taskNumber(b.id)),
      meta: {},
      archivedBytes: this.archive.size,
    };
    const tmp = `${this.db}.tmp`;
    await writeFileSynced(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    await replaceWithCopy(this.db, `${this.db}.bak`, `${this.db}.bak.tmp`);
    await rename(tmp, this.db);
    await fsyncDir(this.dir);
  }
}

interface Store {
  put(...tasks: Task[]): Promise<void>;
  list(): Task[];
}

interface Timings {
  p50: number;
  p99: number;
}

function percentiles(samples: number[]): Timings {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Times `fn` `count` times; also the longest event-loop stall meanwhile. */
async function measure(count: number, fn: (i: number) => Promise<unknown>, between?: (i: number) => Promise<unknown>): Promise<{ t: Timings; stallMs: number }> {
  const { samples, stallMs } = await timeEach(count, fn, between);
  return { t: percentiles(samples), stallMs };
}

function timeSync(count: number, fn: () => unknown): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) fn();
  return (performance.now() - start) / count;
}

interface Run {
  change: Timings;
  finish: Timings;
  stallMs: number;
  liveMs: number;
}

/**
 * One changed live task per put (a new event each time), then one task finishing per put (moved to
 * the archive; an untimed put of a new live task after each keeps N live).
 */
async function measureStore(store: Store, n: number, samples: number): Promise<Run> {
  const at = (i: number): string => iso(T0 + 86_400_000 + i * 1000);
  const target = store.list()[Math.floor(n / 2)] as Task;
  const change = await measure(samples, (i) =>
    store.put({ ...target, updatedAt: at(i), events: [...target.events, { at: at(i), type: 'priority_changed', detail: `bench ${i}` }] }),
  );
  // Oldest first; the refills join the end. Picked outside the timed section.
  const queue = store.list();
  let nextNew = n + 1;
  const finish = await measure(
    samples,
    (i) => {
      const victim = queue.shift() as Task;
      return store.put({ ...victim, status: 'done', updatedAt: at(i), events: [...victim.events, { at: at(i), type: 'done' }] });
    },
    async () => {
      const fresh = benchTask(nextNew, 'queued', T0 + nextNew * 60_000);
      nextNew++;
      queue.push(fresh);
      await store.put(fresh);
    },
  );
  const liveMs = timeSync(n >= 5000 ? 5 : 50, () => store.list());
  return { change: change.t, finish: finish.t, stallMs: Math.max(change.stallMs, finish.stallMs), liveMs };
}

interface Row {
  n: number;
  journal: Run;
  old: Run;
  oldSamples: number;
  compactMs: number;
  snapshotMB: number;
  changeLineBytes: number;
  compactAtBytes: number;
}

interface OpenRow {
  n: number;
  emptyMs: number;
  nearMs: number;
  journalMB: number;
  thresholdMB: number;
  oldMs: number;
}

const liveTask = (i: number): Task => benchTask(i, i % 3 === 0 ? 'building' : 'queued', T0 + i * 60_000);

async function measureSize(n: number, root: string): Promise<{ row: Row; open?: OpenRow }> {
  const seed = Array.from({ length: n }, (_, i) => liveTask(i + 1));

  // The journal store, seeded through put() and reopened, so db.json holds the live tasks.
  const home = path.join(root, `journal-${n}`);
  let store = new LowdbTaskStore({ dir: home });
  await store.open();
  for (let i = 0; i < n; i += SEED_BATCH) await store.put(...seed.slice(i, i + SEED_BATCH));
  await store.close();
  store = new LowdbTaskStore({ dir: home });
  const openStart = performance.now();
  await store.open();
  const emptyMs = performance.now() - openStart;
  const s = store;
  const journal = await measureStore({ put: (...t) => s.put(...t), list: () => s.live() }, n, SAMPLES);
  // The journal line of one change, read straight after the put (a compaction it triggers runs after).
  const bytesBefore = s.journalStats().bytes;
  const target = s.live()[0] as Task;
  await s.put({ ...target, updatedAt: iso(T0 + 3 * 86_400_000) });
  const changeLineBytes = s.journalStats().bytes - bytesBefore;
  const compactStart = performance.now();
  await s.compact();
  const compactMs = performance.now() - compactStart;
  const snapshotMB = s.journalStats().snapshotBytes / 1e6;
  const compactAtBytes = s.journalStats().compactAtBytes;

  let open: OpenRow | undefined;
  if (n === LIVE_SIZES[LIVE_SIZES.length - 1]) {
    // Fill the journal to just under the threshold (puts of 50 changed tasks), then open a copy of
    // the directory as a crash would leave it (no close(), so no compaction folded the journal in).
    const live = s.live();
    let i = 0;
    while (s.journalStats().bytes < 0.95 * s.journalStats().compactAtBytes - 100_000) {
      const batch = live.slice((i * 50) % n, ((i * 50) % n) + 50).map((t) => ({ ...t, updatedAt: iso(T0 + 2 * 86_400_000 + i * 1000) }));
      await s.put(...batch);
      i++;
    }
    const journalMB = s.journalStats().bytes / 1e6;
    const thresholdMB = s.journalStats().compactAtBytes / 1e6;
    const copy = path.join(root, 'crashed');
    await rm(copy, { recursive: true, force: true });
    await copyDir(home, copy);
    const reopened = new LowdbTaskStore({ dir: copy });
    const nearStart = performance.now();
    await reopened.open();
    const nearMs = performance.now() - nearStart;
    if (reopened.live().length !== s.live().length) throw new Error('bench: the reopened store lost tasks');
    await reopened.close();
    open = { n, emptyMs, nearMs, journalMB, thresholdMB, oldMs: 0 };
  }
  await s.close();

  // The old design, seeded by one write of the whole document.
  const oldHome = path.join(root, `old-${n}`);
  await mkdir(oldHome, { recursive: true });
  let old = new WholeDocumentStore(oldHome);
  await old.open();
  await old.put(...seed);
  await old.close();
  old = new WholeDocumentStore(oldHome);
  const oldOpenStart = performance.now();
  await old.open();
  if (open) open.oldMs = performance.now() - oldOpenStart;
  const o = old;
  const samples = oldSamples(n);
  const oldRun = await measureStore({ put: (...t) => o.put(...t), list: () => o.live_() }, n, samples);
  await old.close();

  return { row: { n, journal, old: oldRun, oldSamples: samples, compactMs, snapshotMB, changeLineBytes, compactAtBytes }, ...(open ? { open } : {}) };
}

async function copyDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isFile()) await copyFile(path.join(from, entry.name), path.join(to, entry.name));
  }
}

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function table(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 1) + ':').join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'nightshift-bench-live-'));
  try {
    const rows: Row[] = [];
    let open: OpenRow | undefined;
    for (const n of LIVE_SIZES) {
      process.stdout.write(`  measuring ${n.toLocaleString('en-US')} live tasks...\n`);
      const r = await measureSize(n, root);
      rows.push(r.row);
      open ??= r.open;
    }
    table(
      ['live N', 'change p50', 'p99', 'finish p50', 'p99', 'loop stall', 'live()', 'old change p50', 'p99', 'old finish p50', 'p99', 'loop stall', 'live()', 'compaction', 'per change'],
      rows.map((r) => [
        r.n.toLocaleString('en-US'),
        ms(r.journal.change.p50),
        ms(r.journal.change.p99),
        ms(r.journal.finish.p50),
        ms(r.journal.finish.p99),
        ms(r.journal.stallMs),
        ms(r.journal.liveMs),
        ms(r.old.change.p50),
        ms(r.old.change.p99),
        ms(r.old.finish.p50),
        ms(r.old.finish.p99),
        ms(r.old.stallMs),
        ms(r.old.liveMs),
        ms(r.compactMs),
        ms((r.compactMs * r.changeLineBytes) / r.compactAtBytes),
      ]),
    );
    console.log(
      `\nAll times in ms. change: put() of one live task with a new event; finish: put() of one task that is done ` +
        `(archive append + fdatasync, then its journal line; an untimed put of a new task after each keeps N live). ` +
        `Journal store: ${SAMPLES} samples each (p99 = 2nd slowest). old: the whole-document rewrite this replaced ` +
        `(pretty JSON, tmp + fsync + link backup + rename + dir fsync), ${rows.map((r) => r.oldSamples).join('/')} samples ` +
        `(p99 = the slowest at 1,000 and 5,000). loop stall: longest event-loop delay during the puts. live(): one call ` +
        `(new: an array of the frozen tasks; old: sort + structuredClone of each). compaction: one fold of the journal ` +
        `into db.json (${rows.map((r) => `${r.snapshotMB.toFixed(1)} MB`).join(' / ')}), which happens once the journal ` +
        `exceeds max(1 MiB, db.json); per change: its cost spread over the changes that fill the journal that far ` +
        `(one change line: ${rows.map((r) => `${(r.changeLineBytes / 1000).toFixed(1)} KB`).join(' / ')}).`,
    );
    if (open) {
      console.log('');
      table(
        ['open() at live N', 'journal empty', `journal ${open.journalMB.toFixed(1)} MB`, 'old design'],
        [[open.n.toLocaleString('en-US'), ms(open.emptyMs), ms(open.nearMs), ms(open.oldMs)]],
      );
      console.log(
        `\njournal ${open.journalMB.toFixed(1)} MB: ${((open.journalMB / open.thresholdMB) * 100).toFixed(0)}% of the ` +
          `compaction threshold (${open.thresholdMB.toFixed(1)} MB), opened from a copy of the directory as a crash would ` +
          `leave it (a clean close() folds the journal in). old design: read + validate its db.json.`,
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
