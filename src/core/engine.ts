// The queue engine: applies transitions, persists them, then announces them; starts builds the
// moment the schedule allows (event-driven) with a timer only as the safety net for time-based
// moves; supervises running builds; recovers after a crash; shuts down gracefully.
import { checkSafety } from './safety.ts';
import { decideSchedule, type DeadlineRisk, type ScheduleDecision } from './schedule.ts';
import type { Policy } from './policy.ts';
import {
  type Announcer,
  type Builder,
  type BuildHandle,
  type BuildResult,
  type Clock,
  type CoreEvent,
  type Logger,
  type Progress,
  type TaskStore,
  type TaskLinks,
  type ThreadLink,
} from './ports.ts';
import { asPersistError } from './persist-error.ts';
import { readableTail } from './readable-tail.ts';
import { planReminders } from './reminders.ts';
import { err, ok, userError, type Result } from './result.ts';
import { Serial } from './serial.ts';
import { formatDuration } from './durations.ts';
import { estimateFor, specWords, type DurationSample, type Estimate } from './estimate.ts';
import { formatOwnerTime } from './time-of-day.ts';
import type { Summary } from './summary.ts';
import type { ProjectCatalog } from './projects.ts';
import { isTerminal, type Origin, type PlanStep, type Priority, type Task, type TaskDraft, type TaskEvent, type TaskId } from './task.ts';
import * as T from './transitions.ts';

export interface EngineDeps {
  store: TaskStore;
  builder: Builder;
  policy: Policy;
  clock: Clock;
  logger: Logger;
  /**
   * False for a CLI one-shot that changes state without running builds (no daemon is running):
   * the engine then never spawns anything.
   */
  runBuilds: boolean;
  /** Removes secrets from text that came from a builder before anyone is told it. */
  redact?: (text: string) => string;
  /**
   * At most one progress announcement per task per this many ms (default 250): a builder printing
   * hundreds of lines a second is told to the adapters as its newest state a few times a second.
   */
  progressEveryMs?: number;
}

interface Running {
  handle: BuildHandle;
  attempt: number;
  startedAt: number;
  /** The task as last committed: what a progress announcement carries, without asking the store. */
  task: Task;
  /** Set when a person cancelled the build: who. */
  cancelledBy?: string;
  /** Set when nightshift is shutting down: the attempt is recorded as interrupted, at no cost. */
  shutdown?: boolean;
  /**
   * The builder has ended but its end is not on disk yet (NIGHTSHIFT_HOME cannot be written): the
   * result waits here, the task keeps its slot, and recordEnd keeps trying.
   */
  ended?: BuildResult;
  settled: Promise<void>;
  /** Resolves `settled` without an end: the build was let go of at shutdown (detach), not ended. */
  letGo?: () => void;
}

/** Back-off between tries to record a build's end while NIGHTSHIFT_HOME cannot be written: 1 s, doubling, at most a minute. */
const RECORD_RETRY_MS = (tries: number): number => Math.min(60_000, 1_000 * 2 ** Math.max(0, tries - 1));

/** How many recent successful builds feed the estimates (see estimate.ts). */
const DURATION_SAMPLES = 200;
const PROGRESS_EVERY_MS = 250;

/** One task's progress between announcements: the newest line, and whether it is still untold. */
interface ProgressState {
  latest: Progress;
  untold: boolean;
  /** When the last announcement went out (clock ms). */
  toldAt: number;
  timer: unknown;
}

export class Engine {
  private readonly serial = new Serial();
  private readonly announcers = new Set<Announcer>();
  private readonly running = new Map<TaskId, Running>();
  private readonly progress = new Map<TaskId, ProgressState>();
  private readonly durations: DurationSample[] = [];
  private wakeTimer: unknown = null;
  /** The schedule pass waiting to run: every kick until it begins joins it (see kick). */
  private queuedPass: Promise<void> | null = null;
  /** What the newest schedule pass decided, as it acted on it: replies describe tasks from it. */
  private lastPass: ScheduleDecision | null = null;
  private stopping = false;
  private taskLinks: TaskLinks | null = null;
  private projectCatalog: ProjectCatalog | null = null;
  private readonly threadLinks = new Map<string, ThreadLink>();
  private labelsOfWorkers: (() => readonly string[]) | null = null;
  private idleWaiters: (() => void)[] = [];
  /** Background work (workspace cleanup, pid records): shutdown waits for it. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: EngineDeps) {}

  get policy(): Policy {
    return this.deps.policy;
  }
  get builderName(): string {
    return this.deps.builder.name;
  }
  get builderIsDemo(): boolean {
    return this.deps.builder.isDemo;
  }
  get runsBuilds(): boolean {
    return this.deps.runBuilds;
  }

  /** Links to the dashboard, once it listens: every message may point at a task's page. */
  /** PROJECTS_FILE's projects: requests are routed to one (commands/build.ts); unset without the file. */
  useProjects(catalog: ProjectCatalog | null): void {
    this.projectCatalog = catalog;
  }
  get projects(): ProjectCatalog | null {
    return this.projectCatalog;
  }

