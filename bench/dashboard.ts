// The dashboard at scale.
// 1. Pages with 10,000 finished tasks in the history: the real dashboard server (in this process,
//    over HTTP on loopback) on a real Engine and LowdbTaskStore, 40 live tasks waiting; each page's
//    server time, p50 and p95 over SAMPLES requests. Baseline, in the same run: the same pages with
//    an empty history.
// 2. 20 builds streaming: the real daemon (`nightshift start`) with 20 builders at once, each
//    printing STREAM_LINES_PER_S progress lines a second; the daemon's event-loop delay p99
//    (monitorEventLoopDelay inside it) over WINDOW_S seconds with no page open (the baseline), then
//    with 21 live pages open (the overview, and each build's page following its log).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendControl } from '../src/control/control-client.ts';
import { socketPathFor } from '../src/control/control-socket.ts';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { silentLogger, systemClock, type Builder } from '../src/core/ports.ts';
import { Task } from '../src/core/task.ts';
import { startDashboard } from '../src/dashboard/dashboard-server.ts';
import { LowdbTaskStore } from '../src/store/index.ts';
import { benchEnv, startDaemon, type Daemon } from './lib/processes.ts';
import { ms, percentile, printTable } from './lib/stats.ts';

export const name = 'dashboard';
export const description = 'pages with 10,000 finished tasks vs none; daemon loop delay p99 with 20 builds streaming to 21 open pages vs none';

const FINISHED = 10_000;
const LIVE = 40;
const SAMPLES = 30;
const BUILDS = 20;
const STREAM_LINES_PER_S = Number(process.env.BENCH_STREAM_LINES ?? 200);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 15);
const LOOP_DELAY = fileURLToPath(new URL('./lib/loop-delay.mjs', import.meta.url));
const STORM_AGENT = fileURLToPath(new URL('./fixtures/storm-agent.mjs', import.meta.url));
const HOUR = 3_600_000;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Nothing is built here: the engine only reads. */
const idleBuilder: Builder = {
  name: 'bench',
  isDemo: false,
  plan: (task, n) => ({ workspace: `/nonexistent/${task.id}`, logPath: `/nonexistent/${task.id}-${n}.log` }),
  start: () => {
    throw new Error('the bench starts no build');
  },
};

