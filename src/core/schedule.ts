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
  | 'quota' // the agent hit its usage limit: waiting for it to reset (not a failure)
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
  return compareKeys(keyOf(a), keyOf(b));
}

/** What the schedule reads from a task's timestamps and id, parsed once. */
interface TaskKey {
  task: Task;
  rank: number;
  /** NaN when there is none. */
  deadline: number;
  created: number;
  n: number;
  /** NaN when there is none. */
  retryAt: number;
  /** The wait this task was given last time; handed out again while the answer is the same. */
  wait: WaitingTask | undefined;
  /** The priority rule's answer at a pass's `now` (null: may start), for the pass whose answers read `gateSig`. */
  gate: WaitingTask | null;
  gateSig: string | undefined;
  /** Where the task stood in the last pass's order, and in which pass it was last a candidate. */
  placed: number;
  seen: number;
}

/**
 * Keys of frozen tasks, kept while the task is: the store hands out the same frozen object until
 * the task changes, so a pass parses only what changed since the last one. A task that is not
 * frozen could change under the cache, so its key is made afresh each time.
 */
const keys = new WeakMap<Task, TaskKey>();

function keyOf(task: Task): TaskKey {
  const cached = keys.get(task);
  if (cached) return cached;
  const key: TaskKey = {
    task,
    rank: PRIORITY_RANK[task.priority],
    deadline: task.deadline === null ? NaN : Date.parse(task.deadline),
    created: Date.parse(task.createdAt),
    n: taskNumber(task.id),
    retryAt: task.retryAt === null ? NaN : Date.parse(task.retryAt),
    wait: undefined,
    gate: null,
    gateSig: undefined,
    placed: -1,
    seen: -1,
  };
  if (Object.isFrozen(task)) keys.set(task, key);
  return key;
}

