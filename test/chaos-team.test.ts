// The team chaos run's own check (scripts/chaos/team-judge.ts), on endings that must fail it: a
// worker stopped with SIGTERM hands its attempt back at no cost. The run itself is a script
// (`npm run chaos -- --team`), not part of the suite: it needs minutes.
import { describe, expect, it } from 'vitest';
import type { FinalTask } from '../scripts/chaos/ledger.ts';
import { handBacksSpent, teamEndings } from '../scripts/chaos/team-judge.ts';

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
