// What to build now, what waits and until when: a pure function of (live tasks, now, policy).
//
// Rules: high priority starts any time; medium only inside quiet hours; low only once approved,
// then like medium. `awaiting_approval` never starts. Candidates are `queued` tasks and `failed`
// tasks whose back-off (`retryAt`) has passed. Free slots are maxParallelBuilds minus the tasks
// already `building`, filled in `compareForStart` order.
import { formatDuration } from './durations.ts';
import type { Policy } from './policy.ts';
import { isInQuietHours, nextQuietStart, quietEnd } from './quiet-hours.ts';
import { formatOwnerTime, localTimeOf } from './time-of-day.ts';
import { taskNumber, type Priority, type Task, type TaskId, type TaskStatus } from './task.ts';

// Kept importable from here too: replies format schedule times with it (src/commands/format.ts).
export { formatOwnerTime } from './time-of-day.ts';

export interface ScheduleInput {
  /** The live tasks (any status; only queued, failed and building ones matter). */
  tasks: Task[];
  now: Date;
  policy: Policy;
  /** Median duration of past builds in ms, null when there is no history. */
  typicalDurationMs: number | null;
}

/** What a task that cannot start now is waiting for. */
export type WaitReason =
  | 'quiet_hours' // medium, or approved low: outside the quiet window
  | 'retry' // failed: the back-off has not ended
  | 'approval' // awaiting approval, or low priority and not approved
  | 'slot' // eligible, but every build slot is taken
  | 'no_retry' // failed with no retry scheduled
  | 'not_queued'; // building, done, escalated...: not the scheduler's to start

export interface WaitingTask {
  id: TaskId;
  /** When it will start, if time alone decides it; null when it depends on a person or a build slot. */
  startsAt: Date | null;
  /** For replies and status: "quiet hours open at 22:00", "retry back-off ends 03:14". */
  why: string;
  waitsFor: WaitReason;
  /** For `slot`: the task directly ahead in line, when one is known. */
  after?: TaskId;
}

export interface DeadlineRisk {
  id: TaskId;
  /** For the owner: `t-7 "Build X" waits for quiet hours (22:00) but needs ~1h and is due 21:00: ...`. */
  message: string;
  /** For the task's event log: the instants and where the estimate came from. */
  reason: string;
}

export interface ScheduleDecision {
  /** What to start now, in order; never more than the free slots. */
  start: TaskId[];
  /**
   * The earliest future instant at which the decision could change by time alone (a quiet window
   * opens or closes, a back-off ends); null when nothing time-based is pending.
   */
  nextWakeAt: Date | null;
  /** Medium and low tasks that would miss their deadline by waiting for quiet hours, not raised before. */
  atRisk: DeadlineRisk[];
  /** Every queued or failed task not started, in `compareForStart` order. */
  waiting: WaitingTask[];
}

export type Eligibility =
  | { eligible: true }
  | { eligible: false; startsAt: Date | null; why: string; waitsFor: WaitReason };

const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

/** Start order: priority (high first), then earliest deadline (none last), then oldest, then lowest id. */
export function compareForStart(a: Task, b: Task): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    compareDeadlines(a.deadline, b.deadline) ||
    Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
    taskNumber(a.id) - taskNumber(b.id)
  );
}

function compareDeadlines(a: string | null, b: string | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return Date.parse(a) - Date.parse(b);
}

const NOT_QUEUED_WHY: Record<TaskStatus, string> = {
  awaiting_approval: 'waiting for your approval',
  queued: 'queued',
  building: 'already building',
  done: 'done',
  failed: 'failed',
  escalated: 'escalated: waiting for you after repeated failures',
  cancelled: 'cancelled',
  rejected: 'rejected',
};

