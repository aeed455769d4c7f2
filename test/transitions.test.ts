import { describe, expect, it } from 'vitest';
import { defaultPolicy, MINUTE } from '../src/core/policy.ts';
import { doneCheckSummary } from '../src/core/check-summary.ts';
import { escalationMessage } from '../src/core/engine.ts';
import * as T from '../src/core/transitions.ts';
import type { SafetyVerdict, Task, TaskStatus } from '../src/core/task.ts';
import { makeTask } from './helpers/task-factory.ts';

const now = new Date('2026-11-25T10:00:00Z');
const policy = defaultPolicy();
const clean: SafetyVerdict = { needsApproval: false, reasons: [], checkedAt: now.toISOString() };
const destructive: SafetyVerdict = {
  needsApproval: true,
  reasons: [{ kind: 'destructive', quote: 'force-push', message: 'it mentions "force-push" (destructive)' }],
  checkedAt: now.toISOString(),
};
const attemptInfo = { logPath: '/tmp/x.log', builder: 'demo builder', workspace: '/tmp/ws' };

function unwrap(r: ReturnType<typeof T.approve>): Task {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const failedEnd = { outcome: 'failed' as const, exitCode: 1, signal: null, reason: 'exited with code 1', durationMs: 1000 };

describe('the state machine', () => {
  it('creates a task queued when checks pass and awaiting approval when they do not', () => {
    const draft = { title: 'Build X', request: 'build X', priority: 'high' as const, priorityReason: 'said "urgent"', deadline: null, deadlinePhrase: null, estimateMs: null };
    const origin = { adapter: 'console', userId: 'owner' };
    expect(T.createTask('t-1', draft, origin, clean, now).status).toBe('queued');
    const waiting = T.createTask('t-2', draft, origin, destructive, now);
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.events.map((e) => e.type)).toEqual(['created', 'approval_requested']);
  });

  // Every (status, move) pair: which are legal, and what the refusal says.
  const moves: Record<string, (t: Task) => ReturnType<typeof T.approve>> = {
    approve: (t) => T.approve(t, 'owner', now),
    reject: (t) => T.reject(t, 'owner', now),
    cancel: (t) => T.cancel(t, 'owner', now),
    retry: (t) => T.retry(t, 'owner', now),
    accept: (t) => T.accept(t, 'owner', now),
    start: (t) => T.startAttempt(t, attemptInfo, now),
    clarify: (t) => T.clarify(t, 'use v2', 'owner', clean, now),
  };
  const legal: Record<string, TaskStatus[]> = {
    approve: ['awaiting_approval'],
    reject: ['awaiting_approval'],
    cancel: ['awaiting_approval', 'queued', 'building', 'failed', 'escalated'],
    retry: ['failed', 'escalated', 'cancelled'],
    accept: [], // only escalated work whose checks failed, which none of these tasks has (see "accept anyway")
    start: ['queued', 'failed'],
    clarify: ['awaiting_approval', 'queued', 'failed', 'escalated'],
  };
  const statuses: TaskStatus[] = ['awaiting_approval', 'queued', 'building', 'done', 'failed', 'escalated', 'cancelled', 'rejected'];
  for (const [name, move] of Object.entries(moves)) {
    it.each(statuses)(`${name} from %s is ${'legal only where allowed'}`, (status) => {
      const task = makeTask({ id: 't-7', status, attempts: status === 'building' ? [{ n: 1, startedAt: now.toISOString(), outcome: 'running', logPath: 'l', builder: 'b', counts: true, demo: false }] : [] });
      const r = move(task);
      expect(r.ok).toBe(legal[name]?.includes(status));
      if (!r.ok) expect(r.error.message).toMatch(/^t-7 /);
    });
  }

  it('says why a move is refused in words a user can act on', () => {
    const r = T.cancel(makeTask({ id: 't-7', status: 'done' }), 'owner', now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('t-7 is already done; nothing to cancel');
  });

  it('approval queues the task and remembers it was approved', () => {
    const t = unwrap(T.approve(makeTask({ status: 'awaiting_approval', safety: destructive }), 'owner', now));
    expect(t.status).toBe('queued');
    expect(t.approved).toBe(true);
    expect(t.events.at(-1)).toMatchObject({ type: 'approved', by: 'owner' });
  });

  it('a clarification is appended to the spec and re-runs the checks', () => {
    const waiting = makeTask({ status: 'awaiting_approval', request: 'build it', spec: 'build it', safety: { ...destructive, reasons: [{ kind: 'vague', quote: 'build it', message: 'too vague' }] } });
    const t = unwrap(T.clarify(waiting, 'a CLI that prints hello world', 'owner', clean, now));
    expect(t.spec).toContain('build it');
    expect(t.spec).toContain('a CLI that prints hello world');
    expect(t.status).toBe('queued');
  });

  it('an approved task that is clarified into something new needs approval again', () => {
    const approved = makeTask({ status: 'queued', approved: true, safety: { ...clean, needsApproval: true, reasons: [{ kind: 'low_priority', quote: 'someday', message: 'low' }] }, priority: 'low' });
    const t = unwrap(T.clarify(approved, 'and force-push to main', 'owner', { ...destructive, reasons: [...destructive.reasons, { kind: 'low_priority', quote: 'someday', message: 'low' }] }, now));
    expect(t.status).toBe('awaiting_approval');
    expect(t.approved).toBe(false);
    const same = unwrap(T.clarify(approved, 'use the v2 API', 'owner', approved.safety, now));
    expect(same.status).toBe('queued');
    expect(same.approved).toBe(true);
  });

  it('a failed task clarified into something risky waits for approval before its retry', () => {
    const failed = makeTask({ status: 'failed', retryAt: now.toISOString() });
    const t = unwrap(T.clarify(failed, 'and force-push it to main', 'owner', destructive, now));
    expect(t.status).toBe('awaiting_approval');
    expect(t.retryAt).toBeNull();
    const approved = unwrap(T.approve(t, 'owner', now));
    expect(approved.status).toBe('queued');
  });

  it('lowering a task to low priority makes it wait for approval; raising it back does not approve it', () => {
    const lowVerdict: SafetyVerdict = { needsApproval: true, reasons: [{ kind: 'low_priority', quote: '', message: 'low priority tasks always wait for approval' }], checkedAt: now.toISOString() };
    const low = unwrap(T.setPriority(makeTask({ priority: 'medium' }), 'low', 'owner', lowVerdict, now));
    expect(low).toMatchObject({ status: 'awaiting_approval', priority: 'low' });
    const back = unwrap(T.setPriority(low, 'high', 'owner', clean, now));
    expect(back).toMatchObject({ status: 'awaiting_approval', priority: 'high', approved: false });
    expect(back.safety.reasons.map((r) => r.message)).toEqual(['it was asked as low priority, and a bump does not approve it']);
    expect(unwrap(T.approve(back, 'owner', now))).toMatchObject({ status: 'queued', approved: true });
  });

  it('a cancelled task retried comes back with a fresh budget', () => {
    const cancelled = unwrap(T.cancel(makeTask({ attempts: [] }), 'owner', now));
    const back = unwrap(T.retry(cancelled, 'owner', now));
    expect(back).toMatchObject({ status: 'queued', budgetStart: 0 });
  });

  it('counts an attempt when it starts, before anything runs', () => {
    const t = unwrap(T.startAttempt(makeTask(), attemptInfo, now));
    expect(t.status).toBe('building');
    expect(t.attempts).toHaveLength(1);
    expect(t.attempts[0]).toMatchObject({ n: 1, outcome: 'running', logPath: '/tmp/x.log' });
  });
});

describe('retries and escalation', () => {
  function runAttempt(task: Task, at: Date): Task {
    const started = unwrap(T.startAttempt(task, attemptInfo, at));
    return unwrap(T.finishAttempt(started, failedEnd, policy, at));
  }

  it('backs off 1 minute, then 5, then escalates after the third failure', () => {
    let t = makeTask();
    t = runAttempt(t, now);
    expect(t.status).toBe('failed');
    expect(t.retryAt).toBe(new Date(now.getTime() + 1 * MINUTE).toISOString());
    t = runAttempt(t, now);
    expect(t.status).toBe('failed');
    expect(t.retryAt).toBe(new Date(now.getTime() + 5 * MINUTE).toISOString());
    t = runAttempt(t, now);
    expect(t.status).toBe('escalated');
    expect(t.retryAt).toBeNull();
    expect(t.events.at(-1)?.detail).toContain('3 attempts failed; last: exited with code 1');
  });

  it('a usage limit with no reset time (an API key\'s 429) waits 5 minutes, doubling while it repeats, at most an hour; one that says waits for it', () => {
    const limited = (task: Task, resetsAt?: string) => {
      const started = unwrap(T.startAttempt(task, attemptInfo, now));
      return unwrap(T.finishAttempt(started, { outcome: 'usage_limited', exitCode: 1, signal: null, reason: 'HTTP 429: rate_limit_error', durationMs: 1000, ...(resetsAt ? { resetsAt } : {}) }, policy, now));
    };
    let t = limited(makeTask());
    expect(t.retryAt).toBe(new Date(now.getTime() + 5 * MINUTE).toISOString());
    expect(t.events.at(-1)?.detail).toMatch(/no reset time was given, so it waits 5m/);
    const waits = [10, 20, 40, 60, 60].map(() => {
      t = limited(t);
      return (Date.parse(t.retryAt!) - now.getTime()) / MINUTE;
    });
    expect(waits).toEqual([10, 20, 40, 60, 60]);
    expect(t.attempts.every((a) => !a.counts)).toBe(true); // none of it costs an attempt
    const reset = new Date(now.getTime() + 3 * 60 * MINUTE).toISOString();
    expect(limited(t, reset).retryAt).toBe(reset);
  });

  it('with FALLBACK_BUILDER, a usage limit hit by BUILDER retries at once on the fallback; one the fallback hits is waited out', () => {
    const withFallback = { ...policy, fallbackBuilder: 'OpenAI Codex CLI' };
    const limitedOn = (task: Task, builder: string) => {
      const started = unwrap(T.startAttempt(task, { ...attemptInfo, builder }, now));
      return unwrap(T.finishAttempt(started, { outcome: 'usage_limited', exitCode: 1, signal: null, reason: "You've hit your limit", durationMs: 1000 }, withFallback, now));
    };
    const handed = limitedOn(makeTask(), 'Claude Code');
    expect(handed.retryAt).toBe(now.toISOString());
    expect(handed.events.at(-1)?.detail).toMatch(/FALLBACK_BUILDER OpenAI Codex CLI takes over now/);
    const waited = limitedOn(handed, 'OpenAI Codex CLI');
    expect(Date.parse(waited.retryAt!)).toBeGreaterThan(now.getTime());
    expect(T.handsOverToFallback(waited, withFallback)).toBe(false);
  });

  it('a retry of an escalated task grants a fresh budget', () => {
    let t = makeTask();
    for (let i = 0; i < 3; i++) t = runAttempt(t, now);
    t = unwrap(T.retry(t, 'owner', now));
    expect(t.status).toBe('queued');
    expect(T.attemptsInBudget(t)).toBe(0);
    t = runAttempt(t, now);
    expect(t.status).toBe('failed');
    expect(t.attempts).toHaveLength(4);
  });

  it('a crash-interrupted attempt counts; a shutdown-interrupted one does not', () => {
    const building = unwrap(T.startAttempt(makeTask(), attemptInfo, now));
    const crashed = unwrap(T.recoverInterrupted(building, policy, now));
    expect(crashed.status).toBe('failed');
    expect(crashed.attempts[0]).toMatchObject({ outcome: 'interrupted', reason: 'interrupted by restart', counts: true });
    const shut = unwrap(T.finishAttempt(building, { ...failedEnd, outcome: 'interrupted', reason: 'interrupted by shutdown', counts: false }, policy, now));
    expect(shut.status).toBe('queued');
    expect(T.attemptsInBudget(shut)).toBe(0);
  });

  it('a task that crashes nightshift every time still runs out of attempts', () => {
    let t = makeTask();
    for (let i = 0; i < 3; i++) {
      t = unwrap(T.startAttempt(t, attemptInfo, now));
      t = unwrap(T.recoverInterrupted(t, policy, now));
    }
    expect(t.status).toBe('escalated');
  });

  it('success is done with the deliverables kept', () => {
    const building = unwrap(T.startAttempt(makeTask(), attemptInfo, now));
    const done = unwrap(T.finishAttempt(building, { outcome: 'succeeded', exitCode: 0, signal: null, reason: 'exited with code 0', durationMs: 5000, deliverables: { changedFiles: ['a.ts'] } }, policy, now));
    expect(done.status).toBe('done');
    expect(done.deliverables).toMatchObject({ workspace: '/tmp/ws', changedFiles: ['a.ts'] });
    expect(done.attempts[0]).toMatchObject({ outcome: 'succeeded', exitCode: 0, durationMs: 5000 });
  });
});

describe('accept anyway: built work whose checks fail', () => {
  const failing = { command: 'npm test', outcome: 'failed' as const, exitCode: 1, durationMs: 3000 };
  const checksFailed = { ...failedEnd, reason: 'built, checks failing (npm test exited with code 1 after 3s)', checks: failing, deliverables: { branch: 'nightshift/t-7-x', commits: ['add x'] } };
  /** Attempts that each end as `end`, until the budget is spent (or `times` have run). */
  function afterAttempts(end: T.AttemptEnd, times = policy.maxAttempts): Task {
    let t = makeTask({ id: 't-7' });
    for (let i = 0; i < times; i++) t = unwrap(T.finishAttempt(unwrap(T.startAttempt(t, attemptInfo, now)), end, policy, now));
    return t;
  }

  it('the owner takes escalated work whose checks fail: it is done, and says who took it with which failure', () => {
    const escalated = afterAttempts(checksFailed);
    expect(escalated.status).toBe('escalated');
    expect(T.canAccept(escalated)).toBe(true);
    const done = unwrap(T.accept(escalated, 'Ann', now));
    expect(done).toMatchObject({ status: 'done', retryAt: null });
    expect(done.events.at(-1)).toEqual({ at: now.toISOString(), type: 'accepted', by: 'Ann', detail: 'accepted by Ann with checks failing (npm test exited with code 1 after 3s)' });
    expect(done.deliverables).toMatchObject({ branch: 'nightshift/t-7-x', commits: ['add x'] }); // the work taken is the work built
    expect(doneCheckSummary(done)).toBe('accepted by Ann with checks failing (npm test exited with code 1 after 3s)');
  });

  it('a check that timed out did not pass either: it can be accepted, and reads as failing', () => {
    const timedOut = afterAttempts({ ...checksFailed, checks: { ...failing, outcome: 'timed_out', exitCode: null, durationMs: 15 * MINUTE } });
    expect(doneCheckSummary(unwrap(T.accept(timedOut, 'Ann', now)))).toBe('accepted by Ann with checks failing (npm test ran past 15m)');
  });

  it('escalated without built work failing its checks (the agent itself failed) has nothing to accept, and says what to do instead', () => {
    const crashed = afterAttempts(failedEnd);
    expect(T.canAccept(crashed)).toBe(false);
    const r = T.accept(crashed, 'Ann', now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('t-7 has no built work waiting on failing checks; nothing to accept. Say "retry t-7" to try again or "cancel t-7" to drop it');
  });

  it('work still being tried, or already done, is not accepted', () => {
    const retrying = afterAttempts(checksFailed, 1);
    expect(retrying.status).toBe('failed');
    expect(T.canAccept(retrying)).toBe(false);
    const r = T.accept(retrying, 'Ann', now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('t-7 failed and is waiting to retry; nothing to accept');
    const done = unwrap(T.accept(afterAttempts(checksFailed), 'Ann', now));
    const again = T.accept(done, 'Ann', now);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.message).toBe('t-7 is already done; nothing to accept');
  });

  it('a done task that passed its checks says so; one accepted never does', () => {
    const passed = afterAttempts({ outcome: 'succeeded', exitCode: 0, signal: null, reason: 'exited with code 0', durationMs: 5000, checks: { ...failing, outcome: 'passed', exitCode: 0, durationMs: 42_000 } }, 1);
    expect(doneCheckSummary(passed)).toBe('checks passed (npm test, 42s)');
    expect(doneCheckSummary(makeTask({ status: 'done' }))).toBe('no checks configured');
  });

  it('the escalation offers accept only when the built work fails its checks', () => {
    const result = { ...checksFailed, logTail: '' };
    expect(escalationMessage(afterAttempts(checksFailed), result).split('\n').at(-1)).toBe('Say "retry t-7" to try again, "accept t-7" to take the work as it is, or "cancel t-7" to drop it.');
    expect(escalationMessage(afterAttempts(failedEnd), { ...failedEnd, logTail: '', deliverables: {} }).split('\n').at(-1)).toBe('Say "retry t-7" to try again or "cancel t-7" to drop it.');
  });
});
