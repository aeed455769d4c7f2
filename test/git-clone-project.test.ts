// A project whose repo is a clone URL (PROJECTS_FILE `repo: https://…`): nightshift keeps its own
// clone under NIGHTSHIFT_HOME/projects/<name>, and each new task branches off the remote's base
// branch as it is when the task starts. Real git against a bare repository on disk (file://): no
// network. The fetch throttle's clock is pinned, so "a minute later" needs no waiting.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Project } from '../src/core/projects.ts';
import type { Task } from '../src/core/task.ts';
import { ProjectWorkspaces } from '../src/builders/project-workspaces.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { git } from './helpers/projects.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

const commitAs = ['-c', 'user.name=Upstream', '-c', 'user.email=upstream@example.com', 'commit', '--quiet'];

interface Upstream {
  root: string;
  /** The bare repository nightshift clones, as a file:// URL. */
  url: string;
  /** A checkout of it where "someone else" commits and pushes. */
  work: string;
  /** The tip of a branch as the remote has it now. */
  tip(branch: string): string;
  /** Commits `file` on `branch` and pushes it; returns the new commit. */
  push(branch: string, file: string, text: string): Promise<string>;
}

/**
 * A bare remote whose default branch is `trunk` (not main, so "the remote's default" is what is
 * tested), with a `release` branch beside it, and a .gitignore that ignores .env only.
 */
async function upstream(): Promise<Upstream> {
  const root = await tempDir();
  const bare = join(root, 'lib.git');
  const work = join(root, 'lib-work');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=trunk', bare);
  git(root, 'init', '--quiet', '--initial-branch=trunk', work);
  await writeFile(join(work, '.gitignore'), '.env\n');
  await writeFile(join(work, 'README.md'), '# lib\n');
  git(work, 'add', '-A');
  git(work, ...commitAs, '-m', 'start lib');
  git(work, 'remote', 'add', 'origin', `file://${bare}`);
  git(work, 'push', '--quiet', 'origin', 'trunk');
  git(work, 'switch', '--quiet', '-c', 'release');
  await writeFile(join(work, 'RELEASE'), 'v1\n');
  git(work, 'add', '-A');
  git(work, ...commitAs, '-m', 'release v1');
  git(work, 'push', '--quiet', 'origin', 'release');
  git(work, 'switch', '--quiet', 'trunk');
  const tip = (branch: string) => git(bare, 'rev-parse', `refs/heads/${branch}`).trim();
  return {
    root,
    url: `file://${bare}`,
    work,
    tip,
    async push(branch, file, text) {
      git(work, 'switch', '--quiet', branch);
      await writeFile(join(work, file), text);
      git(work, 'add', '-A');
      git(work, ...commitAs, '-m', `add ${file}`);
      git(work, 'push', '--quiet', 'origin', branch);
      return tip(branch);
    },
  };
}

function cloneProject(url: string, more: Partial<Project> = {}): Project {
  return { name: 'lib', repo: { kind: 'url', url }, copy: [], channels: [], push: false, pullRequest: 'off', ...more };
}

async function workspaces(project: Project, clock = new FakeClock('2026-03-02T22:00:00Z')) {
  const dataDir = await tempDir();
  const catalog = { projects: [project], defaultName: project.name, file: join(dataDir, 'projects.yml') };
  return { dataDir, clock, ws: new ProjectWorkspaces(catalog, { dataDir, keep: 20, clock }) };
}

const taskIn = (id: string, title: string, more: Partial<Task> = {}) => makeTask({ id, title, project: 'lib', ...more });
const head = (dir: string) => git(dir, 'rev-parse', 'HEAD').trim();

