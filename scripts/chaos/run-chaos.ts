// The chaos run: the real daemon with the chaos agent as its builder, SIGKILLed at chosen moments
// of a task's life and restarted each time, while tasks keep arriving; then a last start that
// finishes everything. What it saw is judged by ledger.ts. `npm run chaos` runs the long form
// (scripts/chaos/main.ts); test/chaos.test.ts a short one on every `npm test`. The team form (the
// daemon and its workers on PostgreSQL) is run-team-chaos.ts.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaosEnv } from './chaos-env.ts';
import { KILL_MOMENTS, reachMoment, type KillMoment } from './daemon-moments.ts';
import { finalTasks, waitUntilSettled } from './final-state.ts';
import { completeLines, judgeChaos, runsOf } from './ledger.ts';
import type { ChaosTally } from './report.ts';
import { LedgerFile } from './ledger-file.ts';
import { ORPHAN_AFTER_MS, OrphanWatch } from './orphan-watch.ts';
import { NightshiftProcess } from './processes.ts';
import { dice, pause } from './random.ts';
import { Requests } from './requests.ts';

export { KILL_MOMENTS, ORPHAN_AFTER_MS, type KillMoment };

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

export interface ChaosReport extends ChaosTally {
  killsByMoment: Record<KillMoment, number>;
}

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

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const say = o.say ?? (() => {});
  const chance = dice(o.seed);

  const home = await mkdtemp(join(o.dir ?? tmpdir(), 'nightshift-chaos-'));
  await mkdir(join(home, 'chaos'), { recursive: true });
  const ledger = new LedgerFile(join(home, 'chaos', 'ledger.jsonl'));
  const env = chaosEnv(home, ledger.path, { MAX_PARALLEL_BUILDS: String(o.parallel) });
  const requests = new Requests(env, chance, o.workMs);
  const orphans = new OrphanWatch(env, ledger);

  let startsRefused = 0;
  let storesUnparseable = 0;

  const startDaemon = async (): Promise<NightshiftProcess | null> => {
    const d = new NightshiftProcess(env, 'start');
    if (await d.waitForOutput(/Type a request/, 0, 30_000)) return d;
    await d.kill();
    startsRefused++;
    say(`start refused:\n${d.stdout}${d.stderr}`);
    return null;
  };

  const killsByMoment = Object.fromEntries(KILL_MOMENTS.map((m) => [m, 0])) as Record<KillMoment, number>;
  let missed = 0;
  let kills = 0;

  for (let k = 0; k < o.kills && Date.now() - began < o.budgetMs; k++) {
    const moment: KillMoment = k < KILL_MOMENTS.length ? KILL_MOMENTS[k]! : chance.pick(KILL_MOMENTS);
    const d = await startDaemon();
    if (!d) break;
    if (o.orphanCheckEvery > 0 && k % o.orphanCheckEvery === o.orphanCheckEvery - 1) {
      await requests.add('high');
      await pause(Math.max(0, d.startedAt + ORPHAN_AFTER_MS - Date.now()));
      await orphans.check(() => d.dead);
    }
    // Work keeps arriving, so that builds start, run and end around every kill.
    for (let i = chance.between(1, 2); i > 0; i--) await requests.add('high');
    const reached = await reachMoment(moment, { daemon: d, kill: () => d.kill(), env, requests, ledger, dice: chance, workMs: o.workMs });
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
    await requests.approveAll();
    unsettled.push(...(await waitUntilSettled(env, o.settleMs)));
    await pause(Math.max(0, last.startedAt + ORPHAN_AFTER_MS - Date.now()));
    await orphans.check(() => last.dead);
    await last.kill('SIGTERM');
  }

  // What nightshift has at the end, read by the CLI itself with no daemon running.
  const tasks = await finalTasks(env);
  const events = ledger.read();
  const verdict = judgeChaos({ acked: [...requests.acked], approved: [...requests.approved], tasks, ledger: events, storesUnparseable, startsRefused, orphans: orphans.found });
  verdict.details.push(...orphans.details);
  return {
    verdict,
    killsByMoment,
    kills,
    missed,
    orphanChecks: orphans.checks,
    tasks: tasks.length,
    attempts: tasks.reduce((n, t) => n + t.attempts.length, 0),
    agentRuns: runsOf(events).length,
    unsettled,
    keptUnanswered: tasks.filter((t) => !requests.acked.has(t.id)).length,
    durationMs: Date.now() - began,
    home,
  };
}
