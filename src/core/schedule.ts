// What to build now, what waits and until when: a pure function of (live tasks, now, policy).
//
// Rules: high priority starts any time; medium only inside quiet hours; low only once approved,
// then like medium. `awaiting_approval` never starts. Candidates are `queued` tasks and `failed`
// tasks whose back-off (`retryAt`) has passed. Free slots are maxParallelBuilds minus the tasks
// already `building`, filled in `compareForStart` order.
import { formatDuration } from './durations.ts';
import type { Policy } from './policy.ts';
import { quietView, type QuietView } from './quiet-hours.ts';
import { ownerClock, type OwnerClock } from './time-of-day.ts';
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
  return compareKeys(startKey(a), startKey(b));
}

/** What compareForStart reads, parsed once per task instead of once per comparison. */
interface StartKey {
  task: Task;
  rank: number;
  /** NaN when there is no deadline. */
  deadline: number;
  created: number;
  n: number;
}

const startKey = (task: Task): StartKey => ({
  task,
  rank: PRIORITY_RANK[task.priority],
  deadline: task.deadline === null ? NaN : Date.parse(task.deadline),
  created: Date.parse(task.createdAt),
  n: taskNumber(task.id),
});

function compareKeys(a: StartKey, b: StartKey): number {
  return a.rank - b.rank || compareDeadlines(a.deadline, b.deadline) || a.created - b.created || a.n - b.n;
}

/** Any deadline before none (NaN). */
function compareDeadlines(a: number, b: number): number {
  const noA = Number.isNaN(a);
  const noB = Number.isNaN(b);
  if (noA || noB) return (noA ? 1 : 0) - (noB ? 1 : 0);
  return a - b;
}

