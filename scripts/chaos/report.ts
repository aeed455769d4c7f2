// A chaos run's verdict as the table `npm run chaos` prints: every figure must be 0.
import type { ChaosFigures, ChaosVerdict } from './ledger.ts';

export interface JudgedRun {
  verdict: ChaosVerdict;
  orphanChecks: number;
  /** Tasks not done, cancelled, rejected or escalated when the last start's time ran out. */
  unsettled: string[];
  home: string;
}

/** What every form of the chaos run reports beside its verdict. */
export interface ChaosTally extends JudgedRun {
  kills: number;
  /** Moments not reached in time (the part was killed then anyway). */
  missed: number;
  tasks: number;
  attempts: number;
  agentRuns: number;
  /** Tasks nightshift kept although the add that made them got no answer (the kill came first). */
  keptUnanswered: number;
  durationMs: number;
}

export function failed(r: Pick<JudgedRun, 'verdict' | 'unsettled'>, extra: [string, number][] = []): boolean {
  return Object.values(r.verdict.figures).some((n) => n !== 0) || r.unsettled.length > 0 || extra.some(([, n]) => n !== 0);
}

function figureRows(f: ChaosFigures, orphanChecks: number, unsettled: number, storeFiles: boolean): [string, number][] {
  return [
    ['acknowledged tasks lost', f.ackedTasksLost],
    ['acknowledged approvals lost', f.approvalsLost],
    ...(storeFiles ? [['store files that fail to parse after a kill', f.storesUnparseable] as [string, number]] : []),
    ['starts that did not come up', f.startsRefused],
    ['overlapping runs of one task', f.overlappingRuns],
    [`orphans alive 10 s after a restart (${orphanChecks} checks)`, f.orphans],
    ['attempts without an explanation', f.attemptsUnexplained],
    ['finished work re-run', f.finishedWorkRerun],
    ['finished work recorded as not finished', f.finishedRecordedOtherwise],
    ['tasks not settled at the end', unsettled],
  ];
}

/**
 * `intro`: lines on what was killed and what ran; `extra`: the form's own must-be-0 figures, after
 * the shared ones; `storeFiles`: false when the tasks are in PostgreSQL, with no files to parse.
 */
export function formatReport(r: JudgedRun, intro: string[], extra: [string, number][] = [], storeFiles = true): string {
  const rows = [...figureRows(r.verdict.figures, r.orphanChecks, r.unsettled.length, storeFiles), ...extra];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    '',
    ...intro,
    '',
    `| ${'figure'.padEnd(width)} | found | must be |`,
    `| ${'-'.repeat(width)} | ----: | ------: |`,
    ...rows.map(([name, n]) => `| ${name.padEnd(width)} | ${String(n).padStart(5)} | ${'0'.padStart(7)} |`),
    '',
    ...(r.verdict.details.length || r.unsettled.length ? ['Found:', ...r.verdict.details.map((d) => `  ${d}`), ...r.unsettled.map((u) => `  unsettled: ${u}`), ''] : []),
    `data directory kept for a look: ${r.home}`,
  ].join('\n');
}
