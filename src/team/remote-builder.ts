// The daemon's Builder in team mode (BUILD_ON=workers): an attempt is not spawned here but queued
// for the workers (pg-boss, on DATABASE_URL), and followed through its row in nightshift_runs:
// progress as the worker reports it, the end it records. A worker silent past WORKER_TIMEOUT has
// its run marked lost (its worker stops the agent when it learns so) and the attempt ends as a
// retryable failure, so the engine tries again on a worker that answers: never lost, never twice.
// A daemon that restarts follows its runs again where they stand (adopt): a worker's build outlives it.
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Attempt, Task } from '../core/task.ts';
import type { AdoptRequest, Builder, BuildHandle, BuildPlan, BuildRequest, BuildResult, Logger, Progress } from '../core/ports.ts';
import { silentLogger } from '../core/ports.ts';
import { DISPATCH_CHANNEL, RUN_CHANNEL } from '../store/postgres/schema.ts';
import { REMOTE_BUILDER_NAME } from './remote-name.ts';
import { ATTEMPT_QUEUE, cancelRun, labelQueue, loseRuns, parseRunKey, queueRun, readRun, runKey, type RunJob, type RunRow } from './runs.ts';

export interface RemoteBuilderOptions {
  url: string;
  /** WORKER_TIMEOUT: a worker silent this long is taken for dead. */
  staleMs: number;
  logger?: Logger;
}

interface Watch {
  onRow(row: RunRow): void;
  /** While no worker has taken it: says what it waits for, when no worker that may take it is up. */
  waiting(): Promise<void>;
}

export class RemoteBuilder implements Builder {
  readonly name = REMOTE_BUILDER_NAME;
  readonly isDemo = false;
  private pool: pg.Pool | null = null;
  private listener: pg.Client | null = null;
  private boss: PgBoss | null = null;
  private supervisor: NodeJS.Timeout | undefined;
  private readonly watches = new Map<string, Watch>();
  /** The labels of the workers on the database (alive or not), read at each check. */
  private knownLabels: string[] = [];

  constructor(private readonly opts: RemoteBuilderOptions) {}

  /** Connects, listens for runs' changes, and starts the dispatch queue; then checks on workers every few seconds. */
  async connect(): Promise<void> {
    const log = this.opts.logger ?? silentLogger;
    this.pool = new pg.Pool({ connectionString: this.opts.url, max: 4, application_name: 'nightshift-dispatch' });
    this.pool.on('error', (e) => log.warn('a PostgreSQL connection of the dispatch failed', { error: e.message }));
    this.listener = new pg.Client({ connectionString: this.opts.url, application_name: 'nightshift-dispatch' });
    this.listener.on('error', (e) => log.warn('the PostgreSQL listener failed', { error: e.message }));
    this.listener.on('notification', (n) => void this.changed(n.payload ?? ''));
    await this.listener.connect();
    await this.listener.query(`LISTEN ${RUN_CHANNEL}`);
    this.boss = new PgBoss({ connectionString: this.opts.url, max: 2, schedule: false, supervise: true });
    this.boss.on('error', (e: Error) => log.warn('pg-boss failed', { error: e.message }));
    await this.boss.start();
    await this.boss.createQueue(ATTEMPT_QUEUE);
    const every = Math.max(250, Math.min(5_000, this.opts.staleMs / 3));
    this.supervisor = setInterval(() => void this.supervise(), every);
    this.supervisor.unref();
    await this.supervise();
  }

  async close(): Promise<void> {
    clearInterval(this.supervisor);
    await this.boss?.stop({ graceful: false, wait: true }).catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    this.boss = null;
    this.listener = null;
    this.pool = null;
  }

  plan(task: Task, attempt: number): BuildPlan {
    // The worker that takes it keeps the log and the worktree; its own paths come back with the end.
    return { workspace: `(a worker's) workspaces/${task.id}`, logPath: `(a worker's) logs/${task.id}/attempt-${attempt}.log` };
  }

  start(req: BuildRequest): BuildHandle {
    const { task, attempt } = req;
    return this.follow(task, attempt, req.onProgress, async (db) => {
      await queueRun(db, task.id, attempt);
      await this.dispatch(db, { task, attempt, timeoutMs: req.timeoutMs });
    });
  }

  /**
   * After a restart: a run a worker still has (or that waits in the queue) is followed again, not
   * given up: its agent carries on, and its end is recorded when it comes. Null for a run that was
   * never queued or was given up; the engine then counts the attempt interrupted, as for a local crash.
   */
  async adopt(req: AdoptRequest): Promise<BuildHandle | null> {
    const { task, attempt } = req;
    const row = await readRun(this.db(), task.id, attempt.n);
    if (!row || row.state === 'lost' || row.state === 'ended') return null;
    return this.follow(task, attempt.n, req.onProgress, async (db) => {
      // Queued when nightshift stopped: its job may not have reached pg-boss. Sent again; only one
      // worker can move the row out of 'queued', so a second copy of the job is skipped.
      if (row.state === 'queued') await this.dispatch(db, { task, attempt: attempt.n, timeoutMs: req.timeoutMs });
    });
  }

  /** After a restart: the end a worker recorded for an attempt while nightshift was down. */
  async finishedEnd(task: Task, attempt: Attempt): Promise<BuildResult | null> {
    const row = await readRun(this.db(), task.id, attempt.n);
    return row?.state === 'ended' && row.result ? row.result : null;
  }

