// Each task works in its own git worktree on its own branch, so parallel builds never share files.
// Only git's bookkeeping (refs, .git/worktrees) changes in the repository: the owner's own
// checkout is never checked out, stashed or reset.
//
// The builder waits for this, so it runs as few git processes as it can, one after another:
// - a fresh task (no directory yet): `for-each-ref` (the base commit, and that the branch does not
//   exist yet), then `worktree add -b`: two;
// - a retry (the worktree is there): `worktree list` and `merge-base`, side by side: one step.
// The branch name is checked in process; anything unusual (a registration left without its
// directory, a directory git does not know, an existing branch without a worktree) takes the
// careful path, which lists, prunes and checks everything before it adds the worktree.
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isValidBranchName } from './branch-name.ts';
import { canonicalPath, git, isWithin, tryGit, withRepoLock, WorkspaceError, type GitEnv } from './git.ts';
import { listWorktrees, type WorktreeEntry } from './worktrees.ts';

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
  /** The worktree's HEAD once prepared: where this attempt starts from. */
  head: string;
  /** True when an existing worktree was kept as it was (a retry continues the earlier work). */
  reused: boolean;
}

interface Target {
  repo: string;
  baseBranch: string;
  branch: string;
  /** Absolute, as given. */
  workspace: string;
  /** Canonical, for comparison with what git reports. */
  canonical: string;
  env: GitEnv | undefined;
}

export async function prepareWorktree(opts: PrepareWorktreeOptions): Promise<PreparedWorktree> {
  const { repo, baseBranch, branch, env } = opts;
  const workspace = resolve(opts.workspace);
  if (!isValidBranchName(branch)) throw new WorkspaceError(`"${branch}" is not a valid branch name; make one with branchName(taskId, title)`);
  return withRepoLock(repo, async () => {
    const [canonical, top, found] = await Promise.all([canonicalPath(workspace), canonicalPath(repo), stat(workspace).catch(() => null)]);
    if (isWithin(canonical, top) || isWithin(top, canonical)) {
      throw new WorkspaceError(
        `the workspace ${workspace} and the repository ${repo} overlap: a build would change the checkout; keep NIGHTSHIFT_HOME outside BUILD_REPO`,
        workspace,
      );
    }
    const t: Target = { repo, baseBranch, branch, workspace, canonical, env };
    if (found) return reuse(t);
    const fresh = await addFresh(t);
    return fresh ?? carefully(t, await listWorktrees(repo, env));
  });
}

/** The directory exists: a retry keeps the worktree as it is, anything else is cleared first. */
async function reuse(t: Target): Promise<PreparedWorktree> {
  const [worktrees, fork] = await Promise.all([
    listWorktrees(t.repo, t.env),
    // Asked at once, for the usual case; unused when the directory turns out not to be our worktree.
    forkPoint(t).then(
      (commit) => ({ commit }),
      (error: unknown) => ({ error }),
    ),
  ]);
  const here = worktrees.find((w) => w.canonical === t.canonical);
  const found = await stat(t.workspace).catch(() => null);
  if (!here || here.prunable || !found?.isDirectory()) return carefully(t, worktrees);
  if (here.branch !== t.branch) {
    throw new WorkspaceError(
      `${t.workspace} is already a worktree on ${here.branch ? `branch ${here.branch}` : 'a detached HEAD'}, not ${t.branch}: ` +
        `check out ${t.branch} there, or remove it with git worktree remove --force ${t.workspace}`,
      t.workspace,
    );
  }
  if ('error' in fork) throw fork.error;
  const head = here.head ?? (await git(['rev-parse', 'HEAD'], { cwd: t.workspace, env: t.env })).trim();
  return { workspace: t.workspace, branch: t.branch, baseCommit: fork.commit, head, reused: true };
}

/**
 * No directory: when the task branch does not exist yet (a fresh task), the worktree is added on a
 * new branch at the base commit. Null when that does not apply or git refuses: the careful path then.
 */