function task(n: number, status: Task['status'], now: number): Task {
  const ended = now - (n % 48) * HOUR / 2 - 60_000;
  const finished = status === 'done';
  return Task.parse({
    id: `t-${n}`,
    title: `Build feature number ${n}`,
    spec: `build feature number ${n}`,
    request: `build feature number ${n}`,
    origin: { adapter: 'console', userId: 'owner' },
    priority: n % 3 === 0 ? 'low' : 'medium',
    priorityReason: 'default priority',
    deadline: null,
    estimateMs: null,
    status,
    createdAt: new Date(ended - 2 * HOUR).toISOString(),
    updatedAt: new Date(finished ? ended : now).toISOString(),
    safety: { needsApproval: false, reasons: [], checkedAt: new Date(ended - 2 * HOUR).toISOString() },
    attempts: finished
      ? [{ n: 1, startedAt: new Date(ended - HOUR).toISOString(), endedAt: new Date(ended).toISOString(), outcome: 'succeeded', logPath: '/nonexistent.log', builder: 'Claude Code', durationMs: HOUR, usage: { costUsd: 1.25, inputTokens: 1000, outputTokens: 100 } }]
      : [],
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    request(url, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

async function pages(finished: number): Promise<Map<string, number[]>> {
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-bench-dash-'));
  const now = Date.now();
  try {
    const first = new LowdbTaskStore({ dir });
    await first.open();
    await first.close();
    const lines: string[] = [];
    for (let n = 1; n <= finished; n++) lines.push(JSON.stringify(task(n, 'done', now)));
    await writeFile(join(dir, 'archive.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
    const store = new LowdbTaskStore({ dir });
    await store.open();
    const engine = new Engine({ store, builder: idleBuilder, policy: defaultPolicy({ timeZone: 'Europe/London' }), clock: systemClock, logger: silentLogger, runBuilds: false });
    await engine.start();
    const origin = { adapter: 'console', userId: 'owner' };
    for (let i = 0; i < LIVE; i++) await engine.submit([{ title: `Build live thing ${i}`, request: `build live thing ${i}`, priority: 'medium', priorityReason: 'default', deadline: null, deadlinePhrase: null, estimateMs: null }], origin);
    const dash = await startDashboard({ engine, config: { port: 0, host: '127.0.0.1' }, logger: silentLogger, toolEnv: {} });
    const paths = ['/', '/night', '/history', ...(finished ? [`/tasks/t-${Math.floor(finished / 2)}`] : [])];
    const out = new Map<string, number[]>();
    for (const p of paths) {
      for (let i = 0; i < 3; i++) await get(`${dash.url}${p}`); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < SAMPLES; i++) samples.push(await get(`${dash.url}${p}`));
      out.set(p, samples);
    }
    await dash.close();
    await store.close();
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An SSE reader that counts what arrives. */
function openEvents(url: string): { events: () => number; close: () => void } {
  let count = 0;
  const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (count += chunk.split('\n\n').length - 1));
  });
  req.on('error', () => undefined);
  req.end();
  return { events: () => count, close: () => req.destroy() };
}

async function loopWindow(d: Daemon, loopFile: string, seconds: number): Promise<number> {
  const pid = d.child.pid as number;
  await rm(loopFile, { force: true });
  process.kill(pid, 'SIGUSR2'); // a fresh window
  await sleep(200);
  await rm(loopFile, { force: true });
  await sleep(seconds * 1000);
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const text = await readFile(loopFile, 'utf8').catch(() => '');
    if (text) return (JSON.parse(text) as { p99: number }).p99;
    await sleep(20);
  }
  return NaN;
}

async function stream(): Promise<{ idle: number; none: number; pages: number; eventsPerS: number }> {
  const root = await mkdtemp(join(tmpdir(), 'nightshift-bench-stream-'));
  const home = join(root, 'home');
  const loopFile = join(root, 'loop.json');
  const env = benchEnv(home, {
    BUILDER: STORM_AGENT,
    MAX_PARALLEL_BUILDS: String(BUILDS),
    BUILDER_ENV_ALLOW: 'STORM_LINES_PER_S,STORM_SECONDS',
    STORM_LINES_PER_S: String(STREAM_LINES_PER_S),
    STORM_SECONDS: String(3 * WINDOW_S + 20),
    DASHBOARD_PORT: '0',
    BENCH_LOOP_FILE: loopFile,
  });
  const d = await startDaemon(env, root, { nodeArgs: ['--import', LOOP_DELAY] });
  try {
    const url = /Dashboard: (http:\/\/\S+?)\/?\s/.exec(d.output())?.[1];
    if (!url) throw new Error(`no dashboard address:\n${d.output()}`);
    const idle = await loopWindow(d, loopFile, 5);
    const socket = socketPathFor(home);
    await Promise.all(Array.from({ length: BUILDS }, (_, i) => sendControl(socket, { verb: 'add', text: `urgent: build stream ${i + 1}` })));
    const building = async () => (await sendControl(socket, { verb: 'status', section: 'active' })).tasks.filter((t) => t.status === 'building').length;
    for (let i = 0; i < 300 && (await building()) < BUILDS; i++) await sleep(100);
    await sleep(3_000); // the builders' own start-up is over: both windows see only the stream
    const none = await loopWindow(d, loopFile, WINDOW_S);
    const readers = [openEvents(`${url}/events`), ...Array.from({ length: BUILDS }, (_, i) => openEvents(`${url}/events?task=t-${i + 1}`))];
    await sleep(500);
    const before = readers.reduce((n, r) => n + r.events(), 0);
    const started = performance.now();
    const withPages = await loopWindow(d, loopFile, WINDOW_S);
    const eventsPerS = (readers.reduce((n, r) => n + r.events(), 0) - before) / ((performance.now() - started) / 1000);
    for (const r of readers) r.close();
    return { idle, none, pages: withPages, eventsPerS };
  } finally {
    d.child.kill('SIGINT');
    d.child.kill('SIGINT');
    await d.stop();
    await rm(root, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const empty = await pages(0);
  const full = await pages(FINISHED);
  printTable(
    ['page (40 live tasks)', 'history 0: p50', 'p95', `history ${FINISHED.toLocaleString('en-US')}: p50`, 'p95', 'target'],
    [...full.keys()].map((p) => {
      const a = empty.get(p) ?? [];
      const b = full.get(p) ?? [];
      return [p.startsWith('/tasks/') ? '/tasks/<an archived task>' : p, ms(percentile(a, 50), 1), ms(percentile(a, 95), 1), ms(percentile(b, 50), 1), ms(percentile(b, 95), 1), p === '/' ? '≤ 200 ms' : ''];
    }),
  );
  console.log('');
  const s = await stream();
  printTable(
    ['daemon event-loop delay p99', 'value', 'target'],
    [
      ['idle, no build, no page', ms(s.idle, 1), ''],
      [`${BUILDS} builds × ${STREAM_LINES_PER_S} lines/s, no page open (baseline)`, ms(s.none, 1), ''],
      [`the same, with ${BUILDS + 1} live pages open`, ms(s.pages, 1), '≤ 20 ms'],
      ['events delivered to the pages per second', s.eventsPerS.toFixed(0), ''],
    ],
  );
}