  /** Team mode: the labels of the workers (for "build X on macos"); unset, builds run here. */
  useWorkerLabels(labels: () => readonly string[]): void {
    this.labelsOfWorkers = labels;
  }
  /** The workers' labels, or null when this nightshift builds itself (no workers). */
  get workerLabels(): readonly string[] | null {
    return this.labelsOfWorkers?.() ?? null;
  }

  /** A chat adapter says how to link to a task's thread (for its pull request). */
  useThreadLink(adapter: string, link: ThreadLink): void {
    this.threadLinks.set(adapter, link);
  }

  /** Where a task is discussed (the thread of the chat it came from, else any) and shown (the dashboard). */
  async placesOf(task: Task): Promise<{ threadUrl?: string; taskPageUrl?: string }> {
    const links = [this.threadLinks.get(task.origin.adapter), ...this.threadLinks.values()].filter((l) => l !== undefined);
    let threadUrl: string | null = null;
    for (const link of links) {
      threadUrl = await link(task.id).catch(() => null);
      if (threadUrl) break;
    }
    const page = this.taskLinks?.task(task.id);
    return { ...(threadUrl ? { threadUrl } : {}), ...(page ? { taskPageUrl: page } : {}) };
  }

  useLinks(links: TaskLinks | null): void {
    this.taskLinks = links;
  }
  get links(): TaskLinks | null {
    return this.taskLinks;
  }

  subscribe(announcer: Announcer): () => void {
    this.announcers.add(announcer);
    return () => this.announcers.delete(announcer);
  }

  /** Accounts for work a crash left behind, then starts whatever may start. */
  async start(): Promise<void> {
    await this.serial.run(async () => {
      const history = await this.deps.store.history({ limit: 200 });
      for (const t of history) {
        const a = T.lastAttempt(t);
        if (t.status === 'done' && a?.durationMs) this.recordDuration(t, a.builder, a.durationMs);
      }
      for (const task of this.deps.store.live().filter((t) => t.status === 'building')) {
        await this.recoverInterrupted(task);
      }
      if (this.deps.runBuilds) await this.holdStaleWork();
    });
    this.tidy();
    await this.kick();
  }

  private async recoverInterrupted(task: Task): Promise<void> {
    const attempt = T.lastAttempt(task);
    // Its agent still at work under its keeper (nightshift died, the agent did not): taken back,
    // not ended and run again. A one-shot leaves it be, for the daemon to take back.
    if (attempt?.outcome === 'running' && !this.deps.runBuilds && this.deps.builder.stillRunning?.(task, attempt)) return;
    const handle =
      attempt?.outcome === 'running' && this.deps.runBuilds
        ? await Promise.resolve(this.deps.builder.adopt?.({ task, attempt, timeoutMs: this.deps.policy.buildTimeoutMs, onProgress: (p) => this.onProgress(task.id, p) })).catch((e: unknown) => {
            this.deps.logger.warn(`${task.id}: could not learn whether its build still runs; it counts as interrupted`, { task: task.id, error: e instanceof Error ? e.message : String(e) });
            return null;
          })
        : null;
    if (attempt && handle) {
      this.track(task, attempt.n, handle, Date.parse(attempt.startedAt));
      this.deps.logger.warn(`${task.id} was still building when nightshift started again; it is taken back, not run again`, { task: task.id });
      return;
    }
    if (attempt && this.deps.builder.reap) {
      const reaped = await this.deps.builder.reap(task, attempt).catch(() => false);
      if (reaped) this.deps.logger.warn('ended a builder left running by a crash', { task: task.id, pid: attempt.pid });
    }
    // The builder may have finished before nightshift stopped: its own record of the end is
    // recorded now, and finished work is not run again.
    const ended = attempt ? await this.deps.builder.finishedEnd?.(task, attempt).catch(() => null) : null;
    if (ended) {
      const clean = { ...ended, reason: this.redact(ended.reason), logTail: this.redact(ended.logTail) };
      const done = T.finishAttempt(task, ended.handedBack ? { ...clean, outcome: 'interrupted', counts: false } : clean, this.deps.policy, this.now());
      if (done.ok) {
        await this.commit(done.value);
        this.deps.logger.warn(`${task.id} had finished (${ended.outcome}) before nightshift stopped; its end is recorded now, not run again`, { task: task.id });
        if (done.value.status === 'escalated') this.emit({ type: 'owner_attention', task: done.value, reason: 'escalated', message: escalationMessage(done.value, clean) });
        return;
      }
    }
    // The agent's own session, when it named one, so the next attempt can continue it.
    const session = attempt && !attempt.sessionId ? await this.deps.builder.sessionOf?.(task, attempt).catch(() => undefined) : undefined;
    const r = T.recoverInterrupted(task, this.deps.policy, this.now(), session);
    if (!r.ok) return;
    await this.commit(r.value, 'interrupted');
    this.deps.logger.warn(`${task.id} was building when nightshift stopped unexpectedly; its attempt counts as failed`, { task: task.id });
  }