  /** After a restart: a run this daemon no longer follows is given up; its worker stops the agent at its next heartbeat. */
  async reap(task: Task, attempt: Attempt): Promise<boolean> {
    const lost = await loseRuns(this.db(), 'nightshift restarted and gave the attempt up', { taskId: task.id, attempt: attempt.n });
    return lost.length > 0;
  }

  /** Puts the attempt on its queue (its label's, when it asks for one), and wakes idle workers. */
  private async dispatch(db: pg.Pool, job: RunJob & { task: Task }): Promise<void> {
    const label = job.task.runsOn;
    const queue = label ? labelQueue(label) : ATTEMPT_QUEUE;
    if (label) await this.boss?.createQueue(queue);
    // Kept past the build's own timeout: the heartbeat, not pg-boss's expiry, says a worker died.
    await this.boss?.send(queue, job, { retryLimit: 0, expireInSeconds: Math.ceil(job.timeoutMs / 1000) + 3600 });
    await db.query('SELECT pg_notify($1, $2)', [DISPATCH_CHANNEL, queue]);
  }

  /**
   * The handle of a run followed through its row: progress as its worker reports it, its end when
   * recorded, and, while no worker has taken it, what it waits for. `begin` queues it (or not).
   */
  private follow(task: Task, attempt: number, onProgress: (p: Progress) => void, begin: (db: pg.Pool) => Promise<void>): BuildHandle {
    const db = this.db();
    let settle!: (r: BuildResult) => void;
    const result = new Promise<BuildResult>((resolve) => (settle = resolve));
    const k = runKey(task.id, attempt);
    const label = task.runsOn;
    let done = false;
    let taken = false;
    const finish = (r: BuildResult) => {
      if (done) return;
      done = true;
      this.watches.delete(k);
      settle(r);
    };
    const watch: Watch = {
      onRow: (row) => {
        if (row.state !== 'queued') taken = true;
        if (row.progress && (row.state === 'running' || row.state === 'cancelling')) onProgress(row.progress);
        if (row.state === 'ended' && row.result) finish(row.result);
        if (row.state === 'lost') finish(lostResult(row.why ?? 'its worker stopped answering'));
      },
      waiting: async () => {
        if (taken || done) return;
        const up = await this.workersUp(label).catch(() => 1);
        if (up === 0 && !taken && !done) {
          onProgress({ at: new Date().toISOString(), percent: null, message: label ? `waiting for a worker labelled ${label}: none is up` : 'waiting for a worker: none is up (start "nightshift worker")' });
        }
      },
    };
    this.watches.set(k, watch);
    void (async () => {
      await begin(db);
      await this.changed(k); // as it stands now (an adopted run may have moved while nobody listened)
      await watch.waiting();
    })().catch((e: unknown) => finish(failed(`could not hand the attempt to the workers: ${e instanceof Error ? e.message : String(e)}`)));
    return {
      pid: undefined,
      result,
      cancel: async (why: string) => {
        await cancelRun(db, task.id, attempt, why).catch((e: unknown) => finish(failed(`could not reach the workers to cancel: ${String(e)}`)));
        await result;
      },
      detach: () => {
        done = true;
        this.watches.delete(k);
      },
    };
  }

  private async changed(payload: string): Promise<void> {
    // The payload is the run's key, as the watches are.
    const watch = this.watches.get(payload);
    if (!watch) return;
    const { taskId, attempt } = parseRunKey(payload);
    const row = await readRun(this.db(), taskId, attempt).catch(() => null);
    if (row) watch.onRow(row);
  }

  /** The labels the workers have (for "build X on macos"). */
  labels(): readonly string[] {
    return this.knownLabels;
  }

  /** Workers heard from within WORKER_TIMEOUT that may take the attempt (with the label, when it asks for one). */
  private async workersUp(label: string | undefined): Promise<number> {
    const r = await this.db().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM nightshift_workers
       WHERE heartbeat_at > now() - make_interval(secs => $1::double precision / 1000) AND ($2::text IS NULL OR $2 = ANY(labels))`,
      [this.opts.staleMs, label ?? null],
    );
    return r.rows[0]?.n ?? 0;
  }

  /** Silent workers' runs are lost; and every followed run is read again, in case a notification was missed. */
  private async supervise(): Promise<void> {
    if (!this.pool) return;
    try {
      await loseRuns(this.pool, 'its worker stopped answering', { staleMs: this.opts.staleMs });
      const labels = await this.pool.query<{ label: string }>('SELECT DISTINCT unnest(labels) AS label FROM nightshift_workers ORDER BY 1');
      this.knownLabels = labels.rows.map((r) => r.label);
      for (const [k, watch] of [...this.watches]) {
        await this.changed(k);
        await watch.waiting();
      }
    } catch (e) {
      (this.opts.logger ?? silentLogger).warn('could not check on the workers', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private db(): pg.Pool {
    if (!this.pool) throw new Error('the dispatch to workers is not connected');
    return this.pool;
  }
}

const failed = (reason: string): BuildResult => ({ outcome: 'failed', reason, exitCode: null, signal: null, logTail: '', deliverables: {}, durationMs: 0 });

/** A run given up on: a failure another attempt may fix (on a worker that answers). */
const lostResult = (why: string): BuildResult => failed(`the attempt was lost: ${why}`);
