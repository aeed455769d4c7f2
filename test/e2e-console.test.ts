// The loop as a user meets it: the real `nightshift` binary, the console adapter, the demo
// builder, then `nightshift status` in another process.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive as processAlive } from '../src/builders/process-tree.ts';
import { agent, hangPids, waitFor } from './helpers/agents.ts';
import { cliEnv, DaemonProcess, runCli } from './helpers/cli.ts';
import { keeperRecorded, task } from './helpers/agent-env.ts';
import { killStrays } from './helpers/strays.ts';
import { tempDir } from './helpers/temp-dir.ts';

const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) {
    d.child.kill('SIGKILL');
    await d.exited;
    killStrays(d.home); // a failed test must not leave builders running
  }
});

function startDaemon(env: NodeJS.ProcessEnv): DaemonProcess {
  const d = new DaemonProcess(env);
  daemons.push(d);
  return d;
}

interface JsonTask {
  id: string;
  title: string;
  status: string;
  priority: string;
  deadline: string | null;
  safety: { needsApproval: boolean; reasons: unknown[] };
  attempts: { outcome: string; reason?: string }[];
}

describe('nightshift start: the console loop on a fresh machine', () => {
  it('"build a hello-world CLI by tonight" is parsed, checked, started, shows progress, finishes, and status shows it done', async () => {
    const home = await tempDir();
    const env = cliEnv(home);
    const d = startDaemon(env);
    await d.waitForOutput(/Type a request/);
    d.type('build a hello-world CLI by tonight');
    await d.waitForOutput(/t-1 "Build a hello-world CLI" · high priority/);
    expect(d.stdout).toMatch(/due 23:59 \(Europe\/London\)/);
    expect(d.stdout).toMatch(/demo/);
    await d.waitForOutput(/t-1 \S* ?\[[█░]+\] *\d+%/);
    await d.waitForOutput(/t-1 "Build a hello-world CLI" is done .*\(demo build: nothing real was built\)/);
    // in a worktree, on its own branch, with a diffstat
    expect(d.stdout).toMatch(/is done .* · branch nightshift\/t-1-build-a-hello-world-cli · 2 files changed, \d+ insertions\(\+\) · in .*\/workspaces\/t-1/);

    // a one-shot while the daemon runs goes through its socket
    const live = await runCli(['status', '--json'], env);
    expect(live.code).toBe(0);
    const tasks = JSON.parse(live.stdout) as JsonTask[];
    expect(tasks.find((t) => t.id === 't-1')).toMatchObject({ status: 'done', priority: 'high', title: 'Build a hello-world CLI', safety: { needsApproval: false, reasons: [] } });

    // a second daemon on the same home refuses
    const second = await runCli(['start'], env);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/nightshift is already running on .* \(pid \d+/);

    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);

    // and with no daemon, the CLI reads the store itself
    const after = await runCli(['status'], env);
    expect(after.stdout).toMatch(/t-1 · done .*"Build a hello-world CLI"/);
    const ws = join(home, 'workspaces', 't-1', 'NIGHTSHIFT_SPEC.md');
    expect(await readFile(ws, 'utf8')).toContain('build a hello-world CLI by tonight');
  });

  it('a daemon killed mid-build is restarted, takes back the agent still at work instead of running it again, and finds every task accounted for', async () => {
    const home = await tempDir();
    const env = cliEnv(home, { BUILDER: agent('outlive'), RETRY_BACKOFF: '1s' });
    const d = startDaemon(env);
    await d.waitForOutput(/Type a request/);
    d.type('urgent: build the invoice CSV export');
    d.type('urgent: build the password reset email template');
    const workspace = join(home, 'workspaces', 't-1');
    await waitFor(async () => (await readFile(join(workspace, 'runs.log'), 'utf8').catch(() => '')) !== '', 10_000, 'the agent running');
    await keeperRecorded(env, 't-1');
    d.child.kill('SIGKILL');
    await d.exited;
    // a status check meanwhile leaves the agent at work: it says so, and ends nothing
    const meanwhile = (await task(cliEnv(home), 't-1')) as unknown as JsonTask;
    expect([meanwhile.status, meanwhile.attempts.map((a) => a.outcome)]).toEqual(['building', ['running']]);

    const restarted = startDaemon(env);
    await restarted.waitForOutput(/Type a request/);
    await writeFile(join(workspace, 'go'), ''); // the agent, taken back, finishes
    await writeFile(join(home, 'workspaces', 't-2', 'go'), '').catch(() => undefined);
    await restarted.waitForOutput(/t-1 "Build the invoice CSV export" is done/);
    await waitFor(async () => (await readFile(join(home, 'workspaces', 't-2', 'runs.log'), 'utf8').catch(() => '')) !== '', 10_000, 't-2 running');
    await writeFile(join(home, 'workspaces', 't-2', 'go'), '');
    await restarted.waitForOutput(/t-2 "Build the password reset email template" is done/);
    await restarted.waitForStderr(/t-1 was still building when nightshift started again; it is taken back, not run again/);
    restarted.child.kill('SIGTERM');
    await restarted.exited;
    expect((await readFile(join(workspace, 'runs.log'), 'utf8')).trim().split('\n')).toHaveLength(1); // run once
    const status = await runCli(['status', '--completed', '--json'], cliEnv(home));
    const tasks = JSON.parse(status.stdout) as JsonTask[];
    expect(tasks.map((t) => [t.id, t.status]).sort()).toEqual([['t-1', 'done'], ['t-2', 'done']]);
    expect(tasks.find((t) => t.id === 't-1')!.attempts.map((a) => a.outcome)).toEqual(['succeeded']);
    const log = await readFile(join(home, 'logs', 't-1', 'attempt-1.log'), 'utf8');
    expect(log).toMatch(/working on step 40\n[\s\S]*nightshift took the attempt back/);
  });

  it('a build taken back after a restart can be cancelled like any other: its agent is ended', async () => {
    const home = await tempDir();
    const env = cliEnv(home, { BUILDER: agent('hang') });
    const d = startDaemon(env);
    await d.waitForOutput(/Type a request/);
    d.type('urgent: build the invoice CSV export');
    const pids = await hangPids(join(home, 'workspaces', 't-1'));
    await keeperRecorded(env, 't-1');
    d.child.kill('SIGKILL');
    await d.exited;
    const restarted = startDaemon(env);
    await restarted.waitForOutput(/Type a request/);
    await restarted.waitForStderr(/t-1 was still building when nightshift started again; it is taken back/);
    const r = await runCli(['cancel', 't-1'], env);
    expect(r.stdout).toMatch(/t-1 .* cancelled/);
    await waitFor(() => !pids.some((pid) => processAlive(pid)), 10_000, 'the agent to be ended');
    const t = JSON.parse((await runCli(['status', 't-1', '--json'], env)).stdout) as JsonTask;
    expect([t.status, t.attempts.map((a) => a.outcome)]).toEqual(['cancelled', ['cancelled']]);
  });

  it('a build that finishes while nightshift is down is recorded at the next start, output and all, not run again', async () => {
    const home = await tempDir();
    const env = cliEnv(home, { BUILDER: agent('outlive') });
    const d = startDaemon(env);
    await d.waitForOutput(/Type a request/);
    d.type('urgent: build the invoice CSV export');
    const workspace = join(home, 'workspaces', 't-1');
    await waitFor(async () => (await readFile(join(workspace, 'runs.log'), 'utf8').catch(() => '')) !== '', 10_000, 'the agent running');
    d.child.kill('SIGKILL'); // nightshift dies; the agent does not notice
    await d.exited;
    await writeFile(join(workspace, 'go'), '');
    const exitRecord = join(home, 'logs', 't-1', 'attempt-1.exit.json');
    await waitFor(async () => (await readFile(exitRecord, 'utf8').catch(() => '')) !== '', 10_000, 'the agent to finish on its own');

    const restarted = startDaemon(env);
    await restarted.waitForOutput(/t-1 "Build the invoice CSV export" is done/);
    expect((await readFile(join(workspace, 'runs.log'), 'utf8')).trim().split('\n')).toHaveLength(1); // never run again
    const status = await runCli(['status', 't-1', '--json'], cliEnv(home));
    const t = JSON.parse(status.stdout) as JsonTask;
    expect(t.attempts.map((a) => a.outcome)).toEqual(['succeeded']);
    // what the agent said while nightshift was down is in the attempt's log, with its secret redacted
    const log = await readFile(join(home, 'logs', 't-1', 'attempt-1.log'), 'utf8');
    expect(log).toMatch(/working on step 1\n[\s\S]*working on step 40\n/);
    expect(log).toContain('git.example.com/shop.git');
    expect(log).not.toContain('s3cretpassw0rd');
  });

  it('one-shots: add, approve, and run --until-idle for cron users', async () => {
    const home = await tempDir();
    const env = cliEnv(home);
    const add = await runCli(['add', 'force-push the cleaned history to main', '--priority', 'high', '--json'], env);
    expect(add.code).toBe(0);
    const [task] = JSON.parse(add.stdout) as JsonTask[];
    expect(task).toMatchObject({ id: 't-1', status: 'awaiting_approval', priority: 'high', safety: { needsApproval: true } });
    const approve = await runCli(['approve', 't-1'], env);
    expect(approve.stdout).toMatch(/t-1 .* approved/);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/t-1 .* is done/);
    const status = await runCli(['status', 't-1', '--json'], env);
    expect((JSON.parse(status.stdout) as JsonTask).status).toBe('done');
    const md = await runCli(['status', '--markdown'], env);
    expect(md.stdout).toMatch(/^# Build status\n/);
    expect(md.stdout).toMatch(/## Recently completed\n\n- \[x\] \*\*t-1\*\* Force-push the cleaned history to main — done/);
    const summary = await runCli(['summary'], env);
    expect(summary.stdout).toMatch(/^Good morning\. 1 built\.\n[\s\S]*Built:\n {2}t-1 "Force-push the cleaned history to main"/);
  });

  it('bad settings fail at start naming the variable', async () => {
    const home = await tempDir();
    const r = await runCli(['start'], cliEnv(home, { OWNER_TZ: 'Moon/Base' }));
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/OWNER_TZ: expected an IANA time zone/);
  });
});