  /**
   * Work a crash or a shutdown interrupted longer ago than RESUME_MAX_AGE waits for the owner
   * (holdStale) instead of starting again unasked: nothing stale runs without asking, nothing is dropped.
   */
  private async holdStaleWork(): Promise<void> {
    const maxAge = this.deps.policy.resumeMaxAgeMs;
    if (maxAge === null) return;
    const now = this.now();
    const held = this.deps.store.live().flatMap((task) => {
      const last = T.lastAttempt(task);
      if ((task.status !== 'queued' && task.status !== 'failed') || last?.outcome !== 'interrupted') return [];
      const age = now.getTime() - Date.parse(last.startedAt);
      if (age <= maxAge) return [];
      const r = T.holdStale(task, formatDuration(age), now);
      return r.ok ? [r.value] : [];
    });
    await this.commitAll(held);
  }

  // ---- reading -------------------------------------------------------------------------------

  live(): Task[] {
    return this.deps.store.live();
  }

  /** One live task as it stands, or null when it is not live (finished, or no such id). From memory: no copy, no scan. */
  liveTask(id: TaskId): Task | null {
    return this.deps.store.getLive(id);
  }

  async get(id: TaskId): Promise<Task | null> {
    return this.deps.store.get(id);
  }

  history(query?: { since?: Date; limit?: number }): Promise<Task[]> {
    return this.deps.store.history(query);
  }

  progressOf(id: TaskId): Progress | null {
    const state = this.progress.get(id);
    return state ? this.redactProgress(state.latest) : null;
  }

  /** The schedule as it stands now: what waits, for what, until when. One full pass over the live tasks. */
  schedule(tasks: Task[] = this.deps.store.live()): ScheduleDecision {
    return decideSchedule({
      tasks,
      now: this.now(),
      policy: this.deps.policy,
      typicalDurationMs: this.typicalDurationMs(),
    });
  }

  /**
   * What the newest schedule pass decided, for a reply right after a submit or a change: each of
   * those resolves only after a pass that began once it was committed, so this covers it, and it
   * costs nothing. Its `start` lists only what the pass really started (none while stopping), so
   * "starting now" is never said of a task that is not. Before the first pass, a fresh one.
   */
  latestSchedule(): ScheduleDecision {
    if (this.stopping) return { ...(this.lastPass ?? this.schedule()), start: [] };
    return this.lastPass ?? this.schedule();
  }

  /** The median of recent builds by this builder (any builder's, without its own): the schedule's fallback estimate. */
  typicalDurationMs(): number | null {
    const mine = this.durations.filter((s) => s.builder === this.deps.builder.name);
    const sorted = (mine.length > 0 ? mine : this.durations).map((s) => s.durationMs).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? null;
  }

  /** How long this task will take: the owner's --eta, or comparable past builds (estimate.ts); null with neither. */
  estimate(task: Pick<Task, 'estimateMs' | 'spec'>): Estimate | null {
    return estimateFor(task, this.deps.builder.name, this.durations);
  }

  getMeta<V>(key: string): V | undefined {
    return this.deps.store.getMeta<V>(key);
  }

  setMeta(key: string, value: unknown): Promise<void> {
    return this.serial.run(() => this.deps.store.setMeta(key, value));
  }

  // ---- changing ------------------------------------------------------------------------------

  /** Creates tasks from drafts: safety-checked, persisted, announced, then scheduled. */
  async submit(drafts: TaskDraft[], origin: Origin): Promise<Task[]> {
    const created = await this.serial.run(async () => {
      const now = this.now();
      const ids = this.deps.store.allocateIds(drafts.length);
      const tasks = drafts.map((d, i) => {
        return T.createTask(ids[i] as TaskId, d, origin, this.check(d.request, d.priority, now), now);
      });
      await this.deps.store.put(...tasks);
      for (const t of tasks) {
        this.emit({ type: 'task_created', task: t });
        if (t.status === 'awaiting_approval') {
          this.emit({ type: 'owner_attention', task: t, reason: 'approval', message: approvalMessage(t) });
        }
      }
      return tasks;
    });
    await this.kick();
    return created;
  }

  approve(id: TaskId, by: string): Promise<Result<Task>> {
    return this.change(id, (t, now) => T.approve(t, by, now));
  }

  reject(id: TaskId, by: string, why?: string): Promise<Result<Task>> {
    return this.change(id, (t, now) => T.reject(t, by, now, why));
  }

  retry(id: TaskId, by: string): Promise<Result<Task>> {
    return this.change(id, (t, now) => T.retry(t, by, now));
  }

  /** Takes an escalated task's built work as it is, checks failing (T.accept); it is done, so its workspace falls under the cleanup policy. */
  async accept(id: TaskId, by: string): Promise<Result<Task>> {
    const r = await this.change(id, (t, now) => T.accept(t, by, now));
    if (r.ok) this.tidy();
    return r;
  }

