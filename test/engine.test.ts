import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../src/builders/process-tree.ts';
import type { Task } from '../src/core/task.ts';
import { LowdbTaskStore } from '../src/store/index.ts';
import { agent, hangPids, waitFor } from './helpers/agents.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { draft, makeHarness, type Harness } from './helpers/engine-harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const statusOf = async (id: string) => (await h!.engine.get(id))?.status;
const settle = (id: string, ...statuses: Task['status'][]) =>
  waitFor(async () => statuses.includes((await statusOf(id)) ?? 'queued'), 15_000, `${id} to reach ${statuses.join('|')}`);

describe('engine: the whole loop with real child processes', () => {
  it('starts a high-priority task at once (no tick), streams progress, and finishes it', async () => {
    h = await makeHarness('succeed');
    const [t] = await h.engine.submit([draft('Build a hello-world CLI')], { adapter: 'test', userId: 'owner' });
    // tickMs is an hour: only the event can have started it. submit resolves after a schedule pass
    // that saw the task, so the build is running (or already over) by now: no waiting needed.
    expect(h.engine.activeBuilds === 1 || h.events.some((e) => e.type === 'task_changed' && e.event.type === 'started')).toBe(true);
    await settle(t!.id, 'done');
    const done = (await h.engine.get(t!.id))!;
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    expect(done.deliverables.changedFiles).toEqual(['hello.txt']);
    // Progress is announced as the newest state, at most a few times a second: the last line the
    // builder printed before it finished is shown, before the task is announced done.
    const told = h.events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    expect(told.at(-1)).toMatchObject({ percent: 100, message: 'all done' });
    const lastProgress = h.events.findLastIndex((e) => e.type === 'progress');
    expect(lastProgress).toBeLessThan(h.events.findIndex((e) => e.type === 'task_changed' && e.event.type === 'done'));
    expect(h.events.filter((e) => e.type === 'task_changed').map((e) => (e.type === 'task_changed' ? e.event.type : ''))).toEqual(['started', 'done']);
    // every change was on disk before it was announced (created, started, done)
    expect(h.onDiskWhenAnnounced).toEqual([true, true, true]);
    // finished tasks live in the archive, and are still found
    expect((await h.engine.history({ limit: 5 })).map((x) => x.id)).toEqual([t!.id]);
    expect(h.engine.live()).toHaveLength(0);
  });

  it('a chatty builder (2,000 lines) is announced a few times a second as its newest state, never line by line', async () => {
    h = await makeHarness('chatty');
    const [t] = await h.engine.submit([draft('Build a chatty thing')], { adapter: 'test', userId: 'owner' });
    await settle(t!.id, 'done');
    const task = (await h.engine.get(t!.id))!;
    const told = h.events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    const builtForMs = Date.parse(task.attempts[0]!.endedAt!) - Date.parse(task.attempts[0]!.startedAt);
    // One announcement at once, then at most one per 250 ms, and the newest before the end.
    expect(told.length).toBeGreaterThanOrEqual(1);
    expect(told.length).toBeLessThanOrEqual(Math.ceil(builtForMs / 250) + 2);
    expect(told.at(-1)).toMatchObject({ percent: 100, message: 'done' });
  });

  it('a secret a builder prints never reaches an announcement or the status of its progress', async () => {
    const secret = 'xoxb-leaked-token-123456';
    h = await makeHarness('leak', {}, { FAKE_LEAK: secret, FAKE_STEP_MS: '300' }, undefined, {}, { redact: (t) => t.split(secret).join('[redacted]') });
    const [t] = await h.engine.submit([draft('Build a leaky thing')], { adapter: 'test', userId: 'owner' });
    await waitFor(() => h!.events.some((e) => e.type === 'progress'), 10_000, 'the first progress line');
    expect(h.engine.progressOf(t!.id)?.message).toMatch(/^(calling the API|retrying) with \[redacted\]$/);
    await settle(t!.id, 'done');
    const told = h.events.flatMap((e) => (e.type === 'progress' ? [e.progress.message] : []));
    expect(told.at(-1)).toBe('retrying with [redacted]');
    expect(JSON.stringify(h.events)).not.toContain(secret);
  });

  it('retries a failed attempt after the back-off and succeeds', async () => {
    h = await makeHarness('flaky', {}, { FAKE_SUCCEED_ON: '2' });
    const [t] = await h.engine.submit([draft('Build flaky thing')], { adapter: 'test', userId: 'owner' });
    await settle(t!.id, 'done');
    const done = (await h.engine.get(t!.id))!;
    expect(done.attempts.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);
    expect(done.events.map((e) => e.type)).toContain('retry_scheduled');
  });

  it('once idle is declared (run --until-idle), a back-off that ends while the caller winds down starts nothing', async () => {
    h = await makeHarness('flaky', {}, { FAKE_SUCCEED_ON: '2' });
    const [t] = await h.engine.submit([draft('Build flaky thing')], { adapter: 'test', userId: 'owner' });
    await h.engine.whenIdle(); // attempt 1 failed; its 100 ms back-off is pending
    const failed = (await h.engine.get(t!.id))!;
    expect([failed.status, failed.attempts.length]).toEqual(['failed', 1]);
    await waitFor(() => Date.now() > Date.parse(failed.retryAt!) + 300, 5_000, 'the back-off to pass');
    // Before the fix the timer started attempt 2 here, and the caller's shutdown then interrupted it.
    expect(h.engine.activeBuilds).toBe(0);
    expect((await h.engine.get(t!.id))!.attempts).toHaveLength(1);
  });

  it('escalates after three failed attempts, telling the owner the last error and the log tail', async () => {
    h = await makeHarness('fail');
    const [t] = await h.engine.submit([draft('Build broken thing')], { adapter: 'test', userId: 'owner' });
    await settle(t!.id, 'escalated');
    const task = (await h.engine.get(t!.id))!;
    expect(task.attempts.map((a) => a.exitCode)).toEqual([2, 2, 2]);
    const attention = h.events.find((e) => e.type === 'owner_attention' && e.reason === 'escalated');
    expect(attention?.type === 'owner_attention' && attention.message).toContain('exited with code 2');
    expect(attention?.type === 'owner_attention' && attention.message).toContain('could not compile src/index.ts');
    // the owner can retry it: a fresh budget of attempts
    const r = await h.engine.retry(t!.id, 'owner');
    expect(r.ok).toBe(true);
    await settle(t!.id, 'escalated');
    expect((await h.engine.get(t!.id))!.attempts).toHaveLength(6);
  });

  it('cancel during a build ends the whole process tree and records who cancelled', async () => {
    h = await makeHarness('hang');
    const [t] = await h.engine.submit([draft('Build a server')], { adapter: 'test', userId: 'owner' });
    const pids = await hangPids(join(h.dir, 'workspaces', t!.id));
    const r = await h.engine.cancel(t!.id, 'alice');
    expect(r.ok).toBe(true);
    const task = (await h.engine.get(t!.id))!;
    expect(task.status).toBe('cancelled');
    expect(task.events.at(-1)).toMatchObject({ type: 'cancelled', by: 'alice' });
    expect(task.attempts[0]?.outcome).toBe('cancelled');
    await waitFor(() => !pids.some(isAlive), 5_000, 'the tree to be gone');
  });

  it('a cancel that arrives while the attempt is being recorded still ends the builder', async () => {
    h = await makeHarness('hang');
    const store = h.store;
    const put = store.put.bind(store);
    let cancelled: Promise<unknown> | null = null;
    store.put = (...tasks) => {
      // the attempt's write is under way (not yet on disk), before the builder is spawned: the owner cancels
      const written = put(...tasks);
      if (!cancelled && tasks.some((t) => t.status === 'building')) cancelled = h!.engine.cancel('t-1', 'alice');
      return written;
    };
    await h.engine.submit([draft('Build the login page'), draft('Build the signup page')], { adapter: 'test', userId: 'owner' });
    await waitFor(() => cancelled !== null, 5_000, 'the cancel');
    const r = (await (cancelled as unknown as Promise<{ ok: boolean }>));
    expect(r.ok).toBe(true);
    expect(await statusOf('t-1')).toBe('cancelled');
    const pidsFile = join(h.dir, 'workspaces', 't-1', 'hang-pids.json');
    const pids = Object.values(JSON.parse(await readFile(pidsFile, 'utf8').catch(() => '{}')) as Record<string, number>);
    await waitFor(() => !pids.some(isAlive), 5_000, 'no builder of t-1 left');
    // the slot is free again: the next task starts, and only one builds at a time
    await waitFor(async () => (await statusOf('t-2')) === 'building', 5_000, 't-2 to start');
    expect(h.engine.live().filter((t) => t.status === 'building')).toHaveLength(1);
  });

  it('a cancel during shutdown is a cancel, not an interruption', async () => {
    h = await makeHarness('hang');
    const [t] = await h.engine.submit([draft('Build the login page')], { adapter: 'test', userId: 'owner' });
    await waitFor(() => h!.engine.activeBuilds === 1, 5_000, 'the build');
    const [, r] = await Promise.all([h.engine.shutdown(0), h.engine.cancel(t!.id, 'alice')]);
    expect(r.ok).toBe(true);
    expect(await statusOf(t!.id)).toBe('cancelled');
  });

  it('a stalled build is recorded and raised with the owner, once per silence', async () => {
    h = await makeHarness('hang', {}, {}, undefined, { stallMs: 300 });
    const [t] = await h.engine.submit([draft('Build the login page')], { adapter: 'test', userId: 'owner' });
    await waitFor(() => h!.events.some((e) => e.type === 'owner_attention' && e.reason === 'stalled'), 5_000, 'the stall');
    const stalled = h.events.find((e) => e.type === 'owner_attention' && e.reason === 'stalled');
    expect(stalled?.type === 'owner_attention' && stalled.message).toMatch(/^t-1 "Build the login page" has printed nothing for \d+ms: it may be stuck/);
    expect((await h.engine.get(t!.id))!.events.map((e) => e.type)).toContain('stalled');
    expect(await statusOf(t!.id)).toBe('building');
  });

  it('cleans up finished worktrees by policy: merged work goes, unmerged work stays', async () => {
    h = await makeHarness('succeed', {}, {}, undefined, { keep: 0 });
    const [a] = await h.engine.submit([draft('Build the login page')], { adapter: 'test', userId: 'owner' });
    await settle(a!.id, 'done');
    const first = (await h.engine.get(a!.id))!;
    const repo = join(h.dir, 'repo');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=O', '-c', 'user.email=o@example.com', ...args], { cwd: repo, encoding: 'utf8' });
    // the owner merges t-1's branch
    git('merge', '--quiet', '--no-edit', first.deliverables.branch!);
    const [b] = await h.engine.submit([draft('Build the signup page')], { adapter: 'test', userId: 'owner' });
    await settle(b!.id, 'done');
    const second = (await h.engine.get(b!.id))!;
    // cleanup runs in the background: the worktree goes, then its merged branch
    await waitFor(() => !existsSync(first.deliverables.workspace!) && !git('branch', '--list', 'nightshift/*').includes(first.deliverables.branch!), 5_000, 'the merged worktree and branch to be removed');
    expect(existsSync(second.deliverables.workspace!)).toBe(true); // unmerged: kept whatever WORKSPACE_KEEP says
    expect(git('branch', '--list', 'nightshift/*')).toContain(second.deliverables.branch!);
  });

  it('refuses illegal moves with a message the user can act on', async () => {
    h = await makeHarness('succeed');
    const [t] = await h.engine.submit([draft('Build the pricing page')], { adapter: 'test', userId: 'owner' });
    await settle(t!.id, 'done');
    const r = await h.engine.cancel(t!.id, 'owner');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe(`${t!.id} is already done; nothing to cancel`);
    const missing = await h.engine.approve('t-999', 'owner');
    expect(!missing.ok && missing.error.message).toContain('there is no task t-999');
  });

  it('runs one build at a time by default, more with maxParallelBuilds', async () => {
    h = await makeHarness('hang', { maxParallelBuilds: 2 });
    const tasks = await h.engine.submit([draft('Build the login page'), draft('Build the signup page'), draft('Build the settings page')], { adapter: 'test', userId: 'owner' });
    await waitFor(() => h!.engine.activeBuilds === 2, 5_000, 'two builds');
    // A schedule pass that begins now sees both builds running: had a third slot been open, it would start t-3.
    await h.engine.kick();
    expect(h.engine.latestSchedule().waiting.find((w) => w.id === tasks[2]!.id)?.waitsFor).toBe('slot');
    expect(h.engine.live().filter((t) => t.status === 'building').map((t) => t.id)).toEqual([tasks[0]!.id, tasks[1]!.id]);
    expect(await statusOf(tasks[2]!.id)).toBe('queued');
    await h.engine.cancel(tasks[0]!.id, 'owner');
    await waitFor(async () => (await statusOf(tasks[2]!.id)) === 'building', 5_000, 'the third to start when a slot frees');
  });

  it('medium tasks wait for the quiet window; approval-gated tasks wait for the owner', async () => {
    const now = new Date();
    const hour = now.getUTCHours();
    // A window that surely excludes now: two hours starting three hours from now.
    h = await makeHarness('succeed', { quietHours: { start: ((hour + 3) % 24) * 60, end: ((hour + 5) % 24) * 60 } });
    const [medium] = await h.engine.submit([draft('Build a report', { priority: 'medium', priorityReason: 'default' })], { adapter: 'test', userId: 'owner' });
    const [risky] = await h.engine.submit([draft('Force-push the rewrite to main', { request: 'force-push the rewritten history to main' })], { adapter: 'test', userId: 'owner' });
    // submit resolves after a schedule pass that saw both tasks; nothing else would start them but
    // the hourly tick, so what that pass left waiting stays waiting.
    await h.engine.kick();
    expect(await statusOf(medium!.id)).toBe('queued');
    expect(await statusOf(risky!.id)).toBe('awaiting_approval');
    const waiting = h.engine.schedule().waiting.find((w) => w.id === medium!.id);
    expect(waiting?.waitsFor).toBe('quiet_hours');
    expect(h.events.some((e) => e.type === 'owner_attention' && e.reason === 'approval' && e.task.id === risky!.id)).toBe(true);
    expect(h.onDiskWhenAnnounced.every(Boolean)).toBe(true);
    await h.engine.approve(risky!.id, 'owner');
    await settle(risky!.id, 'done');
  });

  it('on restart, a task left building is failed as "interrupted by restart" and retried; its orphan is ended', async () => {
    // Leave the data directory as a crash would: a task recorded as building, its builder still
    // running (orphaned, carrying the attempt's environment), and another task queued behind it.
    const dir = await tempDir();
    const crashed = new LowdbTaskStore({ dir });
    await crashed.open(); // a fresh home: a store opened on one with worktrees and no db.json would refuse
    const workspace = join(dir, 'workspaces', 't-1');
    await mkdir(workspace, { recursive: true });
    const orphan = spawn(agent('hang'), [], {
      cwd: workspace,
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '', NIGHTSHIFT_TASK_ID: 't-1', NIGHTSHIFT_ATTEMPT: '1', NIGHTSHIFT_WORKSPACE: workspace },
    });
    orphan.unref();
    const pidsFile = join(workspace, 'hang-pids.json');
    await waitFor(async () => (await readFile(pidsFile, 'utf8').catch(() => '')) !== '', 10_000, 'the orphan to start');
    const pids = Object.values(JSON.parse(await readFile(pidsFile, 'utf8')) as Record<string, number>);
    crashed.allocateIds(2);
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    await crashed.put(
      makeTask({ id: 't-1', priority: 'high', status: 'building', attempts: [{ n: 1, startedAt, outcome: 'running', logPath: join(dir, 'logs/t-1/attempt-1.log'), builder: 'fake', counts: true, demo: false, pid: orphan.pid! }] }),
      makeTask({ id: 't-2', priority: 'high', status: 'queued' }),
    );
    await crashed.close();

    h = await makeHarness('succeed', {}, {}, dir);
    await waitFor(() => !pids.some(isAlive), 8_000, 'the orphaned builder to be ended');
    await settle('t-1', 'done');
    await settle('t-2', 'done');
    const first = (await h.engine.get('t-1'))!;
    expect(first.attempts[0]).toMatchObject({ outcome: 'interrupted', reason: 'interrupted by restart', counts: true });
    expect(first.attempts[1]?.outcome).toBe('succeeded');
  });

  it('graceful shutdown lets a quick build finish and interrupts a slow one at no cost', async () => {
    h = await makeHarness('flaky', { maxParallelBuilds: 2 }, { FAKE_SUCCEED_ON: '1', FAKE_HANG_UNLESS: 'Build the quick page' });
    const [slow, quick] = await h.engine.submit([draft('Build the slow page'), draft('Build the quick page')], { adapter: 'test', userId: 'owner' });
    await waitFor(() => h!.engine.activeBuilds === 2, 5_000, 'both builds');
    // The quick one has done its work and is finishing (exit, its commit, its deliverables) when
    // shutdown begins: what the grace must cover is that, not its start-up on a loaded machine.
    await waitFor(() => h!.events.some((e) => e.type === 'progress' && e.task.id === quick!.id && e.progress.percent === 100), 10_000, 'the quick build to finish its work');
    await h.engine.shutdown(4_000);
    expect((await h.engine.get(quick!.id))!.status).toBe('done');
    const task = (await h.engine.get(slow!.id))!;
    expect(task.status).toBe('queued');
    expect(task.attempts[0]).toMatchObject({ outcome: 'interrupted', reason: 'interrupted by shutdown', counts: false });
  });
});
