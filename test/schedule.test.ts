// Scheduling policy as a pure function of (tasks, now, policy). The owner lives in Chicago;
// "today" is Thursday 2026-11-26 (CST, UTC-6), quiet hours 22:00-06:00 unless a test says otherwise.
import { describe, expect, it } from 'vitest';
import { defaultPolicy, HOUR, MINUTE, type Policy } from '../src/core/policy.ts';
import { formatDuration } from '../src/core/durations.ts';
import { isInQuietHours, nextQuietStart, quietEnd } from '../src/core/quiet-hours.ts';
import {
  compareForStart,
  decideSchedule,
  describeStart,
  eligibility,
  sortForStart,
  waitingOf,
  type DeadlineRisk,
  type ScheduleDecision,
  type ScheduleInput,
  type WaitingTask,
} from '../src/core/schedule.ts';
import type { Task } from '../src/core/task.ts';
import { formatOwnerTime } from '../src/core/time-of-day.ts';
import { makeTask } from './helpers/task-factory.ts';

const CHI = 'America/Chicago';
const policy = (overrides: Partial<Policy> = {}): Policy => defaultPolicy({ timeZone: CHI, ...overrides });
const at = (iso: string): Date => new Date(iso);

const NOON = at('2026-11-26T18:00:00.000Z'); // 12:00 Thu, outside quiet hours
const LATE = at('2026-11-27T05:00:00.000Z'); // 23:00 Thu, inside
const OPENS = '2026-11-27T04:00:00.000Z'; // 22:00 Thu
const CLOSES = '2026-11-27T12:00:00.000Z'; // 06:00 Fri

const decide = (tasks: Task[], now: Date, overrides: Partial<ScheduleInput> = {}) =>
  decideSchedule({ tasks, now, policy: policy(), typicalDurationMs: null, ...overrides });

describe('compareForStart', () => {
  const base = { createdAt: '2026-11-26T10:00:00.000Z' };
  it.each([
    ['high before medium', { priority: 'high' }, { priority: 'medium' }],
    ['medium before low', { priority: 'medium' }, { priority: 'low' }],
    ['high before low, even with a later deadline', { priority: 'high', deadline: '2026-12-01T00:00:00.000Z' }, { priority: 'low', deadline: '2026-11-27T00:00:00.000Z' }],
    ['earlier deadline first', { deadline: '2026-11-27T00:00:00.000Z' }, { deadline: '2026-11-28T00:00:00.000Z' }],
    ['any deadline before none', { deadline: '2026-12-31T00:00:00.000Z' }, { deadline: null }],
    ['deadlines compared as instants, not text', { deadline: '2026-11-27T01:00:00+02:00' }, { deadline: '2026-11-27T00:00:00.000Z' }],
    ['older first', { createdAt: '2026-11-26T09:00:00.000Z' }, { createdAt: '2026-11-26T10:00:00.000Z' }],
    ['then lower id number (t-9 before t-10)', { id: 't-9' }, { id: 't-10' }],
  ] as [string, Partial<Task>, Partial<Task>][])('%s', (_name, a, b) => {
    const ta = makeTask({ ...base, id: 't-1', ...a });
    const tb = makeTask({ ...base, id: 't-2', ...b });
    if (a.id || b.id) {
      expect(compareForStart(ta, tb)).toBeLessThan(0);
    } else {
      expect(compareForStart(ta, tb)).toBeLessThan(0);
      // the same pair with ids swapped must still order by the rule, not by id
      expect(compareForStart(makeTask({ ...base, id: 't-2', ...a }), makeTask({ ...base, id: 't-1', ...b }))).toBeLessThan(0);
    }
    expect(compareForStart(tb, ta)).toBeGreaterThan(0);
  });

  it('sorts a mixed queue', () => {
    const tasks = [
      makeTask({ id: 't-1', priority: 'low' }),
      makeTask({ id: 't-2', priority: 'medium' }),
      makeTask({ id: 't-3', priority: 'high' }),
      makeTask({ id: 't-4', priority: 'medium', deadline: '2026-11-27T00:00:00.000Z' }),
      makeTask({ id: 't-5', priority: 'high', createdAt: '2025-12-31T00:00:00.000Z' }),
    ];
    expect(tasks.sort(compareForStart).map((t) => t.id)).toEqual(['t-5', 't-3', 't-4', 't-2', 't-1']);
  });
});