/** Whether `task` may start at `now` if a build slot is free, and if not, what it waits for. */
export function eligibility(task: Task, now: Date, policy: Policy): Eligibility {
  const notNow = (waitsFor: WaitReason, why: string): Eligibility => ({ eligible: false, startsAt: null, why, waitsFor });
  if (task.status === 'awaiting_approval') return notNow('approval', 'waiting for your approval');
  if (task.status === 'queued') return priorityGate(task, now, now, policy);
  if (task.status !== 'failed') return notNow('not_queued', NOT_QUEUED_WHY[task.status]);
  if (task.retryAt === null) return notNow('no_retry', 'failed; no retry is scheduled');
  const retryAt = new Date(task.retryAt);
  if (retryAt.getTime() <= now.getTime()) return priorityGate(task, now, now, policy);
  const backOff = `retry back-off ends ${formatOwnerTime(retryAt, now, policy.timeZone)}`;
  const then = priorityGate(task, retryAt, now, policy);
  if (then.eligible) return { eligible: false, startsAt: retryAt, why: backOff, waitsFor: 'retry' };
  return { ...then, why: `${backOff}, then ${then.why}` };
}

/** The priority rule at instant `at` (now, or when a back-off ends); `now` only words the answer. */
function priorityGate(task: Task, at: Date, now: Date, policy: Policy): Eligibility {
  if (task.priority === 'high') return { eligible: true };
  if (task.priority === 'low' && !task.approved) {
    return { eligible: false, startsAt: null, why: 'low priority: waiting for your approval', waitsFor: 'approval' };
  }
  if (isInQuietHours(at, policy.quietHours, policy.timeZone)) return { eligible: true };
  const opens = nextQuietStart(at, policy.quietHours, policy.timeZone);
  const why = `quiet hours open at ${formatOwnerTime(opens, now, policy.timeZone)}`;
  return { eligible: false, startsAt: opens, why, waitsFor: 'quiet_hours' };
}

export function decideSchedule(input: ScheduleInput): ScheduleDecision {
  const { now, policy } = input;
  const tasks = [...input.tasks].sort(compareForStart);
  const building = tasks.filter((t) => t.status === 'building');
  const freeSlots = Math.max(0, policy.maxParallelBuilds - building.length);

  const ready: Task[] = [];
  const blocked = new Map<TaskId, WaitingTask>();
  for (const task of tasks) {
    if (task.status !== 'queued' && task.status !== 'failed') continue;
    const e = eligibility(task, now, policy);
    if (e.eligible) ready.push(task);
    else blocked.set(task.id, { id: task.id, startsAt: e.startsAt, why: e.why, waitsFor: e.waitsFor });
  }
  const start = ready.slice(0, freeSlots).map((t) => t.id);
  const inLine = ready.slice(freeSlots);
  const slotWaits = new Map(
    inLine.map((t, i) => {
      const after = i === 0 ? aheadOfLine(start, building) : inLine[i - 1]?.id;
      return [t.id, waitForSlot(t.id, after, i === 0, policy)];
    }),
  );

  const waiting = tasks.flatMap((t) => blocked.get(t.id) ?? slotWaits.get(t.id) ?? []);
  const atRisk = tasks.flatMap((t) => {
    const w = blocked.get(t.id);
    return w?.waitsFor === 'quiet_hours' && w.startsAt ? deadlineRisk(t, w.startsAt, input) ?? [] : [];
  });
  return { start, nextWakeAt: nextWake(tasks, waiting, inLine, input), atRisk, waiting };
}

/** Who the first task waiting for a slot follows: the last one started now, or the one build running. */
function aheadOfLine(start: TaskId[], building: Task[]): TaskId | undefined {
  return start[start.length - 1] ?? (building.length === 1 ? building[0]?.id : undefined);
}

function waitForSlot(id: TaskId, after: TaskId | undefined, first: boolean, policy: Policy): WaitingTask {
  const why =
    after !== undefined
      ? `${first ? 'a build slot is busy: ' : ''}next in line after ${after}`
      : policy.maxParallelBuilds <= 0
        ? `no build slots: maxParallelBuilds is ${policy.maxParallelBuilds}`
        : 'a build slot is busy: next in line';
  return { id, startsAt: null, why, waitsFor: 'slot', ...(after !== undefined ? { after } : {}) };
}

