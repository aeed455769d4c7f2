// What the team form checks beyond ledger.ts's judge, from the tasks as nightshift has them at the
// end: a worker stopped with SIGTERM hands its attempt back at no cost. And what it counts, to say
// which of the team's ways of recovering the run went through.
import type { FinalTask } from './ledger.ts';

/** The reason a worker's hand-back gives (src/team/worker.ts). */
const HANDED_BACK = /the attempt was handed back to the queue$/;
/** The reason of a run the daemon gave up on (src/team/remote-builder.ts). */
const LOST = /^the attempt was lost: /;

/** Hand-backs recorded as anything but an interruption that costs no attempt. */
export function handBacksSpent(tasks: FinalTask[]): string[] {
  return tasks.flatMap((t) =>
    t.attempts
      .filter((a) => HANDED_BACK.test(a.reason ?? '') && (a.outcome !== 'interrupted' || a.counts !== false))
      .map((a) => `hand-back spent an attempt: ${t.id} attempt ${a.n} ended ${a.outcome}${a.counts === false ? '' : ' (counted)'}: ${a.reason}`),
  );
}

/** How the attempts ended, by the team's ways: handed back by a stopped worker, lost with a silent one. */
export function teamEndings(tasks: FinalTask[]): { handedBack: number; lost: number } {
  const all = tasks.flatMap((t) => t.attempts);
  return { handedBack: all.filter((a) => HANDED_BACK.test(a.reason ?? '')).length, lost: all.filter((a) => LOST.test(a.reason ?? '')).length };
}
