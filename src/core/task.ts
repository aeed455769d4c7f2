// The Task: one zod schema is the single definition; every TypeScript type is inferred from it.
// `nightshift status --json` prints tasks exactly in this shape, so changes here are API changes.
import { z } from 'zod';

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

export const TASK_STATUSES = [
  'awaiting_approval',
  'queued',
  'building',
  'done',
  'failed',
  'escalated',
  'cancelled',
  'rejected',
] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** States a task never leaves: such tasks move from the live database to the archive. */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['done', 'cancelled', 'rejected'];
export const isTerminal = (status: TaskStatus): boolean => TERMINAL_STATUSES.includes(status);

const isoInstant = z.iso.datetime({ offset: true });

/** A task id a person can type: `t-7`. */
export const TaskId = z.string().regex(/^t-\d+$/, 'task ids look like t-7');
export type TaskId = z.infer<typeof TaskId>;

/** Who asked and where: enough for any adapter to answer in the right place. */
export const Origin = z.object({
  adapter: z.string(), // 'console', 'cli', 'slack', 'discord', ...
  userId: z.string(),
  userName: z.string().optional(),
  channel: z.string().optional(),
  thread: z.string().optional(),
});
export type Origin = z.infer<typeof Origin>;

/** `stale`: work interrupted longer ago than RESUME_MAX_AGE waits for the owner before it runs again. */
export const SAFETY_REASON_KINDS = ['vague', 'blocker', 'destructive', 'external', 'low_priority', 'stale'] as const;
export const SafetyReason = z.object({
  kind: z.enum(SAFETY_REASON_KINDS),
  /** The words of the request that triggered the check, quoted back to the owner. */
  quote: z.string(),
  message: z.string(),
});
export type SafetyReason = z.infer<typeof SafetyReason>;

export const SafetyVerdict = z.object({
  needsApproval: z.boolean(),
  reasons: z.array(SafetyReason),
  checkedAt: isoInstant,
});
export type SafetyVerdict = z.infer<typeof SafetyVerdict>;

