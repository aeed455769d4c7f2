import { execFileSync } from 'node:child_process';
import { access, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkspaceError } from '../src/builders/git/git.ts';
import { ensureRepository } from '../src/builders/git/repo.ts';
import { branchName, prepareWorktree } from '../src/builders/git/worktree.ts';
import { checkoutState, OWNER, sandbox, type Sandbox } from './fixtures/git/sandbox.ts';
import { rejection } from './helpers/rejection.ts';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** The owner's checkout as people have them: an uncommitted edit, a staged file, an untracked one. */
async function busyOwnerRepo(s: Sandbox): Promise<string> {
  const repo = await s.ownerRepo('proj');
  await writeFile(join(repo, 'app.txt'), 'half-finished edit\n');
  await writeFile(join(repo, 'staged.txt'), 'staged\n');
  await s.git(repo, 'add', 'staged.txt');
  await writeFile(join(repo, 'notes.txt'), 'untracked\n');
  return repo;
}

async function setup(s: Sandbox) {
  const repo = await busyOwnerRepo(s);
  const { path, baseBranch } = await ensureRepository({ dataDir: s.path('data'), buildRepo: repo, env: s.env });
  const workspaces = s.path('data', 'workspaces');
  const prepare = (id: string, title: string) =>
    prepareWorktree({ repo: path, baseBranch, workspace: join(workspaces, id), branch: branchName(id, title), env: s.env });
  return { repo: path, baseBranch, workspaces, prepare };
}

