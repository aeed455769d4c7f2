import { chmod, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectDeliverables } from '../src/builders/git/deliverables.ts';
import { WorkspaceError } from '../src/builders/git/git.ts';
import { ensureRepository } from '../src/builders/git/repo.ts';
import { prepareWorktree } from '../src/builders/git/worktree.ts';
import { sandbox, type Sandbox } from './fixtures/git/sandbox.ts';

async function setup(s: Sandbox, dataDir = s.path('data')) {
  const { path: repo, baseBranch } = await ensureRepository({ dataDir, env: s.env });
  const w = await prepareWorktree({ repo, baseBranch, workspace: join(dataDir, 'workspaces', 't-7'), branch: 'nightshift/t-7-spotify', env: s.env });
  const collect = (attempt = 1, builderName = 'Claude Code') =>
    collectDeliverables({ workspace: w.workspace, baseCommit: w.baseCommit, taskId: 't-7', attempt, builderName, env: s.env });
  /** The agent commits, as an agent with its own identity would. */
  const agentCommit = async (message: string) => {
    await s.git(w.workspace, 'add', '-A');
    await s.git(w.workspace, '-c', 'user.name=Agent', '-c', 'user.email=agent@example.com', 'commit', '--quiet', '-m', message);
  };
  return { repo, ws: w.workspace, collect, agentCommit };
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('collectDeliverables: what an attempt left on its branch', () => {
  it('lists the agent\'s commits oldest first, the files they change and the diffstat', async () => {
    const s = await sandbox();
    const { ws, collect, agentCommit } = await setup(s);
    await s.write(join(ws, 'src', 'spotify.ts'), lines(40));
    await agentCommit('Add the Spotify client — ünïcode 🎵');
    await s.write(join(ws, 'src', 'index.ts'), 'export * from "./spotify";\n');
    const readme = await readFile(join(ws, 'README.md'), 'utf8');
    await s.write(join(ws, 'README.md'), readme.replace(/^.*\n/, '# nightshift builds, now with Spotify\n'));
    await agentCommit('Export it; mention it in the README');

    const d = await collect();
    expect(d.commits).toHaveLength(2);
    expect(d.commits[0]).toMatch(/^[0-9a-f]{7,} Add the Spotify client — ünïcode 🎵$/);
    expect(d.commits[1]).toMatch(/^[0-9a-f]{7,} Export it; mention it in the README$/);
    expect(d).toMatchObject({
      branch: 'nightshift/t-7-spotify',
      changedFiles: ['README.md', 'src/index.ts', 'src/spotify.ts'],
      diffstat: '3 files changed, 42 insertions(+), 1 deletion(-)',
      committedLeftovers: false,
    });
  });

  it('commits work the agent left uncommitted, untracked files included, as nightshift when the repository has no identity', async () => {
    const s = await sandbox();
    const { ws, collect, agentCommit } = await setup(s);
    await s.write(join(ws, 'a.txt'), 'committed by the agent\n');
    await agentCommit('agent: a');
    await s.write(join(ws, 'a.txt'), 'then edited\n');
    await s.write(join(ws, 'deep', 'new dir', 'b "quoted".txt'), 'untracked\n');
    await writeFile(join(ws, 'tab\tand\nnewline.bin'), Buffer.from([0, 1, 2, 0])); // binary: numstat counts it as "-"
    const readmeLines = (await readFile(join(ws, 'README.md'), 'utf8')).split('\n').length - 1;
    await unlink(join(ws, 'README.md'));

    const d = await collect(2, 'Jürgen\'s Codex $(rm -rf ~)');
    expect(d.committedLeftovers).toBe(true);
    expect(d.commits).toHaveLength(2);
    expect(d.commits[1]).toMatch(/^[0-9a-f]{7,} nightshift: work left uncommitted by Jürgen's Codex \$\(rm -rf ~\) \(t-7, attempt 2\)$/);
    expect(d.changedFiles).toEqual(['README.md', 'a.txt', 'deep/new dir/b "quoted".txt', 'tab\tand\nnewline.bin']);
    expect(d.diffstat).toBe(`4 files changed, 2 insertions(+), ${readmeLines} deletions(-)`);
    expect((await s.git(ws, 'log', '-1', '--format=%an <%ae>')).trim()).toBe('nightshift <nightshift@localhost>');
    expect(await s.git(ws, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it('commits leftovers as the repository\'s own identity when it has one', async () => {
    const s = await sandbox();
    const { repo, ws, collect } = await setup(s);
    await s.git(repo, 'config', 'user.name', 'Night Owl');
    await s.git(repo, 'config', 'user.email', 'owl@example.com');
    await s.write(join(ws, 'x.txt'), 'x\n');
    expect((await collect()).committedLeftovers).toBe(true);
    expect((await s.git(ws, 'log', '-1', '--format=%an <%ae>')).trim()).toBe('Night Owl <owl@example.com>');
  });

  it('commits leftovers even where a pre-commit hook would refuse and commit signing is on (nobody is there to answer)', async () => {
    const s = await sandbox();
    const { repo, ws, collect } = await setup(s);
    const hooks = s.path('hooks');
    await mkdir(hooks);
    await writeFile(join(hooks, 'pre-commit'), '#!/bin/sh\necho "lint failed" >&2\nexit 1\n');
    await chmod(join(hooks, 'pre-commit'), 0o755);
    await s.git(repo, 'config', 'core.hooksPath', hooks);
    await s.git(repo, 'config', 'commit.gpgsign', 'true');
    await s.git(repo, 'config', 'gpg.program', s.path('no-such-gpg'));
    await s.write(join(ws, 'x.txt'), 'x\n');
    const d = await collect();
    expect(d.committedLeftovers).toBe(true);
    expect(d.changedFiles).toEqual(['x.txt']);
  });

  it('reports nothing when the attempt changed nothing: no commits, no files, no diffstat', async () => {
    const s = await sandbox();
    const { collect } = await setup(s);
    expect(await collect()).toEqual({ branch: 'nightshift/t-7-spotify', commits: [], changedFiles: [], diffstat: '', committedLeftovers: false });
  });

  it('ignores what .gitignore ignores', async () => {
    const s = await sandbox();
    const { ws, collect, agentCommit } = await setup(s);
    await s.write(join(ws, '.gitignore'), 'node_modules/\n');
    await agentCommit('agent: ignore node_modules');
    await s.write(join(ws, 'node_modules', 'left-pad', 'index.js'), 'module.exports = 1;\n');
    const d = await collect();
    expect(d.committedLeftovers).toBe(false);
    expect(d.changedFiles).toEqual(['.gitignore']);
  });

  it('names the commit when the agent left HEAD detached', async () => {
    const s = await sandbox();
    const { ws, collect, agentCommit } = await setup(s);
    await s.write(join(ws, 'x.txt'), 'x\n');
    await agentCommit('agent: x');
    await s.git(ws, 'checkout', '--quiet', '--detach');
    const d = await collect();
    expect(d.branch).toBe((await s.git(ws, 'rev-parse', '--short', 'HEAD')).trim());
    expect(d.commits).toHaveLength(1);
  });

  it('refuses a workspace whose .git was deleted rather than commit into the repository around it', async () => {
    const s = await sandbox();
    const outer = await s.ownerRepo('outer');
    const { ws, collect } = await setup(s, join(outer, 'nightshift-home'));
    await rm(join(ws, '.git'));
    await s.write(join(ws, 'x.txt'), 'x\n');
    const e: unknown = await collect().then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(WorkspaceError);
    expect((e as Error).message).toContain('is no longer a git worktree');
    expect((await s.git(outer, 'rev-list', '--count', 'HEAD')).trim()).toBe('1');
    expect(await s.git(outer, 'diff', '--cached', '--name-only')).toBe('');
  });
});