describe('signals', () => {
  it('SIGTERM lets builds finish up to the grace period, then records them as interrupted at no cost', async () => {
    const home = await tempDir();
    const d = startDaemon(cliEnv(home, { BUILDER: agent('hang'), SHUTDOWN_GRACE: '500ms' }));
    await d.waitForOutput(/Type a request/);
    d.type('urgent: build the invoice CSV export');
    await d.waitForOutput(/t-1 started/);
    const started = Date.now();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(d.stderr).toMatch(/SIGTERM: no new work; waiting up to 500ms for 1 build/);
    const status = await runCli(['status', 't-1', '--json'], cliEnv(home));
    const task = JSON.parse(status.stdout) as JsonTask & { attempts: { outcome: string; counts: boolean }[] };
    expect(task.status).toBe('queued');
    expect(task.attempts[0]).toMatchObject({ outcome: 'interrupted', reason: 'interrupted by shutdown', counts: false });
  });

  it('a second signal ends every build at once', async () => {
    const home = await tempDir();
    const d = startDaemon(cliEnv(home, { BUILDER: agent('hang'), SHUTDOWN_GRACE: '10m' }));
    await d.waitForOutput(/Type a request/);
    d.type('urgent: build the invoice CSV export');
    await d.waitForOutput(/t-1 started/);
    d.child.kill('SIGINT');
    await waitFor(() => /SIGINT: no new work/.test(d.stderr), 5_000, 'the first signal to be seen');
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(130);
    const status = await runCli(['status', 't-1', '--json'], cliEnv(home));
    expect((JSON.parse(status.stdout) as JsonTask).attempts[0]?.outcome).toBe('interrupted');
  });
});