async function addFresh(t: Target): Promise<PreparedWorktree | null> {
  const [refs] = await Promise.all([branchTips(t), mkdir(dirname(t.workspace), { recursive: true })]);
  if (refs.branch !== undefined) return null;
  const baseCommit = refs.base ?? (await resolveBase(t));
  const added = await tryGit(['worktree', 'add', '--quiet', '-b', t.branch, t.workspace, baseCommit], { cwd: t.repo, env: t.env });
  if (!added.ok) return null; // e.g. git still has a worktree registered there without its directory
  return { workspace: t.workspace, branch: t.branch, baseCommit, head: baseCommit, reused: false };
}

/** Every check, one after another: for leftovers of a crash and branches that already exist. */
async function carefully(t: Target, listed: WorktreeEntry[]): Promise<PreparedWorktree> {
  const { repo, workspace, branch, env } = t;
  let worktrees = listed;
  const here = worktrees.find((w) => w.canonical === t.canonical);
  const found = await stat(workspace).catch(() => null);
  if (here || found) {
    // A registration without its directory, or a directory git does not know (a crash during
    // `worktree add`, a repository that was replaced): discard the one, forget the other.
    if (found) await rm(workspace, { recursive: true, force: true });
    await git(['worktree', 'prune'], { cwd: repo, env });
    worktrees = await listWorktrees(repo, env);
  }
  const elsewhere = worktrees.find((w) => w.branch === branch);
  if (elsewhere) {
    throw new WorkspaceError(
      `branch ${branch} is checked out in ${elsewhere.path}: a branch can be in one worktree only; ` +
        `switch that checkout to another branch, or remove that worktree`,
      elsewhere.path,
    );
  }

  await mkdir(dirname(workspace), { recursive: true });
  const tip = await tryGit(['show-ref', '--verify', `refs/heads/${branch}`], { cwd: repo, env });
  if (tip.ok) {
    await git(['worktree', 'add', '--quiet', workspace, branch], { cwd: repo, env });
    return { workspace, branch, baseCommit: await forkPoint(t), head: tip.stdout.split(' ')[0]?.trim() ?? '', reused: false };
  }
  const baseCommit = await resolveBase(t);
  await git(['worktree', 'add', '--quiet', '-b', branch, workspace, baseCommit], { cwd: repo, env });
  return { workspace, branch, baseCommit, head: baseCommit, reused: false };
}

/** The commits the base branch and the task branch point at, where they exist, from one git run. */
async function branchTips(t: Target): Promise<{ base?: string; branch?: string }> {
  const base = `refs/heads/${t.baseBranch}`;
  const branch = `refs/heads/${t.branch}`;
  const out = await git(['for-each-ref', '--format=%(objectname) %(objecttype) %(refname)', base, branch], { cwd: t.repo, env: t.env });
  const tips: { base?: string; branch?: string } = {};
  for (const line of out.split('\n')) {
    const [sha, type, ref] = line.split(' ');
    if (sha === undefined || ref === undefined) continue;
    // A branch should point at a commit; anything else is left to rev-parse (base) or the careful path.
    if (ref === base && type === 'commit') tips.base = sha;
    if (ref === branch) tips.branch = sha;
  }
  return tips;
}

async function resolveBase(t: Target): Promise<string> {
  const r = await tryGit(['rev-parse', '--verify', '--quiet', `refs/heads/${t.baseBranch}^{commit}`], { cwd: t.repo, env: t.env });
  if (!r.ok) throw new WorkspaceError(`the base branch ${t.baseBranch} does not exist in ${t.repo}: builds branch off it`, t.repo);
  return r.stdout.trim();
}

/** Where an existing task branch left the base branch: the base of its work. */
async function forkPoint(t: Target): Promise<string> {
  const r = await tryGit(['merge-base', `refs/heads/${t.baseBranch}`, `refs/heads/${t.branch}`], { cwd: t.repo, env: t.env });
  return r.ok ? r.stdout.trim() : resolveBase(t);
}
