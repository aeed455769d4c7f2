// The attempts handed to workers, as rows of nightshift_runs, and the few moves they make. The
// row's state is the fence that keeps one running attempt per task across every machine: a worker
// starts an agent only after it moved the row from 'queued' to 'running' itself, keeps it alive
// with heartbeats, and stops its agent as soon as the row says anything else ('cancelling', or
// 'lost' once the daemon gave up on a silent worker). Each move is one statement, then a NOTIFY.
import type pg from 'pg';
import type { BuildResult, Progress } from '../core/ports.ts';
import { RUN_CHANNEL } from '../store/postgres/schema.ts';

/** The pg-boss queue attempts are dispatched on. */
export const ATTEMPT_QUEUE = 'nightshift-attempts';

/** The queue of attempts only a worker with `label` may take (`--on macos`). */
export const labelQueue = (label: string): string => `${ATTEMPT_QUEUE}-on-${label.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}`;

export type RunState = 'queued' | 'running' | 'cancelling' | 'ended' | 'lost';

export interface RunRow {
  task_id: string;
  attempt: number;
  state: RunState;
  worker_id: string | null;
  progress: Progress | null;
  result: BuildResult | null;
  why: string | null;
}

/** What a worker is given: the task as it stood when dispatched (its spec, its earlier attempts). */
export interface RunJob {
  task: unknown;
  attempt: number;
  timeoutMs: number;
}

type Db = Pick<pg.Pool, 'query'>;

/** A run's name on the wire (its NOTIFY payload) and in the maps that follow runs: "t-7:2". */
export const runKey = (taskId: string, attempt: number): string => `${taskId}:${attempt}`;

/** The task and attempt of a runKey. */
export function parseRunKey(key: string): { taskId: string; attempt: number } {
  const at = key.lastIndexOf(':');
  return { taskId: key.slice(0, at), attempt: Number(key.slice(at + 1)) };
}

const notify = (db: Db, taskId: string, attempt: number) => db.query('SELECT pg_notify($1, $2)', [RUN_CHANNEL, runKey(taskId, attempt)]);

export async function queueRun(db: Db, taskId: string, attempt: number): Promise<void> {
  // One attempt per task: an earlier one still on the books (its end never reached the daemon, a
  // database blip) is stopped now: one not taken yet ends, one running is asked to stop, and its
  // worker stops the agent at its next heartbeat. The new one is not claimed before (claimRun).
  const earlier = await db.query<{ attempt: number }>(
    `UPDATE nightshift_runs SET state = CASE WHEN state = 'queued' THEN 'ended' ELSE 'cancelling' END, why = $3,
       result = CASE WHEN state = 'queued' THEN $4::jsonb ELSE result END
     WHERE task_id = $1 AND attempt < $2 AND state IN ('queued', 'running', 'cancelling') RETURNING attempt`,
    [taskId, attempt, LATER_QUEUED, JSON.stringify(cancelledBeforeStart(LATER_QUEUED))],
  );
  for (const row of earlier.rows) await notify(db, taskId, row.attempt);
  await db.query(
    `INSERT INTO nightshift_runs (task_id, attempt, state) VALUES ($1, $2, 'queued')
     ON CONFLICT (task_id, attempt) DO UPDATE SET state = 'queued', worker_id = NULL, progress = NULL, result = NULL, why = NULL, queued_at = now()`,
    [taskId, attempt],
  );
}

const LATER_QUEUED = 'a later attempt of the task was queued';

/**
 * The worker takes the attempt: 'claimed' only for the one that moved it out of 'queued'; 'wait'
 * while an earlier attempt of the task still runs on a worker heard from within `staleMs` (it is
 * being stopped: ask again shortly); 'gone' when it was cancelled or given up before it was taken.
 */
export async function claimRun(db: Db, taskId: string, attempt: number, workerId: string, staleMs: number): Promise<'claimed' | 'wait' | 'gone'> {
  const r = await db.query<{ claimed: boolean }>(
    `WITH earlier AS (
       SELECT 1 FROM nightshift_runs e JOIN nightshift_workers w ON w.id = e.worker_id
       WHERE e.task_id = $1 AND e.attempt < $2 AND e.state IN ('running', 'cancelling')
         AND w.heartbeat_at > now() - make_interval(secs => $4::double precision / 1000)
     ), claimed AS (
       UPDATE nightshift_runs SET state = 'running', worker_id = $3, started_at = now(), heartbeat_at = now()
       WHERE task_id = $1 AND attempt = $2 AND state = 'queued' AND NOT EXISTS (SELECT 1 FROM earlier) RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM claimed) AS claimed, EXISTS (SELECT 1 FROM earlier) AS waits,
            EXISTS (SELECT 1 FROM nightshift_runs WHERE task_id = $1 AND attempt = $2 AND state = 'queued') AS queued`,
    [taskId, attempt, workerId, staleMs],
  );
  const row = r.rows[0] as { claimed: boolean; waits: boolean; queued: boolean } | undefined;
  if (row?.claimed) {
    await notify(db, taskId, attempt);
    return 'claimed';
  }
  return row?.waits && row.queued ? 'wait' : 'gone';
}

