// The chaos run: the real daemon with the chaos agent as its builder, SIGKILLed at chosen moments
// of a task's life and restarted each time, while tasks keep arriving; then a last start that
// finishes everything. What it saw is judged by ledger.ts. `npm run chaos` runs the long form
// (scripts/chaos/main.ts); test/chaos.test.ts a short one on every `npm test`.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLiveAttemptProcess } from '../../src/builders/keeper/keeper-process.ts';
import { runCli, type CliResult } from '../../test/helpers/cli.ts';
import { completeLines, judgeChaos, orphansAmong, parseLedger, runsOf, type ChaosVerdict, type FinalTask, type LedgerEvent } from './ledger.ts';
import { Daemon } from './processes.ts';

export const KILL_MOMENTS = ['intake', 'approval', 'spawn', 'mid-build', 'exit', 'summary', 'random'] as const;
export type KillMoment = (typeof KILL_MOMENTS)[number];

const AGENT = fileURLToPath(new URL('./chaos-agent.mjs', import.meta.url));
/** How long after a restart an agent nightshift does not count as running is an orphan. */
export const ORPHAN_AFTER_MS = 10_000;
/** A run of the chaos agent that is still alive (not a pid reused since). */
const isLiveRun = (r: { pid: number; task: string; attempt: number }) => isLiveAttemptProcess(r.pid, r.task, r.attempt, 'chaos-agent');
/** How long a kill waits for its moment before killing anyway (counted as missed). */
const MOMENT_WAIT_MS = 10_000;

export interface ChaosOptions {
  kills: number;
  seed: number;
  /** MAX_PARALLEL_BUILDS */
  parallel: number;
  /** How long each agent run works, a range in ms. */
  workMs: [number, number];
  /** Every n-th life of the daemon lasts past ORPHAN_AFTER_MS and is checked for orphans (0: only the last). */
  orphanCheckEvery: number;
  /** Stop killing after this long (the last start and its checks still run). */
  budgetMs: number;
  /** How long the last start may take to finish everything. */
  settleMs: number;
  /** Where the data directory is made. */
  dir?: string;
  /** Progress lines. */
  say?: (line: string) => void;
}

export interface ChaosReport {
  verdict: ChaosVerdict;
  killsByMoment: Record<KillMoment, number>;
  kills: number;
  /** Moments not reached within MOMENT_WAIT_MS (the daemon was killed then anyway). */
  missed: number;
  orphanChecks: number;
  tasks: number;
  attempts: number;
  agentRuns: number;
  /** Tasks not done, cancelled, rejected or escalated when the last start's time ran out. */
  unsettled: string[];
  /** Tasks nightshift kept although the add that made them got no answer (the kill came first). */
  keptUnanswered: number;
  durationMs: number;
  home: string;
}

/** mulberry32: a small seeded generator, so a run can be repeated with its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Snapshot, journal and archive each parse (a journal or archive line torn by the kill excepted). */
export function unparseableStoreFiles(home: string): string[] {
  const bad: string[] = [];
  const db = join(home, 'db.json');
  if (existsSync(db)) {
    try {
      JSON.parse(readFileSync(db, 'utf8'));
    } catch {
      bad.push('db.json');
    }
  }
  for (const name of ['db.journal.jsonl', 'archive.jsonl']) {
    const path = join(home, name);
    if (!existsSync(path)) continue;
    for (const line of completeLines(readFileSync(path, 'utf8'))) {
      try {
        JSON.parse(line);
      } catch {
        bad.push(name);
        break;
      }
    }
  }
  return bad;
}

