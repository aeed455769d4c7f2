import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentBuilder } from '../src/builders/agent-builder.ts';
import { AttemptLog, bytesToSkip, completeAttemptLog, logBudget, tailPaths } from '../src/builders/attempt-log.ts';
import { formatBytes, parseByteSize } from '../src/builders/byte-size.ts';
import type { Attempt } from '../src/core/task.ts';
import { GitWorkspaces } from '../src/builders/git-workspaces.ts';
import { customPreset } from '../src/builders/presets/index.ts';
import { selectBuilder } from '../src/builders/select-builder.ts';
import { soleProject } from '../src/projects/catalog.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/core/ports.ts';
import { isAlive } from '../src/builders/process-tree.ts';
import type { Progress } from '../src/core/ports.ts';
import { agent, hangPids, waitFor } from './helpers/agents.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

async function setup(script: Parameters<typeof agent>[0], env: Record<string, string> = {}) {
  const dataDir = await tempDir();
  const builder = fakeAgentBuilder(script, dataDir, { env: { PATH: process.env.PATH ?? '', ...env } });
  const task = makeTask({ id: 't-3', spec: 'build a hello-world CLI; it\'s "quoted" $(rm -rf /) `echo pwned`' });
  const plan = builder.plan(task, 1);
  const progress: Progress[] = [];
  let pid: number | undefined;
  const handle = builder.start({ task, attempt: 1, plan, timeoutMs: 10_000, onProgress: (p) => progress.push(p), onSpawn: (p) => (pid = p) });
  return { dataDir, plan, progress, handle, pid: () => pid };
}