function compareKeys(a: TaskKey, b: TaskKey): number {
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
    .map(keyOf)
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

const LOW_WHY = 'low priority: waiting for your approval';

/**
 * The zone answers one schedule pass needs, each computed once: every medium task asks whether
 * quiet hours are open at `now` and when they next open, and every answer is worded against `now`.
 */
class Pass {
  readonly nowMs: number;
  private readonly quiet: QuietView;
  readonly clock: OwnerClock;
  /** Per instant: when quiet hours open and how that is said, or null when they are open then. */
  private readonly opens = new Map<number, { at: Date; why: string } | null>();

  constructor(
    readonly now: Date,
    readonly policy: Policy,
  ) {
    this.nowMs = now.getTime();
    this.quiet = quietView(policy.quietHours, policy.timeZone);
    this.clock = ownerClock(now, policy.timeZone);
  }

  quietOpens(at: Date): { at: Date; why: string } | null {
    const key = at.getTime();
    let answer = this.opens.get(key);
    if (answer === undefined) {
      const opens = this.quiet.isQuiet(at) ? null : this.quiet.nextStart(at);
      answer = opens && { at: opens, why: `quiet hours open at ${this.clock.format(opens)}` };
      this.opens.set(key, answer);
    }
    return answer;
  }

  quietEnd(): Date | null {
    return this.quiet.end(this.now);
  }

  private nowSig: string | undefined;

  /**
   * Everything the priority rule at `now` reads besides the task: the zone, the window and the
   * answer at `now`. Two passes with the same signature give an unchanged task the same answer.
   */
  gateSignature(): string {
    if (this.nowSig === undefined) {
      const answer = this.quietOpens(this.now);
      const { timeZone, quietHours } = this.policy;
      const sig = `${timeZone} ${quietHours.start}-${quietHours.end} ${answer ? `${answer.at.getTime()} ${answer.why}` : 'open'}`;
      // The same string object as last time when it reads the same, so comparing is one check.
      this.nowSig = sig === lastGateSig ? lastGateSig : (lastGateSig = sig);
    }
    return this.nowSig;
  }
}

let lastGateSig = '';

/** Whether `task` may start at `now` if a build slot is free, and if not, what it waits for. */
export function eligibility(task: Task, now: Date, policy: Policy): Eligibility {
  const w = waitOf(keyOf(task), new Pass(now, policy));
  return w === null ? { eligible: true } : { eligible: false, startsAt: w.startsAt, why: w.why, waitsFor: w.waitsFor };
}

/** What a task waits for at the pass's `now`, or null when it may start if a slot is free. */
function waitOf(key: TaskKey, pass: Pass): WaitingTask | null {
  const { task } = key;
  if (task.status === 'queued') return gateNow(key, pass);
  if (task.status === 'awaiting_approval') return waitFor(key, null, 'waiting for your approval', 'approval');
  if (task.status !== 'failed') return waitFor(key, null, NOT_QUEUED_WHY[task.status], 'not_queued');
  if (Number.isNaN(key.retryAt)) return waitFor(key, null, 'failed; no retry is scheduled', 'no_retry');
  if (key.retryAt <= pass.nowMs) return gateNow(key, pass);
  const retryAt = new Date(key.retryAt);
  const quota = task.attempts[task.attempts.length - 1]?.outcome === 'usage_limited';
  const backOff = quota ? `waiting for quota until ${pass.clock.format(retryAt)}` : `retry back-off ends ${pass.clock.format(retryAt)}`;
  const then = gateAt(key, retryAt, pass);
  if (then === null) return waitFor(key, retryAt, backOff, quota ? 'quota' : 'retry');
  return waitFor(key, then.startsAt, `${backOff}, then ${then.why}`, then.waitsFor);
}

/** The priority rule at the pass's `now`: as last time when the pass's answers are the same (see Pass.gateSignature). */
function gateNow(key: TaskKey, pass: Pass): WaitingTask | null {
  const sig = pass.gateSignature();
  if (key.gateSig === sig) return key.gate;
  const gate = gateAt(key, pass.now, pass);
  key.gate = gate;
  key.gateSig = sig;
  return gate;
}

/** The priority rule at instant `at` (now, or when a back-off ends); the answer is worded against the pass's `now`. */
function gateAt(key: TaskKey, at: Date, pass: Pass): WaitingTask | null {
  const { task } = key;
  if (task.priority === 'high') return null;
  if (task.priority === 'low' && !task.approved) return waitFor(key, null, LOW_WHY, 'approval');
  const opens = pass.quietOpens(at);
  return opens && waitFor(key, opens.at, opens.why, 'quiet_hours');
}

/**
 * A task's wait. Waits are frozen and shared: when a task is given the same answer as in the last
 * pass (most are: "quiet hours open at 22:00" all afternoon), the same object is handed out again
 * rather than a new one per task per pass.
 */
function waitFor(key: TaskKey, startsAt: Date | null, why: string, waitsFor: WaitReason, after?: TaskId): WaitingTask {
  const last = key.wait;
  if (last && last.why === why && last.waitsFor === waitsFor && last.after === after && (last.startsAt?.getTime() ?? null) === (startsAt?.getTime() ?? null)) {
    return last;
  }
  const wait: WaitingTask = Object.freeze({ id: key.task.id, startsAt, why, waitsFor, ...(after !== undefined ? { after } : {}) });
  key.wait = wait;
  return wait;
}

/** Per decision: lookups so far, and the index once there are enough of them to pay for it. */
const waitingIndex = new WeakMap<ScheduleDecision, { lookups: number; byId?: Map<TaskId, WaitingTask> }>();
/** A reply describes one task or a few: scanning is cheaper than indexing for that many lookups. */
const SCANNED_LOOKUPS = 4;

/**
 * What `id` waits for in `decision` (undefined when it is not waiting there). A decision's first
 * few lookups scan its waiting list (a few microseconds at 5,000 tasks, less than building an
 * index for one reply); after that it is indexed, so describing every task of a long queue stays
 * linear overall.
 */
export function waitingOf(decision: ScheduleDecision, id: TaskId): WaitingTask | undefined {
  let index = waitingIndex.get(decision);
  if (!index) waitingIndex.set(decision, (index = { lookups: 0 }));
  if (!index.byId && ++index.lookups <= SCANNED_LOOKUPS) return decision.waiting.find((w) => w.id === id);
  index.byId ??= new Map(decision.waiting.map((w) => [w.id, w]));
  return index.byId.get(id);
}

/**
 * One pass over the live tasks: each timestamp parsed once (and kept for frozen tasks), each zone
 * answer computed once (see Pass), then one sort of the queued and failed tasks and constant work
 * for each of them.
 */
export function decideSchedule(input: ScheduleInput): ScheduleDecision {
  const { now, policy } = input;
  const pass = new Pass(now, policy);
  const building: Task[] = [];
  const passNo = ++passes;
  const fresh: TaskKey[] = [];
  for (const t of input.tasks) {
    if (t.status === 'queued' || t.status === 'failed') {
      const known = keyOf(t);
      // The same frozen task object twice (never from a store) is listed twice, as a sort would.
      const key = known.seen === passNo ? { ...known, wait: undefined, gateSig: undefined, placed: -1 } : known;
      key.seen = passNo;
      fresh.push(key);
    } else if (t.status === 'building') building.push(t);
  }
  const candidates = inLastOrder(fresh, passNo);
  candidates.sort(compareKeys);
  lastOrder = candidates;
  const freeSlots = Math.max(0, policy.maxParallelBuilds - building.length);

  const start: TaskId[] = [];
  const waiting: WaitingTask[] = [];
  const atRisk: DeadlineRisk[] = [];
  /** The last task in line for a slot (or started), which the next one in line follows. */
  let ahead: TaskId | undefined;
  let inLine = 0;
  let inLineNotHigh = false;
  // nextWakeAt: the earliest future instant a quiet window opens or a back-off ends.
  let wake = Infinity;
  const consider = (ms: number): void => {
    if (ms > pass.nowMs && ms < wake) wake = ms;
  };
  for (const key of candidates) {
    const { task } = key;
    if (!Number.isNaN(key.retryAt) && task.status === 'failed') consider(key.retryAt);
    const w = waitOf(key, pass);
    if (w === null) {
      if (start.length < freeSlots) {
        start.push(task.id);
        ahead = task.id;
        continue;
      }
      // Ready, but every slot is taken: in line behind the one before it.
      const after = inLine === 0 ? aheadOfLine(start, building) : ahead;
      waiting.push(waitForSlot(key, after, inLine === 0, policy));
      inLine++;
      ahead = task.id;
      if (task.priority !== 'high') inLineNotHigh = true;
      continue;
    }
    waiting.push(w);
    if (w.startsAt && (w.waitsFor === 'quiet_hours' || w.waitsFor === 'retry' || w.waitsFor === 'quota')) consider(w.startsAt.getTime());
    if (w.startsAt && w.waitsFor === 'quiet_hours') {
      const risk = deadlineRisk(key, w.startsAt, input, pass);
      if (risk) atRisk.push(risk);
    }
  }
  // Medium and low tasks waiting in line inside the window stop being eligible when it closes,
  // and may then be at risk of missing their deadline.
  const closes = inLineNotHigh ? pass.quietEnd() : null;
  if (closes) consider(closes.getTime());
  return { start, nextWakeAt: wake === Infinity ? null : new Date(wake), atRisk, waiting };
}

/** How many passes have run, and the order the last one put its candidates in. */
let passes = 0;
let lastOrder: TaskKey[] = [];

/**
 * The candidates laid out in the order the last pass left them, new ones after: the sort that
 * follows then meets long sorted runs, which it merges in about one comparison per task. The
 * order is total (ids are unique), so the result is the same whatever the layout.
 */
function inLastOrder(candidates: TaskKey[], passNo: number): TaskKey[] {
  const laid: TaskKey[] = [];
  for (const key of lastOrder) {
    if (key.seen === passNo && key.placed !== passNo) {
      key.placed = passNo;
      laid.push(key);
    }
  }
  for (const key of candidates) {
    if (key.placed !== passNo) {
      key.placed = passNo;
      laid.push(key);
    }
  }
  return laid;
}

/** Who the first task waiting for a slot follows: the last one started now, or the one build running. */
function aheadOfLine(start: TaskId[], building: Task[]): TaskId | undefined {
  return start[start.length - 1] ?? (building.length === 1 ? building[0]?.id : undefined);
}

function waitForSlot(key: TaskKey, after: TaskId | undefined, first: boolean, policy: Policy): WaitingTask {
  const why =
    after !== undefined
      ? `${first ? 'a build slot is busy: ' : ''}next in line after ${after}`
      : policy.maxParallelBuilds <= 0
        ? `no build slots: maxParallelBuilds is ${policy.maxParallelBuilds}`
        : 'a build slot is busy: next in line';
  return waitFor(key, null, why, 'slot', after);
}

function deadlineRisk(key: TaskKey, startsAt: Date, input: ScheduleInput, pass: Pass): DeadlineRisk | null {
  if (Number.isNaN(key.deadline)) return null;
  const { task } = key;
  const { policy, typicalDurationMs } = input;
  const estimateMs = task.estimateMs ?? typicalDurationMs ?? policy.defaultEstimateMs;
  if (startsAt.getTime() + estimateMs <= key.deadline) return null;
  if (task.events.some((e) => e.type === 'deadline_at_risk')) return null;
  const source = task.estimateMs !== null ? "the task's estimate" : typicalDurationMs !== null ? 'the typical build duration' : 'the default estimate';
  const deadline = new Date(key.deadline);
  const opens = pass.clock.format(startsAt);
  const due = pass.clock.format(deadline);
  const head = `${task.id} "${task.title}" waits for quiet hours (${opens})`;
  const message =
    key.deadline <= pass.nowMs
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
    case 'quota':
      return when ? `waiting for quota until ${when}` : e.why;
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
