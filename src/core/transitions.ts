// The task state machine. Each move is one named, pure function: it checks that the move is legal
// from the task's current status, returns the new task with the event appended, and never touches
// disk or the clock (the engine persists, then announces). Drawn in docs/architecture.md.
import { acceptedSummary } from './check-summary.ts';
import { formatDuration } from './durations.ts';
import type { Policy } from './policy.ts';
import { err, ok, userError, type Result } from './result.ts';
import type {
  AgentUsage,
  Attempt,
  ResourceUsage,
  Deliverables,
  Origin,
  PlanStep,
  CheckResult,
  Priority,
  SafetyVerdict,
  Task,
  TaskDraft,
  TaskEvent,
  TaskEventType,
  TaskId,
  TaskStatus,
} from './task.ts';

/** How a task in each status is described when a move is refused. */
const STATUS_PHRASE: Record<TaskStatus, string> = {
  awaiting_approval: 'is waiting for approval',
  queued: 'is queued',
  building: 'is building right now',
  done: 'is already done',
  failed: 'failed and is waiting to retry',
  escalated: 'was escalated and is waiting for you',
  cancelled: 'was cancelled',
  rejected: 'was rejected',
};

function refuse(task: Task, consequence: string): Result<Task> {
  return err(userError('illegal_move', `${task.id} ${STATUS_PHRASE[task.status]}; ${consequence}`));
}

function withEvent(task: Task, now: Date, type: TaskEventType, by?: string, detail?: string): Task {
  const event: TaskEvent = { at: now.toISOString(), type };
  if (by !== undefined) event.by = by;
  if (detail !== undefined) event.detail = detail;
  return { ...task, updatedAt: now.toISOString(), events: [...task.events, event] };
}

/** The identity of a safety reason, used to tell whether a clarification raised something new. */
const reasonKey = (r: SafetyVerdict['reasons'][number]): string => `${r.kind}:${r.quote.toLowerCase()}`;

/** Attempts that count against the current retry budget (shutdown interruptions do not). */
export function attemptsInBudget(task: Task): number {
  return task.attempts.slice(task.budgetStart).filter((a) => a.counts).length;
}

/**
 * How a person reads the current attempt: "2/3"; after a retry that granted a fresh budget,
 * "4 (1/3 since the retry)"; after an attempt that cost nothing (nightshift was stopped, a worker
 * handed it back), "2 (1/3 counted)". The first number always matches the log's name (attempt-4.log).
 */
export function attemptLabel(task: Task, maxAttempts: number): string {
  const counted = attemptsInBudget(task);
  const inBudget = `${counted}/${maxAttempts}`;
  const n = task.attempts.length;
  if (n === 0) return inBudget;
  if (task.budgetStart > 0) return `${n} (${inBudget} since the retry)`;
  return counted === n ? inBudget : `${n} (${inBudget} counted)`;
}

export function lastAttempt(task: Task): Attempt | undefined {
  return task.attempts[task.attempts.length - 1];
}

export function createTask(
  id: TaskId,
  draft: TaskDraft,
  origin: Origin,
  verdict: SafetyVerdict,
  now: Date,
): Task {
  const at = now.toISOString();
  const status: TaskStatus = verdict.needsApproval ? 'awaiting_approval' : 'queued';
  const events: TaskEvent[] = [{ at, type: 'created', by: origin.userId }];
  if (verdict.needsApproval) {
    events.push({ at, type: 'approval_requested', detail: verdict.reasons.map((r) => r.message).join('; ') });
  } else {
    events.push({ at, type: 'queued' });
  }
  return {
    id,
    title: draft.title,
    spec: draft.request,
    request: draft.request,
    clarifications: [],
    origin,
    ...(draft.project ? { project: draft.project } : {}),
    ...(draft.runsOn ? { runsOn: draft.runsOn } : {}),
    priority: draft.priority,
    priorityReason: draft.priorityReason,
    deadline: draft.deadline,
    estimateMs: draft.estimateMs,
    status,
    createdAt: at,
    updatedAt: at,
    retryAt: null,
    budgetStart: 0,
    attempts: [],
    events,
    safety: verdict,
    approved: false,
    deliverables: { commits: [], changedFiles: [], links: [] },
  };
}

export function approve(task: Task, by: string, now: Date): Result<Task> {
  if (task.status !== 'awaiting_approval') return refuse(task, 'there is nothing to approve');
  return ok({ ...withEvent(task, now, 'approved', by), status: 'queued', approved: true });
}