/** The worker is alive, and so are its runs: their states come back (a run not among them is no longer its own). */
export async function heartbeat(db: Db, workerId: string): Promise<Map<string, RunState>> {
  await db.query('UPDATE nightshift_workers SET heartbeat_at = now() WHERE id = $1', [workerId]);
  const r = await db.query<{ task_id: string; attempt: number; state: RunState }>(
    `UPDATE nightshift_runs SET heartbeat_at = now() WHERE worker_id = $1 AND state IN ('running', 'cancelling') RETURNING task_id, attempt, state`,
    [workerId],
  );
  return new Map(r.rows.map((row) => [runKey(row.task_id, row.attempt), row.state]));
}

export async function reportProgress(db: Db, taskId: string, attempt: number, workerId: string, progress: Progress): Promise<void> {
  const r = await db.query(`UPDATE nightshift_runs SET progress = $4 WHERE task_id = $1 AND attempt = $2 AND worker_id = $3 AND state IN ('running', 'cancelling')`, [
    taskId,
    attempt,
    workerId,
    JSON.stringify(progress),
  ]);
  if (r.rowCount) await notify(db, taskId, attempt);
}

/** The attempt's end, from the worker that ran it; false when the run was no longer its own (its end is dropped). */
export async function endRun(db: Db, taskId: string, attempt: number, workerId: string, result: BuildResult): Promise<boolean> {
  const r = await db.query(
    `UPDATE nightshift_runs SET state = 'ended', result = $4 WHERE task_id = $1 AND attempt = $2 AND worker_id = $3 AND state IN ('running', 'cancelling') RETURNING 1`,
    [taskId, attempt, workerId, JSON.stringify(result)],
  );
  if (r.rowCount) await notify(db, taskId, attempt);
  return (r.rowCount ?? 0) > 0;
}

/**
 * The end of an attempt whose worker died before recording it, from the worker restarted in its
 * home: recorded even if the run was given up meanwhile, unless the daemon has already queued a
 * later attempt of the task (then the work is being done again, and this end would come too late).
 */
export async function endRunLate(db: Db, taskId: string, attempt: number, workerId: string, result: BuildResult): Promise<boolean> {
  const r = await db.query(
    `UPDATE nightshift_runs r SET state = 'ended', result = $4, why = NULL
     WHERE task_id = $1 AND attempt = $2 AND worker_id = $3 AND state IN ('running', 'cancelling', 'lost')
       AND NOT EXISTS (SELECT 1 FROM nightshift_runs later WHERE later.task_id = r.task_id AND later.attempt > r.attempt)
     RETURNING 1`,
    [taskId, attempt, workerId, JSON.stringify(result)],
  );
  if (r.rowCount) await notify(db, taskId, attempt);
  return (r.rowCount ?? 0) > 0;
}

/** A dead worker's run that left no end, given up at once by its successor (the daemon retries it without waiting for WORKER_TIMEOUT). */
export async function giveUpRun(db: Db, taskId: string, attempt: number, workerId: string, why: string): Promise<boolean> {
  const r = await db.query(`UPDATE nightshift_runs SET state = 'lost', why = $4 WHERE task_id = $1 AND attempt = $2 AND worker_id = $3 AND state IN ('running', 'cancelling') RETURNING 1`, [
    taskId,
    attempt,
    workerId,
    why,
  ]);
  if (r.rowCount) await notify(db, taskId, attempt);
  return (r.rowCount ?? 0) > 0;
}

/** A cancel: a run no worker took yet ends at once; a running one is asked to stop (its worker ends it). */
export async function cancelRun(db: Db, taskId: string, attempt: number, why: string): Promise<void> {
  await db.query(
    `UPDATE nightshift_runs SET state = CASE WHEN state = 'queued' THEN 'ended' ELSE 'cancelling' END, why = $3,
       result = CASE WHEN state = 'queued' THEN $4::jsonb ELSE result END
     WHERE task_id = $1 AND attempt = $2 AND state IN ('queued', 'running')`,
    [taskId, attempt, why, JSON.stringify(cancelledBeforeStart(why))],
  );
  await notify(db, taskId, attempt);
}

export const cancelledBeforeStart = (why: string): BuildResult => ({ outcome: 'cancelled', reason: why, exitCode: null, signal: null, logTail: '', deliverables: {}, durationMs: 0 });

/** Gives up on runs whose worker has been silent past `staleMs` (or on one run, any state): they become 'lost'. */
export async function loseRuns(db: Db, why: string, opts: { staleMs: number } | { taskId: string; attempt: number }): Promise<RunRow[]> {
  const r =
    'staleMs' in opts
      ? await db.query<RunRow>(
          `UPDATE nightshift_runs SET state = 'lost', why = $1 || ' (' || COALESCE(worker_id, '?') || ')'
           WHERE state IN ('running', 'cancelling') AND heartbeat_at < now() - make_interval(secs => $2::double precision / 1000) RETURNING *`,
          [why, opts.staleMs],
        )
      : await db.query<RunRow>(`UPDATE nightshift_runs SET state = 'lost', why = $3 WHERE task_id = $1 AND attempt = $2 AND state IN ('queued', 'running', 'cancelling') RETURNING *`, [
          opts.taskId,
          opts.attempt,
          why,
        ]);
  for (const row of r.rows) await notify(db, row.task_id, row.attempt);
  return r.rows;
}

export async function readRun(db: Db, taskId: string, attempt: number): Promise<RunRow | null> {
  const r = await db.query<RunRow>('SELECT * FROM nightshift_runs WHERE task_id = $1 AND attempt = $2', [taskId, attempt]);
  return r.rows[0] ?? null;
}
