// Each task works in its own git worktree on its own branch, so parallel builds never share files.
// Only git's bookkeeping (refs, .git/worktrees) changes in the repository: the owner's own
// checkout is never checked out, stashed or reset.
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { canonicalPath, git, isWithin, tryGit, withRepoLock, WorkspaceError, type GitEnv } from './git.ts';
import { listWorktrees } from './worktrees.ts';

export { branchName } from './branch-name.ts';

export interface PrepareWorktreeOptions {
  /** The repository (its main work tree), from ensureRepository. */
  repo: string;
  baseBranch: string;
  /** Where the task's worktree lives: the same directory for every attempt. */
  workspace: string;
  /** The task's branch, from branchName. */
  branch: string;
  env?: GitEnv;
}

export interface PreparedWorktree {
  workspace: string;
  branch: string;
  /** The commit the branch started from: `baseCommit..HEAD` is the task's work. */
  baseCommit: string;
  /** True when an existing worktree was kept as it was (a retry continues the earlier work). */
  reused: boolean;
}

export async function prepareWorktree(opts: PrepareWorktreeOptions): Promise<PreparedWorktree> {
  const { repo, baseBranch, branch, env } = opts;
  const workspace = resolve(opts.workspace);
  await checkBranchName(repo, branch, env);
  return withRepoLock(repo, async () => {
    const ws = await canonicalPath(workspace);
    const top = await canonicalPath(repo);
    if (isWithin(ws, top) || isWithin(top, ws)) {
      throw new WorkspaceError(
        `the workspace ${workspace} and the repository ${repo} overlap: a build would change the checkout; keep NIGHTSHIFT_HOME outside BUILD_REPO`,
        workspace,
      );
    }

    const worktrees = await listWorktrees(repo, env);
    const here = worktrees.find((w) => w.canonical === ws);
    const found = await stat(workspace).catch(() => null);
    if (here && found?.isDirectory() && !here.prunable) {
      if (here.branch !== branch) {
        throw new WorkspaceError(
          `${workspace} is already a worktree on ${here.branch ? `branch ${here.branch}` : 'a detached HEAD'}, not ${branch}: ` +
            `check out ${branch} there, or remove it with git worktree remove --force ${workspace}`,
          workspace,
        );
      }
      return { workspace, branch, baseCommit: await forkPoint(repo, baseBranch, branch, env), reused: true };
    }
    if (here || found) {
      // A registration without its directory, or a directory git does not know (a crash during
      // `worktree add`, a repository that was replaced): forget the one, discard the other.
      await git(['worktree', 'prune'], { cwd: repo, env });
      if (found) await rm(workspace, { recursive: true, force: true });
    }

    const elsewhere = (await listWorktrees(repo, env)).find((w) => w.branch === branch);
    if (elsewhere) {
      throw new WorkspaceError(
        `branch ${branch} is checked out in ${elsewhere.path}: a branch can be in one worktree only; ` +
          `switch that checkout to another branch, or remove that worktree`,
        elsewhere.path,
      );
    }

    await mkdir(dirname(workspace), { recursive: true });
    const branchExists = (await tryGit(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: repo, env })).ok;
    if (branchExists) {
      await git(['worktree', 'add', '--quiet', workspace, branch], { cwd: repo, env });
      return { workspace, branch, baseCommit: await forkPoint(repo, baseBranch, branch, env), reused: false };
    }
    const baseCommit = await resolveBase(repo, baseBranch, env);
    await git(['worktree', 'add', '--quiet', '-b', branch, workspace, baseCommit], { cwd: repo, env });
    return { workspace, branch, baseCommit, reused: false };
  });
}

/** Refuses a branch name git would not accept or could read as an option. */
async function checkBranchName(repo: string, branch: string, env: GitEnv | undefined): Promise<void> {
  const valid = !branch.startsWith('-') && (await tryGit(['check-ref-format', '--branch', branch], { cwd: repo, env })).ok;
  if (!valid) throw new WorkspaceError(`"${branch}" is not a valid branch name; make one with branchName(taskId, title)`);
}

async function resolveBase(repo: string, baseBranch: string, env: GitEnv | undefined): Promise<string> {
  const r = await tryGit(['rev-parse', '--verify', '--quiet', `refs/heads/${baseBranch}^{commit}`], { cwd: repo, env });
  if (!r.ok) throw new WorkspaceError(`the base branch ${baseBranch} does not exist in ${repo}: builds branch off it`, repo);
  return r.stdout.trim();
}

/** Where an existing task branch left the base branch: the base of its work. */
async function forkPoint(repo: string, baseBranch: string, branch: string, env: GitEnv | undefined): Promise<string> {
  const r = await tryGit(['merge-base', `refs/heads/${baseBranch}`, `refs/heads/${branch}`], { cwd: repo, env });
  return r.ok ? r.stdout.trim() : resolveBase(repo, baseBranch, env);
}