describe('eligibility', () => {
  it.each([
    ['high, outside quiet hours', { priority: 'high' }, NOON, { eligible: true }],
    ['medium, outside', { priority: 'medium' }, NOON, { eligible: false, startsAt: at(OPENS), why: 'quiet hours open at 22:00', waitsFor: 'quiet_hours' }],
    ['medium, inside', { priority: 'medium' }, LATE, { eligible: true }],
    ['low approved, inside', { priority: 'low', approved: true }, LATE, { eligible: true }],
    ['low approved, outside', { priority: 'low', approved: true }, NOON, { eligible: false, startsAt: at(OPENS), why: 'quiet hours open at 22:00', waitsFor: 'quiet_hours' }],
    ['low not approved, inside', { priority: 'low' }, LATE, { eligible: false, startsAt: null, why: 'low priority: waiting for your approval', waitsFor: 'approval' }],
    ['awaiting approval, even high', { priority: 'high', status: 'awaiting_approval' }, LATE, { eligible: false, startsAt: null, why: 'waiting for your approval', waitsFor: 'approval' }],
    ['failed, back-off over', { priority: 'high', status: 'failed', retryAt: '2026-11-26T17:59:00.000Z' }, NOON, { eligible: true }],
    ['failed, back-off ends exactly now', { priority: 'high', status: 'failed', retryAt: NOON.toISOString() }, NOON, { eligible: true }],
    ['failed, in back-off', { priority: 'high', status: 'failed', retryAt: '2026-11-26T18:14:00.000Z' }, NOON, { eligible: false, startsAt: at('2026-11-26T18:14:00.000Z'), why: 'retry back-off ends 12:14', waitsFor: 'retry' }],
    ['failed medium: back-off, then quiet hours', { status: 'failed', retryAt: '2026-11-26T18:14:00.000Z' }, NOON, { eligible: false, startsAt: at(OPENS), why: 'retry back-off ends 12:14, then quiet hours open at 22:00', waitsFor: 'quiet_hours' }],
    ['failed medium: back-off ends inside the window', { status: 'failed', retryAt: '2026-11-27T05:30:00.000Z' }, LATE, { eligible: false, startsAt: at('2026-11-27T05:30:00.000Z'), why: 'retry back-off ends 23:30', waitsFor: 'retry' }],
    ['failed, no retry scheduled', { priority: 'high', status: 'failed', retryAt: null }, NOON, { eligible: false, startsAt: null, why: 'failed; no retry is scheduled', waitsFor: 'no_retry' }],
    ['building', { priority: 'high', status: 'building' }, NOON, { eligible: false, startsAt: null, why: 'already building', waitsFor: 'not_queued' }],
  ] as [string, Partial<Task>, Date, unknown][])('%s', (_name, overrides, now, expected) => {
    expect(eligibility(makeTask(overrides), now, policy())).toEqual(expected);
  });

  it('medium is always eligible when quiet hours are always on (start == end)', () => {
    expect(eligibility(makeTask({}), NOON, policy({ quietHours: { start: 0, end: 0 } }))).toEqual({ eligible: true });
  });
});