function nextWake(tasks: Task[], waiting: WaitingTask[], inLine: Task[], input: ScheduleInput): Date | null {
  const { now, policy } = input;
  // A quiet window opens, or a back-off ends (for a medium task, the window after it).
  const times = waiting.flatMap((w) => (w.waitsFor === 'quiet_hours' || w.waitsFor === 'retry' ? [w.startsAt] : []));
  for (const t of tasks) if (t.status === 'failed' && t.retryAt) times.push(new Date(t.retryAt));
  // Medium and low tasks waiting in line inside the window stop being eligible when it closes,
  // and may then be at risk of missing their deadline.
  if (inLine.some((t) => t.priority !== 'high')) times.push(quietEnd(now, policy.quietHours, policy.timeZone));
  const future = times.flatMap((d) => (d && d.getTime() > now.getTime() ? [d.getTime()] : []));
  return future.length ? new Date(Math.min(...future)) : null;
}

function deadlineRisk(task: Task, startsAt: Date, input: ScheduleInput): DeadlineRisk | null {
  const { now, policy, typicalDurationMs } = input;
  if (task.deadline === null || task.events.some((e) => e.type === 'deadline_at_risk')) return null;
  const deadline = new Date(task.deadline);
  const [estimateMs, source] =
    task.estimateMs !== null
      ? [task.estimateMs, "the task's estimate"]
      : typicalDurationMs !== null
        ? [typicalDurationMs, 'the typical build duration']
        : [policy.defaultEstimateMs, 'the default estimate'];
  if (startsAt.getTime() + estimateMs <= deadline.getTime()) return null;
  const tz = policy.timeZone;
  const opens = formatOwnerTime(startsAt, now, tz);
  const due = formatOwnerTime(deadline, now, tz);
  const head = `${task.id} "${task.title}" waits for quiet hours (${opens})`;
  const message =
    deadline.getTime() <= now.getTime()
      ? `${head} but was due ${due}: it has already missed its deadline`
      : `${head} but needs ~${formatDuration(estimateMs)} and is due ${due}: it would miss its deadline`;
  const reason = `quiet hours open ${startsAt.toISOString()}; needs ~${formatDuration(estimateMs)} (${source}); due ${deadline.toISOString()}`;
  return { id: task.id, message, reason };
}

const STATUS_LINE: Partial<Record<TaskStatus, string>> = {
  building: 'building now',
  done: 'done',
  escalated: 'waiting for you: it failed too often to retry on its own',
  cancelled: 'cancelled',
  rejected: 'rejected',
};

/**
 * The "what happens next" line for replies and status: "starting now", "starts at 22:00 tonight
 * (quiet hours)", "starts at 22:00 Fri 27 Nov (quiet hours)", "waiting for your approval",
 * "next in line after t-3". Pass the decision just made to know about build slots; without it,
 * a task that could start is "ready to start".
 */
export function describeStart(task: Task, now: Date, policy: Policy, decision?: ScheduleDecision): string {
  if (decision?.start.includes(task.id)) return 'starting now';
  const statusLine = STATUS_LINE[task.status];
  if (statusLine) return statusLine;
  const waiting = decision?.waiting.find((w) => w.id === task.id);
  const e = waiting ?? eligibility(task, now, policy);
  if (!('waitsFor' in e)) return 'ready to start';
  const when = e.startsAt ? describeWhen(e.startsAt, now, policy.timeZone) : null;
  switch (e.waitsFor) {
    case 'quiet_hours':
      return when ? `starts at ${when} (quiet hours)` : e.why;
    case 'retry':
      return when ? `retries at ${when}` : e.why;
    case 'approval':
      return 'waiting for your approval';
    case 'slot':
      return waiting?.after ? `next in line after ${waiting.after}` : 'next in line, when a build slot frees up';
    case 'no_retry':
    case 'not_queued':
      return e.why;
  }
}

/** "22:00 tonight", "14:00 today", "22:00 Fri 27 Nov". */
function describeWhen(at: Date, now: Date, timeZone: string): string {
  const text = formatOwnerTime(at, now, timeZone);
  const { date, hour } = localTimeOf(at, timeZone);
  if (date !== localTimeOf(now, timeZone).date) return text;
  return `${text} ${hour >= 17 || hour < 5 ? 'tonight' : 'today'}`;
}