describe('prepareWorktree: one worktree per task, the owner\'s checkout untouched', () => {
  it('gives two tasks two worktrees on their own branches that never share files, and leaves the checkout as it was', async () => {
    const s = await sandbox();
    const { repo, prepare } = await setup(s);
    const before = await checkoutState(s, repo);
    const mainCommit = (await s.git(repo, 'rev-parse', 'main')).trim();

    const [a, b] = await Promise.all([prepare('t-1', 'Spotify integration'), prepare('t-2', 'Dark mode')]);
    expect(a).toMatchObject({ branch: 'nightshift/t-1-spotify-integration', baseCommit: mainCommit, reused: false });
    expect(b).toMatchObject({ branch: 'nightshift/t-2-dark-mode', baseCommit: mainCommit, reused: false });
    expect((await s.git(a.workspace, 'symbolic-ref', '--short', 'HEAD')).trim()).toBe(a.branch);
    expect((await s.git(b.workspace, 'symbolic-ref', '--short', 'HEAD')).trim()).toBe(b.branch);
    // Each starts from the committed state of main: the owner's uncommitted edits are not there.
    expect(await readFile(join(a.workspace, 'app.txt'), 'utf8')).toBe("the owner's app\n");
    expect(await exists(join(a.workspace, 'notes.txt'))).toBe(false);

    await writeFile(join(a.workspace, 'spotify.ts'), 'export {}\n');
    await s.git(a.workspace, 'add', 'spotify.ts');
    await s.git(a.workspace, ...OWNER, 'commit', '--quiet', '-m', 'agent: spotify');
    await writeFile(join(b.workspace, 'dark.css'), 'body { color: white }\n');

    expect(await exists(join(b.workspace, 'spotify.ts'))).toBe(false);
    expect(await exists(join(a.workspace, 'dark.css'))).toBe(false);
    expect(await exists(join(repo, 'spotify.ts'))).toBe(false);
    expect(await exists(join(repo, 'dark.css'))).toBe(false);
    expect(await s.git(b.workspace, 'status', '--porcelain')).toBe('?? dark.css\n');

    expect(await checkoutState(s, repo)).toEqual(before);
    expect((await s.git(repo, 'rev-parse', 'main')).trim()).toBe(mainCommit);
  });

  it('reuses the worktree of a retry as it is: commits and uncommitted work stay, the base stays the fork point', async () => {
    const s = await sandbox();
    const { repo, prepare } = await setup(s);
    const first = await prepare('t-3', 'Retry me');
    await writeFile(join(first.workspace, 'done.txt'), 'committed\n');
    await s.git(first.workspace, 'add', 'done.txt');
    await s.git(first.workspace, ...OWNER, 'commit', '--quiet', '-m', 'agent: part one');
    await writeFile(join(first.workspace, 'wip.txt'), 'not yet committed\n');
    const head = await s.git(first.workspace, 'rev-parse', 'HEAD');
    // Meanwhile the owner moves main on: the retry still continues from where the task branched.
    await s.git(repo, ...OWNER, 'commit', '--quiet', '--allow-empty', '-m', 'owner: later work');
    const before = await checkoutState(s, repo);

    const retry = await prepare('t-3', 'Retry me');
    expect(retry).toEqual({ ...first, head: head.trim(), reused: true });
    expect(await s.git(retry.workspace, 'rev-parse', 'HEAD')).toBe(head);
    expect(await readFile(join(retry.workspace, 'wip.txt'), 'utf8')).toBe('not yet committed\n');
    expect(await checkoutState(s, repo)).toEqual(before);
  });

  it('recreates a workspace directory a crash left behind that git does not know', async () => {
    const s = await sandbox();
    const { workspaces, prepare } = await setup(s);
    const leftover = join(workspaces, 't-4');
    await mkdir(join(leftover, 'half'), { recursive: true });
    await writeFile(join(leftover, 'half', 'junk.txt'), 'from before the crash\n');

    const w = await prepare('t-4', 'After a crash');
    expect(w.reused).toBe(false);
    expect(await exists(join(leftover, 'half'))).toBe(false);
    expect(await readFile(join(w.workspace, 'app.txt'), 'utf8')).toBe("the owner's app\n");
    expect(await s.git(w.workspace, 'status', '--porcelain')).toBe('');
  });

  it('forgets a registered worktree whose directory was deleted and attaches the branch again, keeping its commits', async () => {
    const s = await sandbox();
    const { prepare } = await setup(s);
    const first = await prepare('t-5', 'Deleted dir');
    await writeFile(join(first.workspace, 'kept.txt'), 'on the branch\n');
    await s.git(first.workspace, 'add', 'kept.txt');
    await s.git(first.workspace, ...OWNER, 'commit', '--quiet', '-m', 'agent: keep me');
    const tip = (await s.git(first.workspace, 'rev-parse', 'HEAD')).trim();
    await rm(first.workspace, { recursive: true, force: true });

    const again = await prepare('t-5', 'Deleted dir');
    expect(again).toEqual({ ...first, head: tip, reused: false });
    expect(await readFile(join(again.workspace, 'kept.txt'), 'utf8')).toBe('on the branch\n');
  });

  it('attaches an existing branch that has no worktree, with the fork point as its base', async () => {
    const s = await sandbox();
    const { repo, baseBranch, workspaces } = await setup(s);
    const base = (await s.git(repo, 'rev-parse', 'main')).trim();
    await s.git(repo, 'branch', 'nightshift/t-6-existing', 'main');
    await s.git(repo, ...OWNER, 'commit', '--quiet', '--allow-empty', '-m', 'owner: main moves on');

    const w = await prepareWorktree({ repo, baseBranch, workspace: join(workspaces, 't-6'), branch: 'nightshift/t-6-existing', env: s.env });
    expect(w).toMatchObject({ branch: 'nightshift/t-6-existing', baseCommit: base, reused: false });
    expect((await s.git(w.workspace, 'rev-parse', 'HEAD')).trim()).toBe(base);
  });

  it('refuses a branch that is checked out elsewhere, naming where', async () => {
    const s = await sandbox();
    const { repo, baseBranch, workspaces } = await setup(s);
    const e = await rejection(prepareWorktree({ repo, baseBranch, workspace: join(workspaces, 't-7'), branch: 'main', env: s.env }), WorkspaceError);
    expect(e.message).toBe(
      `branch main is checked out in ${repo}: a branch can be in one worktree only; switch that checkout to another branch, or remove that worktree`,
    );
  });

  it('refuses a worktree that is on another branch than the task\'s', async () => {
    const s = await sandbox();
    const { repo, baseBranch, workspaces, prepare } = await setup(s);
    await prepare('t-8', 'First title');
    const e = await rejection(prepareWorktree({ repo, baseBranch, workspace: join(workspaces, 't-8'), branch: 'nightshift/t-8-other', env: s.env }), WorkspaceError);
    expect(e.message).toContain('is already a worktree on branch nightshift/t-8-first-title, not nightshift/t-8-other');
  });

  it('refuses a workspace inside the owner\'s checkout, and one that would contain it', async () => {
    const s = await sandbox();
    const { repo, baseBranch } = await setup(s);
    const before = await checkoutState(s, repo);
    for (const workspace of [join(repo, 'workspaces', 't-9'), repo, s.root]) {
      const e = await rejection(prepareWorktree({ repo, baseBranch, workspace, branch: 'nightshift/t-9', env: s.env }), WorkspaceError);
      expect(e.message).toContain('overlap');
    }
    expect(await checkoutState(s, repo)).toEqual(before);
  });

  it('refuses branch names git would not accept or would read as an option', async () => {
    const s = await sandbox();
    const { repo, baseBranch, workspaces } = await setup(s);
    for (const branch of ['-f', 'a..b', 'x.lock', 'has space', '']) {
      const e = await rejection(prepareWorktree({ repo, baseBranch, workspace: join(workspaces, 't-10'), branch, env: s.env }), WorkspaceError);
      expect(e.message).toContain('is not a valid branch name');
    }
    expect(await exists(join(workspaces, 't-10'))).toBe(false);
  });

  it('refuses a base branch that does not exist', async () => {
    const s = await sandbox();
    const { repo, workspaces } = await setup(s);
    const e = await rejection(prepareWorktree({ repo, baseBranch: 'nope', workspace: join(workspaces, 't-11'), branch: 'nightshift/t-11', env: s.env }), WorkspaceError);
    expect(e.message).toBe(`the base branch nope does not exist in ${repo}: builds branch off it`);
  });

  it('works in the fresh repository nightshift makes for itself', async () => {
    const s = await sandbox();
    const { path, baseBranch } = await ensureRepository({ dataDir: s.path('data'), env: s.env });
    const w = await prepareWorktree({ repo: path, baseBranch, workspace: s.path('data', 'workspaces', 't-12'), branch: branchName('t-12', 'Hello'), env: s.env });
    expect(await exists(join(w.workspace, 'README.md'))).toBe(true);
  });

  it('a fresh task whose directory git still has registered (on another branch) takes the careful path and works', async () => {
    const s = await sandbox();
    const { repo, prepare, workspaces } = await setup(s);
    const where = join(workspaces, 't-13');
    await mkdir(workspaces, { recursive: true });
    await s.git(repo, 'worktree', 'add', '--quiet', '-b', 'someone-else', where, 'main');
    await rm(where, { recursive: true, force: true }); // registered, directory gone

    const w = await prepare('t-13', 'Registered leftover');
    expect(w).toMatchObject({ branch: 'nightshift/t-13-registered-leftover', reused: false });
    expect((await s.git(w.workspace, 'symbolic-ref', '--short', 'HEAD')).trim()).toBe(w.branch);
    expect(await s.gitOk(repo, 'show-ref', '--verify', '--quiet', 'refs/heads/someone-else')).toBe(true); // the other branch is kept
  });
});

