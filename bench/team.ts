// Team mode on this machine: throughput and dispatch latency with 1, 2 and 4 `nightshift worker`
// processes (BUILD_ON=workers, WORKER_SLOTS=1 each, each its own NIGHTSHIFT_HOME, the daemon's
// MAX_PARALLEL_BUILDS = the number of workers), beside the daemon building by itself (BUILD_ON=local,
// MAX_PARALLEL_BUILDS 1, 2, 4) with its tasks in the same PostgreSQL, and in lowdb as a second
// baseline, measured in the same run. Every configuration gets a fresh database (and fresh homes),
// a warm-up (a build in every home, so no repository is created while measured), then BENCH_TASKS
// (default 24) requests typed at the daemon's console at once, high priority ("urgent: …"): a
// console line costs nothing of the machine, where a `nightshift add` per task would start a Node
// process (some 200 ms of CPU) competing with the builds. The builder sources
// bench/fixtures/first-instruction.sh (its first instruction writes the time in its worktree) and
// then notes its last one; the worktree is read back from the task's deliverables, on whichever
// home built it. Figures: tasks/s from the first request to the last task done; dispatch latency,
// request → the builder's first instruction (waiting behind other tasks included); the handover,
// one build's last instruction → the next build's first (i-th start after the k-th end before it,
// with k slots: the cost of starting a build once a slot frees); and for workers pg-boss's own wait,
// the job sent → fetched by a worker (the share of its polling, pollingIntervalSeconds in
// src/team/worker.ts). PostgreSQL: BENCH_DATABASE_URL (a server where that user may create
// databases), else a throwaway cluster (test/setup/postgres-cluster.ts). BENCH_NODE_ARGS adds node
// options to the daemon and the workers (e.g. "--import /tmp/wakeup.mjs" to try a change).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendControl } from '../src/control/control-client.ts';
import { socketPathFor } from '../src/control/control-socket.ts';
import type { Task } from '../src/core/task.ts';
import { ATTEMPT_QUEUE } from '../src/team/runs.ts';
import { findServerBin, startCluster, type Cluster } from '../test/setup/postgres-cluster.ts';
import { adminQuery as admin, freshDatabase } from '../test/setup/fresh-database.ts';
import { BIN, benchEnv, startDaemon, type Daemon } from './lib/processes.ts';
import { ms, percentile, printTable } from './lib/stats.ts';

export const name = 'team';
export const description = 'tasks/s and request → first instruction p50/p99 with 1, 2, 4 workers (pg-boss) vs local builds (PostgreSQL, lowdb)';

const TASKS = Number(process.env.BENCH_TASKS ?? 24);
const SIZES = [1, 2, 4];
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const FIXTURE = fileURLToPath(new URL('./fixtures/first-instruction.sh', import.meta.url));
/** Rounds of warm-up until every worker has built once (pg-boss gives a job to whichever worker polls first). */
const WARMUP_ROUNDS = 3;
/** Per configuration: generous, since one worker on a busy machine takes well under a second a task. */
const DONE_WAIT_MS = 60_000 + TASKS * 3_000;

/** Wall-clock now in ms with sub-ms precision, comparable with the agent's `date +%s%N`. */
const wallNow = (): number => performance.timeOrigin + performance.now();
const sleep = (msDelay: number) => new Promise((r) => setTimeout(r, msDelay));

type Setup = { buildOn: 'workers' | 'local'; store: 'postgres' | 'lowdb'; parallel: number };

interface Sample {
  /** When its line was written to the daemon's console. */
  addedAt: number;
  firstAt: number;
  lastAt: number;
  doneAt: number;
}

interface Result {
  samples: Sample[];
  /** pg-boss: job created → fetched by a worker (workers only). */
  bossWaitMs: number[];
}

const label = (s: Setup): string =>
  s.buildOn === 'workers' ? `${s.parallel} worker${s.parallel === 1 ? '' : 's'} (pg-boss)` : `local, ${s.parallel} build${s.parallel === 1 ? '' : 's'} at once, ${s.store === 'postgres' ? 'PostgreSQL' : 'lowdb'} store`;