describe('a project cloned from a URL', () => {
  it("clones into NIGHTSHIFT_HOME/projects/<name> on the first task and branches off the remote's default branch", async () => {
    const up = await upstream();
    const { dataDir, ws } = await workspaces(cloneProject(up.url));
    const w = await ws.prepare(taskIn('t-1', 'Add a parser'), 1);

    const clone = join(dataDir, 'projects', 'lib');
    expect(w.repository).toBe(clone);
    expect(await readFile(join(clone, '.git', 'nightshift-cloned'), 'utf8')).toBe(`${up.url}\n`);
    expect(w.baseBranch).toBe('trunk');
    expect(w.baseCommit).toBe(up.tip('trunk'));
    expect(w.branch).toBe('nightshift/t-1-add-a-parser');
    expect(head(w.workspace)).toBe(up.tip('trunk'));
    expect(await readFile(join(w.workspace, 'README.md'), 'utf8')).toBe('# lib\n');
  });

  it('branches off the base the project names', async () => {
    const up = await upstream();
    const { ws } = await workspaces(cloneProject(up.url, { base: 'release' }));
    const w = await ws.prepare(taskIn('t-1', 'Patch the release'), 1);
    expect(w.baseBranch).toBe('release');
    expect(head(w.workspace)).toBe(up.tip('release'));
    expect(await readFile(join(w.workspace, 'RELEASE'), 'utf8')).toBe('v1\n');
  });

  it('a base the remote does not have is an error naming it, and nothing is built', async () => {
    const up = await upstream();
    const { dataDir, ws } = await workspaces(cloneProject(up.url, { base: 'nope-branch' }));
    const task = taskIn('t-1', 'Patch it');
    await expect(ws.prepare(task, 1)).rejects.toThrow(`${up.url} has no branch nope-branch to build from`);
    expect(existsSync(ws.workspaceFor(task))).toBe(false);
    // The clone itself is kept: fixing `base` needs no second clone.
    expect(existsSync(join(dataDir, 'projects', 'lib', '.git', 'nightshift-cloned'))).toBe(true);
  });

  it('a new task starts from what was pushed since, once the last fetch is a minute old; a retry keeps its worktree', async () => {
    const up = await upstream();
    const { ws, clock } = await workspaces(cloneProject(up.url));
    const first = taskIn('t-1', 'Add a parser');
    const w1 = await ws.prepare(first, 1);
    const before = up.tip('trunk');
    expect(w1.baseCommit).toBe(before);
    await writeFile(join(w1.workspace, 'parser.ts'), 'export const parse = 1;\n'); // t-1's agent at work
    await ws.collect(w1, first, 1, 'fake agent');

    const pushed = await up.push('trunk', 'CHANGELOG.md', '- a fix from upstream\n');
    // Within the minute, tasks queued together share the fetch already made.
    const sameMinute = await ws.prepare(taskIn('t-2', 'Add a lexer'), 1);
    expect(sameMinute.baseCommit).toBe(before);

    await clock.advance(61_000);
    const later = await ws.prepare(taskIn('t-3', 'Add a printer'), 1);
    expect(later.baseCommit).toBe(pushed);
    expect(head(later.workspace)).toBe(pushed);
    expect(await readFile(join(later.workspace, 'CHANGELOG.md'), 'utf8')).toBe('- a fix from upstream\n');

    // t-1's second attempt continues t-1's own work, on the base it started from.
    const retry = taskIn('t-1', 'Add a parser', { deliverables: { workspace: w1.workspace, branch: w1.branch as string, commits: [], changedFiles: [], links: [] } });
    const again = await ws.prepare(retry, 2);
    expect(again.workspace).toBe(w1.workspace);
    expect(again.branch).toBe(w1.branch);
    expect(again.baseCommit).toBe(before);
    expect(await readFile(join(again.workspace, 'parser.ts'), 'utf8')).toBe('export const parse = 1;\n');
    await expect(readFile(join(again.workspace, 'CHANGELOG.md'))).rejects.toThrow(/ENOENT/);
  });

  it('a remote that cannot be reached fails with the URL shown without its password', async () => {
    const { dataDir, ws } = await workspaces(cloneProject('https://user:secret@127.0.0.1:9/x.git'));
    const failed = await ws.prepare(taskIn('t-1', 'Add a parser'), 1).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(failed?.message).toMatch(/^could not clone https:\/\/\*\*\*@127\.0\.0\.1:9\/x\.git: /);
    expect(failed?.message).not.toContain('secret');
    expect(failed).toMatchObject({ retryable: false });
    // Nothing half-made is left to be trusted next time.
    await expect(readFile(join(dataDir, 'projects', 'lib', '.git', 'nightshift-cloned'))).rejects.toThrow(/ENOENT/);
  });

  it('a clone killed half-way (no nightshift-cloned mark) is started over', async () => {
    const up = await upstream();
    const { dataDir, ws } = await workspaces(cloneProject(up.url));
    const clone = join(dataDir, 'projects', 'lib');
    await mkdir(join(clone, '.git', 'objects'), { recursive: true });
    await writeFile(join(clone, '.git', 'HEAD'), 'ref: refs/heads/trunk\n');
    await writeFile(join(clone, 'half-written.tmp'), 'left by a killed clone\n');

    const w = await ws.prepare(taskIn('t-1', 'Add a parser'), 1);
    expect(head(w.workspace)).toBe(up.tip('trunk'));
    expect(await readFile(join(clone, '.git', 'nightshift-cloned'), 'utf8')).toBe(`${up.url}\n`);
    await expect(readFile(join(clone, 'half-written.tmp'))).rejects.toThrow(/ENOENT/);
    expect(git(clone, 'remote', 'get-url', 'origin').trim()).toBe(up.url);
  });

  it("copies the project's files from copy_from, and nightshift's leftovers commit never holds them, ignored or not", async () => {
    const up = await upstream();
    const secrets = join(up.root, 'secrets');
    await mkdir(join(secrets, 'config'), { recursive: true });
    await writeFile(join(secrets, '.env'), 'API_KEY=from-the-owner\n');
    // Not in the repository's .gitignore: only nightshift's own exclusion keeps it out.
    await writeFile(join(secrets, 'config', 'local.json'), '{"db":"owner-only"}\n');
    const { ws } = await workspaces(cloneProject(up.url, { copy: ['.env', 'config/local.json'], copyFrom: secrets }));
    const task = taskIn('t-1', 'Add a parser');
    const w = await ws.prepare(task, 1);
    expect(await readFile(join(w.workspace, '.env'), 'utf8')).toBe('API_KEY=from-the-owner\n');
    expect(await readFile(join(w.workspace, 'config', 'local.json'), 'utf8')).toBe('{"db":"owner-only"}\n');

    // The agent leaves its work uncommitted, and touches the copied file too.
    await writeFile(join(w.workspace, 'parser.ts'), 'export const parse = 1;\n');
    await writeFile(join(w.workspace, 'config', 'local.json'), '{"db":"changed by the agent"}\n');
    const work = await ws.collect(w, task, 1, 'fake agent');

    expect(work.changed).toBe(true);
    expect(work.deliverables.changedFiles).toEqual(['parser.ts']);
    const shown = git(w.workspace, 'show', '--stat', '--format=%s', 'HEAD');
    expect(shown).toMatch(/^nightshift: work left uncommitted by fake agent \(t-1, attempt 1\)/);
    expect(shown).toContain('parser.ts');
    expect(shown).not.toContain('.env');
    expect(shown).not.toContain('local.json');
    expect(git(w.workspace, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter(Boolean).sort()).toEqual(['.gitignore', 'README.md', 'parser.ts']);
  });

  it('offline after the clone: a new task still starts, from what the clone has', async () => {
    const up = await upstream();
    const warnings: string[] = [];
    const dataDir = await tempDir();
    const clock = new FakeClock('2026-03-02T22:00:00Z');
    const logger = { debug() {}, info() {}, error() {}, warn: (msg: string) => warnings.push(msg) };
    const project = cloneProject(up.url);
    const ws = new ProjectWorkspaces({ projects: [project], defaultName: 'lib', file: join(dataDir, 'projects.yml') }, { dataDir, keep: 20, clock, logger });
    await ws.prepare(taskIn('t-1', 'Add a parser'), 1);
    const before = up.tip('trunk');
    await rm(up.url.replace(/^file:\/\//, ''), { recursive: true, force: true });

    await clock.advance(61_000);
    const w = await ws.prepare(taskIn('t-2', 'Add a lexer'), 1);
    expect(w.baseCommit).toBe(before);
    expect(warnings).toEqual([expect.stringMatching(/^could not fetch trunk: .*; building from the clone as it is$/)]);
  });
});