  setPriority(id: TaskId, priority: Priority, by: string): Promise<Result<Task>> {
    return this.change(id, (t, now) => T.setPriority(t, priority, by, this.check(t.spec, priority, now), now));
  }

  private check(spec: string, priority: Priority, now: Date) {
    return checkSafety({ text: spec, priority }, this.deps.policy.safetyExtras, now);
  }

  /**
   * `title`: what the clarification says the task is (see T.clarify: used only for a vague task not
   * yet started). `decider`: the owner or an approver said it: only their clarifications may answer
   * what the task waits for ("the key is in .env now"); the asker's add to the spec.
   */
  clarify(id: TaskId, text: string, by: string, opts: { title?: string; decider?: boolean } = {}): Promise<Result<Task>> {
    return this.change(id, (t, now) => {
      const clarifications = [...t.clarifications, { by, text: text.trim(), decider: opts.decider ?? false }];
      const answers = clarifications.filter((c) => c.decider).map((c) => c.text);
      const verdict = checkSafety({ text: T.specWith(t.request, clarifications), priority: t.priority, answers }, this.deps.policy.safetyExtras, now);
      return T.clarify(t, text, by, verdict, now, opts.title, opts.decider ?? false);
    });
  }

  /**
   * Cancels a task. A running build is ended (its whole process tree) first; the task is recorded
   * as cancelled when the builder is gone. Whether a build is running is decided inside the
   * serial section, so a cancel can never slip between an attempt's record and its spawn.
   */
  async cancel(id: TaskId, by: string): Promise<Result<Task>> {
    let run: Running | undefined;
    const result = await this.serial.run(async (): Promise<Result<Task> | null> => {
      run = this.running.get(id);
      const ended = run?.ended;
      if (ended) {
        // Its builder is gone; only its end waits to be written. Nothing to stop, and nothing can be recorded now.
        return err(userError('unavailable', `${id} has finished, but its end cannot be recorded yet (NIGHTSHIFT_HOME cannot be written); nightshift keeps trying, and nothing is running for it`));
      }
      if (run) {
        run.cancelledBy ??= by;
        return null;
      }
      const task = await this.find(id);
      if (!task) return err(userError('not_found', `there is no task ${id}; "queue" lists the live ones`));
      if (task.status === 'building' && this.deps.runBuilds) return err(userError('unavailable', `${id} is just starting; try again in a moment`));
      // A one-shot meets a build only when its agent kept working after nightshift stopped: ended here.
      const last = T.lastAttempt(task);
      if (task.status === 'building' && last) {
        // What cannot be stopped is not called cancelled (a worker's build, its database out of reach).
        const failed = await Promise.resolve(this.deps.builder.reap?.(task, last)).then(
          () => null,
          (e: unknown) => (e instanceof Error ? e.message : String(e)),
        );
        if (failed !== null) return err(userError('unavailable', `${id} could not be stopped (${failed}); nothing was changed. Try again, or start nightshift`));
      }
      const r = T.cancel(task, by, this.now());
      if (r.ok) await this.commit(r.value);
      return r;
    });
    if (result) {
      if (result.ok) await this.kick();
      return result;
    }
    const running = run as Running;
    await running.handle.cancel(`cancelled by ${by}`);
    await running.settled;
    const task = await this.find(id);
    if (task?.status === 'cancelled') return ok(task);
    if (task?.status === 'building') return err(userError('unavailable', `${id} is still being stopped by its worker as nightshift shuts down; it is cancelled when nightshift starts again`));
    return err(userError('illegal_move', `${id} finished before it could be cancelled (it is ${task?.status ?? 'gone'})`));
  }

  /** Applies a pure transition to a live task under the lock: persist, announce, reschedule. */
  private async change(id: TaskId, move: (task: Task, now: Date) => Result<Task>): Promise<Result<Task>> {
    const result = await this.serial.run(async (): Promise<Result<Task>> => {
      const task = await this.find(id);
      if (!task) return err(userError('not_found', `there is no task ${id}; "queue" lists the live ones`));
      const r = move(task, this.now());
      if (!r.ok) return r;
      await this.commit(r.value);
      return r;
    });
    if (result.ok) await this.kick();
    return result;
  }

  /** A live task from memory; a finished one from the archive (so a refusal can say it is done). */
  private async find(id: TaskId): Promise<Task | null> {
    return this.deps.store.getLive(id) ?? (await this.deps.store.get(id));
  }

  /** Persists a changed task, then tells every announcer about its newest event. */
  private async commit(task: Task, _why?: string): Promise<void> {
    await this.commitAll([task]);
  }

  /** Persists changed tasks in one write, then announces each (and runs `then` for it, in order). */
  private async commitAll(tasks: Task[], then?: (task: Task, i: number) => void): Promise<void> {
    if (tasks.length === 0) return;
    await this.deps.store.put(...tasks);
    tasks.forEach((task, i) => {
      this.announceCommitted(task);
      then?.(task, i);
    });
  }

