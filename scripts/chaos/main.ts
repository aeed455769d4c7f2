// `npm run chaos [-- --kills 40 --seed 7 --parallel 3]`: the chaos run's long form, printed as a
// table of what must be 0. Exits 1 when any figure is not.
// `npm run chaos -- --team [--kills 40 --seed 7 --workers 2 --build-on both]`: the team form, the
// daemon and its workers on PostgreSQL (CHAOS_DATABASE_URL, else a throwaway cluster).
import { parseArgs } from 'node:util';
import { KILL_MOMENTS, runChaos } from './run-chaos.ts';
import { failed, formatReport } from './report.ts';
import { runTeamChaos, TEAM_KILLS, type TeamChaosReport } from './run-team-chaos.ts';
import { teamDatabase } from './team-database.ts';
import { WORKER_MOMENTS } from './worker-moments.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '40' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    parallel: { type: 'string', default: '3' },
    'budget-min': { type: 'string', default: '8' },
    quiet: { type: 'boolean', default: false },
    team: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
    'build-on': { type: 'string', default: 'workers' },
  },
});
const whole = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name}: expected a whole number of at least ${min} (got "${v}")`);
    process.exit(2);
  }
  return n;
};
const kills = whole('kills', values.kills, 1);
const seed = whole('seed', values.seed, 0);
const budgetMs = whole('budget-min', values['budget-min'], 1) * 60_000;
const say = values.quiet ? undefined : (line: string) => console.log(`  ${line}`);

if (values.team) await team();
else await single();

async function single(): Promise<never> {
  const parallel = whole('parallel', values.parallel, 1);
  console.log(`nightshift chaos: ${kills} SIGKILLs of the real daemon (seed ${seed}, ${parallel} builds at once); repeat with --seed ${seed}`);
  const r = await runChaos({ kills, seed, parallel, workMs: [200, 2_500], orphanCheckEvery: 8, budgetMs, settleMs: 120_000, say });
  const intro = [
    `${r.kills} kills in ${(r.durationMs / 1000).toFixed(0)} s: ${KILL_MOMENTS.map((m) => `${m} ${r.killsByMoment[m]}`).join(' · ')}${r.missed ? ` (${r.missed} moments not reached in 10 s; killed then)` : ''}`,
    `${r.tasks} tasks, ${r.attempts} attempts, ${r.agentRuns} agent runs; ${r.keptUnanswered} tasks kept whose add got no answer (the kill came first)`,
  ];
  console.log(formatReport(r, intro));
  process.exit(failed(r) ? 1 : 0);
}

async function team(): Promise<never> {
  const workers = whole('workers', values.workers, 1);
  const buildOn = values['build-on'];
  if (buildOn !== 'workers' && buildOn !== 'both') {
    console.error(`--build-on: expected workers or both (got "${buildOn}")`);
    process.exit(2);
  }
  const database = await teamDatabase();
  if (typeof database === 'string') {
    console.error(`nightshift chaos --team: ${database}`);
    process.exit(2);
  }
  console.log(`nightshift chaos --team: ${kills} kills of the daemon (BUILD_ON=${buildOn}) and ${workers} workers (seed ${seed}); ${database.what}; repeat with --seed ${seed}`);
  let code = 1;
  try {
    const r = await runTeamChaos({ kills, seed, workers, buildOn, workMs: [200, 2_500], workerTimeoutMs: 3_000, orphanCheckEvery: 6, budgetMs, settleMs: 120_000, database, say });
    const extra: [string, number][] = [
      ['SIGTERM stops that did not end within 30 s', r.stopsHung],
      ['hand-backs (worker SIGTERM) that spent an attempt', r.handBacksSpent],
    ];
    console.log(formatReport(r, teamIntro(r), extra, false));
    code = failed(r, extra) ? 1 : 0;
  } finally {
    await database.close();
  }
  process.exit(code);
}

function teamIntro(r: TeamChaosReport): string[] {
  return [
    `${r.kills} kills in ${(r.durationMs / 1000).toFixed(0)} s: ${TEAM_KILLS.map((k) => `${k} ${r.killsBy[k]}`).join(' · ')}${r.missed ? ` (${r.missed} moments not reached in 10 s; killed then)` : ''}`,
    `  the daemon at: ${KILL_MOMENTS.map((m) => `${m} ${r.daemonMoments[m]}`).join(' · ')}`,
    `  a worker at: ${WORKER_MOMENTS.map((m) => `${m} ${r.workerMoments[m]}`).join(' · ')}`,
    `workers' WORKER_SLOTS: ${r.workerSlots.join(', ')}; tasks and runs in ${r.database} (no store files to parse)`,
    `${r.tasks} tasks, ${r.attempts} attempts, ${r.agentRuns} agent runs; ${r.keptUnanswered} tasks kept whose add got no answer (the kill came first)`,
    `recovered: ${r.takenBack} builds taken back by a restarted daemon, ${r.recordedLate} ends recorded late (finished while it was down), ${r.handedBack} attempts handed back by a stopped worker, ${r.lost} lost with a silent worker and retried, ${r.leftoversEnded} leftovers ended by a restarted worker`,
    `finished work built again because its worker was SIGKILLed before recording the end and stayed down past half of WORKER_TIMEOUT (expected; not judged): ${r.unreachable.length}`,
    ...r.unreachable.map((u) => `  ${u}`),
  ];
}
