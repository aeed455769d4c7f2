// `nightshift worker`: takes attempts from the team's queue (pg-boss on DATABASE_URL) and runs
// each with the same builder a single nightshift uses, in local worktrees of the task's project,
// pushing the branch as the project says. Its progress and end go back through nightshift_runs, where
// the daemon follows them. It proves it is alive with heartbeats, and stops an agent the moment
// its run is no longer its own (cancelled, or given up on), or when it cannot reach the database
// for as long as the daemon would wait: a run is never carried on twice.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { BuildHandle, Builder, BuildResult, Logger, Progress } from '../core/ports.ts';
import { silentLogger } from '../core/ports.ts';
import { Task } from '../core/task.ts';
import { migrate } from '../store/postgres/pg-task-store.ts';
import { DISPATCH_CHANNEL } from '../store/postgres/schema.ts';
import { forgetRun, notedRuns, noteRun } from './run-files.ts';
import { ATTEMPT_QUEUE, cancelledBeforeStart, claimRun, endRun, endRunLate, giveUpRun, heartbeat, labelQueue, parseRunKey, reportProgress, runKey, type RunJob, type RunState } from './runs.ts';

/** How often an idle slot asks the queue again. */
const POLL_MS = 500;

export interface WorkerOptions {
  url: string;
  /** NIGHTSHIFT_HOME of this worker (it holds the home's lock): its notes of the runs it takes. */
  home: string;
  builder: Builder;
  slots: number;
  labels: string[];
  /** WORKER_TIMEOUT: heartbeats go out six times within it; cut off this long, the worker stops its agents. */
  staleMs: number;
  logger?: Logger;
  /** A line for the person who started it. */
  say?: (line: string) => void;
}

interface Running {
  handle: BuildHandle;
  stopping: boolean;
  /** Set when the worker itself stops it (shut down, or cut off from the database): not the task's end. */
  handBack?: string;
}