  private announceCommitted(task: Task): void {
    const run = this.running.get(task.id);
    if (run) run.task = task;
    if (task.status !== 'building') this.dropProgress(task.id);
    const event = task.events[task.events.length - 1] as TaskEvent;
    this.emit({ type: 'task_changed', task, event });
    if (task.status === 'awaiting_approval' && event.type === 'approval_requested') {
      this.emit({ type: 'owner_attention', task, reason: 'approval', message: approvalMessage(task) });
    }
  }

  // ---- scheduling ----------------------------------------------------------------------------

  /**
   * Starts whatever the schedule allows now and arms the timer for the next time-based move.
   * Kicks coalesce: a pass reads the live tasks when it begins, so one that is queued but has not
   * begun serves every change committed before it begins, and a kick made meanwhile joins it rather
   * than queueing another full pass. Twenty requests at once cost their twenty writes and one pass,
   * and each resolves only once a pass that saw its change has acted.
   */
  kick(): Promise<void> {
    if (this.queuedPass) return this.queuedPass;
    const pass = this.serial.run(() => {
      this.queuedPass = null;
      return this.schedulePass();
    });
    this.queuedPass = pass;
    return pass;
  }

  /** One schedule pass, under the lock: raise new deadline risks, start what may start, arm the timer. */
  private async schedulePass(): Promise<void> {
    if (this.stopping) return;
    const live = this.deps.store.live(); // read once per pass: the schedule and the reminders share it
    const decision = this.schedule(live);
    // Only a running nightshift can tell the owner; a one-shot must not mark risks as raised.
    if (this.deps.runBuilds) await this.raiseRisks(decision.atRisk);
    const reminders = this.deps.runBuilds ? await this.remindApprovals(live) : Infinity;
    const started: TaskId[] = [];
    if (this.deps.runBuilds) {
      for (const id of decision.start) {
        if (this.stopping) break;
        const task = this.deps.store.getLive(id);
        if (task && (await this.startBuild(task))) started.push(id);
      }
    }
    // A one-shot starts nothing but says what would start; a running engine says what it started.
    const startedAll = !this.deps.runBuilds || started.length === decision.start.length;
    this.lastPass = startedAll ? decision : { ...decision, start: started };
    const wake = Math.min(decision.nextWakeAt?.getTime() ?? Infinity, reminders);
    this.armTimer(wake === Infinity ? null : new Date(wake));
    this.checkIdle(decision);
  }

  /** Notes every new risk on its task (one write for all), then tells the owner about each. */
  private async raiseRisks(risks: DeadlineRisk[]): Promise<void> {
    const now = this.now();
    const raised = risks.flatMap((risk) => {
      const task = this.deps.store.getLive(risk.id);
      return task ? [{ task: T.markDeadlineAtRisk(task, risk.reason, now), message: risk.message }] : [];
    });
    await this.commitAll(
      raised.map((r) => r.task),
      (task, i) => this.emit({ type: 'owner_attention', task, reason: 'deadline_at_risk', message: raised[i]?.message ?? '' }),
    );
  }

  /**
   * Asks once more about tasks that have waited APPROVAL_REMINDER for approval (the reminder is on
   * disk before it is said, so a restart does not say it twice). Returns when the next one is due.
   */
  private async remindApprovals(live: readonly Task[]): Promise<number> {
    const now = this.now();
    const plan = planReminders(live, now.getTime(), this.deps.policy.approvalReminderMs);
    const reminded = plan.due.flatMap((id) => {
      const task = this.deps.store.getLive(id);
      return task ? [T.markReminded(task, now)] : [];
    });
    await this.commitAll(reminded, (task) => {
      const asked = task.events.findLast((e) => e.type === 'approval_requested')?.at ?? task.createdAt;
      this.emit({ type: 'owner_attention', task, reason: 'approval', message: `Reminder: ${approvalMessage(task)} (waiting since ${formatOwnerTime(new Date(asked), now, this.deps.policy.timeZone)})` });
    });
    return plan.nextAt;
  }

  private armTimer(nextWakeAt: Date | null): void {
    if (!this.deps.runBuilds) return;
    const { clock, policy } = this.deps;
    if (this.wakeTimer !== null) clock.clearTimeout(this.wakeTimer);
    const untilWake = nextWakeAt ? Math.max(0, nextWakeAt.getTime() - clock.now().getTime()) : Infinity;
    const delay = Math.min(untilWake, policy.tickMs);
    this.wakeTimer = clock.setTimeout(() => {
      this.wakeTimer = null;
      this.background(this.kick(), 'scheduling');
    }, delay);
  }

  // ---- building ------------------------------------------------------------------------------

