// The interfaces the core needs from the world. Implementations live outside src/core
// (src/store, src/builders, src/adapters); tests pass fakes or the real ones.
import type { Summary } from './summary.ts';
import type { AgentUsage, Attempt, CheckResult, Deliverables, PlanStep, ResourceUsage, Task, TaskEvent, TaskId } from './task.ts';

/** Wall-clock time and timers, injected so policy and the engine can be driven by a fake clock. */
export interface Clock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** What opening a store found: warnings are loud (a restored backup, a recovered archive line). */
export interface StoreOpenReport {
  warnings: string[];
  /** Stored format version found on disk before any migration. */
  loadedVersion: number | null;
}

export interface HistoryQuery {
  /** Only tasks that finished at or after this instant. */
  since?: Date;
  /** At most this many, newest first. */
  limit?: number;
}

/**
 * Persistence for tasks. Live tasks (anything not done, cancelled or rejected) are held in memory;
 * finished tasks move to an append-only archive, so a change costs the same however long the
 * history and however many tasks are live. Every method that changes state resolves only once the
 * change is durable on disk; concurrent changes are applied in call order.
 *
 * Tasks handed out by live(), getLive() and get() are deep-frozen and shared with every other
 * reader: build a new object to change one (the transitions do) and put() it; changing one throws
 * a TypeError. put() keeps its own copy, so the caller's object stays the caller's. history() may
 * return fresh objects.
 */
export interface TaskStore {
  open(): Promise<StoreOpenReport>;
  close(): Promise<void>;
  /** Reserves the next ids. They are persisted with the next write; unused ids after a crash are simply skipped. */
  allocateIds(count: number): TaskId[];
  /** Every live task, in creation order, as a new array of frozen tasks. Synchronous: served from memory. */
  live(): Task[];
  /** One live task (frozen), or null when it is not live. Synchronous: served from memory, no copy. */
  getLive(id: TaskId): Task | null;
  /** A live or archived task (frozen). */
  get(id: TaskId): Promise<Task | null>;
  /** Insert or update tasks in one durable write. Terminal tasks are moved to the archive. Only these tasks are validated. */
  put(...tasks: Task[]): Promise<void>;
  /** Finished (archived) tasks, newest first. */
  history(query?: HistoryQuery): Promise<Task[]>;
  /** A copy of a meta value (JSON), or undefined. */
  getMeta<T = unknown>(key: string): T | undefined;
  /** Stores a JSON copy of the value; undefined removes the key. */
  setMeta(key: string, value: unknown): Promise<void>;
}

export interface Progress {
  at: string;
  /** 0-100 when the builder reports it, null when only a line of text is known. */
  percent: number | null;
  message: string;
  /** The agent's own plan, as it last reported it (kept while later lines say other things). */
  plan?: PlanStep[];
}

export const BUILD_OUTCOMES = ['succeeded', 'failed', 'timed_out', 'cancelled', 'usage_limited'] as const;
export type BuildOutcome = (typeof BUILD_OUTCOMES)[number];

export interface BuildResult {
  outcome: BuildOutcome;
  exitCode: number | null;
  signal: string | null;
  /** A sentence a user can act on: "exited with code 2", "timed out after 2h". */
  reason: string;
  /** The last lines of the log, for escalation messages. */
  logTail: string;
  deliverables: Partial<Deliverables>;
  durationMs: number;
  usage?: AgentUsage;
  resources?: ResourceUsage;
  /** For `usage_limited`: when the agent said its limit resets, if it said. */
  resetsAt?: string;
  /** False for a failure that trying again cannot fix (a rejected API key): no retry is spent on it. */
  retryable?: boolean;
  /** True when the agent could not resume the session it was given: the next attempt starts a fresh one. */
  sessionLost?: boolean;
  /** The session the agent reported it ran in (agents that name their own): the next attempt resumes it. */
  sessionId?: string;
  /** The agent's plan as it last reported it (the engine adds it from the build's progress). */
  plan?: PlanStep[];
  /** The project's check, when one is configured and the agent finished with changes. */
  checks?: CheckResult;
  /**
   * True when the attempt was stopped unfinished by where it ran, not by the task (a team worker
   * shut down, or cut off from the database): it is run again, and, like a shutdown, costs no attempt.
   */
  handedBack?: boolean;
}

