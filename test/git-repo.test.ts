import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkspaceError } from '../src/builders/git/git.ts';
import { ensureRepository } from '../src/builders/git/repo.ts';
import { OWNER, sandbox } from './fixtures/git/sandbox.ts';
import { rejection } from './helpers/rejection.ts';

describe('ensureRepository without BUILD_REPO: a fresh repository under the data directory', () => {
  it('creates <dataDir>/repo on first use with a README commit on main by nightshift, then reuses it', async () => {
    const s = await sandbox();
    const dataDir = s.path('data');
    const first = await ensureRepository({ dataDir, env: s.env });
    expect(first).toEqual({ path: join(dataDir, 'repo'), baseBranch: 'main', created: true });
    expect(await readFile(join(first.path, 'README.md'), 'utf8')).toContain("holds nightshift's builds");
    expect((await s.git(first.path, 'log', '--format=%an <%ae>|%s')).trim()).toBe(
      'nightshift <nightshift@localhost>|nightshift: start the builds repository',
    );
    const head = await s.git(first.path, 'rev-parse', 'HEAD');

    const again = await ensureRepository({ dataDir, env: s.env });
    expect(again).toEqual({ path: first.path, baseBranch: 'main', created: false });
    expect(await s.git(first.path, 'rev-parse', 'HEAD')).toBe(head);
    expect(await s.git(first.path, 'status', '--porcelain')).toBe('');
  });

  it('makes exactly one first commit when called twice at once', async () => {
    const s = await sandbox();
    const [a, b] = await Promise.all([ensureRepository({ dataDir: s.path('data'), env: s.env }), ensureRepository({ dataDir: s.path('data'), env: s.env })]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect((await s.git(a.path, 'rev-list', '--count', 'HEAD')).trim()).toBe('1');
  });

  it('finishes a repository left without its first commit by a crash between init and commit', async () => {
    const s = await sandbox();
    const repo = s.path('data', 'repo');
    await mkdir(repo, { recursive: true });
    await s.git(repo, 'init', '--quiet', '--initial-branch=main');
    const r = await ensureRepository({ dataDir: s.path('data'), env: s.env });
    expect(r.created).toBe(true);
    expect((await s.git(repo, 'rev-list', '--count', 'HEAD')).trim()).toBe('1');
  });

  it('commits as the identity the repository has when one is configured', async () => {
    const s = await sandbox();
    const repo = s.path('data', 'repo');
    await mkdir(repo, { recursive: true });
    await s.git(repo, 'init', '--quiet', '--initial-branch=main');
    await s.git(repo, 'config', 'user.name', 'Night Owl');
    await s.git(repo, 'config', 'user.email', 'owl@example.com');
    await ensureRepository({ dataDir: s.path('data'), env: s.env });
    expect((await s.git(repo, 'log', '--format=%an <%ae>')).trim()).toBe('Night Owl <owl@example.com>');
  });

  it('fills in only the half of the identity that is missing, and takes an empty value as missing', async () => {
    const s = await sandbox();
    const repo = s.path('data', 'repo');
    await mkdir(repo, { recursive: true });
    await s.git(repo, 'init', '--quiet', '--initial-branch=main');
    await s.git(repo, 'config', 'user.name', 'Night Owl');
    await s.git(repo, 'config', 'user.email', '');
    await ensureRepository({ dataDir: s.path('data'), env: s.env });
    expect((await s.git(repo, 'log', '--format=%an <%ae>')).trim()).toBe('Night Owl <nightshift@localhost>');
  });

  it('makes its own repository even when the data directory lies inside someone else\'s checkout', async () => {
    const s = await sandbox();
    const dotfiles = await s.ownerRepo('home-dotfiles');
    const r = await ensureRepository({ dataDir: join(dotfiles, '.nightshift'), env: s.env });
    expect(r.created).toBe(true);
    expect((await s.git(r.path, 'rev-parse', '--show-toplevel')).trim()).toBe(r.path);
    expect((await s.git(dotfiles, 'rev-list', '--count', 'HEAD')).trim()).toBe('1');
    // Nothing was committed or staged there: the nested repository is one untracked directory.
    expect(await s.git(dotfiles, 'diff', '--cached', '--name-only')).toBe('');
    expect(await s.git(dotfiles, 'status', '--porcelain', '--untracked-files=all')).toBe('?? .nightshift/repo/\n');
  });
});

describe('ensureRepository with BUILD_REPO: the owner\'s repository, checked and left alone', () => {
  it('returns the top of the work tree and the branch checked out there', async () => {
    const s = await sandbox();
    const repo = await s.ownerRepo('proj', 'develop');
    await mkdir(join(repo, 'src'));
    const r = await ensureRepository({ dataDir: s.path('data'), buildRepo: join(repo, 'src'), env: s.env });
    expect(r).toEqual({ path: repo, baseBranch: 'develop', created: false });
  });

  it('uses main when HEAD is detached and main exists', async () => {
    const s = await sandbox();
    const repo = await s.ownerRepo();
    await s.git(repo, 'checkout', '--quiet', '--detach');
    expect((await ensureRepository({ dataDir: s.path('data'), buildRepo: repo, env: s.env })).baseBranch).toBe('main');
  });

  it('refuses a directory that is not a git repository, naming BUILD_REPO and the fix', async () => {
    const s = await sandbox();
    const dir = s.path('plain');
    await mkdir(dir);
    const e = await rejection(ensureRepository({ dataDir: s.path('data'), buildRepo: dir, env: s.env }), WorkspaceError);
    expect(e.message).toBe(`BUILD_REPO=${dir} is not a git repository: run git init there, or unset BUILD_REPO to use a fresh one under NIGHTSHIFT_HOME`);
    expect(e.retryable).toBe(false);
  });

  it('refuses a path that does not exist', async () => {
    const s = await sandbox();
    const e = await rejection(ensureRepository({ dataDir: s.path('data'), buildRepo: s.path('nope'), env: s.env }), WorkspaceError);
    expect(e.message).toMatch(/^BUILD_REPO=.*nope does not exist: .*unset BUILD_REPO/);
  });

  it('refuses a file', async () => {
    const s = await sandbox();
    await writeFile(s.path('file'), 'x');
    const e = await rejection(ensureRepository({ dataDir: s.path('data'), buildRepo: s.path('file'), env: s.env }), WorkspaceError);
    expect(e.message).toContain('is not a directory');
  });

  it('refuses a bare repository: builds need a work tree', async () => {
    const s = await sandbox();
    const bare = s.path('bare.git');
    await mkdir(bare);
    await s.git(bare, 'init', '--quiet', '--bare');
    const e = await rejection(ensureRepository({ dataDir: s.path('data'), buildRepo: bare, env: s.env }), WorkspaceError);
    expect(e.message).toContain(`BUILD_REPO=${bare} is a bare repository`);
  });

  it('refuses a repository with no commits: there is nothing to branch off', async () => {
    const s = await sandbox();
    const dir = s.path('empty');
    await mkdir(dir);
    await s.git(dir, 'init', '--quiet');
    const e = await rejection(ensureRepository({ dataDir: s.path('data'), buildRepo: dir, env: s.env }), WorkspaceError);
    expect(e.message).toContain(`BUILD_REPO=${dir} has no commits yet`);
  });

  it('refuses a detached HEAD when there is no main branch to fall back on', async () => {
    const s = await sandbox();
    const repo = await s.ownerRepo('proj', 'trunk');
    await s.git(repo, ...OWNER, 'checkout', '--quiet', '--detach');
    const e = await rejection(ensureRepository({ dataDir: s.path('data'), buildRepo: repo, env: s.env }), WorkspaceError);
    expect(e.message).toContain('has a detached HEAD and no main branch');
  });
});