describe('AgentBuilder running a command: a real child process in a git worktree', () => {
  it('passes the spec on stdin and as a file, streams progress, logs, and reports changed files', async () => {
    const { plan, progress, handle } = await setup('succeed');
    const result = await handle.result;
    expect(result.outcome).toBe('succeeded');
    expect(result.exitCode).toBe(0);
    expect(progress.map((p) => [p.percent, p.message])).toEqual([
      [20, 'reading the spec'],
      [60, 'editing src/hello.ts'],
      [100, 'running tests'],
      [null, 'all done'],
    ]);
    const built = await readFile(join(plan.workspace, 'hello.txt'), 'utf8');
    expect(built).toContain('$(rm -rf /) `echo pwned`'); // reached the agent verbatim: no shell saw it
    expect(result.deliverables.changedFiles).toEqual(['hello.txt']);
    // the work is on the task's own branch, committed (on the agent's behalf: it left it uncommitted)
    expect(result.deliverables.branch).toBe('nightshift/t-3-build-the-thing');
    expect(result.deliverables.commits).toEqual([expect.stringMatching(/^[0-9a-f]{7,} nightshift: work left uncommitted by fake succeed \(t-3, attempt 1\)$/)]);
    expect(result.deliverables.diffstat).toMatch(/^1 file changed, \d+ insertions?\(\+\)$/);
    expect(result.resources?.wallMs).toBeGreaterThan(0);
    const log = await readFile(plan.logPath, 'utf8');
    expect(log).toContain('PROGRESS 60% editing src/hello.ts');
    expect(log).toMatch(/exited with code 0 after/);
    const spec = await readFile(plan.logPath.replace(/\.log$/, '.spec.md'), 'utf8');
    expect(spec).toContain('build a hello-world CLI');
  });

  it('reports a failing exit with its code and the log tail', async () => {
    const { handle } = await setup('fail');
    const result = await handle.result;
    expect(result).toMatchObject({ outcome: 'failed', exitCode: 2 });
    expect(result.reason).toBe('command fail.mjs exited with code 2; last output: "Error: could not compile src/index.ts"');
    expect(result.logTail).toContain('could not compile src/index.ts');
  });

  it('treats exit 0 with nothing changed as a failure', async () => {
    const { handle } = await setup('noop');
    const result = await handle.result;
    expect(result.outcome).toBe('failed');
    expect(result.reason).toContain('changed nothing');
  });

  it('gives the builder only the environment config allows: no nightshift secret reaches it', async () => {
    const dataDir = await tempDir();
    const config = loadConfig({
      NIGHTSHIFT_HOME: dataDir,
      BUILDER: agent('env-dump'),
      PATH: process.env.PATH ?? '',
      LANG: 'C.UTF-8',
      SLACK_BOT_TOKEN: 'xoxb-should-never-leak',
      SLACK_APP_TOKEN: 'xapp-should-never-leak',
      SLACK_OWNER_ID: 'U0OWNER',
      DISCORD_TOKEN: 'MTAwMDAwMDAwMDAwMDAwMDAy.GdaemN.discord-should-never-leak-000000',
      DISCORD_CHANNEL: '300000000000000001',
      DISCORD_OWNER_ID: '400000000000000001',
      AWS_SECRET_ACCESS_KEY: 'aws-not-allow-listed',
      ANTHROPIC_API_KEY: 'sk-ant-allowed',
      BUILDER_ENV_ALLOW: 'ANTHROPIC_API_KEY',
    });
    const { builder } = selectBuilder(config, silentLogger, soleProject(config));
    const task = makeTask({ id: 't-3', spec: 'build a hello-world CLI' });
    const plan = builder.plan(task, 1);
    await builder.start({ task, attempt: 1, plan, timeoutMs: 10_000, onProgress: () => {} }).result;
    const env = JSON.parse(await readFile(join(plan.workspace, 'env.json'), 'utf8')) as Record<string, string>;
    const dumped = JSON.stringify(env);
    for (const secret of ['xoxb-should-never-leak', 'xapp-should-never-leak', 'discord-should-never-leak', 'aws-not-allow-listed']) expect(dumped).not.toContain(secret);
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-allowed');
    expect(env.LANG).toBe('C.UTF-8');
    expect(env.NIGHTSHIFT_TASK_ID).toBe('t-3');
    expect(env.NIGHTSHIFT_ATTEMPT).toBe('1');
    expect(env.NIGHTSHIFT_WORKSPACE).toBe(plan.workspace);
    expect(await readFile(join(plan.workspace, 'stdin.txt'), 'utf8')).toContain('hello-world CLI');
  });

  it('a builder that exits leaving a daemonised child on its output still ends, and the child is ended', async () => {
    const { plan, handle } = await setup('daemonize');
    const started = Date.now();
    const result = await handle.result;
    expect(result.outcome).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(6_000);
    const daemonPid = Number(await readFile(join(plan.workspace, 'daemon-pid.txt'), 'utf8'));
    await waitFor(() => !isAlive(daemonPid), 3_000, 'the daemonised child to be ended');
  });

  it('cancel ends the whole process tree, including a child that left the process group', async () => {
    const { plan, handle } = await setup('hang', { FAKE_IGNORE_TERM: '1' });
    const pidsFile = join(plan.workspace, 'hang-pids.json');
    await waitFor(async () => (await readFile(pidsFile, 'utf8').catch(() => '')) !== '', 10_000, 'the fake agent to start');
    const pids = JSON.parse(await readFile(pidsFile, 'utf8')) as { self: number; child: number; escaped: number };
    expect(Object.values(pids).every(isAlive)).toBe(true);
    await handle.cancel('cancelled by owner');
    const result = await handle.result;
    expect(result.outcome).toBe('cancelled');
    expect(result.reason).toBe('cancelled by owner');
    await waitFor(() => !Object.values(pids).some(isAlive), 5_000, 'every process to be gone');
  });

  it('a builder that goes silent is reported as stalled, and keeps running', async () => {
    const dataDir = await tempDir();
    const builder = fakeAgentBuilder('hang', dataDir, { stallMs: 400 });
    const task = makeTask({ id: 't-5', title: 'Build the slow thing' });
    const stalls: number[] = [];
    const handle = builder.start({ task, attempt: 1, plan: builder.plan(task, 1), timeoutMs: 10_000, onProgress: () => {}, onStall: (ms) => stalls.push(ms) });
    await waitFor(() => stalls.length === 1, 5_000, 'the stall report');
    expect(stalls[0]).toBeGreaterThanOrEqual(400);
    await handle.cancel('enough');
    expect((await handle.result).outcome).toBe('cancelled');
  });

  it('a retry that changes nothing has not succeeded, even though attempt 1 left work on the branch', async () => {
    const dataDir = await tempDir();
    const builder = fakeAgentBuilder('partial', dataDir);
    const task = makeTask({ id: 't-6', title: 'Build the half thing' });
    const run = (n: number) => builder.start({ task, attempt: n, plan: builder.plan(task, n), timeoutMs: 10_000, onProgress: () => {} }).result;
    const first = await run(1);
    expect(first.outcome).toBe('failed');
    expect(first.deliverables.commits).toHaveLength(1); // its partial work is kept on the branch
    const second = await run(2);
    expect(second.outcome).toBe('failed');
    expect(second.reason).toBe('fake partial finished but changed nothing in the workspace this attempt');
    expect(second.deliverables.commits).toHaveLength(1);
  });

  it('work an agent committed on a detached HEAD is brought back onto the task branch', async () => {
    const dataDir = await tempDir();
    const builder = fakeAgentBuilder('detach', dataDir);
    const task = makeTask({ id: 't-8', title: 'Build the detached thing' });
    const result = await builder.start({ task, attempt: 1, plan: builder.plan(task, 1), timeoutMs: 10_000, onProgress: () => {} }).result;
    expect(result.outcome).toBe('succeeded');
    expect(result.deliverables.branch).toBe('nightshift/t-8-build-the-detached-thing');
    expect(result.deliverables.commits).toEqual([expect.stringMatching(/ agent: feature on a detached HEAD$/)]);
    // and a retry prepares the same worktree, on the task branch, without trouble
    const again = await builder.start({ task, attempt: 2, plan: builder.plan(task, 2), timeoutMs: 10_000, onProgress: () => {} }).result;
    expect(again.reason).not.toMatch(/could not prepare the workspace/);
    expect(again.deliverables.branch).toBe('nightshift/t-8-build-the-detached-thing');
  });

  it("nightshift's own git never runs code the agent planted in the repository's config", async () => {
    const dataDir = await tempDir();
    const leak = join(dataDir, 'leaked-env.txt');
    const builder = fakeAgentBuilder('fsmonitor', dataDir, { env: { PATH: process.env.PATH ?? '', FAKE_LEAK_FILE: leak } });
    const task = makeTask({ id: 't-9', title: 'Build the innocent thing' });
    const result = await builder.start({ task, attempt: 1, plan: builder.plan(task, 1), timeoutMs: 10_000, onProgress: () => {} }).result;
    expect(result.outcome).toBe('succeeded');
    expect(existsSync(leak)).toBe(false);
  });

  it('a timeout fails the attempt and ends the tree', async () => {
    const dataDir = await tempDir();
    const builder = fakeAgentBuilder('hang', dataDir, { killGraceMs: 300 });
    const task = makeTask({ id: 't-4' });
    const plan = builder.plan(task, 1);
    // Long enough for the keeper and the agent to start and note their pids on a loaded machine.
    const handle = builder.start({ task, attempt: 1, plan, timeoutMs: 3_000, onProgress: () => {} });
    const pids = await hangPids(plan.workspace);
    const result = await handle.result;
    expect(result.outcome).toBe('timed_out');
    expect(result.reason).toMatch(/^timed out after/);
    await waitFor(() => !pids.some(isAlive), 5_000, 'every process to be gone');
  });

  it('a command that does not exist fails with a reason that names it', async () => {
    const dataDir = await tempDir();
    const missing = join(dataDir, 'no-such-agent');
    const builder = new AgentBuilder({ name: 'missing', preset: customPreset([missing]), command: missing, dataDir, env: {}, workspaces: new GitWorkspaces({ dataDir, keep: 5 }) });
    const task = makeTask();
    const result = await builder.start({ task, attempt: 1, plan: builder.plan(task, 1), timeoutMs: 5_000, onProgress: () => {} }).result;
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/could not start .*no-such-agent: not found/);
  });
});