  /** Records the attempt (persisted before the spawn), then starts the builder. Runs under the lock. False when it could not start. */
  private async startBuild(task: Task): Promise<boolean> {
    const { builder, policy, logger } = this.deps;
    const attempt = task.attempts.length + 1;
    const plan = builder.plan(task, attempt);
    const runner = plan.builder ?? builder;
    const started = T.startAttempt(task, { logPath: plan.logPath, builder: runner.name, workspace: plan.workspace, demo: runner.isDemo, ...(plan.session ? { sessionId: plan.session.id } : {}) }, this.now());
    if (!started.ok) {
      logger.error('scheduler picked a task that cannot start', { task: task.id, error: started.error.message });
      return false;
    }
    await this.commit(started.value);
    const handle = builder.start({
      task: started.value,
      attempt,
      plan,
      timeoutMs: policy.buildTimeoutMs,
      onProgress: (p) => this.onProgress(task.id, p),
      onSpawn: (pid) => this.background(this.recordPid(task.id, attempt, pid), 'recording a builder pid'),
      onStall: (silentMs) => this.background(this.onStall(task.id, silentMs), 'reporting a stalled build'),
    });
    this.track(started.value, attempt, handle, this.now().getTime());
    logger.info(`started ${task.id} (attempt ${attempt}) with ${runner.name}`, { task: task.id });
    return true;
  }

  /** A build in progress, started or taken back: its end is recorded when it comes, and the next work scheduled. */
  private track(task: Task, attempt: number, handle: BuildHandle, startedAt: number): void {
    let markSettled!: () => void;
    const settled = new Promise<void>((r) => (markSettled = r));
    const run: Running = { handle, attempt, startedAt, task, settled, letGo: () => markSettled() };
    this.running.set(task.id, run);
    void handle.result
      .catch((e: unknown): BuildResult => ({
        outcome: 'failed',
        exitCode: null,
        signal: null,
        reason: `the builder crashed: ${e instanceof Error ? e.message : String(e)}`,
        logTail: '',
        deliverables: {},
        durationMs: this.now().getTime() - run.startedAt,
      }))
      .then((result) => this.recordEnd(task.id, run, result))
      .finally(() => {
        markSettled();
        this.background(this.kick(), 'scheduling');
      });
  }

  private recordPid(id: TaskId, attempt: number, pid: number): Promise<void> {
    return this.serial.run(async () => {
      const task = this.deps.store.getLive(id);
      const a = task?.attempts[attempt - 1];
      if (!task || !a || task.status !== 'building') return;
      const attempts = task.attempts.map((x, i) => (i === attempt - 1 ? { ...x, pid } : x));
      await this.deps.store.put({ ...task, attempts });
    });
  }

  private onStall(id: TaskId, silentMs: number): Promise<void> {
    return this.serial.run(async () => {
      const task = this.deps.store.getLive(id);
      if (!task || task.status !== 'building') return;
      const quiet = formatDuration(silentMs);
      const marked = T.markStalled(task, `no output for ${quiet}`, this.now());
      await this.commit(marked);
      const message = `${id} "${task.title}" has printed nothing for ${quiet}: it may be stuck (waiting for input, or a hung command). Say "cancel ${id}" to stop it, or let it run until BUILD_TIMEOUT.`;
      this.emit({ type: 'owner_attention', task: marked, reason: 'stalled', message });
    });
  }

  /**
   * A builder's progress line. Never touches the store: the newest line is kept per task and
   * announced at most once per `progressEveryMs` (the first at once, the rest as the newest state
   * when the interval is up), so a chatty builder costs the adapters a few updates a second.
   */
  private onProgress(id: TaskId, p: Progress): void {
    if (!this.running.has(id)) return;
    const state = this.progress.get(id);
    // Kept as the builder said it; redacted when it is told (a few times a second, not per line).
    const plan = p.plan ?? state?.latest.plan;
    const latest: Progress = { ...p, percent: p.percent ?? state?.latest.percent ?? null, ...(plan ? { plan } : {}) };
    if (!state) {
      this.progress.set(id, { latest, untold: true, toldAt: -Infinity, timer: null });
      this.tellProgress(id);
      return;
    }
    state.latest = latest;
    state.untold = true;
    if (state.timer !== null) return;
    const wait = state.toldAt + (this.deps.progressEveryMs ?? PROGRESS_EVERY_MS) - this.deps.clock.now().getTime();
    if (wait <= 0) this.tellProgress(id);
    else state.timer = this.deps.clock.setTimeout(() => this.tellProgress(id), wait);
  }

  private tellProgress(id: TaskId): void {
    const state = this.progress.get(id);
    const run = this.running.get(id);
    if (!state || !run) return;
    if (state.timer !== null) this.deps.clock.clearTimeout(state.timer); // told early: at the build's end
    state.timer = null;
    if (!state.untold) return;
    state.untold = false;
    state.toldAt = this.deps.clock.now().getTime();
    this.emit({ type: 'progress', task: run.task, progress: this.redactProgress(state.latest) });
  }

  private redactProgress(p: Progress): Progress {
    return { ...p, message: this.redact(p.message), ...(p.plan ? { plan: this.redactPlan(p.plan) } : {}) };
  }

  private redactPlan(plan: PlanStep[]): PlanStep[] {
    return plan.map((s) => ({ ...s, text: this.redact(s.text) }));
  }

