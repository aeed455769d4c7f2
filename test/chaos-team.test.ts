// The team chaos run's own checks (scripts/chaos/team-judge.ts), on endings that must fail them: a
// worker stopped with SIGTERM hands its attempt back at no cost; finished work built again is a
// finding unless its worker died before recording it and stayed down. The run itself is a script
// (`npm run chaos -- --team`), not part of the suite: it needs minutes.
import { describe, expect, it } from 'vitest';
import { judgeChaos, type FinalTask, type LedgerEvent } from '../scripts/chaos/ledger.ts';
import { excuseUnreachableEnds, handBacksSpent, teamEndings, type Kill } from '../scripts/chaos/team-judge.ts';

const handedBack = 'worker vm:41:ab12cd was stopped; the attempt was handed back to the queue';

function night(): FinalTask[] {
  return [
    {
      id: 't-1',
      status: 'done',
      attempts: [
        { n: 1, outcome: 'interrupted', reason: handedBack, counts: false },
        { n: 2, outcome: 'failed', reason: 'the attempt was lost: its worker stopped answering (vm:42:ef34ab)' },
        { n: 3, outcome: 'succeeded' },
      ],
    },
  ];
}

describe('the team chaos judge', () => {
  it('finds nothing wrong with a hand-back that cost nothing, and counts the team\'s endings', () => {
    expect(handBacksSpent(night())).toEqual([]);
    expect(teamEndings(night())).toEqual({ handedBack: 1, lost: 1 });
  });

  it('counts a hand-back recorded as a failure, or as an interruption that counts', () => {
    const failed = night();
    failed[0]!.attempts[0] = { n: 1, outcome: 'failed', reason: handedBack };
    expect(handBacksSpent(failed)).toEqual([`hand-back spent an attempt: t-1 attempt 1 ended failed (counted): ${handedBack}`]);
    const counted = night();
    counted[0]!.attempts[0] = { n: 1, outcome: 'interrupted', reason: handedBack, counts: true };
    expect(handBacksSpent(counted)).toHaveLength(1);
  });
});

describe('finished work built again, in a team', () => {
  const lost = 'the attempt was lost: its worker stopped answering (vm:42:ef34ab)';
  const tasks: FinalTask[] = [{ id: 't-1', status: 'done', attempts: [{ n: 1, outcome: 'failed', reason: lost }, { n: 2, outcome: 'succeeded' }] }];
  const ev = (e: LedgerEvent['ev'], attempt: number, pid: number, at: number, ws: string): LedgerEvent => ({ ev: e, task: 't-1', attempt, pid, at, ws });
  // Attempt 1 finished on worker-2 at 2000; worker-2 was SIGKILLed 5 ms later; attempt 2 ran on worker-1.
  const ledger = [ev('start', 1, 10, 1_000, '/h/w2/ws/t-1'), ev('finished', 1, 10, 2_000, '/h/w2/ws/t-1'), ev('start', 2, 11, 6_000, '/h/w1/ws/t-1'), ev('finished', 2, 11, 7_000, '/h/w1/ws/t-1')];
  const kills: Kill[] = [{ at: 2_005, part: 'worker-2', signal: 'SIGKILL' }];
  const judged = (backAfterMs: number, k = kills) => {
    const verdict = judgeChaos({ acked: ['t-1'], approved: [], tasks, ledger, storesUnparseable: 0, startsRefused: 0, orphans: 0 });
    const parts = [
      { name: 'worker-1', ran: (ws: string | undefined) => ws?.startsWith('/h/w1/') ?? false, starts: [0] },
      { name: 'worker-2', ran: (ws: string | undefined) => ws?.startsWith('/h/w2/') ?? false, starts: [0, 2_005 + backAfterMs] },
    ];
    const excused = excuseUnreachableEnds(verdict, ledger, tasks, parts, k, 3_000);
    return { figures: verdict.figures, details: verdict.details, excused };
  };

  it('is expected when its worker died before recording the end and stayed down: reported apart, not judged', () => {
    const { figures, details, excused } = judged(2_500);
    expect([figures.finishedWorkRerun, figures.finishedRecordedOtherwise]).toEqual([0, 0]);
    expect(details).toEqual([]);
    expect(excused).toEqual(['t-1 attempt 1 finished on worker-2, SIGKILLed 5 ms after, down 2.5 s: lost, built again']);
  });

  it('stays a finding when the worker was back in time to record it, or was not killed at all', () => {
    const soon = judged(800);
    expect([soon.figures.finishedWorkRerun, soon.figures.finishedRecordedOtherwise, soon.excused.length]).toEqual([1, 1, 0]);
    const stopped = judged(2_500, [{ at: 2_005, part: 'worker-2', signal: 'SIGTERM' }]);
    expect([stopped.figures.finishedWorkRerun, stopped.excused.length]).toEqual([1, 0]);
    const untouched = judged(2_500, []);
    expect(untouched.details).toContain('re-run: t-1 attempt 1 finished, and attempt 2 ran after it');
  });
});
