// What the chaos run checks, as pure functions of what it collected: the agents' ledger (what ran,
// from the agents' side), what nightshift acknowledged, and the tasks as nightshift has them at
// the end. Each figure must be 0; test/chaos.test.ts feeds these bad ledgers to prove they can fail.

export type LedgerEventKind = 'start' | 'overlap' | 'failed' | 'finished' | 'terminated';

export interface LedgerEvent {
  ev: LedgerEventKind;
  task: string;
  attempt: number;
  pid: number;
  /** ms since the epoch */
  at: number;
  /** overlap: the pid of the other live run */
  other?: number;
  /** The run's workspace (NIGHTSHIFT_WORKSPACE): in the team form, it says which worker's home ran it. */
  ws?: string;
}

/** The non-empty lines of an append-only file; a last line a kill tore (no newline yet) is not one yet. */
export function completeLines(text: string): string[] {
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** The ledger's events. */
export const parseLedger = (text: string): LedgerEvent[] => completeLines(text).map((l) => JSON.parse(l) as LedgerEvent);

export interface FinalAttempt {
  n: number;
  outcome: string;
  reason?: string;
  /** Whether it counts against MAX_ATTEMPTS (an interruption by a shutdown or a hand-back does not). */
  counts?: boolean;
}

export interface FinalTask {
  id: string;
  status: string;
  attempts: FinalAttempt[];
}

export interface ChaosFacts {
  /** Task ids nightshift acknowledged (an `add` that answered with an id, a console reply naming one). */
  acked: string[];
  /** Tasks whose approval nightshift acknowledged. */
  approved: string[];
  /** Every task nightshift has at the end (live and finished). */
  tasks: FinalTask[];
  ledger: LedgerEvent[];
  /** Snapshots, journals or archives that did not parse after a kill. */
  storesUnparseable: number;
  /** Starts after a kill that did not come up. */
  startsRefused: number;
  /** Agents of attempts nightshift did not count as running, alive 10 s after a restart. */
  orphans: number;
}

export interface ChaosFigures {
  ackedTasksLost: number;
  approvalsLost: number;
  storesUnparseable: number;
  startsRefused: number;
  overlappingRuns: number;
  orphans: number;
  attemptsUnexplained: number;
  finishedWorkRerun: number;
  finishedRecordedOtherwise: number;
}

export interface ChaosVerdict {
  figures: ChaosFigures;
  /** One line per thing counted, saying which task and what. */
  details: string[];
}

interface Run {
  task: string;
  attempt: number;
  pid: number;
  start: number;
  /** The run's own end event, if it wrote one (a SIGKILLed run does not). */
  end?: LedgerEvent;
  /** Its workspace (see LedgerEvent). */
  ws?: string;
}

export function runsOf(ledger: LedgerEvent[]): Run[] {
  const runs: Run[] = [];
  for (const e of ledger) {
    if (e.ev === 'start') runs.push({ task: e.task, attempt: e.attempt, pid: e.pid, start: e.at, ws: e.ws });
    else if (e.ev === 'finished' || e.ev === 'failed' || e.ev === 'terminated') {
      const run = runs.find((r) => r.pid === e.pid && r.task === e.task && r.attempt === e.attempt && !r.end);
      if (run) run.end = e;
    }
  }
  return runs;
}

const SETTLED = new Set(['done', 'cancelled', 'rejected', 'escalated']);

export function judgeChaos(facts: ChaosFacts): ChaosVerdict {
  const details: string[] = [];
  const byId = new Map(facts.tasks.map((t) => [t.id, t]));

  const lost = facts.acked.filter((id) => !byId.has(id));
  for (const id of lost) details.push(`lost: ${id} was acknowledged and is gone`);

  const approvalsLost = facts.approved.filter((id) => byId.get(id)?.status === 'awaiting_approval');
  for (const id of approvalsLost) details.push(`approval lost: ${id} was approved and waits for approval again`);

  // Two runs of one task alive at once: seen by the agent itself (its run marker held by a live
  // run), or two runs whose recorded lifetimes intersect.
  const runs = runsOf(facts.ledger);
  const overlaps = new Set<string>();
  for (const e of facts.ledger) if (e.ev === 'overlap') overlaps.add(`${e.task}: pid ${e.pid} started while pid ${e.other} ran`);
  for (const [i, a] of runs.entries()) {
    if (!a.end) continue;
    for (const b of runs.slice(i + 1)) {
      if (b.task === a.task && b.start < a.end.at) overlaps.add(`${a.task}: attempt ${b.attempt} (pid ${b.pid}) started before attempt ${a.attempt} (pid ${a.pid}) ended`);
    }
  }
  for (const o of overlaps) details.push(`overlap: ${o}`);

  // Every attempt nightshift has ends with a reason (or succeeded); every run the agents saw is an
  // attempt nightshift knows of.
  let unexplained = 0;
  for (const t of facts.tasks) {
    for (const a of t.attempts) {
      const open = a.outcome === 'running' && SETTLED.has(t.status);
      const silent = a.outcome !== 'running' && a.outcome !== 'succeeded' && !(a.reason ?? '').trim();
      if (open || silent) {
        unexplained++;
        details.push(`unexplained: ${t.id} attempt ${a.n} ${open ? 'is still "running" in a settled task' : `ended ${a.outcome} with no reason`}`);
      }
    }
  }
  for (const r of runs) {
    if (!byId.get(r.task)?.attempts.some((a) => a.n === r.attempt)) {
      unexplained++;
      details.push(`unexplained: ${r.task} attempt ${r.attempt} ran (pid ${r.pid}) and nightshift has no record of it`);
    }
  }

  // Finished work: a run that finished is the task's last run, and nightshift says it succeeded.
  let rerun = 0;
  let otherwise = 0;
  for (const r of runs) {
    if (r.end?.ev !== 'finished') continue;
    const later = runs.filter((s) => s.task === r.task && s.start > r.end!.at);
    if (later.length > 0) {
      rerun++;
      details.push(`re-run: ${r.task} attempt ${r.attempt} finished, and ${later.map((s) => `attempt ${s.attempt}`).join(', ')} ran after it`);
    }
    const recorded = byId.get(r.task)?.attempts.find((a) => a.n === r.attempt);
    if (recorded && recorded.outcome !== 'succeeded' && recorded.outcome !== 'running') {
      otherwise++;
      details.push(`misrecorded: ${r.task} attempt ${r.attempt} finished its work, and nightshift recorded it ${recorded.outcome} (${recorded.reason ?? 'no reason'})`);
    }
  }

  return {
    figures: {
      ackedTasksLost: lost.length,
      approvalsLost: approvalsLost.length,
      storesUnparseable: facts.storesUnparseable,
      startsRefused: facts.startsRefused,
      overlappingRuns: overlaps.size,
      orphans: facts.orphans,
      attemptsUnexplained: unexplained,
      finishedWorkRerun: rerun,
      finishedRecordedOtherwise: otherwise,
    },
    details,
  };
}

/** Live agent runs whose attempt nightshift does not have as running: orphans. */
export function orphansAmong(alive: { task: string; attempt: number; pid: number }[], running: { task: string; attempt: number }[]): { task: string; attempt: number; pid: number }[] {
  return alive.filter((a) => !running.some((r) => r.task === a.task && r.attempt === a.attempt));
}