describe('a damaged store', () => {
  it('is restored from the backup with a loud warning, or start refuses; never a silent reset', async () => {
    const home = await tempDir();
    const env = cliEnv(home);
    await runCli(['add', 'a hello-world CLI', '--priority', 'medium'], env);
    await runCli(['add', 'a goodbye-world CLI', '--priority', 'medium'], env); // the backup now holds t-1
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(home, 'db.json'), '{"version":1,"nextId":3,"tasks":[{"id":"t-1"'); // torn write
    const restored = await runCli(['status', '--json'], env);
    expect(restored.stderr).toMatch(/WARNING: .*db\.json/);
    expect((JSON.parse(restored.stdout) as JsonTask[]).map((t) => t.id)).toContain('t-1');
    await writeFile(join(home, 'db.json'), 'garbage');
    await writeFile(join(home, 'db.json.bak'), 'garbage');
    const refused = await runCli(['start'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/db\.json/);
    expect(refused.stderr).toMatch(/move it aside to start empty, or restore it from/);
  });
});

describe('settings from a .env file', () => {
  it('reads .env in the directory nightshift starts from; an exported variable wins', async () => {
    const home = await tempDir();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(home, '.env'), '# my settings\nOWNER_TZ=Asia/Tokyo\nQUIET_HOURS=not-a-window\n');
    const env = cliEnv(home);
    delete env.OWNER_TZ;
    const bad = await runCli(['status'], env);
    expect(bad.stderr).toMatch(/QUIET_HOURS: "not-a-window" is not a quiet-hours window/);
    const ok = await runCli(['add', 'a hello-world CLI', '--by', 'tomorrow 10am'], { ...env, QUIET_HOURS: '22:00-06:00' });
    expect(ok.stdout).toMatch(/\(Asia\/Tokyo\)/);
  });
});