export const ATTEMPT_OUTCOMES = ['running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'interrupted', 'usage_limited'] as const;

/** What the agent reported it used. Absent fields were not reported. */
export const AgentUsage = z.object({
  inputTokens: z.number().nonnegative().optional(),
  cachedInputTokens: z.number().nonnegative().optional(),
  outputTokens: z.number().nonnegative().optional(),
  costUsd: z.number().nonnegative().optional(),
  turns: z.number().nonnegative().optional(),
});
export type AgentUsage = z.infer<typeof AgentUsage>;

/** What the builder's whole process tree used, measured by nightshift. */
export const ResourceUsage = z.object({
  wallMs: z.number().nonnegative(),
  cpuMs: z.number().nonnegative(),
  peakRssBytes: z.number().nonnegative(),
  /** How many times the tree was measured; 0 means cpu and memory are unknown. */
  samples: z.number().int().nonnegative().optional(),
});
export type ResourceUsage = z.infer<typeof ResourceUsage>;
/** One step of the agent's own plan (its todo list), as it last reported it. */
export const PlanStep = z.object({
  text: z.string(),
  /** As the agent said: not started, under way, finished, or failed. */
  status: z.enum(['pending', 'in_progress', 'done', 'failed']),
});
export type PlanStep = z.infer<typeof PlanStep>;

/** The project's own check (BUILD_CHECK), run after the agent finished with changes. */
export const CheckResult = z.object({
  /** As a person would type it: "npm test". */
  command: z.string(),
  outcome: z.enum(['passed', 'failed', 'timed_out']),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const Attempt = z.object({
  n: z.number().int().positive(),
  startedAt: isoInstant,
  endedAt: isoInstant.optional(),
  outcome: z.enum(ATTEMPT_OUTCOMES),
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().nullable().optional(),
  reason: z.string().optional(),
  logPath: z.string(),
  builder: z.string(),
  /** False for attempts ended by a deliberate shutdown: they do not use up the retry budget. */
  counts: z.boolean().default(true),
  durationMs: z.number().nonnegative().optional(),
  /** True when the bundled demo builder ran it: nothing real was built, and every message says so. */
  demo: z.boolean().default(false),
  /** The builder's process id (its process-group leader), so a restart can reap an orphaned tree. */
  pid: z.number().int().positive().optional(),
  /** The agent session this attempt ran in: the next attempt resumes it (agents that can). */
  sessionId: z.string().optional(),
  /** True when the session could not be resumed: the next attempt starts afresh. */
  sessionLost: z.boolean().optional(),
  usage: AgentUsage.optional(),
  resources: ResourceUsage.optional(),
  /** The agent's plan (its todo list) as it last reported it in this attempt, for agents that keep one. */
  plan: z.array(PlanStep).optional(),
  /** The project's check after this attempt; absent when none is configured or the agent did not finish. */
  checks: CheckResult.optional(),
});
export type Attempt = z.infer<typeof Attempt>;

export const Deliverables = z.object({
  workspace: z.string().optional(),
  branch: z.string().optional(),
  commits: z.array(z.string()).default([]),
  changedFiles: z.array(z.string()).default([]),
  diffstat: z.string().optional(),
  links: z.array(z.string()).default([]),
  summary: z.string().optional(),
  /** Where the branch was pushed ("origin/nightshift/t-7-x"), so it can be reviewed from another machine. */
  pushed: z.string().optional(),
  /**
   * What publishing the branch left undone, each "what: why" joined with "; " ("not pushed: git push
   * failed: …; left as a draft: checks failing …"); from before pushing, a bare reason why no pull
   * request was opened ("gh (the GitHub CLI) is not on PATH; …"). Shown with publishProblems.
   */
  noPullRequest: z.string().optional(),
  /** The commit the branch started from: commits, files and diffstat are counted from here. */
  baseCommit: z.string().optional(),
});
export type Deliverables = z.infer<typeof Deliverables>;

export const TASK_EVENT_TYPES = [
  'created',
  'approval_requested',
  'approved',
  'rejected',
  'clarified',
  'queued',
  'started',
  'attempt_failed',
  'retry_scheduled',
  'escalated',
  'retried',
  'done',
  'accepted',
  'cancelled',
  'deadline_at_risk',
  'priority_changed',
  'interrupted',
  'usage_limited',
  'stalled',
  'approval_reminded',
] as const;
export const TaskEventType = z.enum(TASK_EVENT_TYPES);
export type TaskEventType = z.infer<typeof TaskEventType>;

export const TaskEvent = z.object({
  at: isoInstant,
  type: TaskEventType,
  by: z.string().optional(),
  detail: z.string().optional(),
});
export type TaskEvent = z.infer<typeof TaskEvent>;

export const Task = z.object({
  id: TaskId,
  title: z.string().min(1),
  /** The request text followed by every clarification, in order: what the builder is given. */
  spec: z.string(),
  request: z.string(),
  /** `decider`: said by the owner or an approver, so it may answer what the task waits for. */
  clarifications: z.array(z.object({ at: isoInstant, by: z.string(), text: z.string(), decider: z.boolean().optional() })).default([]),
  origin: Origin,
  /** The PROJECTS_FILE project it builds in; absent without PROJECTS_FILE (the one repository). */
  project: z.string().optional(),
  /** Team mode: only a worker with this label may build it (`--on macos`). */
  runsOn: z.string().optional(),
  priority: Priority,
  priorityReason: z.string(),
  deadline: isoInstant.nullable(),
  /** Estimated build time in milliseconds, when the requester gave one (`--eta 4h`). */
  estimateMs: z.number().int().positive().nullable(),
  status: TaskStatus,
  createdAt: isoInstant,
  updatedAt: isoInstant,
  /** When the next retry may start, while the task is `failed` between attempts. */
  retryAt: isoInstant.nullable().default(null),
  /** Index into `attempts` where the current retry budget began (a manual retry grants a fresh budget). */
  budgetStart: z.number().int().nonnegative().default(0),
  attempts: z.array(Attempt).default([]),
  events: z.array(TaskEvent).default([]),
  safety: SafetyVerdict,
  /** True once the owner approved; a low-priority task never runs without it. */
  approved: z.boolean().default(false),
  deliverables: Deliverables.default({ commits: [], changedFiles: [], links: [] }),
});
export type Task = z.infer<typeof Task>;

/** What intake produces from chat text: a task before it has an id, a status or a verdict. */
export const TaskDraft = z.object({
  title: z.string().min(1),
  request: z.string().min(1),
  priority: Priority,
  priorityReason: z.string(),
  deadline: isoInstant.nullable(),
  /** The words that gave the deadline ("by tonight"), to echo back. */
  deadlinePhrase: z.string().nullable(),
  estimateMs: z.number().int().positive().nullable(),
  /** The project the request was routed to (PROJECTS_FILE). */
  project: z.string().optional(),
  /** The worker label it asked for (team mode). */
  runsOn: z.string().optional(),
});
export type TaskDraft = z.infer<typeof TaskDraft>;

export const formatTaskId = (n: number): TaskId => `t-${n}`;
export const taskNumber = (id: TaskId): number => Number(id.slice(2));

/** Accepts what a person types: `t-7`, `T-7`, `7`, `#7`. Returns null when it is not an id. */
export function parseTaskId(input: string): TaskId | null {
  // At most 15 digits: a longer number is not an id and would print as "t-1e+21".
  const m = /^\s*(?:t-|#)?(\d{1,15})\s*$/i.exec(input);
  return m ? formatTaskId(Number(m[1])) : null;
}

/** Interrupted work that waited longer than RESUME_MAX_AGE: it asks to be resumed, not approved. */
export const isStale = (task: Task): boolean => task.status === 'awaiting_approval' && task.safety.reasons.some((r) => r.kind === 'stale');