export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private pool: pg.Pool | null = null;
  private boss: PgBoss | null = null;
  private beat: NodeJS.Timeout | undefined;
  private lastBeat = Date.now();
  /** A heartbeat is on the wire: the next waits (a hung one ends at the pool's query timeout). */
  private beating = false;
  private readonly running = new Map<string, Running>();
  /** Runs being claimed or started: theirs by now, perhaps, but not in `running` yet. */
  private readonly starting = new Set<string>();
  private queues: string[] = [];
  private readonly slots: Promise<void>[] = [];
  private stopped = false;
  /** Idle slots, each woken by a dispatch (or its poll). */
  private readonly idle = new Set<() => void>();
  private listener: pg.Client | null = null;

  constructor(private readonly opts: WorkerOptions) {}

  async start(): Promise<void> {
    const log = this.opts.logger ?? silentLogger;
    // A query or a connection that hangs (a network cut without a reset) fails within a third of
    // WORKER_TIMEOUT, so the worker learns it is cut off while there is time to stop its agents.
    const within = Math.max(1_000, Math.round(this.opts.staleMs / 3));
    this.pool = new pg.Pool({ connectionString: this.opts.url, max: this.opts.slots + 3, application_name: 'nightshift-worker', connectionTimeoutMillis: within, query_timeout: within });
    this.pool.on('error', (e) => log.warn('a PostgreSQL connection of the worker failed', { error: e.message }));
    const client = await this.pool.connect();
    try {
      await migrate(client, log);
    } finally {
      client.release();
    }
    await this.pool.query('INSERT INTO nightshift_workers (id, host, labels, slots) VALUES ($1, $2, $3, $4)', [this.id, hostname(), this.opts.labels, this.opts.slots]);
    // pg-boss hands all its options to its pg.Pool (src/db.js), though its types list only its own:
    // its calls time out like the worker's own, so a stop is not held by a hung fetch.
    const bossOptions: PgBoss.ConstructorOptions & Pick<pg.PoolConfig, 'connectionTimeoutMillis' | 'query_timeout'> = {
      connectionString: this.opts.url,
      max: 2,
      schedule: false,
      supervise: false,
      connectionTimeoutMillis: within,
      query_timeout: within,
    };
    this.boss = new PgBoss(bossOptions);
    this.boss.on('error', (e: Error) => log.warn('pg-boss failed', { error: e.message }));
    await this.boss.start();
    await this.boss.createQueue(ATTEMPT_QUEUE);
    this.beat = setInterval(() => void this.heartbeat(), Math.max(100, this.opts.staleMs / 6));
    // The daemon says when it queued an attempt: idle slots ask at once instead of at their next
    // poll (measured: the wait between builds of one worker went from ~500 ms to ~3 ms). The poll
    // stays, for a notification missed while the connection was down.
    this.listener = new pg.Client({ connectionString: this.opts.url, application_name: 'nightshift-worker' });
    this.listener.on('error', (e) => log.warn('the dispatch listener failed; polling only', { error: e.message }));
    this.listener.on('notification', () => {
      for (const wake of [...this.idle]) wake();
    });
    await this.listener.connect();
    await this.listener.query(`LISTEN ${DISPATCH_CHANNEL}`);
    await this.settleLeftRuns();
    // Its labels' queues first (work only it can do), then everyone's.
    this.queues = [...this.opts.labels.map(labelQueue), ATTEMPT_QUEUE];
    for (const q of this.queues) await this.boss.createQueue(q);
    for (let i = 0; i < this.opts.slots; i++) this.slots.push(this.slot());
    this.opts.say?.(`nightshift worker ${this.id}: ${this.opts.slots} slot${this.opts.slots === 1 ? '' : 's'}${this.opts.labels.length ? `, labels ${this.opts.labels.join(', ')}` : ''}; builds with ${this.opts.builder.name}.`);
  }

  /** One build at a time: takes the next attempt from pg-boss (SKIP LOCKED), runs it, and asks again. */
  private async slot(): Promise<void> {
    const boss = this.boss;
    while (boss && !this.stopped) {
      const job = await this.next(boss).catch((e: unknown) => {
        (this.opts.logger ?? silentLogger).warn('could not ask the queue for work', { error: e instanceof Error ? e.message : String(e) });
        return null;
      });
      if (!job) {
        await new Promise<void>((r) => {
          const wake = () => {
            this.idle.delete(wake);
            r();
          };
          this.idle.add(wake);
          setTimeout(wake, POLL_MS).unref();
        });
        continue;
      }
      const ran = await this.run(job.data).catch((e: unknown) => {
        (this.opts.logger ?? silentLogger).warn('an attempt could not be run', { error: String(e) });
        return 'done' as const;
      });
      // An earlier attempt of the task is still being stopped: the job goes back on its queue for a
      // second from now (this copy is completed), and whichever worker is free then takes it.
      if (ran === 'wait') await boss.send(job.name, job.data, { startAfter: 1, retryLimit: 0, expireInSeconds: Math.ceil(job.data.timeoutMs / 1000) + 3600 }).catch(() => undefined);
      await boss.complete(job.name, job.id).catch(() => undefined);
    }
  }

  private async next(boss: PgBoss): Promise<PgBoss.Job<RunJob> | null> {
    for (const q of this.queues) {
      const [job] = (await boss.fetch<RunJob>(q, { batchSize: 1 })) ?? [];
      if (job) return job;
    }
    return null;
  }

  /**
   * Stops taking work. What runs may finish for `graceMs` (SHUTDOWN_GRACE: an agent that has just
   * exited has its work collected and its end recorded); the rest is ended and handed back, and
   * the daemon gives it to another worker.
   */
  async stop(graceMs = 0): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.idle]) wake();
    if (graceMs > 0 && this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(this.slots), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    await this.listener?.end().catch(() => undefined);
    await Promise.all([...this.running.values()].map((r) => this.stopRun(r, `worker ${this.id} was stopped`, true)));
    // Each slot records its attempt's end (handed back) before the connections close.
    await Promise.all(this.slots);
    clearInterval(this.beat);
    await this.pool?.query('DELETE FROM nightshift_workers WHERE id = $1', [this.id]).catch(() => undefined);
    await this.boss?.stop({ graceful: false, wait: true }).catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
  }

  /** Claims the attempt and builds it; 'wait' when an earlier attempt of the task is still being stopped. */
  private async run(job: RunJob): Promise<'done' | 'wait'> {
    const db = this.db();
    const task = Task.parse(job.task);
    const { attempt } = job;
    const k = runKey(task.id, attempt);
    this.starting.add(k);
    try {
      // A claim that failed on our side may still have been made on the server: the heartbeat gives
      // up any run of ours that is not running here.
      const claim = await claimRun(db, task.id, attempt, this.id, this.opts.staleMs);
      if (claim === 'wait') return 'wait';
      if (claim === 'gone') return 'done'; // cancelled or given up before it was taken
      const log = this.opts.logger ?? silentLogger;
      await noteRun(this.opts.home, { job, workerId: this.id }, task.id).catch((e: unknown) => log.warn('could not note a run in NIGHTSHIFT_HOME', { task: task.id, error: String(e) }));
      if (this.stopped) {
        // Stopping: handed straight back, never started.
        await endRun(db, task.id, attempt, this.id, { ...cancelledBeforeStart(handedBackReason(`worker ${this.id} was stopped`)), handedBack: true });
        await forgetRun(this.opts.home, task.id, attempt);
        return 'done';
      }
      await this.build(db, task, job, k, log);
      return 'done';
    } finally {
      this.starting.delete(k);
    }
  }

  private async build(db: pg.Pool, task: Task, job: RunJob, k: string, log: Logger): Promise<void> {
    const { attempt } = job;
    let lastSent = 0;
    let pending: Progress | null = null;
    const send = () => {
      if (!pending) return;
      const p = pending;
      pending = null;
      lastSent = Date.now();
      void reportProgress(db, task.id, attempt, this.id, p).catch(() => undefined);
    };
    const handle = this.opts.builder.start({
      task,
      attempt,
      plan: this.opts.builder.plan(task, attempt),
      timeoutMs: job.timeoutMs,
      // At most a few a second on the wire; the newest one always goes.
      onProgress: (p) => {
        pending = p;
        if (Date.now() - lastSent >= 250) send();
        else setTimeout(send, 250).unref();
      },
    });
    const running: Running = { handle, stopping: false };
    this.running.set(k, running);
    const ended = await handle.result;
    this.running.delete(k);
    send();
    // Stopped by its worker, not by the task's owner: handed back unfinished, to be run again (its
    // worktree and session stay here; the next attempt starts on the branch wherever it runs).
    // Only when the stop is what ended it: work that finished meanwhile (its check, its push) keeps its own end.
    const result: BuildResult = running.handBack && ended.outcome === 'cancelled' ? { ...ended, handedBack: true, reason: handedBackReason(running.handBack) } : ended;
    const kept = await endRun(db, task.id, attempt, this.id, result).then(
      (own) => own,
      (e: unknown) => {
        log.warn('could not record the end of an attempt', { task: task.id, attempt, error: String(e) });
        return null;
      },
    );
    if (kept === false) log.info('an attempt ended after it was no longer this worker’s; its end is not recorded', { task: task.id, attempt });
    // Kept when the database could not be reached: the next worker in this home settles the run.
    if (kept !== null) await forgetRun(this.opts.home, task.id, attempt).catch(() => undefined);
  }

  /**
   * The runs a worker that died in this home left unsettled (its notes): an attempt whose agent had
   * finished has that end recorded (read as a single nightshift reads it after a crash: the end
   * record, or the keeper's exit record with the work in git), instead of being built again; one
   * that had not is given up at once, so the daemon retries it without waiting for WORKER_TIMEOUT.
   * What is left of its processes is ended first.
   */
  private async settleLeftRuns(): Promise<void> {
    const log = this.opts.logger ?? silentLogger;
    const { builder, home } = this.opts;
    for (const note of await notedRuns(home, (what) => log.warn('an unreadable run note was removed', { what }))) {
      if (note.workerId === this.id) continue;
      const parsed = Task.safeParse(note.job.task);
      const n = note.job.attempt;
      if (!parsed.success) {
        await forgetRun(home, note.taskId, n);
        continue;
      }
      const task = parsed.data;
      const dispatched = task.attempts.find((a) => a.n === n);
      // The attempt as this home knows it: its log here, not the daemon's placeholder.
      const attempt = { ...(dispatched ?? { n, startedAt: new Date().toISOString(), outcome: 'running' as const, builder: builder.name, counts: true, demo: false }), logPath: builder.plan(task, n).logPath, pid: undefined };
      await builder.reap?.(task, attempt).catch(() => false);
      const ended = await builder.finishedEnd?.(task, attempt).catch(() => null);
      const db = this.db();
      try {
        if (ended) {
          const taken = await endRunLate(db, task.id, n, note.workerId, ended);
          this.opts.say?.(`${task.id} attempt ${n} had ${ended.outcome === 'succeeded' ? 'finished' : `ended (${ended.outcome})`} when the worker before this one died here: ${taken ? 'its end is recorded now' : 'too late to record, another attempt has begun'}.`);
        } else if (await giveUpRun(db, task.id, n, note.workerId, `its worker died mid-build (${note.workerId}); a worker restarted on ${hostname()} found it unfinished`)) {
          this.opts.say?.(`${task.id} attempt ${n} was unfinished when the worker before this one died here: given up, the daemon builds it again.`);
        }
      } catch (e) {
        // Kept for the next start: the daemon gives the run up after WORKER_TIMEOUT meanwhile.
        log.warn('could not settle a run a dead worker left; its note is kept', { task: task.id, attempt: n, error: e instanceof Error ? e.message : String(e) });
        continue;
      }
      await forgetRun(home, task.id, n);
    }
  }

  private async heartbeat(): Promise<void> {
    // Cut off for half as long as the daemon waits for a heartbeat: the agents are stopped now,
    // well before the daemon gives their runs up and another worker may start them again. Checked
    // on the clock, not on a failed query: a connection cut without a word can hang a query.
    if (Date.now() - this.lastBeat > fenceAfterMs(this.opts.staleMs)) {
      for (const r of this.running.values()) void this.stopRun(r, `worker ${this.id} lost the database`, true);
    }
    if (this.beating) return;
    this.beating = true;
    let states: Map<string, RunState>;
    const sentAt = Date.now();
    try {
      states = await heartbeat(this.db(), this.id);
      // As of when it was sent: the row's heartbeat_at is no later than that.
      this.lastBeat = sentAt;
    } catch (e) {
      (this.opts.logger ?? silentLogger).warn('could not send a heartbeat', { error: e instanceof Error ? e.message : String(e) });
      return;
    } finally {
      this.beating = false;
    }
    for (const [k, r] of this.running) {
      const state = states.get(k);
      if (state === 'cancelling') void this.stopRun(r, 'cancelled');
      else if (state === undefined) void this.stopRun(r, 'the daemon gave this attempt up');
    }
    // A run the database has as ours that runs nowhere here (a claim whose answer was lost): given
    // up, so the daemon retries it instead of waiting on a heartbeat that never ends.
    for (const k of states.keys()) {
      if (this.running.has(k) || this.starting.has(k)) continue;
      const { taskId, attempt } = parseRunKey(k);
      void giveUpRun(this.db(), taskId, attempt, this.id, `worker ${this.id} was not running it`).catch(() => undefined);
    }
  }

  private async stopRun(r: Running, why: string, handBack = false): Promise<void> {
    if (r.stopping) return;
    r.stopping = true;
    if (handBack) r.handBack = why;
    await r.handle.cancel(why);
  }

  private db(): pg.Pool {
    if (!this.pool) throw new Error('the worker is not connected');
    return this.pool;
  }
}

/** Why an attempt its worker stopped unfinished (shut down, or cut off) ended: it is run again elsewhere, at no cost. */
const handedBackReason = (why: string): string => `${why}; the attempt was handed back to the queue`;

/**
 * How long a worker cut off from the database carries on before it stops its agents: half of
 * WORKER_TIMEOUT, so they are gone (a polite stop, then a forced one) before the daemon gives the
 * runs up and may hand them to another worker. Never two agents on one attempt, even split apart.
 */
export const fenceAfterMs = (staleMs: number): number => staleMs / 2;

/** The worker's settings, from the config. */
export function workerOptions(config: Config): Pick<WorkerOptions, 'home' | 'slots' | 'labels' | 'staleMs'> {
  return { home: config.home, slots: config.team.workerSlots, labels: config.team.workerLabels, staleMs: config.team.workerTimeoutMs };
}

/**
 * How long an agent a worker stops (or that outlived its worker) gets between SIGTERM and SIGKILL:
 * 5 s, or less with a short WORKER_TIMEOUT, so it is gone before the daemon may start the attempt
 * elsewhere (stopped at half the timeout, plus a quarter).
 */
export const agentKillGraceMs = (staleMs: number): number => Math.min(5_000, Math.floor(staleMs / 4));