describe('decideSchedule: build slots', () => {
  const high = (n: number, extra: Partial<Task> = {}) => makeTask({ id: `t-${n}`, priority: 'high', ...extra });
  it.each([
    // [name, maxParallelBuilds, tasks, started, waiting whys]
    ['1 slot, 2 queued', 1, [high(1), high(2)], ['t-1'], ['a build slot is busy: next in line after t-1']],
    ['2 slots, 2 queued', 2, [high(1), high(2)], ['t-1', 't-2'], []],
    ['2 slots, 3 queued', 2, [high(1), high(2), high(3)], ['t-1', 't-2'], ['a build slot is busy: next in line after t-2']],
    ['1 slot busy', 1, [high(9, { status: 'building' }), high(1), high(2)], [], ['a build slot is busy: next in line after t-9', 'next in line after t-1']],
    ['2 slots, 1 busy', 2, [high(9, { status: 'building' }), high(1), high(2)], ['t-1'], ['a build slot is busy: next in line after t-1']],
    ['2 slots, both busy', 2, [high(8, { status: 'building' }), high(9, { status: 'building' }), high(1)], [], ['a build slot is busy: next in line']],
    ['0 slots', 0, [high(1)], [], ['no build slots: maxParallelBuilds is 0']],
    ['more building than slots (setting lowered)', 1, [high(8, { status: 'building' }), high(9, { status: 'building' }), high(1)], [], ['a build slot is busy: next in line']],
  ] as [string, number, Task[], string[], string[]][])('%s', (_name, maxParallelBuilds, tasks, started, whys) => {
    const d = decideSchedule({ tasks, now: NOON, policy: policy({ maxParallelBuilds }), typicalDurationMs: null });
    expect(d.start).toEqual(started);
    expect(d.waiting.map((w) => w.why)).toEqual(whys);
    expect(d.waiting.every((w) => w.waitsFor === 'slot' && w.startsAt === null)).toBe(true);
    expect(d.nextWakeAt).toBeNull();
  });

  it('starts in compareForStart order, not input order', () => {
    const tasks = [
      makeTask({ id: 't-1', priority: 'low', approved: true }),
      makeTask({ id: 't-2', priority: 'medium' }),
      makeTask({ id: 't-3', priority: 'high' }),
    ];
    expect(decide(tasks, LATE, { policy: policy({ maxParallelBuilds: 2 }) }).start).toEqual(['t-3', 't-2']);
  });

  it('outside quiet hours only high priority starts', () => {
    const tasks = [makeTask({ id: 't-1', priority: 'medium' }), makeTask({ id: 't-2', priority: 'high' })];
    const d = decide(tasks, NOON, { policy: policy({ maxParallelBuilds: 2 }) });
    expect(d.start).toEqual(['t-2']);
    expect(d.waiting).toEqual([{ id: 't-1', startsAt: at(OPENS), why: 'quiet hours open at 22:00', waitsFor: 'quiet_hours' }]);
  });

  it.each([NOON, LATE, at('2026-11-27T11:59:00.000Z')])('low without approval never starts (at %s, 3 free slots)', (now) => {
    const d = decide([makeTask({ id: 't-1', priority: 'low' })], now, { policy: policy({ maxParallelBuilds: 3 }) });
    expect(d.start).toEqual([]);
    expect(d.waiting).toEqual([{ id: 't-1', startsAt: null, why: 'low priority: waiting for your approval', waitsFor: 'approval' }]);
    expect(d.nextWakeAt).toBeNull();
  });

  it('awaiting approval never starts and is not listed as waiting (only queued and failed are)', () => {
    const d = decide([makeTask({ id: 't-1', priority: 'high', status: 'awaiting_approval' })], LATE);
    expect(d).toEqual({ start: [], nextWakeAt: null, atRisk: [], waiting: [] });
  });

  it('ignores finished, escalated and building tasks except for slot counting', () => {
    const tasks = (['done', 'cancelled', 'rejected', 'escalated'] as const).map((status, i) => makeTask({ id: `t-${i + 1}`, status, priority: 'high' }));
    expect(decide(tasks, NOON)).toEqual({ start: [], nextWakeAt: null, atRisk: [], waiting: [] });
  });
});

describe('decideSchedule: retry back-off', () => {
  const failed = (retryAt: string | null, extra: Partial<Task> = {}) =>
    makeTask({ id: 't-4', priority: 'high', status: 'failed', retryAt, ...extra });

  it.each([
    ['back-off running', '2026-11-26T18:05:00.000Z', [], '2026-11-26T18:05:00.000Z'],
    ['back-off ends now', NOON.toISOString(), ['t-4'], null],
    ['back-off over', '2026-11-26T17:00:00.000Z', ['t-4'], null],
  ])('%s', (_name, retryAt, started, wake) => {
    const d = decide([failed(retryAt)], NOON);
    expect(d.start).toEqual(started);
    expect(d.nextWakeAt?.toISOString() ?? null).toBe(wake);
  });

  it('a failed task in back-off says when it retries', () => {
    const d = decide([failed('2026-11-26T18:05:00.000Z')], NOON);
    expect(d.waiting).toEqual([{ id: 't-4', startsAt: at('2026-11-26T18:05:00.000Z'), why: 'retry back-off ends 12:05', waitsFor: 'retry' }]);
  });

  it('a failed task with no retry scheduled waits with no time', () => {
    const d = decide([failed(null)], NOON);
    expect(d.waiting).toEqual([{ id: 't-4', startsAt: null, why: 'failed; no retry is scheduled', waitsFor: 'no_retry' }]);
    expect(d.nextWakeAt).toBeNull();
  });
});