describe('prepareWorktree: as few git processes as it can before the builder starts', () => {
  /** Runs git through a wrapper that logs each invocation's arguments. */
  async function counting(s: Sandbox) {
    const bin = s.path('counting-bin');
    const calls = s.path('git-calls.log');
    await mkdir(bin, { recursive: true });
    const gitPath = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8', env: s.env }).trim();
    await writeFile(join(bin, 'git'), `#!/bin/sh\necho "$*" >> ${JSON.stringify(calls)}\nexec ${JSON.stringify(gitPath)} "$@"\n`);
    await chmod(join(bin, 'git'), 0o755);
    const env = { ...s.env, PATH: `${bin}:${s.env.PATH}` };
    const read = async () => (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
    return { env, read };
  }
  /** `-c core.fsmonitor=false -c core.hooksPath=/dev/null worktree add ...` → `worktree add`. */
  const command = (call: string) => {
    const words = call.split(' ').filter((w, i, all) => w !== '-c' && all[i - 1] !== '-c');
    return words[0] === 'worktree' ? words.slice(0, 2).join(' ') : (words[0] ?? '');
  };

  it('a fresh task: for-each-ref, then worktree add; a retry: worktree list beside merge-base', async () => {
    const s = await sandbox();
    const { repo, baseBranch, workspaces } = await setup(s);
    const { env, read } = await counting(s);
    const opts = { repo, baseBranch, workspace: join(workspaces, 't-14'), branch: branchName('t-14', 'Counted'), env };

    const fresh = await prepareWorktree(opts);
    const freshCalls = await read();
    expect(freshCalls.map(command)).toEqual(['for-each-ref', 'worktree add']);
    expect(fresh.head).toBe((await s.git(fresh.workspace, 'rev-parse', 'HEAD')).trim()); // HEAD known without asking git again

    const retry = await prepareWorktree(opts);
    const retryCalls = (await read()).slice(freshCalls.length);
    expect(retryCalls.map(command).sort()).toEqual(['merge-base', 'worktree list']);
    expect(retry).toEqual({ ...fresh, reused: true });
  });
});
