// The chaos run (scripts/chaos) in its short form: the real daemon SIGKILLed once at each moment of
// a task's life, restarted each time; nothing acknowledged is lost, nothing runs twice at once,
// nothing finished runs again. `npm run chaos` is the long form. The judge is tested first, on
// ledgers that must fail it.
import { describe, expect, it } from 'vitest';
import { judgeChaos, parseLedger, type ChaosFacts, type FinalTask, type LedgerEvent } from '../scripts/chaos/ledger.ts';
import { KILL_MOMENTS, runChaos } from '../scripts/chaos/run-chaos.ts';

const ev = (e: LedgerEvent['ev'], task: string, attempt: number, pid: number, at: number, other?: number): LedgerEvent => ({ ev: e, task, attempt, pid, at, ...(other ? { other } : {}) });

/** A night in which t-1 was interrupted once and then built, t-2 built at once. */
function goodNight(): ChaosFacts {
  const tasks: FinalTask[] = [
    { id: 't-1', status: 'done', attempts: [{ n: 1, outcome: 'interrupted', reason: 'interrupted by restart' }, { n: 2, outcome: 'succeeded' }] },
    { id: 't-2', status: 'done', attempts: [{ n: 1, outcome: 'succeeded' }] },
  ];
  const ledger = [ev('start', 't-1', 1, 100, 1), ev('terminated', 't-1', 1, 100, 5), ev('start', 't-2', 1, 101, 6), ev('start', 't-1', 2, 102, 7), ev('finished', 't-2', 1, 101, 8), ev('finished', 't-1', 2, 102, 9)];
  return { acked: ['t-1', 't-2'], approved: ['t-2'], tasks, ledger, storesUnparseable: 0, startsRefused: 0, orphans: 0 };
}

describe('the chaos judge', () => {
  it('finds nothing wrong with a night where everything was accounted for', () => {
    const { figures, details } = judgeChaos(goodNight());
    expect(details).toEqual([]);
    expect(Object.values(figures).every((n) => n === 0)).toBe(true);
  });

  it('counts an acknowledged task that is gone, and an approval that was forgotten', () => {
    const night = goodNight();
    night.acked.push('t-3');
    night.tasks[1] = { id: 't-2', status: 'awaiting_approval', attempts: [] };
    night.ledger = night.ledger.filter((e) => e.task !== 't-2');
    const { figures, details } = judgeChaos(night);
    expect(figures.ackedTasksLost).toBe(1);
    expect(figures.approvalsLost).toBe(1);
    expect(details).toContain('lost: t-3 was acknowledged and is gone');
  });

  it('counts two runs of one task at once, seen by the agent or by their lifetimes', () => {
    const night = goodNight();
    night.ledger.push(ev('overlap', 't-2', 1, 103, 8, 101));
    expect(judgeChaos(night).figures.overlappingRuns).toBe(1);
    const crossed = goodNight();
    crossed.ledger = [ev('start', 't-1', 1, 100, 1), ev('start', 't-1', 2, 102, 3), ev('terminated', 't-1', 1, 100, 5), ev('finished', 't-1', 2, 102, 9), ev('start', 't-2', 1, 101, 6), ev('finished', 't-2', 1, 101, 8)];
    expect(judgeChaos(crossed).figures.overlappingRuns).toBe(1);
  });

  it('counts an attempt with no reason, one left "running" in a settled task, and a run nightshift never recorded', () => {
    const night = goodNight();
    night.tasks[0]!.attempts[0] = { n: 1, outcome: 'failed' };
    night.tasks[1]!.attempts.push({ n: 2, outcome: 'running' });
    night.ledger.push(ev('start', 't-2', 7, 104, 10));
    const { figures, details } = judgeChaos(night);
    expect(figures.attemptsUnexplained).toBe(3);
    expect(details).toContain('unexplained: t-2 attempt 7 ran (pid 104) and nightshift has no record of it');
  });

  it('counts finished work that ran again, and finished work recorded as something else', () => {
    const night = goodNight();
    night.ledger.push(ev('start', 't-2', 2, 105, 20));
    night.tasks[1]!.attempts = [{ n: 1, outcome: 'interrupted', reason: 'interrupted by restart' }, { n: 2, outcome: 'succeeded' }];
    const { figures } = judgeChaos(night);
    expect(figures.finishedWorkRerun).toBe(1);
    expect(figures.finishedRecordedOtherwise).toBe(1);
  });

  it('reads a ledger whose last line a kill tore as the events before it', () => {
    expect(parseLedger('{"ev":"start","task":"t-1","attempt":1,"pid":9,"at":1}\n{"ev":"fini')).toHaveLength(1);
  });
});

describe('the real daemon, SIGKILLed at every moment of a task\'s life', () => {
  it('loses no acknowledged task, runs nothing twice at once, leaves no orphan, explains every attempt, never re-runs finished work', async () => {
    const seed = Date.now() % 100_000;
    const report = await runChaos({ kills: KILL_MOMENTS.length, seed, parallel: 2, workMs: [150, 900], orphanCheckEvery: 0, budgetMs: 90_000, settleMs: 60_000 });
    const story = `seed ${seed}, data in ${report.home}\n${report.verdict.details.join('\n')}\n${report.unsettled.join('\n')}`;
    expect(report.kills, story).toBe(KILL_MOMENTS.length);
    expect(Object.values(report.killsByMoment).every((n) => n === 1), story).toBe(true);
    expect(report.verdict.figures, story).toEqual({
      ackedTasksLost: 0,
      approvalsLost: 0,
      storesUnparseable: 0,
      startsRefused: 0,
      overlappingRuns: 0,
      orphans: 0,
      attemptsUnexplained: 0,
      finishedWorkRerun: 0,
      finishedRecordedOtherwise: 0,
    });
    expect(report.unsettled, story).toEqual([]);
    expect(report.orphanChecks, story).toBe(1);
    expect(report.agentRuns, story).toBeGreaterThan(KILL_MOMENTS.length); // builds really ran around the kills
  }, 150_000);
});