  private dropProgress(id: TaskId): void {
    const state = this.progress.get(id);
    if (state?.timer != null) this.deps.clock.clearTimeout(state.timer);
    this.progress.delete(id);
  }

  /**
   * Records a build's end. When that cannot be written (a full disk), the build stays in `running`
   * with its result, holding its slot and saying why, and the write is tried again with back-off
   * until it lands; a slot is never held by a build that is gone without anyone knowing. During a
   * shutdown it gives up after a few tries: the next start accounts for the attempt.
   */
  private async recordEnd(id: TaskId, run: Running, result: BuildResult): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.serial.run(() => this.onBuildEnd(id, run, result));
        return;
      } catch (e) {
        run.ended = result;
        const persist = asPersistError(e);
        const waitMs = RECORD_RETRY_MS(tries);
        this.deps.logger.error(`could not record the end of ${id}'s build; trying again in ${formatDuration(waitMs)}`, { error: String(e), tries });
        if (tries === 1 && persist) {
          const task = this.deps.store.getLive(id);
          if (task) this.emit({ type: 'owner_attention', task, reason: 'cannot_record', message: `${id} "${task.title}" has finished, but nightshift ${persist.message}: its end is not recorded yet. It keeps trying; ${persist.code === 'ENOSPC' || persist.code === 'EDQUOT' ? 'free some space' : 'make the directory writable'}.` });
        }
        if (this.stopping && tries >= 3) return;
        await new Promise<void>((r) => this.deps.clock.setTimeout(r, waitMs));
      }
    }
  }

  private async onBuildEnd(id: TaskId, run: Running, result: BuildResult): Promise<void> {
    this.tellProgress(id); // the newest line is shown before the end is
    const task = this.deps.store.getLive(id);
    if (!task || task.status !== 'building') {
      this.running.delete(id);
      return;
    }
    const now = this.now();
    const d = result.deliverables;
    // The agent's plan as it last reported it is kept with the attempt, for the task's page.
    const plan = result.plan ?? this.progress.get(id)?.latest.plan;
    const clean: BuildResult = {
      ...result,
      ...(plan ? { plan: this.redactPlan(plan) } : {}),
      reason: this.redact(result.reason),
      logTail: this.redact(result.logTail),
      // What the agent wrote about its work is shown to people: it passes the same filter.
      deliverables: {
        ...d,
        ...(d.summary ? { summary: this.redact(d.summary) } : {}),
        ...(d.commits ? { commits: d.commits.map((c) => this.redact(c)) } : {}),
      },
    };
    let next: Result<Task>;
    // A person's cancel wins over a shutdown that happened to be ending the same build.
    if (run.cancelledBy && result.outcome === 'cancelled') {
      next = T.cancel(task, run.cancelledBy, now);
    } else if (run.shutdown) {
      next = T.finishAttempt(task, { ...clean, outcome: 'interrupted', reason: 'interrupted by shutdown', counts: false }, this.deps.policy, now);
    } else if (result.handedBack) {
      next = T.finishAttempt(task, { ...clean, outcome: 'interrupted', counts: false }, this.deps.policy, now);
    } else {
      next = T.finishAttempt(task, clean, this.deps.policy, now);
    }
    if (!next.ok) {
      this.running.delete(id);
      this.deps.logger.error('could not record the end of a build', { task: id, error: next.error.message });
      return;
    }
    await this.commit(next.value); // throws when it cannot be written: recordEnd tries again
    this.running.delete(id);
    run.ended = undefined;
    if (next.value.status === 'done') this.recordDuration(next.value, T.lastAttempt(next.value)?.builder ?? this.deps.builder.name, result.durationMs);
    if (result.outcome === 'usage_limited' && next.value.retryAt) {
      const tz = this.deps.policy.timeZone;
      const unsaid = clean.resetsAt ? '' : ' (the agent gave no reset time: the wait doubles while the limit repeats, up to an hour)';
      const handedOver = T.handsOverToFallback(next.value, this.deps.policy);
      const message = handedOver
        ? `${id} "${task.title}": ${clean.reason}. ${this.deps.policy.fallbackBuilder} (FALLBACK_BUILDER) takes it over now, in the same worktree; it costs none of its attempts.`
        : `${id} "${task.title}" is waiting for quota: ${clean.reason}. It starts again by itself after ${formatOwnerTime(new Date(next.value.retryAt), now, tz)} (${tz})${unsaid}; it costs none of its attempts.`;
      this.emit({ type: 'owner_attention', task: next.value, reason: 'usage_limited', message });
    }
    if (isTerminal(next.value.status)) this.tidy();
    if (next.value.status === 'escalated') {
      this.emit({ type: 'owner_attention', task: next.value, reason: 'escalated', message: escalationMessage(next.value, clean) });
    }
  }

  private recordDuration(task: Task, builder: string, durationMs: number): void {
    this.durations.push({ builder, words: specWords(task.spec), durationMs });
    if (this.durations.length > DURATION_SAMPLES) this.durations.shift();
  }

  // ---- idling and stopping -------------------------------------------------------------------

  /**
   * Resolves when nothing is building and nothing may start now (`nightshift run --until-idle`).
   * From that moment the engine starts nothing more: a retry back-off that ends while the caller
   * winds down must not start a build only for the shutdown to interrupt it.
   */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.background(this.kick(), 'scheduling');
    });
  }

  private checkIdle(decision: ScheduleDecision): void {
    if (this.running.size > 0 || decision.start.length > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    this.stopping = true;
    for (const w of waiters) w();
  }

  get activeBuilds(): number {
    return this.running.size;
  }

  /**
   * Stops taking work, lets running builds finish for up to `graceMs`, then ends them and records
   * their attempts as interrupted (at no cost to the retry budget: the task goes back to the queue).
   */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.wakeTimer !== null) this.deps.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    // A build being started right now finishes starting first, so it is seen below.
    await this.serial.run(async () => {});
    await this.stopBuilds(graceMs);
    await Promise.allSettled([...this.pending]);
  }

  /**
   * Builds that outlive nightshift (a team worker's) are let go, not waited on or ended: they stay
   * 'running' on disk, and are taken back (adopt) when nightshift starts again.
   */
  private letGoOfDetachable(): void {
    for (const [id, r] of [...this.running]) {
      if (!r.handle.detach) continue;
      r.handle.detach();
      this.running.delete(id);
      r.letGo?.(); // a cancel waiting on it returns (the task stays building, for the next start)
    }
  }

  private async stopBuilds(graceMs: number): Promise<void> {
    this.letGoOfDetachable();
    const all = [...this.running.values()];
    if (all.length === 0) return;
    const finished = Promise.all(all.map((r) => r.settled));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      finished.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    await Promise.all(
      [...this.running.values()].map(async (r) => {
        r.shutdown = true;
        await r.handle.cancel('nightshift is shutting down');
        await r.settled;
      }),
    );
  }

  /** Ends every running build at once (a second signal): attempts are recorded as interrupted. */
  async abort(): Promise<void> {
    this.stopping = true;
    await this.serial.run(async () => {});
    this.letGoOfDetachable();
    await Promise.all(
      [...this.running.values()].map(async (r) => {
        r.shutdown = true;
        await r.handle.cancel('nightshift was stopped');
        await r.settled;
      }),
    );
  }

  // ---- helpers -------------------------------------------------------------------------------

  now(): Date {
    return this.deps.clock.now();
  }

  /** Lets the builder remove workspaces its cleanup policy no longer keeps (in the background). */
  private tidy(): void {
    const tidy = this.deps.builder.tidy?.bind(this.deps.builder);
    if (!tidy || !this.deps.runBuilds) return;
    this.background(
      (async () => tidy([...this.deps.store.live(), ...(await this.deps.store.history({ limit: 500 }))]))(),
      'cleaning up workspaces',
    );
  }

  /** Posts the morning summary through every adapter. */
  announceSummary(summary: Summary): void {
    this.emit({ type: 'summary_due', summary });
  }

  private redact(text: string): string {
    return this.deps.redact ? this.deps.redact(text) : text;
  }

  /** Work nobody awaits: its failure is logged, never an unhandled rejection that ends the daemon. */
  private background(work: Promise<unknown>, what: string): void {
    const tracked = work.catch((e: unknown) => this.deps.logger.error(`failed while ${what}`, { error: String(e) }));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private emit(event: CoreEvent): void {
    for (const a of this.announcers) {
      try {
        const r = a.announce(event);
        if (r instanceof Promise) r.catch((e: unknown) => this.deps.logger.warn('an adapter failed to announce', { error: String(e) }));
      } catch (e) {
        this.deps.logger.warn('an adapter failed to announce', { error: String(e) });
      }
    }
  }
}

export function approvalMessage(task: Task): string {
  const reasons = task.safety.reasons.map((r) => r.message).join('; ');
  return `${task.id} "${task.title}" is waiting for your approval: ${reasons}. Say "approve ${task.id}", "reject ${task.id}" or "clarify ${task.id} <more detail>".`;
}

export function escalationMessage(task: Task, result: BuildResult): string {
  // What the agent last said, as words: a stream of JSON lines is read, not pasted (the raw log is a path away).
  const tail = readableTail(result.logTail).join('\n');
  const log = T.lastAttempt(task)?.logPath ?? '';
  return [
    `${task.id} "${task.title}" failed ${plural(T.attemptsInBudget(task), 'time')}${T.lastAttempt(task)?.demo ? ' (demo builder)' : ''} and needs you. Last error: ${result.reason}.`,
    tail ? `What it said last (the whole log: ${log}):\n${tail}` : `Log: ${log}`,
    T.canAccept(task)
      ? `Say "retry ${task.id}" to try again, "accept ${task.id}" to take the work as it is, or "cancel ${task.id}" to drop it.`
      : `Say "retry ${task.id}" to try again or "cancel ${task.id}" to drop it.`,
  ].join('\n');
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
