// What the team form checks beyond ledger.ts's judge, from the tasks as nightshift has them at the
// end: a worker stopped with SIGTERM hands its attempt back at no cost. And what it counts, to say
// which of the team's ways of recovering the run went through.
import type { ChaosVerdict, FinalTask, LedgerEvent } from './ledger.ts';
import { runsOf } from './ledger.ts';

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

/** A part of the run as the judge needs it: its home, and when each of its lives began. */
export interface PartLives {
  name: string;
  ran(ws: string | undefined): boolean;
  starts: number[];
}

/** A kill, as the judge needs it. */
export interface Kill {
  at: number;
  part: string;
  signal: 'SIGKILL' | 'SIGTERM';
}

/**
 * Finished work the team could not have kept: the agent finished on a worker that was SIGKILLed
 * before it recorded the end (up to a second after the finish) and stayed down for at least half
 * of WORKER_TIMEOUT. Its end is on that machine alone; by the time a worker there could settle it,
 * the daemon has given the run up (as it must for a machine that is gone) and the attempt is built
 * again. Such re-runs (and the attempt recorded lost) are taken out of the verdict's figures and
 * reported apart; any other re-run stays a finding. A worker back sooner must have recorded the end.
 */
export function excuseUnreachableEnds(verdict: ChaosVerdict, events: LedgerEvent[], tasks: FinalTask[], parts: PartLives[], kills: Kill[], workerTimeoutMs: number): string[] {
  const excused: string[] = [];
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const runs = runsOf(events);
  for (const r of runs) {
    if (r.end?.ev !== 'finished' || !runs.some((s) => s.task === r.task && s.start > r.end!.at)) continue;
    const part = parts.find((p) => p.ran(r.ws));
    const kill = part && kills.find((k) => k.part === part.name && k.signal === 'SIGKILL' && k.at >= r.start && k.at <= r.end!.at + 1_000);
    if (!part || !kill) continue;
    const back = part.starts.find((t) => t > kill.at) ?? Number.POSITIVE_INFINITY;
    if (back - kill.at < workerTimeoutMs / 2) continue;
    const recorded = byId.get(r.task)?.attempts.find((a) => a.n === r.attempt);
    const key = `${r.task} attempt ${r.attempt}`;
    verdict.figures.finishedWorkRerun--;
    verdict.details = verdict.details.filter((d) => !d.startsWith(`re-run: ${key} `));
    if (recorded && LOST.test(recorded.reason ?? '')) {
      verdict.figures.finishedRecordedOtherwise--;
      verdict.details = verdict.details.filter((d) => !d.startsWith(`misrecorded: ${key} `));
    }
    excused.push(`${key} finished on ${part.name}, SIGKILLed ${kill.at - r.end.at} ms after, down ${Number.isFinite(back) ? `${((back - kill.at) / 1000).toFixed(1)} s` : 'to the end'}: lost, built again`);
  }
  return excused;
}