export function reject(task: Task, by: string, now: Date, why?: string): Result<Task> {
  if (task.status !== 'awaiting_approval') return refuse(task, 'there is nothing to reject');
  return ok({ ...withEvent(task, now, 'rejected', by, why), status: 'rejected', retryAt: null });
}

/** Statuses in which the safety verdict still decides whether the task may run. */
const GATED: readonly TaskStatus[] = ['awaiting_approval', 'queued', 'failed', 'escalated'];

/**
 * Applies a re-run safety verdict. An approval survives only if the new verdict raises nothing the
 * owner has not seen; a task that now needs approval waits for it, whatever it was doing, and a
 * waiting task whose reasons are gone is queued.
 */
function applyVerdict(task: Task, verdict: SafetyVerdict, now: Date): Task {
  const previous = new Set(task.safety.reasons.map(reasonKey));
  const raisesNew = verdict.reasons.some((r) => !previous.has(reasonKey(r)));
  const approved = task.approved && !raisesNew;
  const next: Task = { ...task, safety: verdict, approved };
  const needs = verdict.needsApproval && !approved;
  if (needs && task.status !== 'awaiting_approval') {
    return { ...withEvent(next, now, 'approval_requested', undefined, verdict.reasons.map((r) => r.message).join('; ')), status: 'awaiting_approval', retryAt: null };
  }
  if (!needs && task.status === 'awaiting_approval') {
    return { ...withEvent(next, now, 'queued', undefined, 'the checks passed'), status: 'queued' };
  }
  return next;
}

/** The spec a builder is given: the request, then every clarification with who gave it. */
export function specWith(request: string, clarifications: readonly { by: string; text: string }[]): string {
  return [request, ...clarifications.map((c) => `Clarification (${c.by}): ${c.text}`)].join('\n\n');
}

/**
 * Appends a clarification to the spec and applies the re-run safety checks. `title`: what the
 * clarification says the task is, taken only while the title says nothing (the request was too
 * vague) and nothing has started, so the branch, made from the title at the first start, says it too.
 */
export function clarify(task: Task, text: string, by: string, verdict: SafetyVerdict, now: Date, title?: string, decider = false): Result<Task> {
  if (!GATED.includes(task.status)) return refuse(task, 'a clarification would change nothing now');
  const trimmed = text.trim();
  if (trimmed === '') return err(userError('bad_input', `say what to add to ${task.id}, e.g. "clarify ${task.id} use the v2 API"`));
  const clarifications = [...task.clarifications, { at: now.toISOString(), by, text: trimmed, ...(decider ? { decider: true } : {}) }];
  const spec = specWith(task.request, clarifications);
  const wasVague = task.safety.reasons.some((r) => r.kind === 'vague');
  const stillVague = verdict.reasons.some((r) => r.kind === 'vague');
  const retitled = title && wasVague && !stillVague && task.attempts.length === 0 ? { title } : {};
  // A task waiting because it was asked as low priority keeps waiting: no clarification, and no
  // bump before it, approves it (the re-run check sees only its current priority).
  // So does one held because its interrupted work grew stale: only the owner's word restarts it.
  const waiting = task.status === 'awaiting_approval' && !task.approved;
  const kept = waiting ? task.safety.reasons.filter((r) => (r.kind === 'low_priority' || r.kind === 'stale') && !verdict.reasons.some((v) => v.kind === r.kind)) : [];
  const checked = kept.length ? { ...verdict, needsApproval: true, reasons: [...verdict.reasons, ...kept] } : verdict;
  return ok(applyVerdict({ ...withEvent(task, now, 'clarified', by, trimmed), clarifications, spec, ...retitled }, checked, now));
}

/** Records the attempt before the builder is spawned, so a crash still uses up an attempt. */
export function startAttempt(
  task: Task,
  attempt: { logPath: string; builder: string; workspace: string; demo?: boolean; sessionId?: string },
  now: Date,
): Result<Task> {
  if (task.status !== 'queued' && task.status !== 'failed') return refuse(task, 'it cannot start now');
  const n = task.attempts.length + 1;
  const record: Attempt = {
    n,
    startedAt: now.toISOString(),
    outcome: 'running',
    logPath: attempt.logPath,
    builder: attempt.builder,
    counts: true,
    demo: attempt.demo ?? false,
    ...(attempt.sessionId ? { sessionId: attempt.sessionId } : {}),
  };
  const started = withEvent(task, now, 'started', undefined, `attempt ${n} with ${attempt.builder}`);
  return ok({
    ...started,
    status: 'building',
    retryAt: null,
    attempts: [...task.attempts, record],
    deliverables: { ...task.deliverables, workspace: attempt.workspace },
  });
}

