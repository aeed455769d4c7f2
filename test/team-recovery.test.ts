// Team mode when a part goes away mid-build, through the binaries on a real PostgreSQL: the daemon
// restarted (politely or by SIGKILL) takes its workers' builds back instead of running them again;
// a worker stopped with SIGTERM hands its attempt back, at no cost of an attempt; a worker cut off
// from the database stops its agent before the daemon gives the run to another worker. And the
// daemon that builds too (BUILD_ON=both) takes its share beside a worker.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/agents.ts';
import { taskWhen } from './helpers/agent-env.ts';
import { runCli } from './helpers/cli.ts';
import { query, testDatabase } from './helpers/postgres.ts';
import { agentWorkerEnv, alive, ledgerEntries, startWorker, teamDaemon, teamDatabase, watchedDaemon, type Cleanups, type LedgerEntry } from './helpers/team.ts';
import { tcpProxy } from './helpers/tcp-proxy.ts';
import { tempDir } from './helpers/temp-dir.ts';

beforeAll(async () => (await testDatabase()).drop(), 240_000);

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const startOf = (log: LedgerEntry[], task: string, attempt = 1) => log.find((e) => e.event === 'start' && e.task === task && e.attempt === attempt);

describe('team mode, when a part goes away mid-build', () => {
  it('a daemon restarted while a worker builds (SIGTERM, then SIGKILL) takes the build back: the agent runs once, the task is done after one attempt', async () => {
    const { ledger, common, daemonEnv, daemon } = await teamDaemon(cleanups);
    // Each agent works until its gate opens, after the restart under test: a build taken back, not
    // one that happened to finish while the daemon was down (which a slow restart would make it).
    const gates = await tempDir();
    const open = (id: string) => writeFile(join(gates, id), '');
    const w = startWorker(await agentWorkerEnv(common, ledger, 'w', { TEAM_WORK_MS: '0', TEAM_GATE: gates }), cleanups);
    await waitFor(() => /nightshift worker /.test(w.out()), 20_000, 'the worker up');

    // A polite stop: the daemon lets go of the build (it runs on, on the worker) and takes it back at start.
    await runCli(['add', 'build the first widget', '--priority', 'high'], daemonEnv);
    await waitFor(async () => startOf(await ledgerEntries(ledger), 't-1') !== undefined, 20_000, 't-1 at work');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    // A one-shot meanwhile (here with BUILD_ON=local) leaves the worker's build be.
    const onDisk = JSON.parse((await runCli(['status', 't-1', '--json'], { ...daemonEnv, BUILD_ON: 'local' })).stdout) as { status: string; attempts: { outcome: string }[] };
    expect([onDisk.status, onDisk.attempts.map((a) => a.outcome)]).toEqual(['building', ['running']]);
    const second = watchedDaemon(daemonEnv, cleanups);
    await second.waitForOutput(/Builds run on workers/);
    await second.waitForStderr(/t-1 was still building when nightshift started again; it is taken back, not run again/);
    await open('t-1');
    const first = await taskWhen(daemonEnv, 't-1', (t) => t.status === 'done', 30_000, 't-1 done after the restart');
    expect(first.attempts.map((a) => a.outcome)).toEqual(['succeeded']);

    // A crash: the same, and the build's progress reaches the new daemon.
    await runCli(['add', 'build the second widget', '--priority', 'high'], daemonEnv);
    await waitFor(async () => startOf(await ledgerEntries(ledger), 't-2') !== undefined, 20_000, 't-2 at work');
    second.child.kill('SIGKILL');
    await second.exited;
    const third = watchedDaemon(daemonEnv, cleanups);
    await third.waitForOutput(/Builds run on workers/);
    await third.waitForStderr(/t-2 was still building when nightshift started again; it is taken back, not run again/);
    await open('t-2');
    const t2 = await taskWhen(daemonEnv, 't-2', (t) => t.status === 'done', 30_000, 't-2 done after the crash');
    expect(t2.attempts.map((a) => a.outcome)).toEqual(['succeeded']);

    const log = await ledgerEntries(ledger);
    expect(log.map((e) => `${e.task} ${e.event}`)).toEqual(['t-1 start', 't-1 end', 't-2 start', 't-2 end']);
  }, 120_000);

  it('a cancel while the daemon is down reaches the worker: its agent is stopped, and the task stays cancelled when the daemon is back', async () => {
    const { db, ledger, common, daemonEnv, daemon } = await teamDaemon(cleanups);
    const w = startWorker(await agentWorkerEnv(common, ledger, 'w', { TEAM_WORK_MS: '60000' }), cleanups);
    await waitFor(() => /nightshift worker /.test(w.out()), 20_000, 'the worker up');
    await runCli(['add', 'build a long thing', '--priority', 'high'], daemonEnv);
    await waitFor(async () => startOf(await ledgerEntries(ledger), 't-1') !== undefined, 20_000, 't-1 at work');
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    const r = await runCli(['cancel', 't-1'], daemonEnv);
    expect(r.stdout).toMatch(/t-1 .*cancelled/);
    await waitFor(async () => (await ledgerEntries(ledger)).some((e) => e.event === 'stopped'), 10_000, 'the agent stopped by its worker');
    const again = watchedDaemon(daemonEnv, cleanups);
    await again.waitForOutput(/Builds run on workers/);
    expect((await taskWhen(daemonEnv, 't-1', () => true, 5_000, 't-1')).status).toBe('cancelled');
    await waitFor(async () => (await query<{ state: string }>(db.url, 'SELECT state FROM nightshift_runs'))[0]?.state === 'ended', 10_000, 'the run ended');
    expect((await ledgerEntries(ledger)).map((e) => e.event)).toEqual(['start', 'stopped']);
  }, 90_000);

  it('a worker that dies after its agent finished, before it recorded the end: the worker restarted in its home records it, and the task is done, built once', async () => {
    // A longer WORKER_TIMEOUT: the restarted worker settles the run before the daemon gives it up.
    const { ledger, common, daemonEnv } = await teamDaemon(cleanups, { WORKER_TIMEOUT: '20s' });
    const env = await agentWorkerEnv({ ...common, WORKER_TIMEOUT: '20s' }, ledger, 'w', { TEAM_WORK_MS: '1000' });
    const first = startWorker(env, cleanups);
    await waitFor(() => /nightshift worker /.test(first.out()), 20_000, 'the worker up');
    await runCli(['add', 'build a widget', '--priority', 'high'], daemonEnv);
    await waitFor(async () => startOf(await ledgerEntries(ledger), 't-1') !== undefined, 20_000, 't-1 at work');
    // Frozen while its agent works on (under its keeper), then killed once the agent has finished:
    // the end is in the keeper's exit record, and nowhere else.
    first.child.kill('SIGSTOP');
    await waitFor(async () => (await ledgerEntries(ledger)).some((e) => e.event === 'end'), 20_000, 'the agent finished');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('close', r));
    const second = startWorker(env, cleanups);
    await waitFor(() => /t-1 attempt 1 had finished when the worker before this one died here: its end is recorded now/.test(second.out()), 20_000, 'the end recorded by the next worker');
    const t = await taskWhen(daemonEnv, 't-1', (x) => x.status === 'done', 20_000, 't-1 done');
    expect(t.attempts.map((a) => a.outcome)).toEqual(['succeeded']);
    expect((await ledgerEntries(ledger)).map((e) => `${e.attempt} ${e.event}`)).toEqual(['1 start', '1 end']);
  }, 90_000);

  it('a worker stopped with SIGTERM hands its attempt back: another worker builds it, and no attempt is spent', async () => {
    const { ledger, common, daemonEnv } = await teamDaemon(cleanups, { RETRY_BACKOFF: '100ms' });
    const leaving = startWorker(await agentWorkerEnv(common, ledger, 'leaving', { TEAM_WORK_MS: '60000', SHUTDOWN_GRACE: '500ms' }), cleanups);
    await waitFor(() => /nightshift worker /.test(leaving.out()), 20_000, 'the first worker up');
    await runCli(['add', 'build a long thing', '--priority', 'high'], daemonEnv);
    await waitFor(async () => startOf(await ledgerEntries(ledger), 't-1') !== undefined, 20_000, 'the agent at work');
    leaving.child.kill('SIGTERM');
    await new Promise((r) => leaving.child.once('close', r));
    // Handed back, waiting for a worker; the task is not cancelled.
    await taskWhen(daemonEnv, 't-1', (t) => t.status === 'building' && t.attempts.length === 2, 20_000, 'a second attempt queued');
    const staying = startWorker(await agentWorkerEnv(common, ledger, 'staying'), cleanups);
    await waitFor(() => /nightshift worker /.test(staying.out()), 20_000, 'the second worker up');
    const t = await taskWhen(daemonEnv, 't-1', (x) => x.status === 'done', 30_000, 't-1 done');
    expect(t.attempts.map((a) => a.outcome)).toEqual(['interrupted', 'succeeded']);
    const reason = (t.attempts[0] as { reason?: string }).reason ?? '';
    expect(reason).toMatch(/^worker \S+ was stopped; the attempt was handed back to the queue$/);
    const log = await ledgerEntries(ledger);
    expect(log.map((e) => `${e.worker} ${e.event}`)).toEqual(['leaving start', 'leaving stopped', 'staying start', 'staying end']);
  }, 90_000);

  it('a worker cut off from the database stops its agent by itself, before the daemon gives its run to another worker: never two at once', async () => {
    const { db, ledger, common, daemonEnv } = await teamDaemon(cleanups, { RETRY_BACKOFF: '100ms' });
    const url = new URL(db.url);
    const proxy = await tcpProxy(url.hostname, Number(url.port || 5432));
    cleanups.push(() => proxy.close());
    const through = new URL(db.url);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const far = startWorker(await agentWorkerEnv({ ...common, DATABASE_URL: through.toString() }, ledger, 'far', { TEAM_WORK_MS: '60000' }), cleanups);
    await waitFor(() => /nightshift worker /.test(far.out()), 20_000, 'the far worker up');
    await runCli(['add', 'build a long thing', '--priority', 'high'], daemonEnv);
    await waitFor(async () => startOf(await ledgerEntries(ledger), 't-1') !== undefined, 20_000, 'the agent at work on the far worker');
    const near = startWorker(await agentWorkerEnv(common, ledger, 'near'), cleanups);
    await waitFor(() => /nightshift worker /.test(near.out()), 20_000, 'the near worker up');

    proxy.cut();
    const t = await taskWhen(daemonEnv, 't-1', (x) => x.status === 'done', 40_000, 't-1 done on the near worker');
    const log = await ledgerEntries(ledger);
    expect(log.map((e) => `${e.worker} ${e.event}`)).toEqual(['far start', 'far stopped', 'near start', 'near end']);
    // The far agent was gone before the near one started: the worker fenced itself.
    expect(log[1]!.at).toBeLessThan(log[2]!.at);
    expect(t.attempts.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);
    expect((t.attempts[0] as { reason?: string }).reason).toMatch(/^the attempt was lost: its worker stopped answering \(\S+\)$/);
    // The far worker lives on, saying why it stopped its agent; its run stays given up.
    expect(alive(far.child.pid!)).toBe(true);
    expect(far.out()).toMatch(/could not send a heartbeat/);
    expect(await query<{ attempt: number; state: string }>(db.url, 'SELECT attempt, state FROM nightshift_runs ORDER BY attempt')).toEqual([
      { attempt: 1, state: 'lost' },
      { attempt: 2, state: 'ended' },
    ]);
  }, 90_000);

  it('BUILD_ON=both: the daemon builds too, beside a worker, through the same queue', async () => {
    const { ledger, common } = await teamDatabase(cleanups);
    // Both agents work until their gates open, once both have started: one slot each, both taken.
    const gates = await tempDir();
    const env = await agentWorkerEnv(common, ledger, 'daemon', { BUILD_ON: 'both', MAX_PARALLEL_BUILDS: '2', TEAM_WORK_MS: '0', TEAM_GATE: gates });
    const daemon = watchedDaemon(env, cleanups);
    await daemon.waitForOutput(/This nightshift is also a worker, \S+: 1 slot; builds with/);
    const w = startWorker(await agentWorkerEnv(common, ledger, 'w', { TEAM_WORK_MS: '0', TEAM_GATE: gates }), cleanups);
    await waitFor(() => /nightshift worker /.test(w.out()), 20_000, 'the worker up');
    expect((await runCli(['workers'], env)).stdout.trim().split('\n')).toHaveLength(2); // the daemon's own, and w

    await runCli(['add', 'build the first widget', '--priority', 'high'], env);
    await runCli(['add', 'build the second widget', '--priority', 'high'], env);
    await waitFor(async () => (await ledgerEntries(ledger)).filter((e) => e.event === 'start').length === 2, 30_000, 'both at work');
    await Promise.all(['t-1', 't-2'].map((id) => writeFile(join(gates, id), '')));
    for (const id of ['t-1', 't-2']) await taskWhen(env, id, (t) => t.status === 'done', 30_000, `${id} done`);
    const starts = (await ledgerEntries(ledger)).filter((e) => e.event === 'start');
    expect(new Set(starts.map((e) => e.worker))).toEqual(new Set(['daemon', 'w']));
    expect(starts).toHaveLength(2);
  }, 90_000);
});
