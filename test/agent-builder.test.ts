import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentBuilder } from '../src/builders/agent-builder.ts';
import { GitWorkspaces } from '../src/builders/git-workspaces.ts';
import { customPreset } from '../src/builders/presets/index.ts';
import { selectBuilder } from '../src/builders/select-builder.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/core/ports.ts';
import { isAlive } from '../src/builders/process-tree.ts';
import type { Progress } from '../src/core/ports.ts';
import { agent, waitFor } from './helpers/agents.ts';
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
    const { builder } = selectBuilder(config, silentLogger);
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
    const handle = builder.start({ task, attempt: 1, plan, timeoutMs: 800, onProgress: () => {} });
    const result = await handle.result;
    expect(result.outcome).toBe('timed_out');
    expect(result.reason).toMatch(/^timed out after/);
    const pids = JSON.parse(await readFile(join(plan.workspace, 'hang-pids.json'), 'utf8')) as Record<string, number>;
    await waitFor(() => !Object.values(pids).some(isAlive), 5_000, 'every process to be gone');
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
