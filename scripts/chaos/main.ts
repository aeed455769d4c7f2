// `npm run chaos [-- --kills 40 --seed 7 --parallel 3]`: the chaos run's long form, printed as a
// table of what must be 0. Exits 1 when any figure is not.
import { parseArgs } from 'node:util';
import { KILL_MOMENTS, runChaos, type ChaosReport } from './run-chaos.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '40' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    parallel: { type: 'string', default: '3' },
    'budget-min': { type: 'string', default: '8' },
    quiet: { type: 'boolean', default: false },
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
const parallel = whole('parallel', values.parallel, 1);
const budgetMin = whole('budget-min', values['budget-min'], 1);

console.log(`nightshift chaos: ${kills} SIGKILLs of the real daemon (seed ${seed}, ${parallel} builds at once); repeat with --seed ${seed}`);
const report = await runChaos({
  kills,
  seed,
  parallel,
  workMs: [200, 2_500],
  orphanCheckEvery: 8,
  budgetMs: budgetMin * 60_000,
  settleMs: 120_000,
  say: values.quiet ? undefined : (line) => console.log(`  ${line}`),
});
console.log(formatReport(report));
process.exit(failed(report) ? 1 : 0);

export function failed(r: ChaosReport): boolean {
  return Object.values(r.verdict.figures).some((n) => n !== 0) || r.unsettled.length > 0;
}

function formatReport(r: ChaosReport): string {
  const f = r.verdict.figures;
  const rows: [string, number][] = [
    ['acknowledged tasks lost', f.ackedTasksLost],
    ['acknowledged approvals lost', f.approvalsLost],
    ['store files that fail to parse after a kill', f.storesUnparseable],
    ['starts that did not come up', f.startsRefused],
    ['overlapping runs of one task', f.overlappingRuns],
    [`orphans alive 10 s after a restart (${r.orphanChecks} checks)`, f.orphans],
    ['attempts without an explanation', f.attemptsUnexplained],
    ['finished work re-run', f.finishedWorkRerun],
    ['finished work recorded as not finished', f.finishedRecordedOtherwise],
    ['tasks not settled at the end', r.unsettled.length],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    '',
    `${r.kills} kills in ${(r.durationMs / 1000).toFixed(0)} s: ${KILL_MOMENTS.map((m) => `${m} ${r.killsByMoment[m]}`).join(' · ')}${r.missed ? ` (${r.missed} moments not reached in 10 s; killed then)` : ''}`,
    `${r.tasks} tasks, ${r.attempts} attempts, ${r.agentRuns} agent runs; ${r.keptUnanswered} tasks kept whose add got no answer (the kill came first)`,
    '',
    `| ${'figure'.padEnd(width)} | found | must be |`,
    `| ${'-'.repeat(width)} | ----: | ------: |`,
    ...rows.map(([name, n]) => `| ${name.padEnd(width)} | ${String(n).padStart(5)} | ${'0'.padStart(7)} |`),
    '',
    ...(r.verdict.details.length || r.unsettled.length ? ['Found:', ...r.verdict.details.map((d) => `  ${d}`), ...r.unsettled.map((u) => `  unsettled: ${u}`), ''] : []),
    `data directory kept for a look: ${r.home}`,
  ].join('\n');
}