const KiB = 1024;
const flood = fileURLToPath(new URL('./fixtures/agents/flood.mjs', import.meta.url));
const CAP = 64 * KiB;

/** Total bytes of the files of one attempt's log (attempt-1.log and its tail files). */
async function logFilesBytes(logPath: string): Promise<number> {
  const dir = dirname(logPath);
  const stem = logPath.slice(dir.length + 1).replace(/\.log$/, '');
  const names = (await readdir(dir)).filter((n) => n.startsWith(`${stem}.`) && n.endsWith('.log'));
  const sizes = await Promise.all(names.map((n) => stat(join(dir, n)).then((st) => st.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

describe('attempt logs are bounded by LOG_MAX_BYTES: the head, a rotating tail, and a line saying what was dropped', () => {
  it('a fake agent printing far more than the cap: the limit holds during and after, the head and the last lines are kept', async () => {
    const dataDir = await tempDir();
    const go = join(dataDir, 'go');
    const custom = new AgentBuilder({
      name: 'fake flood',
      preset: customPreset([flood]),
      command: flood,
      dataDir,
      env: { PATH: process.env.PATH ?? '', FAKE_LINES: '4000', FAKE_PAUSE_AT: '2000', FAKE_GO_FILE: go },
      workspaces: new GitWorkspaces({ dataDir, keep: 20 }),
      logMaxBytes: CAP,
    });
    const task = makeTask({ id: 't-20', title: 'Flood the log' });
    const plan = custom.plan(task, 1);
    const handle = custom.start({ task, attempt: 1, plan, timeoutMs: 30_000, onProgress: () => {} });
    const { current } = tailPaths(plan.logPath);

    // Mid-run: 2000 lines (~180 KiB) printed, the newest of them in the live tail file.
    await waitFor(async () => (await readFile(current, 'utf8').catch(() => '')).includes('line 002000 '), 20_000, 'line 2000 in the live tail');
    expect(await logFilesBytes(plan.logPath)).toBeLessThanOrEqual(CAP);
    const live = await readFile(plan.logPath, 'utf8');
    expect(live).toContain('line 000001 ');
    expect(live.trimEnd().split('\n').pop()).toMatch(/^# nightshift: LOG_MAX_BYTES caps this log\. .*attempt-1\.tail\.log \(follow it with tail -F/);
    await writeFile(go, '');

    const result = await handle.result;
    expect(result.outcome).toBe('succeeded');
    const log = await readFile(plan.logPath, 'utf8');
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(CAP);
    expect(await logFilesBytes(plan.logPath)).toBe(Buffer.byteLength(log)); // the tail files are gone
    expect(log.startsWith('# nightshift t-20 attempt 1: fake flood')).toBe(true);
    expect(log).toContain('line 000001 ');
    expect(log).toContain('line 004000 ');
    expect(log).toMatch(/exited with code 0 after .*\n$/);
    const kept = log.split('\n').filter((l) => /^line \d{6} x+$/.test(l)).length;
    const marker = /^# nightshift: ([\d.]+ (?:B|KiB|MiB)) of output \((\d+) lines\) dropped here\. LOG_MAX_BYTES=64 KiB caps this log/m.exec(log);
    expect(marker?.[2]).toBe(String(4000 - kept));
    // Lines are whole on both sides of the marker, and in order.
    const numbers = log.split('\n').flatMap((l) => (/^line (\d{6}) x+$/.exec(l)?.[1] ? [Number(/^line (\d{6})/.exec(l)?.[1])] : []));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('an attempt that stays under the cap is logged whole, without a marker or tail files', async () => {
    const { plan, handle } = await setup('chatty');
    await handle.result;
    const log = await readFile(plan.logPath, 'utf8');
    expect(log).toContain('compiling module 0\n');
    expect(log).toContain('compiling module 1999\n');
    expect(log).not.toContain('LOG_MAX_BYTES');
    expect(existsSync(tailPaths(plan.logPath).current)).toBe(false);
  });

  it('never holds more than the cap on disk, whatever the chunks, and joins up when nothing was dropped', async () => {
    const dir = await tempDir();
    const path = join(dir, 'attempt-1.log');
    const log = await AttemptLog.open({ path, maxBytes: CAP });
    const { head, segment } = logBudget(CAP);
    let written = '';
    for (let i = 0; i < 600; i++) {
      const chunk = i % 7 === 0 ? 'y'.repeat(3 * KiB + i) : `chunk ${i} ${'z'.repeat(i % 300)}\n`; // some without a newline
      log.write(chunk);
      written += chunk;
      if (i % 5 === 0) {
        await log.flushed();
        expect(await logFilesBytes(path)).toBeLessThanOrEqual(CAP);
      }
    }
    await log.close();
    const text = await readFile(path, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual((3 / 4) * CAP);
    expect(text.startsWith(written.slice(0, head / 2))).toBe(true);
    expect(text.endsWith(written.slice(-segment / 2))).toBe(true);
    expect(text).toMatch(/\n# nightshift: [\d.]+ KiB of output \(\d+ lines\) dropped here\./);

    // Just past the head, no rotation: nothing is dropped, and the file reads as it was written.
    const small = join(dir, 'attempt-2.log');
    const log2 = await AttemptLog.open({ path: small, maxBytes: CAP });
    const text2 = `${'a'.repeat(head - 10)}${'b'.repeat(40)}\nthe end\n`;
    log2.write(text2);
    await log2.close();
    expect(await readFile(small, 'utf8')).toBe(text2);
  });

  it('a crash leaves the tail split; reaping the attempt moves it into the log, under the cap', async () => {
    const dataDir = await tempDir();
    const path = join(dataDir, 'logs', 't-21', 'attempt-1.log');
    const moduleUrl = new URL('../src/builders/attempt-log.ts', import.meta.url).href;
    const script = `
      import { mkdir } from 'node:fs/promises';
      import { dirname } from 'node:path';
      const { AttemptLog } = await import(${JSON.stringify(moduleUrl)});
      await mkdir(dirname(${JSON.stringify(path)}), { recursive: true });
      const log = await AttemptLog.open({ path: ${JSON.stringify(path)}, maxBytes: ${CAP} });
      for (let i = 1; i <= 3000; i++) log.write('line ' + String(i).padStart(6, '0') + ' ' + 'x'.repeat(60) + '\\n');
      await log.flushed();
      console.log('written');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('written') && resolve());
      child.once('exit', (code) => reject(new Error(`the writer exited (${code}) before writing`)));
    });
    child.kill('SIGKILL'); // nightshift "crashes" mid-attempt
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(tailPaths(path).current)).toBe(true);

    const builder = fakeAgentBuilder('succeed', dataDir, { logMaxBytes: CAP });
    const task = makeTask({ id: 't-21' });
    await builder.reap(task, { n: 1, logPath: path } as Attempt);
    const log = await readFile(path, 'utf8');
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(CAP);
    expect(existsSync(tailPaths(path).current) || existsSync(tailPaths(path).previous)).toBe(false);
    expect(log).toContain('line 000001 ');
    expect(log).toContain('line 003000 ');
    expect(log).toContain('# nightshift: output was dropped here (LOG_MAX_BYTES=64 KiB caps this log); nightshift stopped during the attempt');
    expect(log).toMatch(/this log was completed when the attempt was reaped\.\n$/);
    expect(await completeAttemptLog(path, CAP)).toBe(false); // nothing left to do
  });

  it('a move of the tail interrupted by a crash is finished on recovery, still under the cap', async () => {
    const dir = await tempDir();
    const path = join(dir, 'attempt-1.log');
    const { head, segment } = logBudget(CAP);
    const { current, previous } = tailPaths(path);
    const old = `${'o'.repeat(segment - 1)}\n`;
    // Crashed after copying the previous tail file but before deleting it.
    await writeFile(path, `${'h'.repeat(head - 1)}\n# nightshift: 1 MiB of output (9 lines) dropped here.\n${old}`);
    await writeFile(previous, old);
    await writeFile(current, 'the newest line\n');
    expect(await completeAttemptLog(path, CAP)).toBe(true);
    const log = await readFile(path, 'utf8');
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(CAP);
    expect(log).toContain('the newest line\n');
    expect(log).toContain('moving the tail into this log was interrupted');
    expect(existsSync(previous) || existsSync(current)).toBe(false);
  });

  it('bytesToSkip keeps the log and the files still to copy under the cap together', () => {
    expect(bytesToSkip(100, 10, [30, 30])).toBe(0); // 10 + 30 + 30 + 30 at most, mid-copy
    expect(bytesToSkip(100, 40, [30, 30])).toBe(30); // 40 + 30 + 60 would be too much while copying the first
    expect(bytesToSkip(100, 10, [30, 30], 5)).toBe(5); // the partial first line
    expect(bytesToSkip(50, 40, [30, 30])).toBe(60); // no room at all: nothing is copied
  });

  it('LOG_MAX_BYTES takes 8MiB, 512KiB, 10MB or bytes, at least 64KiB; anything else stops the start, naming it', () => {
    const env = { PATH: process.env.PATH ?? '', BUILDER: 'demo' };
    expect(loadConfig(env).logMaxBytes).toBe(8 * 1024 * 1024);
    expect(loadConfig({ ...env, LOG_MAX_BYTES: '512KiB' }).logMaxBytes).toBe(512 * 1024);
    expect(loadConfig({ ...env, LOG_MAX_BYTES: '10MB' }).logMaxBytes).toBe(10_000_000);
    expect(loadConfig({ ...env, LOG_MAX_BYTES: '1.5 MiB' }).logMaxBytes).toBe(1.5 * 1024 * 1024);
    expect(loadConfig({ ...env, LOG_MAX_BYTES: '70000' }).logMaxBytes).toBe(70_000);
    for (const bad of ['1KiB', '65535', 'lots', '8 parsecs', '-8MiB']) {
      expect(() => loadConfig({ ...env, LOG_MAX_BYTES: bad })).toThrow(`LOG_MAX_BYTES: expected a size of at least 64KiB, like 8MiB, 512KiB or a number of bytes (got "${bad}")`);
    }
    expect(parseByteSize('2gib')).toBe(2 * 1024 ** 3);
    expect(formatBytes(8 * 1024 * 1024)).toBe('8 MiB');
    expect(formatBytes(15_360 + 512)).toBe('15.5 KiB');
    expect(formatBytes(700)).toBe('700 B');
  });
});
