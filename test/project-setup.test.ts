// A project's setup (`setup: npm ci`) as the AgentBuilder runs it: a real child process in the
// task's worktree, before the agent, its output in the attempt's log. A cancel or its timeout ends
// it with everything it started; a failure ends the attempt without the agent ever starting.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentBuilder, attemptMarkers } from '../src/builders/agent-builder.ts';
import { GitWorkspaces } from '../src/builders/git-workspaces.ts';
import { customPreset } from '../src/builders/presets/index.ts';
import { findByEnvironment, isAlive } from '../src/builders/process-tree.ts';
import type { CheckCommand } from '../src/builders/project-check.ts';
import type { WorkspaceProvider } from '../src/builders/workspace-provider.ts';
import type { Project } from '../src/core/projects.ts';
import type { Progress } from '../src/core/ports.ts';
import type { Task } from '../src/core/task.ts';
import { agent, waitFor } from './helpers/agents.ts';
import { projectRepo } from './helpers/projects.ts';
import { killStrays } from './helpers/strays.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

const node = process.execPath;

/** A setup that says it started, starts a child that leaves its process group (as a daemon would), and never ends. */
const HANGING = [
  "const { spawn } = require('node:child_process');",
  "spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' }).unref();",
  "console.log('installing dependencies');",
  'setInterval(() => {}, 1000);',
].join('\n');

/** Data directories of this test: whatever of theirs still runs when it ends (a failed assertion) is ended. */
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) killStrays(home);
});

interface Harness {
  builder: AgentBuilder;
  task: Task;
  plan: ReturnType<AgentBuilder['plan']>;
  /** Where the agent (the `succeed` fixture) would leave its work: there only if it ran. */
  agentWork: string;
  /** The processes of attempt 1 (the setup and its children, or the agent). */
  processes(): number[];
}

async function harness(setup: CheckCommand, opts: { copy?: string[]; copyFrom?: string; wrap?: (w: WorkspaceProvider) => WorkspaceProvider; check?: CheckCommand } = {}): Promise<Harness> {
  const root = await tempDir();
  const dataDir = await tempDir();
  homes.push(dataDir);
  const repo = await projectRepo(root, 'api', { 'README.md': '# api\n' }, 'API_MODE=local-dev');
  const project: Project = { name: 'api', repo: { kind: 'path', path: repo }, copy: opts.copy ?? [], copyFrom: opts.copyFrom ?? repo, channels: [], push: false, pullRequest: 'off' };
  const git = new GitWorkspaces({ dataDir, keep: 20, project, projectsFile: join(root, 'projects.yml') });
  const command = agent('succeed');
  const builder = new AgentBuilder({
    name: 'fake succeed',
    preset: customPreset([command]),
    command,
    dataDir,
    env: { PATH: process.env.PATH ?? '' },
    workspaces: opts.wrap ? opts.wrap(git) : git,
    commandsFor: () => ({ setup, ...(opts.check ? { check: opts.check } : {}) }),
    killGraceMs: 500,
  });
  const task = makeTask({ id: 't-4', title: 'Build the setup thing', project: 'api' });
  const plan = builder.plan(task, 1);
  const markers = attemptMarkers(task.id, 1, plan.workspace);
  return { builder, task, plan, agentWork: join(plan.workspace, 'hello.txt'), processes: () => findByEnvironment(markers) };
}

function start(h: Harness) {
  const progress: Progress[] = [];
  const spawned: number[] = [];
  const handle = h.builder.start({ task: h.task, attempt: 1, plan: h.plan, timeoutMs: 20_000, onProgress: (p) => progress.push(p), onSpawn: (pid) => spawned.push(pid) });
  return { handle, progress, spawned };
}

/** Holds prepare() until released: the moment a slow clone or fetch is still running. */
function gated(inner: WorkspaceProvider) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const state = { entered: false, release: () => release() };
  const provider: WorkspaceProvider = {
    workspaceFor: (t) => inner.workspaceFor(t),
    prepare: async (t, n) => {
      state.entered = true;
      await gate;
      return inner.prepare(t, n);
    },
    collect: (w, t, n, b) => inner.collect(w, t, n, b),
  };
  return { provider, state };
}