/** Tasks in start order; stable, so equal keys keep their input order (as sorting with compareForStart does). */
export function sortForStart(tasks: readonly Task[]): Task[] {
  return tasks
    .map(startKey)
    .sort(compareKeys)
    .map((k) => k.task);
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

/**
 * The zone answers one schedule pass needs, each computed once: every medium task asks whether
 * `now` is in quiet hours and when they next open, and every answer is worded against `now`.
 */
interface Pass {
  now: Date;
  policy: Policy;
  quiet: QuietView;
  clock: OwnerClock;
}

const passAt = (now: Date, policy: Policy): Pass => ({
  now,
  policy,
  quiet: quietView(policy.quietHours, policy.timeZone),
  clock: ownerClock(now, policy.timeZone),
});

/** Whether `task` may start at `now` if a build slot is free, and if not, what it waits for. */
export function eligibility(task: Task, now: Date, policy: Policy): Eligibility {
  return eligibilityIn(task, passAt(now, policy));
}

const notNow = (waitsFor: WaitReason, why: string): Eligibility => ({ eligible: false, startsAt: null, why, waitsFor });

function eligibilityIn(task: Task, pass: Pass): Eligibility {
  if (task.status === 'awaiting_approval') return notNow('approval', 'waiting for your approval');
  if (task.status === 'queued') return priorityGate(task, pass.now, pass);
  if (task.status !== 'failed') return notNow('not_queued', NOT_QUEUED_WHY[task.status]);
  if (task.retryAt === null) return notNow('no_retry', 'failed; no retry is scheduled');
  const retryAt = new Date(task.retryAt);
  if (retryAt.getTime() <= pass.now.getTime()) return priorityGate(task, pass.now, pass);
  const backOff = `retry back-off ends ${pass.clock.format(retryAt)}`;
  const then = priorityGate(task, retryAt, pass);
  if (then.eligible) return { eligible: false, startsAt: retryAt, why: backOff, waitsFor: 'retry' };
  return { ...then, why: `${backOff}, then ${then.why}` };
}

/** The priority rule at instant `at` (now, or when a back-off ends); the answer is worded against the pass's `now`. */
function priorityGate(task: Task, at: Date, pass: Pass): Eligibility {
  if (task.priority === 'high') return { eligible: true };
  if (task.priority === 'low' && !task.approved) {
    return { eligible: false, startsAt: null, why: 'low priority: waiting for your approval', waitsFor: 'approval' };
  }
  if (pass.quiet.isQuiet(at)) return { eligible: true };
  const opens = pass.quiet.nextStart(at);
  return { eligible: false, startsAt: opens, why: `quiet hours open at ${pass.clock.format(opens)}`, waitsFor: 'quiet_hours' };
}

/** Each decision's waiting tasks by id, so describing one task is a lookup (see waitingOf). */
const waitingIndex = new WeakMap<ScheduleDecision, ReadonlyMap<TaskId, WaitingTask>>();

/**
 * What `id` waits for in `decision` (undefined when it is not waiting there): O(1) for a decision
 * made by decideSchedule; a decision built elsewhere is indexed on first use.
 */
export function waitingOf(decision: ScheduleDecision, id: TaskId): WaitingTask | undefined {
  let index = waitingIndex.get(decision);
  if (!index) {
    index = new Map(decision.waiting.map((w) => [w.id, w]));
    waitingIndex.set(decision, index);
  }
  return index.get(id);
}

/**
 * One pass over the live tasks: each timestamp parsed once, each zone answer computed once (see
 * Pass), so the cost is one sort of the queued and failed tasks plus constant work per task.
 */
export function decideSchedule(input: ScheduleInput): ScheduleDecision {
  const { now, policy } = input;
  const pass = passAt(now, policy);
  const candidates: Task[] = [];
  const building: Task[] = [];
  for (const t of input.tasks) {
    if (t.status === 'queued' || t.status === 'failed') candidates.push(t);
    else if (t.status === 'building') building.push(t);
  }
  const tasks = sortForStart(candidates);
  const freeSlots = Math.max(0, policy.maxParallelBuilds - building.length);

  // Each task in start order: its wait (a blocked one's now; one waiting for a slot's below), or null when ready.
  const waits: (WaitingTask | null)[] = [];
  const ready: Task[] = [];
  for (const task of tasks) {
    const e = eligibilityIn(task, pass);
    if (e.eligible) ready.push(task);
    waits.push(e.eligible ? null : { id: task.id, startsAt: e.startsAt, why: e.why, waitsFor: e.waitsFor });
  }
  const start = ready.slice(0, freeSlots).map((t) => t.id);
  const inLine = ready.slice(freeSlots);
  const slotWaits = new Map<TaskId, WaitingTask>();
  for (let i = 0; i < inLine.length; i++) {
    const id = (inLine[i] as Task).id;
    const after = i === 0 ? aheadOfLine(start, building) : inLine[i - 1]?.id;
    slotWaits.set(id, waitForSlot(id, after, i === 0, policy));
  }

  const waiting: WaitingTask[] = [];
  const byId = new Map<TaskId, WaitingTask>();
  const atRisk: DeadlineRisk[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i] as Task;
    const w = waits[i] ?? slotWaits.get(t.id);
    if (!w) continue;
    waiting.push(w);
    byId.set(w.id, w);
    if (w.waitsFor === 'quiet_hours' && w.startsAt) {
      const risk = deadlineRisk(t, w.startsAt, input, pass.clock);
      if (risk) atRisk.push(risk);
    }
  }
  const decision: ScheduleDecision = { start, nextWakeAt: nextWake(tasks, waiting, inLine, pass), atRisk, waiting };
  waitingIndex.set(decision, byId);
  return decision;
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

function nextWake(tasks: Task[], waiting: WaitingTask[], inLine: Task[], pass: Pass): Date | null {
  const times: number[] = [];
  // A quiet window opens, or a back-off ends (for a medium task, the window after it).
  for (const w of waiting) if ((w.waitsFor === 'quiet_hours' || w.waitsFor === 'retry') && w.startsAt) times.push(w.startsAt.getTime());
  for (const t of tasks) if (t.status === 'failed' && t.retryAt) times.push(Date.parse(t.retryAt));
  // Medium and low tasks waiting in line inside the window stop being eligible when it closes,
  // and may then be at risk of missing their deadline.
  const closes = inLine.some((t) => t.priority !== 'high') ? pass.quiet.end(pass.now) : null;
  if (closes) times.push(closes.getTime());
  return soonestAfter(times, pass.now.getTime());
}

function soonestAfter(times: number[], after: number): Date | null {
  let soonest = Infinity;
  for (const ms of times) if (ms > after && ms < soonest) soonest = ms;
  return soonest === Infinity ? null : new Date(soonest);
}

function deadlineRisk(task: Task, startsAt: Date, input: ScheduleInput, clock: OwnerClock): DeadlineRisk | null {
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
  const opens = clock.format(startsAt);
  const due = clock.format(deadline);
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
  const waiting = decision ? waitingOf(decision, task.id) : undefined;
  const e = waiting ?? eligibility(task, now, policy);
  if (!('waitsFor' in e)) return 'ready to start';
  const when = e.startsAt ? describeWhen(e.startsAt, ownerClock(now, policy.timeZone)) : null;
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
function describeWhen(at: Date, clock: OwnerClock): string {
  const text = clock.format(at);
  const { date, hour } = clock.localTime(at);
  if (date !== clock.localTime(clock.now).date) return text;
  return `${text} ${hour >= 17 || hour < 5 ? 'tonight' : 'today'}`;
}