export interface AttemptEnd {
  outcome: 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'interrupted' | 'usage_limited';
  exitCode: number | null;
  signal: string | null;
  reason: string;
  durationMs: number;
  deliverables?: Partial<Deliverables>;
  /** False when a deliberate shutdown ended the attempt: it does not use up the retry budget. */
  counts?: boolean;
  usage?: AgentUsage;
  resources?: ResourceUsage;
  plan?: PlanStep[];
  checks?: CheckResult;
  /** For `usage_limited`: when the agent's limit resets, if it said. */
  resetsAt?: string;
  /** False for a failure that trying again cannot fix: the task is escalated at once. */
  retryable?: boolean;
  /** The agent could not resume the session it was given. */
  sessionLost?: boolean;
  /** The session the agent reported (agents that name their own sessions). */
  sessionId?: string;
}

/**
 * How long to wait after a usage limit that did not say when it resets (an API key's HTTP 429
 * carries no reset in the stream): 5 minutes, doubling while the limits repeat, at most an hour.
 * A rate limit on an API key usually lifts within minutes; a subscription's says when it resets.
 */
export function usageLimitWaitMs(attempts: readonly Attempt[]): number {
  let inARow = 0;
  for (let i = attempts.length - 1; i >= 0 && attempts[i]?.outcome === 'usage_limited'; i--) inARow++;
  return Math.min(5 * 60_000 * 2 ** Math.max(0, inARow - 1), 60 * 60_000);
}

function closeRunningAttempt(task: Task, end: AttemptEnd, now: Date): Attempt[] {
  return task.attempts.map((a, i) =>
    i === task.attempts.length - 1 && a.outcome === 'running'
      ? {
          ...a,
          endedAt: now.toISOString(),
          outcome: end.outcome,
          exitCode: end.exitCode,
          signal: end.signal,
          reason: end.reason,
          durationMs: Math.max(0, end.durationMs), // a clock stepped backwards must not corrupt the record
          counts: end.outcome === 'usage_limited' ? false : (end.counts ?? true),
          ...(end.usage ? { usage: end.usage } : {}),
          ...(end.resources ? { resources: end.resources } : {}),
          ...(end.sessionLost ? { sessionLost: true } : {}),
          ...(end.sessionId ? { sessionId: end.sessionId } : {}),
          ...(end.plan?.length ? { plan: end.plan } : {}),
          ...(end.checks ? { checks: end.checks } : {}),
        }
      : a,
  );
}

function mergeDeliverables(base: Deliverables, extra: Partial<Deliverables> | undefined): Deliverables {
  if (!extra) return base;
  const merged: Deliverables = { ...base };
  for (const [k, v] of Object.entries(extra) as [keyof Deliverables, unknown][]) {
    if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  }
  return merged;
}

/**
 * Ends the running attempt. Success → done. Failure → failed with a back-off, or escalated once
 * the budget is spent. A shutdown interruption puts the task back in the queue without cost.
 */
export function finishAttempt(task: Task, end: AttemptEnd, policy: Policy, now: Date): Result<Task> {
  if (task.status !== 'building') return refuse(task, 'there is no running attempt to finish');
  const attempts = closeRunningAttempt(task, end, now);
  const deliverables = mergeDeliverables(task.deliverables, end.deliverables);
  const base: Task = { ...task, attempts, deliverables };
  const n = attempts.length;
  switch (end.outcome) {
    case 'succeeded':
      return ok({ ...withEvent(base, now, 'done', undefined, `attempt ${n} succeeded`), status: 'done' });
    case 'cancelled':
      return ok({ ...withEvent(base, now, 'cancelled', undefined, end.reason), status: 'cancelled' });
    case 'interrupted':
      if (end.counts === false) {
        return ok({ ...withEvent(base, now, 'interrupted', undefined, end.reason), status: 'queued' });
      }
      return ok(afterFailure(withEvent(base, now, 'interrupted', undefined, end.reason), end.reason, policy, now));
    case 'failed':
    case 'timed_out':
      if (end.retryable === false) {
        return ok({ ...withEvent(withEvent(base, now, 'attempt_failed', undefined, end.reason), now, 'escalated', undefined, `not retried, as trying again cannot fix it: ${end.reason}`), status: 'escalated', retryAt: null });
      }
      return ok(afterFailure(withEvent(base, now, 'attempt_failed', undefined, end.reason), end.reason, policy, now));
    case 'usage_limited': {
      // Not the task's fault: wait for the reset (the schedule still applies the quiet window),
      // at no cost to the retry budget.
      if (handsOverToFallback(base, policy)) {
        const retryAt = now.toISOString();
        return ok({ ...withEvent(base, now, 'usage_limited', undefined, `${end.reason}; FALLBACK_BUILDER ${policy.fallbackBuilder} takes over now`), status: 'failed', retryAt });
      }
      const reset = end.resetsAt ? Date.parse(end.resetsAt) : NaN;
      if (Number.isFinite(reset) && reset > now.getTime()) {
        const retryAt = new Date(reset).toISOString();
        return ok({ ...withEvent(base, now, 'usage_limited', undefined, `${end.reason}; waiting for quota until ${retryAt}`), status: 'failed', retryAt });
      }
      const wait = usageLimitWaitMs(attempts);
      const retryAt = new Date(now.getTime() + wait).toISOString();
      const why = `${end.reason}; no reset time was given, so it waits ${formatDuration(wait)} (doubling while the limit repeats, at most 1h): waiting for quota until ${retryAt}`;
      return ok({ ...withEvent(base, now, 'usage_limited', undefined, why), status: 'failed', retryAt });
    }
  }
}

