// The team chaos run: the real daemon handing builds to workers (BUILD_ON=workers, or both) and
// `nightshift worker` processes, each in a home of its own, on a fresh PostgreSQL database, all
// building with the chaos agent; the daemon or a worker is killed at chosen moments (SIGKILL, or
// SIGTERM), and restarted after a while (now and then only after the next kill: two parts down at
// once), while tasks keep arriving; then everything comes up and settles. The same judge as the
// single-machine form (ledger.ts) reads what the agents wrote: the chaos agents' run markers are
// files on this one machine, so two runs of one task on two workers are seen too.
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaosEnv } from './chaos-env.ts';
import { KILL_MOMENTS, reachMoment, type KillMoment } from './daemon-moments.ts';
import { finalTasks, waitUntilSettled } from './final-state.ts';
import { judgeChaos, runsOf } from './ledger.ts';
import type { ChaosTally } from './report.ts';
import { LedgerFile } from './ledger-file.ts';
import { isLiveRun, ORPHAN_AFTER_MS, OrphanWatch } from './orphan-watch.ts';
import { dice, pause } from './random.ts';
import { Requests } from './requests.ts';
import { query, type TeamDatabase } from './team-database.ts';
import { Part } from './team-cast.ts';
import { excuseUnreachableEnds, handBacksSpent, teamEndings } from './team-judge.ts';
import { timeline, type KillRecord } from './timeline.ts';
import { WORKER_MOMENTS, workerAtMoment, type WorkerMoment } from './worker-moments.ts';

type Signal = 'SIGKILL' | 'SIGTERM';
type Plan = { target: 'daemon'; signal: Signal; moment: KillMoment } | { target: 'worker'; signal: Signal; moment: WorkerMoment };

export const TEAM_KILLS = ['daemon SIGKILL', 'daemon SIGTERM', 'worker SIGKILL', 'worker SIGTERM'] as const;
export type TeamKill = (typeof TEAM_KILLS)[number];

/** The first kills, so that a short run meets each way a part goes away at the moments that matter most. */
const OPENING: Plan[] = [
  { target: 'worker', signal: 'SIGKILL', moment: 'mid-build' },
  { target: 'daemon', signal: 'SIGKILL', moment: 'mid-build' },
  { target: 'worker', signal: 'SIGTERM', moment: 'mid-build' },
  { target: 'daemon', signal: 'SIGTERM', moment: 'mid-build' },
  { target: 'worker', signal: 'SIGKILL', moment: 'exit' },
  { target: 'daemon', signal: 'SIGKILL', moment: 'exit' },
  { target: 'worker', signal: 'SIGTERM', moment: 'exit' },
  { target: 'worker', signal: 'SIGKILL', moment: 'spawn' },
  { target: 'daemon', signal: 'SIGKILL', moment: 'intake' },
  { target: 'daemon', signal: 'SIGKILL', moment: 'approval' },
  { target: 'daemon', signal: 'SIGKILL', moment: 'spawn' },
  { target: 'worker', signal: 'SIGKILL', moment: 'random' },
  { target: 'daemon', signal: 'SIGKILL', moment: 'summary' },
  { target: 'daemon', signal: 'SIGKILL', moment: 'random' },
];
/** After the opening: the share of kills that are SIGTERM, and of parts left down across the next kill. */
const POLITE_SHARE = 0.25;
const LEFT_DOWN_SHARE = 0.25;

export interface TeamChaosOptions {
  kills: number;
  seed: number;
  /** `nightshift worker` processes; worker i has WORKER_SLOTS 1 (odd i) or 2 (even i). */
  workers: number;
  /** BUILD_ON of the daemon: both makes it a worker too (WORKER_SLOTS 1). */
  buildOn: 'workers' | 'both';
  /** How long each agent run works, a range in ms. */
  workMs: [number, number];
  /** WORKER_TIMEOUT, ms. */
  workerTimeoutMs: number;
  /** Every n-th cycle brings every part up and looks for orphans ORPHAN_AFTER_MS after the last start (0: only at the end). */
  orphanCheckEvery: number;
  /** Stop killing after this long (the settling and its checks still run). */
  budgetMs: number;
  /** How long the team may take to finish everything at the end. */
  settleMs: number;
  database: TeamDatabase;
  /** Where the data directory is made. */
  dir?: string;
  /** Progress lines. */
  say?: (line: string) => void;
}