describe('decideSchedule: deadline risk', () => {
  const medium = (extra: Partial<Task>) => makeTask({ id: 't-7', title: 'Build X', priority: 'medium', ...extra });
  const DUE_2230 = '2026-11-27T04:30:00.000Z'; // 22:30 Thu: 30 min after the window opens

  it.each([
    // [name, task, typicalDurationMs, at risk?, estimate source]
    ['own estimate 1h: misses', { estimateMs: HOUR, deadline: DUE_2230 }, 10 * MINUTE, true, "the task's estimate"],
    ['own estimate 20m: fits', { estimateMs: 20 * MINUTE, deadline: DUE_2230 }, 2 * HOUR, false, null],
    ['typical duration 2h: misses', { deadline: DUE_2230 }, 2 * HOUR, true, 'the typical build duration'],
    ['typical duration 25m: fits', { deadline: DUE_2230 }, 25 * MINUTE, false, null],
    ['default estimate 1h: misses', { deadline: DUE_2230 }, null, true, 'the default estimate'],
    ['default 1h ending exactly at the deadline: fits', { deadline: '2026-11-27T05:00:00.000Z' }, null, false, null],
    ['no deadline', { estimateMs: 10 * HOUR }, null, false, null],
    ['low approved, like medium', { priority: 'low', approved: true, deadline: DUE_2230 }, null, true, 'the default estimate'],
    ['low not approved: waits for approval, not quiet hours', { priority: 'low', deadline: DUE_2230 }, null, false, null],
    ['high never waits for quiet hours', { priority: 'high', deadline: DUE_2230, estimateMs: 99 * HOUR }, null, false, null],
    ['failed medium after back-off', { status: 'failed', retryAt: '2026-11-26T18:10:00.000Z', deadline: DUE_2230 }, null, true, 'the default estimate'],
  ] as [string, Partial<Task>, number | null, boolean, string | null][])('%s', (_name, extra, typicalDurationMs, risky, source) => {
    const d = decide([medium(extra)], NOON, { typicalDurationMs, policy: policy({ defaultEstimateMs: HOUR }) });
    expect(d.atRisk.map((r) => r.id)).toEqual(risky ? ['t-7'] : []);
    if (source) expect(d.atRisk[0]?.reason).toContain(`(${source})`);
  });

  it('says what will happen in the owner zone', () => {
    const d = decide([medium({ estimateMs: HOUR, deadline: '2026-11-27T03:00:00.000Z' })], NOON);
    expect(d.atRisk).toEqual([
      {
        id: 't-7',
        message: 't-7 "Build X" waits for quiet hours (22:00) but needs ~1h and is due 21:00: it would miss its deadline',
        reason: 'quiet hours open 2026-11-27T04:00:00.000Z; needs ~1h (the task\'s estimate); due 2026-11-27T03:00:00.000Z',
      },
    ]);
  });

  it('names the day when the window or the deadline is not today', () => {
    const early = policy({ quietHours: { start: 60, end: 300 } }); // 01:00-05:00: next opens Fri
    const d = decide([medium({ estimateMs: 90 * MINUTE, deadline: '2026-11-27T08:00:00.000Z' })], NOON, { policy: early });
    expect(d.atRisk[0]?.message).toBe(
      't-7 "Build X" waits for quiet hours (01:00 Fri 27 Nov) but needs ~1h 30m and is due 02:00 Fri 27 Nov: it would miss its deadline',
    );
  });

  it('a deadline already past is said so', () => {
    const d = decide([medium({ deadline: '2026-11-26T15:00:00.000Z' })], NOON);
    expect(d.atRisk[0]?.message).toBe('t-7 "Build X" waits for quiet hours (22:00) but was due 09:00: it has already missed its deadline');
  });

  it('a risk already raised is not raised twice', () => {
    const raised = medium({ deadline: DUE_2230, events: [{ at: '2026-11-26T17:00:00.000Z', type: 'deadline_at_risk', detail: 'raised' }] });
    expect(decide([raised], NOON).atRisk).toEqual([]);
    expect(decide([medium({ deadline: DUE_2230 })], NOON).atRisk).toHaveLength(1);
  });

  it('a medium task inside the window waiting for a slot is not at risk from quiet hours', () => {
    const tasks = [makeTask({ id: 't-1', priority: 'high', status: 'building' }), medium({ deadline: '2026-11-27T05:30:00.000Z', estimateMs: 4 * HOUR })];
    expect(decide(tasks, LATE).atRisk).toEqual([]);
  });

  it('uses the DST-correct window: on 2026-03-08 the window opens 22:00 CDT = 03:00Z', () => {
    const now = at('2026-03-08T18:00:00.000Z'); // 13:00 CDT
    const d = decide([medium({ deadline: '2026-03-09T03:30:00.000Z' })], now);
    expect(d.waiting[0]?.startsAt?.toISOString()).toBe('2026-03-09T03:00:00.000Z');
    expect(d.atRisk[0]?.message).toBe('t-7 "Build X" waits for quiet hours (22:00) but needs ~1h and is due 22:30: it would miss its deadline');
  });
});