/**
 * Whether the task's last attempt, stopped by a usage limit, was run by a builder other than
 * FALLBACK_BUILDER: then the fallback takes over at once. A limit the fallback hits itself is
 * waited out like any other (and the next attempt goes back to BUILDER, whose limit has reset).
 */
export function handsOverToFallback(task: Task, policy: Policy): boolean {
  const last = task.attempts.at(-1);
  return policy.fallbackBuilder !== undefined && last?.outcome === 'usage_limited' && last.builder !== policy.fallbackBuilder;
}

function afterFailure(task: Task, reason: string, policy: Policy, now: Date): Task {
  const used = attemptsInBudget(task);
  if (used >= policy.maxAttempts) {
    return {
      ...withEvent(task, now, 'escalated', undefined, `${used} attempts failed; last: ${reason}`),
      status: 'escalated',
      retryAt: null,
    };
  }
  const backoffs = policy.retryBackoffMs;
  const wait = backoffs[Math.min(used - 1, backoffs.length - 1)] ?? 0;
  const retryAt = new Date(now.getTime() + wait).toISOString();
  return { ...withEvent(task, now, 'retry_scheduled', undefined, `attempt ${used + 1} of ${policy.maxAttempts} at ${retryAt}`), status: 'failed', retryAt };
}

/**
 * Cancels a task in any live status. A building task's builder must already be stopped by the
 * caller; its running attempt is closed as cancelled.
 */
export function cancel(task: Task, by: string, now: Date, why = `cancelled by ${by}`): Result<Task> {
  if (task.status === 'done' || task.status === 'cancelled' || task.status === 'rejected') {
    return refuse(task, 'nothing to cancel');
  }
  const attempts =
    task.status === 'building'
      ? closeRunningAttempt(task, { outcome: 'cancelled', exitCode: null, signal: null, reason: why, durationMs: elapsedOfRunning(task, now) }, now)
      : task.attempts;
  return ok({ ...withEvent({ ...task, attempts }, now, 'cancelled', by, why), status: 'cancelled', retryAt: null });
}

function elapsedOfRunning(task: Task, now: Date): number {
  const a = lastAttempt(task);
  return a ? Math.max(0, now.getTime() - Date.parse(a.startedAt)) : 0;
}

/**
 * Retry: from escalated, a fresh budget of attempts; from failed, skip the back-off and keep the
 * budget; from cancelled (by mistake, often), back in the queue with a fresh budget. A clarification
 * that raised something unapproved sends it back for approval instead.
 */
export function retry(task: Task, by: string, now: Date): Result<Task> {
  if (task.status !== 'escalated' && task.status !== 'failed' && task.status !== 'cancelled') {
    const hint = task.status === 'awaiting_approval' ? 'approve it instead' : 'nothing to retry';
    return refuse(task, hint);
  }
  const budgetStart = task.status === 'failed' ? task.budgetStart : task.attempts.length;
  const needsApproval = task.safety.needsApproval && !task.approved;
  const status: TaskStatus = needsApproval ? 'awaiting_approval' : 'queued';
  return ok({ ...withEvent(task, now, 'retried', by), status, budgetStart, retryAt: null });
}

/**
 * The check that failed the built work an escalated task holds: its last attempt's agent finished
 * (so the checks ran) and they did not pass. Null when it holds no such work.
 */
function failingChecksOf(task: Task): CheckResult | null {
  const checks = lastAttempt(task)?.checks;
  return task.status === 'escalated' && checks && checks.outcome !== 'passed' ? checks : null;
}