describe('the dashboard at start', () => {
  it('without a token it is read-only: pages are served on loopback, actions are refused, and there are no buttons', async () => {
    const d = startDaemon(cliEnv(await tempDir(), { DASHBOARD_PORT: '0', BUILDER: agent('hang') }));
    await d.waitForOutput(/Type a request/);
    const url = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(d.stdout)?.[1];
    expect(url, d.stdout).toBeTruthy();
    d.type('urgent: build the invoice CSV export');
    await d.waitForOutput(/t-1 started: .* · http:\/\/127\.0\.0\.1:\d+\/tasks\/t-1/); // the console links to the page
    const page = await fetch(`${url}/tasks/t-1`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('t-1 Build the invoice CSV export');
    expect(html).not.toContain('data-action=');
    const cancel = await fetch(`${url}/tasks/t-1/cancel`, { method: 'POST', headers: { 'x-nightshift-action': '1' } });
    expect(cancel.status).toBe(403);
    expect(await cancel.text()).toMatch(/need the dashboard token \(DASHBOARD_TOKEN\); without it, use chat or the CLI/);
    expect((await runCli(['status', 't-1', '--json'], cliEnv(d.home))).stdout).toMatch(/"status": ?"building"/);
  });

  it('a port already in use is said on stderr, naming the setting, and nightshift runs without it', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const d = startDaemon(cliEnv(await tempDir(), { DASHBOARD_PORT: String(port) }));
      await d.waitForOutput(/Type a request/);
      await waitFor(() => /WARNING: the dashboard could not listen/.test(d.stderr), 5_000, 'the warning');
      expect(d.stderr).toContain(`WARNING: the dashboard could not listen on 127.0.0.1:${port} (port ${port} is in use); set DASHBOARD_PORT to another port, 0 for any free one, or off. nightshift runs without it.`);
      expect(d.stdout).not.toMatch(/Dashboard: http/);
      d.type('urgent: build the invoice CSV export'); // and it works as ever
      await d.waitForOutput(/t-1 "Build the invoice CSV export" is done/);
      expect(d.stdout).toMatch(/· log \S+attempt-1\.log/); // no dashboard: the local log path, not a link
    } finally {
      taken.close();
    }
  });
});