describe('decideSchedule: nextWakeAt', () => {
  const t = (n: number, extra: Partial<Task>) => makeTask({ id: `t-${n}`, ...extra });
  it.each([
    ['nothing queued', [], NOON, null],
    ['only high tasks waiting for a slot', [t(1, { priority: 'high', status: 'building' }), t(2, { priority: 'high' })], NOON, null],
    ['medium waiting for the window', [t(1, {})], NOON, OPENS],
    ['low approved waiting for the window', [t(1, { priority: 'low', approved: true })], NOON, OPENS],
    ['low not approved: only a person can move it', [t(1, { priority: 'low' })], NOON, null],
    ['a back-off ending before the window opens', [t(1, {}), t(2, { priority: 'high', status: 'failed', retryAt: '2026-11-26T19:00:00.000Z' })], NOON, '2026-11-26T19:00:00.000Z'],
    ['a failed medium: its back-off end comes first', [t(1, { status: 'failed', retryAt: '2026-11-26T18:30:00.000Z' })], NOON, '2026-11-26T18:30:00.000Z'],
    ['medium started inside the window: nothing pending', [t(1, {})], LATE, null],
    ['medium waiting for a slot inside the window: the window closes', [t(1, { priority: 'high', status: 'building' }), t(2, {})], LATE, CLOSES],
    ['a building task with a past retryAt is not a wake-up', [t(1, { priority: 'high', status: 'building', retryAt: '2026-11-26T17:00:00.000Z' })], NOON, null],
    ['Chicago 2026-03-08: the window opens at 03:00Z', [t(1, {})], at('2026-03-08T18:00:00.000Z'), '2026-03-09T03:00:00.000Z'],
    ['London 2026-10-25: the window opens at 22:00Z (GMT again)', [t(1, {})], at('2026-10-25T12:00:00.000Z'), '2026-10-25T22:00:00.000Z'],
  ] as [string, Task[], Date, string | null][])('%s', (name, tasks, now, expected) => {
    const p = policy(name.startsWith('London') ? { timeZone: 'Europe/London' } : {});
    expect(decide(tasks, now, { policy: p }).nextWakeAt?.toISOString() ?? null).toBe(expected);
  });

  it('always-quiet windows never wake anything', () => {
    const d = decide([t(1, { priority: 'high', status: 'building' }), t(2, {})], NOON, { policy: policy({ quietHours: { start: 0, end: 0 } }) });
    expect(d.nextWakeAt).toBeNull();
  });
});