/** Whether the owner may accept the task's work as it is: the escalation and the buttons offer it only then. */
export const canAccept = (task: Task): boolean => failingChecksOf(task) !== null;

/**
 * Accept anyway: the owner takes the built work as it is, with its checks failing, and the task is
 * done. Its branch and commits are the last attempt's; nothing runs again. Anything else has no
 * built work to take: a task still being worked on, or one whose last attempt failed before the
 * checks could run (retry or cancel it instead).
 */
export function accept(task: Task, by: string, now: Date): Result<Task> {
  if (task.status !== 'escalated') return refuse(task, 'nothing to accept');
  const checks = failingChecksOf(task);
  if (!checks) {
    return err(userError('illegal_move', `${task.id} has no built work waiting on failing checks; nothing to accept. Say "retry ${task.id}" to try again or "cancel ${task.id}" to drop it`));
  }
  return ok({ ...withEvent(task, now, 'accepted', by, acceptedSummary(by, checks)), status: 'done', retryAt: null });
}

/**
 * Changes priority; the safety checks are re-run for it (a low-priority task needs approval). A bump
 * never approves: a task waiting for approval keeps waiting, and when the new priority removed its
 * only reason (low priority), that reason stays on it, so it still says why it waits.
 */
export function setPriority(task: Task, priority: Priority, by: string, verdict: SafetyVerdict, now: Date): Result<Task> {
  if (!GATED.includes(task.status)) return refuse(task, 'its priority no longer matters');
  if (task.priority === priority) return err(userError('bad_input', `${task.id} is already ${priority} priority`));
  const next = { ...withEvent(task, now, 'priority_changed', by, `${task.priority} → ${priority}`), priority, priorityReason: `set to ${priority} by ${by}` };
  if (task.status === 'awaiting_approval') {
    const stale = task.safety.reasons.filter((r) => r.kind === 'stale');
    const reasons = verdict.reasons.length > 0 ? [...verdict.reasons, ...stale] : task.safety.reasons.map((r) => (r.kind === 'low_priority' ? { ...r, message: 'it was asked as low priority, and a bump does not approve it' } : r));
    return ok({ ...next, safety: { ...verdict, needsApproval: true, reasons } });
  }
  return ok(applyVerdict(next, verdict, now));
}

/** Notes that the builder went silent: history for the owner, not a change of status. */
export function markStalled(task: Task, detail: string, now: Date): Task {
  return withEvent(task, now, 'stalled', undefined, detail);
}

/**
 * Work interrupted longer ago than RESUME_MAX_AGE (a crash or a shutdown) does not start again on
 * its own: it waits for the owner, saying how long ago it stopped. Approving it ("resume t-7") runs it.
 */
export function holdStale(task: Task, age: string, now: Date): Result<Task> {
  if (task.status !== 'queued' && task.status !== 'failed') return refuse(task, 'it is not waiting to run again');
  const reason: SafetyVerdict['reasons'][number] = {
    kind: 'stale',
    quote: '',
    message: `its work was interrupted ${age} ago, longer than RESUME_MAX_AGE; say "resume ${task.id}" to run it again, or cancel it`,
  };
  const safety: SafetyVerdict = { needsApproval: true, reasons: [...task.safety.reasons.filter((r) => r.kind !== 'stale'), reason], checkedAt: now.toISOString() };
  return ok({ ...withEvent(task, now, 'approval_requested', undefined, reason.message), status: 'awaiting_approval', approved: false, retryAt: null, safety });
}

/** Notes that the owner was reminded of a task waiting for approval, so it is said once per wait. */
export function markReminded(task: Task, now: Date): Task {
  return withEvent(task, now, 'approval_reminded');
}

/** Notes that the owner was told the task would miss its deadline, so it is said once. */
export function markDeadlineAtRisk(task: Task, message: string, now: Date): Task {
  return withEvent(task, now, 'deadline_at_risk', undefined, message);
}

/**
 * On start-up, a task left `building` by a crash whose agent is not at work any more (an agent
 * still at work is taken back instead; see docs/architecture.md): its attempt ends as failed
 * ("interrupted by restart") and follows the retry rules.
 */
export function recoverInterrupted(task: Task, policy: Policy, now: Date, sessionId?: string): Result<Task> {
  return finishAttempt(
    task,
    { outcome: 'interrupted', exitCode: null, signal: null, reason: 'interrupted by restart', durationMs: elapsedOfRunning(task, now), counts: true, ...(sessionId ? { sessionId } : {}) },
    policy,
    now,
  );
}