export interface BuildPlan {
  workspace: string;
  logPath: string;
  /** The agent session the attempt runs in (recorded with the attempt before the spawn); absent when the agent cannot resume one. */
  session?: { id: string; resume: boolean };
  /** Which builder runs it, when there is a choice (FALLBACK_BUILDER): recorded with the attempt. */
  builder?: { name: string; isDemo: boolean };
}

export interface BuildHandle {
  readonly pid: number | undefined;
  readonly result: Promise<BuildResult>;
  /** Ends the builder's whole process tree: politely first, then by force. Resolves when it is gone. */
  cancel(reason: string): Promise<void>;
  /**
   * For a build that runs elsewhere (a team worker): stops following it without ending it, when
   * nightshift shuts down. Its result then never comes; nightshift takes the build back (adopt) at
   * its next start. Builds without it are waited for, then ended, at shutdown.
   */
  detach?(): void;
}

export interface BuildRequest {
  task: Task;
  attempt: number;
  plan: BuildPlan;
  timeoutMs: number;
  onProgress(progress: Progress): void;
  /** Called once the builder's process exists, so its pid can be recorded for reaping after a crash. */
  onSpawn?(pid: number): void;
  /** Called when the builder has printed nothing for the stall timeout (again after new output). */
  onStall?(silentForMs: number): void;
}

export interface AdoptRequest {
  task: Task;
  attempt: Attempt;
  timeoutMs: number;
  onProgress(progress: Progress): void;
}

export interface Builder {
  /** Shown in every message about a build: "demo builder", "command /usr/local/bin/my-agent". */
  readonly name: string;
  readonly isDemo: boolean;
  /** Where the attempt will work and log, known before it is spawned so the attempt can be recorded first. */
  plan(task: Task, attempt: number): BuildPlan;
  start(request: BuildRequest): BuildHandle;
  /**
   * After a crash, ends what is left of an attempt's process tree if it is still running, so a
   * recovered task is never built twice at once. Must not touch an unrelated process that reused the pid.
   */
  reap?(task: Task, attempt: Attempt): Promise<boolean>;
  /**
   * After a crash, the end an attempt wrote for itself when its builder finished, if nightshift
   * stopped before recording it: that work is recorded, not run again. Null when there is none.
   */
  finishedEnd?(task: Task, attempt: Attempt): Promise<BuildResult | null>;
  /** The session an interrupted attempt's agent reported (read from its log), for the next attempt to resume. */
  sessionOf?(task: Task, attempt: Attempt): Promise<string | undefined>;
  /** After a crash: whether the attempt's agent is still at work (its keeper runs), so it can be taken back instead of ended. */
  stillRunning?(task: Task, attempt: Attempt): boolean;
  /** After a crash: takes back an attempt whose agent is still at work; null when it is not. */
  adopt?(request: AdoptRequest): BuildHandle | null | Promise<BuildHandle | null>;
  /** Removes workspaces the cleanup policy no longer keeps; never one whose task is building. */
  tidy?(tasks: Task[]): Promise<void>;
}

export type AttentionReason = 'approval' | 'escalated' | 'deadline_at_risk' | 'stalled' | 'usage_limited' | 'cannot_record';

export type CoreEvent =
  | { type: 'task_created'; task: Task }
  | { type: 'task_changed'; task: Task; event: TaskEvent }
  | { type: 'progress'; task: Task; progress: Progress }
  | { type: 'owner_attention'; task: Task; reason: AttentionReason; message: string }
  | { type: 'summary_due'; summary: Summary };

/** Where a person can look at a task in a browser (the dashboard), when it is on. */
export interface TaskLinks {
  /** The dashboard's front page. */
  home: string;
  task(id: TaskId): string;
  /** One attempt's whole log. */
  log(id: TaskId, attempt: number): string;
}

/** A task's chat thread as a link (Slack's permalink, Discord's channel URL), from the adapter that holds it. */
export type ThreadLink = (id: TaskId) => Promise<string | null>;

/** Who to tell. Adapters implement it; the engine calls it only after the change is on disk. */
export interface Announcer {
  announce(event: CoreEvent): void | Promise<void>;
}