function idsOf(r: CliResult): string[] {
  if (r.code !== 0) return [];
  try {
    return (JSON.parse(r.stdout) as { id: string }[]).map((t) => t.id);
  } catch {
    return [];
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const say = o.say ?? (() => {});
  const random = seeded(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));

  const home = await mkdtemp(join(o.dir ?? tmpdir(), 'nightshift-chaos-'));
  const ledgerPath = join(home, 'chaos', 'ledger.jsonl');
  await mkdir(join(home, 'chaos'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    NIGHTSHIFT_HOME: home,
    OWNER_TZ: 'UTC',
    // Always quiet: an approved low task runs at once, whatever the hour the chaos runs at (outside
    // the default 22:00-06:00 it would wait for the night, and be counted as left unsettled).
    QUIET_HOURS: '00:00-00:00',
    // The dashboard as users run it, on any free port: a nightshift of the developer's own may hold 7431.
    DASHBOARD_PORT: '0',
    BUILDER: AGENT,
    BUILDER_ENV_ALLOW: 'CHAOS_LEDGER',
    CHAOS_LEDGER: ledgerPath,
    MAX_PARALLEL_BUILDS: String(o.parallel),
    // Every kill mid-build costs an attempt: enough of them that a task is not given up on.
    MAX_ATTEMPTS: '20',
    RETRY_BACKOFF: '300ms',
    APPROVAL_REMINDER: 'off',
    SHUTDOWN_GRACE: '5s',
    LOG_LEVEL: 'warn',
  };
  const ledger = (): LedgerEvent[] => (existsSync(ledgerPath) ? parseLedger(readFileSync(ledgerPath, 'utf8')) : []);
  const nextEvent = async (kind: LedgerEvent['ev'], d: Daemon): Promise<LedgerEvent | null> => {
    const seen = ledger().length;
    const until = Date.now() + MOMENT_WAIT_MS;
    while (Date.now() < until && !d.dead) {
      const fresh = ledger().slice(seen).find((e) => e.ev === kind);
      if (fresh) return fresh;
      await pause(10);
    }
    return null;
  };

  const acked = new Set<string>();
  const approved = new Set<string>();
  const awaitingApproval: string[] = [];
  let made = 0;
  const request = () => {
    made++;
    return `build chaos widget ${made} chaos-w${between(o.workMs[0], o.workMs[1])}${random() < 0.15 ? ' chaos-fail1' : ''}`;
  };
  const add = async (priority: 'high' | 'low') => {
    const ids = idsOf(await runCli(['add', request(), '-p', priority, '--json'], env));
    for (const id of ids) acked.add(id);
    if (priority === 'low') awaitingApproval.push(...ids);
    return ids;
  };

  let startsRefused = 0;
  let storesUnparseable = 0;
  let orphans = 0;
  let orphanChecks = 0;
  const orphanDetails: string[] = [];

  const startDaemon = async (): Promise<Daemon | null> => {
    const d = new Daemon(env);
    if (await d.waitForOutput(/Type a request/, 0, 30_000)) return d;
    await d.kill();
    startsRefused++;
    say(`start refused:\n${d.stdout}${d.stderr}`);
    return null;
  };

  /** Agents alive now whose attempt this daemon does not have as running; null if the daemon died meanwhile. */
  const checkOrphans = async (d: Daemon): Promise<number | null> => {
    const alive = runsOf(ledger()).filter((r) => isLiveRun(r));
    const r = await runCli(['status', '--active', '--json'], env);
    if (d.dead || r.code !== 0) return null;
    const building = (JSON.parse(r.stdout) as FinalTask[]).flatMap((t) => t.attempts.filter((a) => a.outcome === 'running').map((a) => ({ task: t.id, attempt: a.n })));
    const found = orphansAmong(alive.filter((a) => isLiveRun(a)), building);
    if (d.dead) return null;
    orphanChecks++;
    for (const f of found) orphanDetails.push(`orphan: ${f.task} attempt ${f.attempt} (pid ${f.pid}) alive ${ORPHAN_AFTER_MS / 1000} s after a restart, not running as far as nightshift knows`);
    return found.length;
  };

  const killsByMoment = Object.fromEntries(KILL_MOMENTS.map((m) => [m, 0])) as Record<KillMoment, number>;
  let missed = 0;
  let kills = 0;

  for (let k = 0; k < o.kills && Date.now() - began < o.budgetMs; k++) {
    const moment: KillMoment = k < KILL_MOMENTS.length ? KILL_MOMENTS[k]! : pick(KILL_MOMENTS);
    const d = await startDaemon();
    if (!d) break;
    if (o.orphanCheckEvery > 0 && k % o.orphanCheckEvery === o.orphanCheckEvery - 1) {
      await add('high');
      await pause(Math.max(0, d.startedAt + ORPHAN_AFTER_MS - Date.now()));
      orphans += (await checkOrphans(d)) ?? 0;
    }
    // Work keeps arriving, so that builds start, run and end around every kill.
    for (let i = between(1, 2); i > 0; i--) await add('high');
    let reached = true;
    switch (moment) {
      case 'intake': {
        if (random() < 0.5) {
          // Through the console: killed the moment nightshift says it has the task.
          const from = d.stdout.length;
          d.type(`urgent: ${request()}`);
          const m = await d.waitForOutput(/(t-\d+) "[^"\n]*" · \w+ priority/, from, MOMENT_WAIT_MS);
          if (m) acked.add(m[1]!);
          reached = m !== null;
        } else {
          // A one-shot `add` in flight through the daemon's socket.
          const pending = runCli(['add', request(), '-p', 'high', '--json'], env);
          await pause(between(0, 120));
          await d.kill();
          for (const id of idsOf(await pending)) acked.add(id);
        }
        break;
      }
      case 'approval': {
        if (awaitingApproval.length === 0) await add('low');
        const id = awaitingApproval.shift();
        if (!id) {
          reached = false;
          break;
        }
        const pending = runCli(['approve', id], env);
        await pause(between(0, 150));
        await d.kill();
        if ((await pending).code === 0) approved.add(id);
        else awaitingApproval.push(id);
        break;
      }
      case 'spawn':
        reached = (await nextEvent('start', d)) !== null;
        break;
      case 'mid-build':
        reached = (await nextEvent('start', d)) !== null;
        await pause(between(100, o.workMs[1]));
        break;
      case 'exit':
        reached = (await nextEvent('finished', d)) !== null;
        break;
      case 'summary': {
        const pending = runCli(['summary'], env);
        await pause(between(0, 100));
        await d.kill();
        await pending;
        break;
      }
      case 'random':
        await pause(between(0, 3_000));
        break;
    }
    await d.kill();
    kills++;
    killsByMoment[moment]++;
    if (!reached) missed++;
    const bad = unparseableStoreFiles(home);
    storesUnparseable += bad.length;
    say(`kill ${kills} at ${moment}${reached ? '' : ' (moment not reached)'}${bad.length ? `; unparseable: ${bad.join(', ')}` : ''}`);
  }

  // The last start: everything approved, everything finished, then a last look for orphans.
  const unsettled: string[] = [];
  const last = await startDaemon();
  if (last) {
    for (const id of awaitingApproval.splice(0)) if ((await runCli(['approve', id], env)).code === 0) approved.add(id);
    const settled = new Set(['done', 'cancelled', 'rejected', 'escalated']);
    const until = Date.now() + o.settleMs;
    let live: FinalTask[] = [];
    do {
      const r = await runCli(['status', '--json'], env);
      live = r.code === 0 ? (JSON.parse(r.stdout) as FinalTask[]).filter((t) => !settled.has(t.status)) : live;
      if (live.length === 0) break;
      await pause(200);
    } while (Date.now() < until);
    unsettled.push(...live.map((t) => `${t.id} (${t.status})`));
    await pause(Math.max(0, last.startedAt + ORPHAN_AFTER_MS - Date.now()));
    orphans += (await checkOrphans(last)) ?? 0;
    await last.kill('SIGTERM');
  }

  // What nightshift has at the end, read by the CLI itself with no daemon running.
  const all = new Map<string, FinalTask>();
  for (const args of [['status', '--json'], ['status', '--completed', '--limit', '100000', '--json']]) {
    const r = await runCli(args, env);
    if (r.code === 0) for (const t of JSON.parse(r.stdout) as FinalTask[]) all.set(t.id, t);
  }
  const tasks = [...all.values()];
  const events = ledger();
  const verdict = judgeChaos({ acked: [...acked], approved: [...approved], tasks, ledger: events, storesUnparseable, startsRefused, orphans });
  verdict.details.push(...orphanDetails);
  return {
    verdict,
    killsByMoment,
    kills,
    missed,
    orphanChecks,
    tasks: tasks.length,
    attempts: tasks.reduce((n, t) => n + t.attempts.length, 0),
    agentRuns: runsOf(events).length,
    unsettled,
    keptUnanswered: tasks.filter((t) => !acked.has(t.id)).length,
    durationMs: Date.now() - began,
    home,
  };
}