/** Runs `sql` on the server's maintenance database (the URL given), in a connection of its own. */
interface WorkerProcess {
  home: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `nightshift worker` in a home of its own; resolves once it takes attempts. */
async function startWorker(env: Record<string, string>, cwd: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...NODE_ARGS, BIN, 'worker'], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  const until = Date.now() + 30_000;
  while (!/nightshift worker .*: 1 slot/.test(out)) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`a worker did not start: ${out}`);
    await sleep(20);
  }
  return {
    home: env.NIGHTSHIFT_HOME ?? '',
    child,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until the daemon has said `count` tasks are done in all. */
async function doneLines(daemon: Daemon, count: number): Promise<void> {
  const until = Date.now() + DONE_WAIT_MS;
  while ((daemon.output().match(/^t-\d+ ".*" is done after/gm) ?? []).length < count) {
    if (Date.now() > until || daemon.child.exitCode !== null) throw new Error(`not all ${count} tasks were done within ${DONE_WAIT_MS / 1000} s:\n${daemon.output().split('\n').slice(-20).join('\n')}`);
    await sleep(50);
  }
}

/** True once a build ran in the home (its first makes the repository). */
function hasBuilt(home: string): boolean {
  try {
    return readdirSync(join(home, 'workspaces'), { withFileTypes: true }).some((e) => e.isDirectory());
  } catch {
    return false; // no workspaces yet
  }
}

/** A time in ns since the epoch, as the agent wrote it, in ms. */
async function readNs(file: string): Promise<number> {
  const text = (await readFile(file, 'utf8')).trim();
  return Number(BigInt(text) / 1000n) / 1000;
}

/** The measured tasks as the daemon finished them: when each was typed, started, ended and done. */
async function readSamples(home: string, addedAt: Map<string, number>, finished: number): Promise<{ ids: string[]; samples: Sample[] }> {
  const reply = await sendControl(socketPathFor(home), { verb: 'status', section: 'completed', limit: finished + 5 });
  const tasks = ((reply.json ?? []) as Task[]).filter((t) => addedAt.has(t.request));
  if (tasks.length !== addedAt.size) throw new Error(`${tasks.length} of the ${addedAt.size} tasks are among the finished ones`);
  const samples = await Promise.all(
    tasks.map(async (t): Promise<Sample> => {
      const ws = t.deliverables.workspace; // the worktree, on whichever home built it
      const done = t.events.find((e) => e.type === 'done');
      if (!ws || !done || t.attempts.length !== 1) throw new Error(`${t.id}: ${t.status} after ${t.attempts.length} attempt(s), workspace ${ws ?? 'none'}`);
      const [firstAt, lastAt] = await Promise.all([readNs(join(ws, '.first-instruction')), readNs(join(ws, '.last-instruction'))]);
      return { addedAt: addedAt.get(t.request) ?? NaN, firstAt, lastAt, doneAt: Date.parse(done.at) };
    }),
  );
  return { ids: tasks.map((t) => t.id), samples };
}

/** pg-boss's wait for the tasks' attempts: the job created (sent) → fetched by a worker, in ms. */
async function bossWaits(dbUrl: string, ids: string[]): Promise<number[]> {
  const rows = await admin<{ id: string; ms: number }>(
    dbUrl,
    `SELECT data->'task'->>'id' AS id, extract(epoch FROM started_on - created_on)::float8 * 1000 AS ms FROM pgboss.job WHERE name = '${ATTEMPT_QUEUE}'`,
  );
  return rows.filter((r) => ids.includes(r.id)).map((r) => r.ms);
}

async function runSetup(setup: Setup, agent: string, serverUrl: string, live: Set<ChildProcess>): Promise<Result> {
  const root = await mkdtemp(join(tmpdir(), 'nightshift-bench-team-'));
  const db = setup.store === 'postgres' ? await freshDatabase(serverUrl, 'ns_bench') : null;
  const workers: WorkerProcess[] = [];
  let daemon: Daemon | null = null;
  try {
    const store: Record<string, string> = db ? { DATABASE_URL: db.url } : {};
    const home = join(root, 'daemon');
    const d = await startDaemon(benchEnv(home, { ...store, BUILDER: agent, BUILD_ON: setup.buildOn, MAX_PARALLEL_BUILDS: String(setup.parallel) }), root, { nodeArgs: NODE_ARGS });
    daemon = d;
    live.add(d.child);
    for (let i = 1; setup.buildOn === 'workers' && i <= setup.parallel; i++) {
      const w = await startWorker(benchEnv(join(root, `worker-${i}`), { ...store, BUILDER: agent, WORKER_SLOTS: '1' }), root);
      workers.push(w);
      live.add(w.child);
    }
    let typed = 0;
    const type = (text: string) => {
      d.child.stdin.write(`${text}\n`);
      typed++;
    };
    // Warm-up: every home that builds has made its repository and run a build.
    const cold = () => (setup.buildOn === 'workers' ? workers.map((w) => w.home) : [home]).filter((h) => !hasBuilt(h));
    for (let round = 1; round <= WARMUP_ROUNDS && cold().length > 0; round++) {
      for (let i = 1; i <= setup.parallel; i++) type(`urgent: build warm-up ${round}.${i}`);
      await doneLines(d, typed);
    }
    if (cold().length > 0) console.log(`(${label(setup)}: ${cold().length} worker(s) still cold after ${WARMUP_ROUNDS} warm-up rounds)`);

    const addedAt = new Map<string, number>();
    for (let i = 1; i <= TASKS; i++) {
      const text = `urgent: build bench task ${i}`;
      addedAt.set(text, wallNow());
      type(text);
    }
    await doneLines(d, typed);
    const { ids, samples } = await readSamples(home, addedAt, typed);
    return { samples, bossWaitMs: setup.buildOn === 'workers' && db ? await bossWaits(db.url, ids) : [] };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await daemon?.stop();
    for (const c of [daemon?.child, ...workers.map((w) => w.child)]) if (c) live.delete(c);
    await db?.drop();
    await rm(root, { recursive: true, force: true });
  }
}

/** One build's end → the next one's start, k slots: the i-th start after the (i-k)-th end. */
function handovers(samples: Sample[], slots: number): number[] {
  const starts = samples.map((s) => s.firstAt).sort((a, b) => a - b);
  const ends = samples.map((s) => s.lastAt).sort((a, b) => a - b);
  return starts.slice(slots).map((s, i) => s - (ends[i] ?? NaN));
}

function row(setup: Setup, r: Result): string[] {
  const s = r.samples;
  const first = Math.min(...s.map((x) => x.addedAt));
  const last = Math.max(...s.map((x) => x.doneAt));
  const latency = s.map((x) => x.firstAt - x.addedAt);
  const hand = handovers(s, setup.parallel);
  const boss = r.bossWaitMs;
  return [
    label(setup),
    (s.length / ((last - first) / 1000)).toFixed(2),
    ms(percentile(latency, 50)),
    ms(percentile(latency, 99)),
    ms(Math.max(...latency)),
    ms(percentile(hand, 50)),
    ms(percentile(hand, 99)),
    boss.length ? ms(percentile(boss, 50)) : '-',
    boss.length ? ms(Math.max(...boss)) : '-',
  ];
}

async function server(): Promise<{ url: string; what: string; cluster: Cluster | null } | null> {
  const given = process.env.BENCH_DATABASE_URL;
  if (!given && !findServerBin()) return null;
  const cluster = given ? null : await startCluster();
  const url = given ?? (cluster as Cluster).url;
  const [v] = await admin<{ server_version: string }>(url, 'SHOW server_version');
  const where = new URL(url);
  where.password = '';
  return { url, cluster, what: `PostgreSQL ${v?.server_version ?? '?'}, ${given ? `BENCH_DATABASE_URL (${where.host})` : 'a throwaway cluster on loopback'}` };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-bench-team-agent-'));
  const agent = join(dir, 'agent.sh');
  // Sourced, not run: the first instruction is the fixture's, with no extra shell start before it.
  await writeFile(agent, `#!/bin/sh\n. '${FIXTURE.replaceAll("'", "'\\''")}'\ndate +%s%N > .last-instruction\n`);
  await chmod(agent, 0o755);
  const live = new Set<ChildProcess>();
  // Ctrl-C: the daemon and workers go, and the cluster with this process's exit.
  const onSignal = () => {
    for (const c of live) c.kill('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pgServer = await server();
  if (!pgServer) {
    console.log('(skipped: no PostgreSQL. Set BENCH_DATABASE_URL to a server where that user may create databases, or install the server: apt-get install postgresql)');
    await rm(dir, { recursive: true, force: true });
    return;
  }
  try {
    const setups: Setup[] = SIZES.flatMap((k): Setup[] => [
      { buildOn: 'workers', store: 'postgres', parallel: k },
      { buildOn: 'local', store: 'postgres', parallel: k },
      { buildOn: 'local', store: 'lowdb', parallel: k },
    ]);
    const rows: string[][] = [];
    for (const s of setups) rows.push(row(s, await runSetup(s, agent, pgServer.url, live)));
    console.log(
      `${TASKS} tasks per configuration, typed at the daemon's console at once as high priority, after a warm-up; ` +
        `builder: first-instruction.sh (a few ms of work); ${pgServer.what}; ${availableParallelism()} CPUs${NODE_ARGS.length ? `; node ${NODE_ARGS.join(' ')}` : ''}.\n`,
    );
    printTable(['configuration', 'tasks/s', 'dispatch p50', 'dispatch p99', 'dispatch max', 'handover p50', 'handover p99', 'pg-boss wait p50', 'pg-boss wait max'], rows);
  } finally {
    await pgServer.cluster?.stop();
    await rm(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
