// The repository builds branch off: the owner's BUILD_REPO, checked and never changed, or a
// fresh one nightshift keeps under its data directory.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { canonicalPath, git, ownCommitArgs, tryGit, withRepoLock, WorkspaceError, type GitEnv } from './git.ts';

export interface EnsureRepositoryOptions {
  /** NIGHTSHIFT_HOME: the fresh repository lives in `<dataDir>/repo`. */
  dataDir: string;
  /** BUILD_REPO: an existing work tree with at least one commit. */
  buildRepo?: string;
  /** How messages name buildRepo and what to do instead: BUILD_REPO's by default; a project's repo in PROJECTS_FILE otherwise. */
  named?: { what: string; instead: string };
  env?: GitEnv;
}

export interface Repository {
  /** The top of the repository's main work tree. */
  path: string;
  /** The branch builds start from: the one checked out there, or `main`. */
  baseBranch: string;
  /** True when this call created the repository or its first commit. */
  created: boolean;
}

export const FALLBACK_BASE_BRANCH = 'main';

const README = `# nightshift builds

This repository holds nightshift's builds. Each task is built on its own branch
(\`nightshift/<task id>-<title>\`) in its own git worktree under NIGHTSHIFT_HOME/workspaces,
so parallel builds never share files.

Review a build with \`git log -p main..nightshift/t-7-...\`; merge what you keep.
To build in one of your own repositories instead, set BUILD_REPO to its path.
`;

export async function ensureRepository(opts: EnsureRepositoryOptions): Promise<Repository> {
  if (opts.buildRepo === undefined) return ensureOwnRepository(opts.dataDir, opts.env);
  return checkBuildRepo(opts.buildRepo, opts.env, opts.named ?? { what: `BUILD_REPO=${opts.buildRepo}`, instead: USE_FRESH });
}

const USE_FRESH = 'or unset BUILD_REPO to use a fresh one under NIGHTSHIFT_HOME';

async function checkBuildRepo(buildRepo: string, env: GitEnv | undefined, naming: { what: string; instead: string }): Promise<Repository> {
  const dir = resolve(buildRepo);
  const named = naming.what;
  const instead = naming.instead;
  const info = await stat(dir).catch(() => null);
  if (!info) throw new WorkspaceError(`${named} does not exist: point it at a git repository, ${instead}`, dir);
  if (!info.isDirectory()) throw new WorkspaceError(`${named} is not a directory: point it at a git repository, ${instead}`, dir);

  const top = await tryGit(['rev-parse', '--show-toplevel'], { cwd: dir, env });
  if (!top.ok) {
    const bare = await tryGit(['rev-parse', '--is-bare-repository'], { cwd: dir, env });
    if (bare.ok && bare.stdout.trim() === 'true') {
      throw new WorkspaceError(`${named} is a bare repository: point it at a checkout with a work tree, ${instead}`, dir);
    }
    throw new WorkspaceError(`${named} is not a git repository: run git init there, ${instead}`, dir);
  }
  const path = top.stdout.trim();
  if (!(await hasCommit(path, 'HEAD', env))) {
    throw new WorkspaceError(`${named} has no commits yet: make a first commit there (builds branch off it), ${instead}`, path);
  }
  const baseBranch = await currentBranch(path, env);
  if (baseBranch === null) {
    if (await hasCommit(path, `refs/heads/${FALLBACK_BASE_BRANCH}`, env)) return { path, baseBranch: FALLBACK_BASE_BRANCH, created: false };
    throw new WorkspaceError(
      `${named} has a detached HEAD and no ${FALLBACK_BASE_BRANCH} branch: check out the branch builds should start from`,
      path,
    );
  }
  return { path, baseBranch, created: false };
}

async function ensureOwnRepository(dataDir: string, env: GitEnv | undefined): Promise<Repository> {
  const path = resolve(join(dataDir, 'repo'));
  return withRepoLock(path, async () => {
    await mkdir(path, { recursive: true });
    let created = false;
    // A data directory inside someone's checkout (a dotfiles repository in $HOME) must not make
    // us mistake that checkout for ours: the repository has to start exactly here.
    const top = await tryGit(['rev-parse', '--show-toplevel'], { cwd: path, env });
    if (!top.ok || (await canonicalPath(top.stdout.trim())) !== (await canonicalPath(path))) {
      await git(['init', '--quiet', `--initial-branch=${FALLBACK_BASE_BRANCH}`], { cwd: path, env });
      created = true;
    }
    if (!(await hasCommit(path, 'HEAD', env))) {
      // An earlier run may have stopped between init and the first commit: finish the job.
      await writeFile(join(path, 'README.md'), README, 'utf8');
      await git(['add', '--', 'README.md'], { cwd: path, env });
      const commitArgs = await ownCommitArgs(path, env);
      await git([...commitArgs, 'commit', '--quiet', '--no-verify', '-m', 'nightshift: start the builds repository'], { cwd: path, env });
      created = true;
    }
    return { path, baseBranch: (await currentBranch(path, env)) ?? FALLBACK_BASE_BRANCH, created };
  });
}

/** The branch checked out in `cwd`, or null when HEAD is detached. */
export async function currentBranch(cwd: string, env?: GitEnv): Promise<string | null> {
  const r = await tryGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd, env });
  const name = r.stdout.trim();
  return r.ok && name !== '' ? name : null;
}

async function hasCommit(cwd: string, rev: string, env: GitEnv | undefined): Promise<boolean> {
  return (await tryGit(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd, env })).ok;
}