describe('describeStart', () => {
  const friMorning = policy({ quietHours: { start: 60, end: 300 } });
  it.each([
    ['started now', [makeTask({ id: 't-1', priority: 'high' })], 't-1', NOON, policy(), 'starting now'],
    ['waits for tonight', [makeTask({ id: 't-1' })], 't-1', NOON, policy(), 'starts at 22:00 tonight (quiet hours)'],
    ['waits for another day', [makeTask({ id: 't-1' })], 't-1', NOON, friMorning, 'starts at 01:00 Fri 27 Nov (quiet hours)'],
    ['back-off ends tomorrow morning, window tomorrow night', [makeTask({ id: 't-1', status: 'failed', retryAt: '2026-11-27T13:00:00.000Z' })], 't-1', at('2026-11-27T05:30:00.000Z'), policy(), 'starts at 22:00 Fri 27 Nov (quiet hours)'],
    ['back-off', [makeTask({ id: 't-1', priority: 'high', status: 'failed', retryAt: '2026-11-26T18:14:00.000Z' })], 't-1', NOON, policy(), 'retries at 12:14 today'],
    ['awaiting approval', [makeTask({ id: 't-1', status: 'awaiting_approval' })], 't-1', NOON, policy(), 'waiting for your approval'],
    ['low not approved', [makeTask({ id: 't-1', priority: 'low' })], 't-1', LATE, policy(), 'waiting for your approval'],
    ['behind a started task', [makeTask({ id: 't-3', priority: 'high' }), makeTask({ id: 't-4', priority: 'high' })], 't-4', NOON, policy(), 'next in line after t-3'],
    ['behind two running builds', [makeTask({ id: 't-1', status: 'building' }), makeTask({ id: 't-2', status: 'building' }), makeTask({ id: 't-4', priority: 'high' })], 't-4', NOON, policy({ maxParallelBuilds: 2 }), 'next in line, when a build slot frees up'],
    ['building', [makeTask({ id: 't-1', status: 'building' })], 't-1', NOON, policy(), 'building now'],
  ] as [string, Task[], string, Date, Policy, string][])('%s → %j', (_name, tasks, id, now, p, expected) => {
    const decision = decideSchedule({ tasks, now, policy: p, typicalDurationMs: null });
    const task = tasks.find((x) => x.id === id);
    if (!task) throw new Error(`no ${id} in the table`);
    expect(describeStart(task, now, p, decision)).toBe(expected);
  });

  it('without a decision, a task that could start is "ready to start"', () => {
    expect(describeStart(makeTask({ priority: 'high' }), NOON, policy())).toBe('ready to start');
    expect(describeStart(makeTask({}), NOON, policy())).toBe('starts at 22:00 tonight (quiet hours)');
  });
});