describe("a project's setup, run by the AgentBuilder before the agent", () => {
  it('a hanging setup that is cancelled ends at once, with everything it started, and the agent never starts', async () => {
    const h = await harness({ argv: [node, '-e', HANGING], timeoutMs: 60_000, shown: 'npm ci' });
    const { handle, progress, spawned } = start(h);
    // Running, and its first line in the log (it prints once its child is spawned: on a busy
    // machine the cancel could otherwise come before that line was read).
    const logged = async () => (await readFile(h.plan.logPath, 'utf8').catch(() => '')).includes('installing dependencies');
    await waitFor(async () => h.processes().length === 2 && (await logged()), 10_000, 'the setup and its child to run');
    const pids = h.processes();

    const asked = Date.now();
    await handle.cancel('cancelled by owner');
    const result = await handle.result;
    expect(Date.now() - asked).toBeLessThan(3_000);
    expect(result).toMatchObject({ outcome: 'cancelled', reason: 'cancelled by owner' });
    await waitFor(() => !pids.some(isAlive), 3_000, 'the setup and its child to be gone');
    expect(h.processes()).toEqual([]);

    expect(spawned).toEqual([]);
    expect(existsSync(h.agentWork)).toBe(false);
    expect(progress.map((p) => p.message)).toEqual(['setting up: npm ci']);
    const log = await readFile(h.plan.logPath, 'utf8');
    expect(log).toContain('installing dependencies');
    // The log tells what happened to it: stopped, not "could not start".
    expect(log).not.toMatch(/could not start/);
    expect(log).toMatch(/^# setup stopped \(npm ci, cancelled by owner after \d+(ms|s)\)$/m);
  });

  it('the check carries the attempt\'s markers too: a cancel while it runs ends it with everything it started', async () => {
    const h = await harness({ argv: [node, '-e', ''], timeoutMs: 10_000 }, { check: { argv: [node, '-e', HANGING], timeoutMs: 60_000, shown: 'npm test' } });
    const { handle } = start(h);
    // The agent has finished and the check runs (with a child of its own that left the group).
    await waitFor(() => h.processes().length === 2, 15_000, 'the check and its child to run');
    const pids = h.processes();
    await handle.cancel('cancelled by owner');
    expect((await handle.result).outcome).toBe('cancelled');
    await waitFor(() => !pids.some(isAlive), 3_000, 'the check and its child to be gone');
    expect(h.processes()).toEqual([]);
  });

  it('cancelled while its worktree is still being prepared (a slow clone): the setup never starts', async () => {
    let gate!: ReturnType<typeof gated>;
    const h = await harness(
      { argv: [node, '-e', HANGING], timeoutMs: 60_000, shown: 'npm ci' },
      {
        wrap: (w) => {
          gate = gated(w);
          return gate.provider;
        },
      },
    );
    const { handle, spawned } = start(h);
    await waitFor(() => gate.state.entered, 5_000, 'the worktree to be under way');

    const asked = Date.now();
    const cancelled = handle.cancel('cancelled by owner');
    gate.state.release();
    await cancelled;
    const result = await handle.result;
    expect(Date.now() - asked).toBeLessThan(3_000);
    expect(result).toMatchObject({ outcome: 'cancelled', reason: 'cancelled by owner' });
    expect(h.processes()).toEqual([]);
    expect(spawned).toEqual([]);
    expect(existsSync(h.agentWork)).toBe(false);
    expect(await readFile(h.plan.logPath, 'utf8')).not.toContain('installing dependencies');
  });

  it('a setup that runs past its timeout fails the attempt for good, and is ended', async () => {
    const h = await harness({ argv: [node, '-e', HANGING], timeoutMs: 1_500, shown: 'npm ci' });
    const { handle, spawned } = start(h);
    const result = await handle.result;
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/^setup timed out \(npm ci ran past /);
    expect(result.retryable).toBe(false);
    expect(result.logTail).toContain('installing dependencies');
    expect(spawned).toEqual([]);
    expect(existsSync(h.agentWork)).toBe(false);
    await waitFor(() => h.processes().length === 0, 3_000, 'the setup and its child to be gone');
  });

  it("writes the setup's output into the attempt log, before the agent's", async () => {
    const h = await harness({ argv: [node, '-e', "console.log('installing dependencies'); console.error('npm WARN deprecated left-pad')"], timeoutMs: 10_000, shown: 'npm ci' });
    const result = await start(h).handle.result;
    expect(result.outcome).toBe('succeeded');
    const log = await readFile(h.plan.logPath, 'utf8');
    const order = [`# setup: npm ci in ${h.plan.workspace}`, 'installing dependencies', 'npm WARN deprecated left-pad', '# setup passed (npm ci, ', 'PROGRESS 20% reading the spec'].map((s) => log.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), log).toBe(true);
  });

  it('a listed file to copy that is missing fails the attempt for good, before setup and the agent', async () => {
    const empty = await tempDir();
    const h = await harness({ argv: [node, '-e', "console.log('installing dependencies')"], timeoutMs: 10_000, shown: 'npm ci' }, { copy: ['.env'], copyFrom: empty });
    const { handle, progress, spawned } = start(h);
    const result = await handle.result;
    expect(result.outcome).toBe('failed');
    expect(result.reason).toBe(`could not prepare the workspace: cannot copy .env into the worktree: ${join(empty, '.env')} does not exist (copy of api)`);
    expect(result.retryable).toBe(false);
    expect(progress).toEqual([]);
    expect(spawned).toEqual([]);
    const log = await readFile(h.plan.logPath, 'utf8');
    expect(log).not.toContain('# setup:');
    expect(log).toContain(`# ${result.reason}`);
  });
});