export interface TeamChaosReport extends ChaosTally {
  killsBy: Record<TeamKill, number>;
  daemonMoments: Record<KillMoment, number>;
  workerMoments: Record<WorkerMoment, number>;
  /** SIGTERMs that did not end their process within STOP_WAIT_MS. */
  stopsHung: number;
  /** Hand-backs (worker SIGTERM) recorded as anything but an interruption at no cost. */
  handBacksSpent: number;
  /** Finished work built again because its worker died before recording it and stayed down (team-judge.ts): expected, not judged. */
  unreachable: string[];
  /** Builds the restarted daemon took back from its workers (its "taken back, not run again"). */
  takenBack: number;
  /** Ends a worker recorded while the daemon was down, recorded at its next start. */
  recordedLate: number;
  /** Attempts handed back by a stopped worker, and lost with a silent one. */
  handedBack: number;
  lost: number;
  /** Agents a restarted worker found left at work in its home, and ended. */
  leftoversEnded: number;
  workerSlots: number[];
  database: string;
}

const zeroes = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export async function runTeamChaos(o: TeamChaosOptions): Promise<TeamChaosReport> {
  const began = Date.now();
  const say = o.say ?? (() => {});
  const chance = dice(o.seed);

  const root = await mkdtemp(join(o.dir ?? tmpdir(), 'nightshift-team-chaos-'));
  const chaosDir = join(root, 'chaos');
  const logsDir = join(chaosDir, 'logs');
  await mkdir(logsDir, { recursive: true });
  const ledger = new LedgerFile(join(chaosDir, 'ledger.jsonl'));
  const team = { DATABASE_URL: o.database.url, WORKER_TIMEOUT: `${o.workerTimeoutMs}ms` };
  const workerSlots = Array.from({ length: o.workers }, (_, i) => (i % 2 === 0 ? 1 : 2));
  const ownSlots = o.buildOn === 'both' ? 1 : 0;
  const home = (name: string) => join(root, name);
  const daemon = new Part(
    'daemon',
    home('daemon'),
    chaosEnv(home('daemon'), ledger.path, {
      ...team,
      BUILD_ON: o.buildOn,
      WORKER_SLOTS: String(Math.max(1, ownSlots)),
      // Every slot of the team busy, and no more.
      MAX_PARALLEL_BUILDS: String(workerSlots.reduce((a, b) => a + b, 0) + ownSlots),
    }),
    logsDir,
  );
  const workers = workerSlots.map((slots, i) => new Part(`worker-${i + 1}`, home(`worker-${i + 1}`), chaosEnv(home(`worker-${i + 1}`), ledger.path, { ...team, WORKER_SLOTS: String(slots) }), logsDir));
  const parts = [daemon, ...workers];
  for (const p of parts) await mkdir(p.home, { recursive: true });
  const requests = new Requests(daemon.env, chance, o.workMs);
  const orphans = new OrphanWatch(daemon.env, ledger);
  const killLog: KillRecord[] = [];

  // Ctrl-C: nothing of the run is left behind (the throwaway cluster goes with this process's exit).
  const onSignal = () => {
    for (const p of parts) void p.kill('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);

  /** Starts `p` (once more if it does not come up: a refusal is counted, and the run goes on without it after two). */
  const bringUp = async (p: Part) => {
    if (p.up) return;
    if (!(await p.start()) && !(await p.start())) say(`${p.name} did not come up twice:\n${p.proc?.stdout ?? ''}${p.proc?.stderr ?? ''}`);
  };
  const bringAllUp = async () => {
    for (const p of parts) await bringUp(p);
  };
  /** Waits until ORPHAN_AFTER_MS after the latest start, then looks for orphans. */
  const lookForOrphans = async () => {
    await pause(Math.max(0, Math.max(...parts.map((p) => p.startedAt)) + ORPHAN_AFTER_MS - Date.now()));
    await orphans.check(() => !daemon.up);
  };

  /** The k-th kill's plan, fitted to who is up (at most one part is down when a kill is planned). */
  const planFor = (k: number): Plan => {
    let plan: Plan = OPENING[k] ?? (chance.random() < 0.5 ? { target: 'daemon', signal: 'SIGKILL', moment: chance.pick(KILL_MOMENTS) } : { target: 'worker', signal: 'SIGKILL', moment: chance.pick(WORKER_MOMENTS) });
    if (k >= OPENING.length && chance.random() < POLITE_SHARE) plan = { ...plan, signal: 'SIGTERM' };
    if (plan.target === 'daemon' && !daemon.up) return { target: 'worker', signal: plan.signal, moment: 'random' };
    if (plan.target === 'worker' && !workers.some((w) => w.up)) return { target: 'daemon', signal: plan.signal, moment: 'random' };
    return plan;
  };

  const killsBy = zeroes(TEAM_KILLS);
  const daemonMoments = zeroes(KILL_MOMENTS);
  const workerMoments = zeroes(WORKER_MOMENTS);
  let missed = 0;
  let kills = 0;

  await bringAllUp();
  for (let k = 0; k < o.kills && Date.now() - began < o.budgetMs; k++) {
    for (const p of parts) if (p.backAt <= k) await bringUp(p);
    if (!daemon.up && workers.every((w) => !w.up)) break; // nothing comes up any more
    if (o.orphanCheckEvery > 0 && k % o.orphanCheckEvery === o.orphanCheckEvery - 1) {
      await bringAllUp();
      await requests.add('high');
      await lookForOrphans();
    }
    // Work keeps arriving (through the daemon, or written to the database while it is down).
    for (let i = chance.between(1, 2); i > 0; i--) await requests.add('high');
    const plan = planFor(k);
    let victim: Part;
    let reached: boolean;
    let at = Date.now();
    if (plan.target === 'daemon') {
      const proc = daemon.proc!;
      const kill = () => {
        at = Date.now();
        return daemon.kill(plan.signal);
      };
      reached = await reachMoment(plan.moment, { daemon: proc, kill, env: daemon.env, requests, ledger, dice: chance, workMs: o.workMs });
      if (!proc.dead) await kill();
      victim = daemon;
      daemonMoments[plan.moment]++;
    } else {
      ({ worker: victim, reached } = await workerAtMoment(plan.moment, workers, ledger, chance, o.workMs));
      at = Date.now();
      await victim.kill(plan.signal);
      workerMoments[plan.moment]++;
    }
    kills++;
    killsBy[`${plan.target} ${plan.signal}`]++;
    if (!reached) missed++;
    killLog.push({ n: kills, at, part: victim.name, pid: victim.proc?.pid, signal: plan.signal, moment: plan.moment, reached });
    // Down for a while: briefly (a restart within a third of WORKER_TIMEOUT, in time to settle what
    // it left), or past WORKER_TIMEOUT (a machine gone: what it left is retried elsewhere), and now
    // and then across the next kill too.
    const downMs = chance.random() < 0.5 ? chance.between(0, o.workerTimeoutMs / 3) : chance.between(o.workerTimeoutMs + 500, o.workerTimeoutMs + 1_500);
    const leftDown = chance.random() < LEFT_DOWN_SHARE && parts.every((p) => p === victim || p.up);
    victim.backAt = leftDown ? k + 2 : k + 1;
    say(`kill ${kills}: ${victim.name} ${plan.signal} at ${plan.moment}${reached ? '' : ' (moment not reached)'}; down ${leftDown ? 'until after the next kill' : `${(downMs / 1000).toFixed(1)} s`}`);
    await pause(downMs);
  }

  // The end: everything up, approved and finished, a last look for orphans, and everything stopped.
  await bringAllUp();
  await requests.approveAll();
  const unsettled = await waitUntilSettled(daemon.env, o.settleMs);
  await lookForOrphans();
  for (const w of workers) await w.kill('SIGTERM');
  await daemon.kill('SIGTERM');
  // With every task settled and every part stopped, no agent may be left.
  const leftAlive = runsOf(ledger.read()).filter((r) => isLiveRun(r));
  for (const r of leftAlive) {
    orphans.found++;
    orphans.details.push(`orphan: ${r.task} attempt ${r.attempt} (pid ${r.pid}) alive after the daemon and every worker stopped`);
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }
  process.off('SIGINT', onSignal);

  // What nightshift has at the end, read by the CLI itself with no daemon running.
  const tasks = await finalTasks(daemon.env);
  const events = ledger.read();
  await keepForALook(chaosDir, o.database.url, timeline(parts, killLog, events));
  const startsRefused = parts.reduce((n, p) => n + p.startsRefused, 0);
  const verdict = judgeChaos({ acked: [...requests.acked], approved: [...requests.approved], tasks, ledger: events, storesUnparseable: 0 /* the tasks are in PostgreSQL */, startsRefused, orphans: orphans.found });
  const spent = handBacksSpent(tasks);
  const unreachable = excuseUnreachableEnds(
    verdict,
    events,
    tasks,
    parts.map((p) => ({ name: p.name, ran: (ws: string | undefined) => p.ran(ws), starts: p.lives.map((l) => l.startedAt) })),
    killLog,
    o.workerTimeoutMs,
  );
  verdict.details.push(...orphans.details, ...spent);
  const daemonSaid = (pattern: RegExp) => daemon.lifeLogs().reduce((n, text) => n + (text.match(pattern) ?? []).length, 0);
  return {
    verdict,
    kills,
    killsBy,
    daemonMoments,
    workerMoments,
    missed,
    orphanChecks: orphans.checks,
    stopsHung: parts.reduce((n, p) => n + p.stopsHung, 0),
    handBacksSpent: spent.length,
    unreachable,
    takenBack: daemonSaid(/was still building when nightshift started again; it is taken back/g),
    recordedLate: daemonSaid(/had finished \(\w+\) before nightshift stopped; its end is recorded now/g),
    ...teamEndings(tasks),
    leftoversEnded: workers.reduce((n, w) => n + w.lifeLogs().reduce((m, text) => m + Number((/Ended (\d+) process/.exec(text) ?? [])[1] ?? 0), 0), 0),
    workerSlots,
    tasks: tasks.length,
    attempts: tasks.reduce((n, t) => n + t.attempts.length, 0),
    agentRuns: runsOf(events).length,
    unsettled,
    keptUnanswered: tasks.filter((t) => !requests.acked.has(t.id)).length,
    durationMs: Date.now() - began,
    home: root,
    database: o.database.what,
  };
}

/** The run rows, the pg-boss jobs and the timeline, beside the ledger: the database is dropped after the run. */
async function keepForALook(chaosDir: string, url: string, story: string): Promise<void> {
  writeFileSync(join(chaosDir, 'timeline.log'), `${story}\n`);
  const runs = await query(url, 'SELECT task_id, attempt, state, worker_id, queued_at, started_at, heartbeat_at, why, result->>\'outcome\' AS outcome, result->>\'reason\' AS reason FROM nightshift_runs ORDER BY queued_at').catch((e: unknown) => [{ error: String(e) }]);
  writeFileSync(join(chaosDir, 'runs.json'), JSON.stringify(runs, null, 1));
  const jobs = await query(url, "SELECT id, name, state, data->'task'->>'id' AS task, data->>'attempt' AS attempt, created_on, started_on, completed_on FROM pgboss.job ORDER BY created_on").catch((e: unknown) => [{ error: String(e) }]);
  writeFileSync(join(chaosDir, 'jobs.json'), JSON.stringify(jobs, null, 1));
}