// The scheduler as it was written before it was made linear (one pass, each timestamp parsed once,
// each zone answer computed once): every task asks the zone afresh. Kept here as the oracle the
// fast one must agree with, answer for answer.
function plainSchedule(input: ScheduleInput): ScheduleDecision {
  const { now, policy } = input;
  const tz = policy.timeZone;
  const gate = (task: Task, when: Date) => {
    if (task.priority === 'high') return { eligible: true as const };
    if (task.priority === 'low' && !task.approved) return { eligible: false as const, startsAt: null, why: 'low priority: waiting for your approval', waitsFor: 'approval' as const };
    if (isInQuietHours(when, policy.quietHours, tz)) return { eligible: true as const };
    const opens = nextQuietStart(when, policy.quietHours, tz);
    return { eligible: false as const, startsAt: opens, why: `quiet hours open at ${formatOwnerTime(opens, now, tz)}`, waitsFor: 'quiet_hours' as const };
  };
  const elig = (task: Task) => {
    if (task.status === 'queued') return gate(task, now);
    if (task.retryAt === null) return { eligible: false as const, startsAt: null, why: 'failed; no retry is scheduled', waitsFor: 'no_retry' as const };
    const retryAt = new Date(task.retryAt);
    if (retryAt.getTime() <= now.getTime()) return gate(task, now);
    const backOff = `retry back-off ends ${formatOwnerTime(retryAt, now, tz)}`;
    const then = gate(task, retryAt);
    if (then.eligible) return { eligible: false as const, startsAt: retryAt, why: backOff, waitsFor: 'retry' as const };
    return { ...then, why: `${backOff}, then ${then.why}` };
  };
  const tasks = [...input.tasks].sort(compareForStart);
  const building = tasks.filter((t) => t.status === 'building');
  const freeSlots = Math.max(0, policy.maxParallelBuilds - building.length);
  const ready: Task[] = [];
  const blocked = new Map<string, WaitingTask>();
  for (const task of tasks) {
    if (task.status !== 'queued' && task.status !== 'failed') continue;
    const e = elig(task);
    if (e.eligible) ready.push(task);
    else blocked.set(task.id, { id: task.id, startsAt: e.startsAt, why: e.why, waitsFor: e.waitsFor });
  }
  const start = ready.slice(0, freeSlots).map((t) => t.id);
  const inLine = ready.slice(freeSlots);
  const slotWaits = new Map(
    inLine.map((t, i): [string, WaitingTask] => {
      const after = i === 0 ? (start[start.length - 1] ?? (building.length === 1 ? building[0]?.id : undefined)) : inLine[i - 1]?.id;
      const why =
        after !== undefined
          ? `${i === 0 ? 'a build slot is busy: ' : ''}next in line after ${after}`
          : policy.maxParallelBuilds <= 0
            ? `no build slots: maxParallelBuilds is ${policy.maxParallelBuilds}`
            : 'a build slot is busy: next in line';
      return [t.id, { id: t.id, startsAt: null, why, waitsFor: 'slot', ...(after !== undefined ? { after } : {}) }];
    }),
  );
  const waiting = tasks.flatMap((t) => blocked.get(t.id) ?? slotWaits.get(t.id) ?? []);
  const atRisk = tasks.flatMap((t): DeadlineRisk[] => {
    const w = blocked.get(t.id);
    if (w?.waitsFor !== 'quiet_hours' || !w.startsAt || t.deadline === null || t.events.some((e) => e.type === 'deadline_at_risk')) return [];
    const deadline = new Date(t.deadline);
    const [estimateMs, source] =
      t.estimateMs !== null ? [t.estimateMs, "the task's estimate"] : input.typicalDurationMs !== null ? [input.typicalDurationMs, 'the typical build duration'] : [policy.defaultEstimateMs, 'the default estimate'];
    if (w.startsAt.getTime() + estimateMs <= deadline.getTime()) return [];
    const head = `${t.id} "${t.title}" waits for quiet hours (${formatOwnerTime(w.startsAt, now, tz)})`;
    const due = formatOwnerTime(deadline, now, tz);
    const message =
      deadline.getTime() <= now.getTime()
        ? `${head} but was due ${due}: it has already missed its deadline`
        : `${head} but needs ~${formatDuration(estimateMs)} and is due ${due}: it would miss its deadline`;
    return [{ id: t.id, message, reason: `quiet hours open ${w.startsAt.toISOString()}; needs ~${formatDuration(estimateMs)} (${source}); due ${deadline.toISOString()}` }];
  });
  const times = waiting.flatMap((w) => (w.waitsFor === 'quiet_hours' || w.waitsFor === 'retry' ? [w.startsAt] : []));
  for (const t of tasks) if (t.status === 'failed' && t.retryAt) times.push(new Date(t.retryAt));
  if (inLine.some((t) => t.priority !== 'high')) times.push(quietEnd(now, policy.quietHours, tz));
  const future = times.flatMap((d) => (d && d.getTime() > now.getTime() ? [d.getTime()] : []));
  return { start, nextWakeAt: future.length ? new Date(Math.min(...future)) : null, atRisk, waiting };
}

describe('decideSchedule answers exactly as asking each task alone did (a mixed queue, around the clock)', () => {
  let seed = 11;
  const rand = (n: number): number => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  const STATUSES = ['queued', 'queued', 'queued', 'failed', 'awaiting_approval', 'escalated', 'done'] as const;
  const PRIORITIES = ['high', 'medium', 'medium', 'low'] as const;
  // One build running; ids in a scrambled order (a live set never holds one twice); creation times
  // on the hour, so that many ties fall to the id.
  const mixedQueue = (now: Date, n: number): Task[] =>
    Array.from({ length: n }, (_, i) => {
      const status = i === 0 ? 'building' : (STATUSES[rand(STATUSES.length)] ?? 'queued');
      const hours = (h: number) => new Date(now.getTime() + h * HOUR).toISOString();
      return makeTask({
        id: `t-${1 + ((i * 7919) % n)}`,
        title: `Task ${i}`,
        status,
        priority: PRIORITIES[rand(PRIORITIES.length)] ?? 'medium',
        approved: rand(2) === 0,
        createdAt: new Date(now.getTime() - rand(5) * HOUR).toISOString(),
        deadline: rand(3) === 0 ? null : hours(rand(60) - 10),
        estimateMs: rand(2) === 0 ? null : (1 + rand(6)) * HOUR,
        retryAt: status === 'failed' && rand(4) > 0 ? hours(rand(30) - 6) : null,
        events: rand(6) === 0 ? [{ at: now.toISOString(), type: 'deadline_at_risk', detail: 'raised' }] : [],
      });
    });
  it.each([
    ['Chicago, a Thursday noon', CHI, '2026-11-26T18:00:00.000Z', 1],
    ['Chicago, inside the window', CHI, '2026-11-27T05:00:00.000Z', 2],
    ['Chicago, the spring-forward afternoon', CHI, '2026-03-08T18:00:00.000Z', 1],
    ['Chicago, the fall-back night', CHI, '2026-11-01T06:45:00.000Z', 3],
    ['London, the fall-back evening', 'Europe/London', '2026-10-25T21:30:00.000Z', 1],
    ['London, on New Year\'s Eve', 'Europe/London', '2026-12-31T23:30:00.000Z', 0],
  ])('%s', (_name, timeZone, iso, maxParallelBuilds) => {
    const now = at(iso);
    for (const typicalDurationMs of [null, 2 * HOUR]) {
      const input = { tasks: mixedQueue(now, 300), now, policy: policy({ timeZone, maxParallelBuilds }), typicalDurationMs };
      const d = decideSchedule(input);
      expect(d).toEqual(plainSchedule(input));
      // Frozen tasks (as the store hands them out) keep their parsed keys across passes: same answer.
      const frozen = { ...input, tasks: input.tasks.map((t) => Object.freeze(t)) };
      expect(decideSchedule(frozen)).toEqual(d);
      expect(decideSchedule(frozen)).toEqual(d);
      // The queue exercises every kind of wait, and risks.
      expect(new Set(d.waiting.map((w) => w.waitsFor))).toEqual(new Set(['slot', 'retry', 'no_retry', 'quiet_hours', 'approval']));
      expect(d.atRisk.length).toBeGreaterThan(0);
    }
  });

  it('the same frozen tasks asked again as time passes (what a pass remembers never goes stale)', () => {
    const tasks = mixedQueue(NOON, 300).map((t) => Object.freeze(t));
    const times = ['2026-11-26T18:00:00.000Z', '2026-11-27T03:59:00.000Z', '2026-11-27T04:00:00.000Z', '2026-11-27T05:00:00.000Z', '2026-11-27T12:00:00.000Z', '2026-11-27T18:00:00.000Z', '2026-11-26T18:00:00.000Z'];
    for (const p of [policy(), policy({ timeZone: 'Europe/London' }), policy({ quietHours: { start: 60, end: 300 }, maxParallelBuilds: 2 })]) {
      for (const iso of times) {
        const input = { tasks, now: at(iso), policy: p, typicalDurationMs: null };
        expect(decideSchedule(input)).toEqual(plainSchedule(input));
        expect(eligibility(tasks[1] as Task, at(iso), p)).toEqual(eligibility({ ...(tasks[1] as Task) }, at(iso), p));
      }
    }
  });

  it('sortForStart orders like sorting with compareForStart', () => {
    const tasks = mixedQueue(NOON, 500);
    expect(sortForStart(tasks).map((t) => t.id)).toEqual([...tasks].sort(compareForStart).map((t) => t.id));
  });
});

describe('waitingOf: one task of a decision, by id', () => {
  const tasks = [makeTask({ id: 't-1', priority: 'high' }), makeTask({ id: 't-2', priority: 'high' }), makeTask({ id: 't-3' }), makeTask({ id: 't-4', status: 'awaiting_approval' })];
  const d = decide(tasks, NOON);
  it('finds what a task waits for; a started or unlisted task is not waiting', () => {
    expect(waitingOf(d, 't-2')).toEqual({ id: 't-2', startsAt: null, why: 'a build slot is busy: next in line after t-1', waitsFor: 'slot', after: 't-1' });
    expect(waitingOf(d, 't-3')).toBe(d.waiting.find((w) => w.id === 't-3'));
    expect(waitingOf(d, 't-1')).toBeUndefined();
    expect(waitingOf(d, 't-4')).toBeUndefined();
  });
  it('works for a decision built elsewhere too (a copy, a fake)', () => {
    const copy = { ...d, waiting: d.waiting.slice(0, 1) };
    expect(waitingOf(copy, 't-2')?.after).toBe('t-1');
    expect(waitingOf(copy, 't-3')).toBeUndefined();
  });
});

describe('task factory', () => {
  it('makes schema-valid tasks and rejects invalid overrides', () => {
    expect(makeTask({}).status).toBe('queued');
    expect(() => makeTask({ id: 'seven' })).toThrow();
  });
});
