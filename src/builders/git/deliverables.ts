// What an attempt left on its branch, read back from git: the commits, the files they change and
// a diffstat. Work the agent did not commit is committed on its behalf first, so nothing is lost
// when the worktree is cleaned up later and the reviewer sees everything in one place.
import { canonicalPath, git, GitError, ownCommitArgs, splitLines, splitZ, tryGit, WorkspaceError, type GitEnv } from './git.ts';
import { currentBranch } from './repo.ts';
import { excludePathspecs } from './copy-files.ts';

export interface CollectDeliverablesOptions {
  /** The task's worktree. */
  workspace: string;
  /** Where the task's branch started (prepareWorktree's baseCommit). */
  baseCommit: string;
  taskId: string;
  /** The attempt number, named in the message of a leftovers commit. */
  attempt: number;
  /** The builder that ran ("Claude Code"), named in the message of a leftovers commit. */
  builderName: string;
  /** Files nightshift copied into the worktree (.env): never committed on the agent's behalf. */
  copied?: readonly string[];
  env?: GitEnv;
}

export interface CollectedDeliverables {
  /** The branch checked out in the workspace; the HEAD commit id when the agent left HEAD detached. */
  branch: string;
  /** `"abc1234 subject"`, oldest first. */
  commits: string[];
  /** Paths relative to the workspace, sorted; a rename shows as the old and the new path. */
  changedFiles: string[];
  /** `"3 files changed, 42 insertions(+), 1 deletion(-)"`; empty when nothing changed. */
  diffstat: string;
  /** True when nightshift committed work the agent had left uncommitted. */
  committedLeftovers: boolean;
}

export function leftoversMessage(builderName: string, taskId: string, attempt: number): string {
  return `nightshift: work left uncommitted by ${builderName} (${taskId}, attempt ${attempt})`;
}

export async function collectDeliverables(opts: CollectDeliverablesOptions): Promise<CollectedDeliverables> {
  const { workspace: cwd, baseCommit, env } = opts;
  if (baseCommit === '' || baseCommit.startsWith('-')) throw new WorkspaceError(`"${baseCommit}" is not a base commit; pass prepareWorktree's baseCommit`, cwd);
  await checkStillAWorktree(cwd, env);
  const committedLeftovers = await commitLeftovers(opts);

  const range = `${baseCommit}..HEAD`;
  const log = await git(['log', '--reverse', '--no-show-signature', '--no-color', '--format=%h %s', range, '--'], { cwd, env });
  const diff = numstatAndShortstat(await git(['diff', '--numstat', '-z', '--shortstat', '--no-renames', '--no-ext-diff', baseCommit, 'HEAD', '--'], { cwd, env }));
  const branch = (await currentBranch(cwd, env)) ?? (await git(['rev-parse', '--short', 'HEAD'], { cwd, env })).trim();
  return {
    branch,
    commits: splitLines(log),
    changedFiles: diff.paths.sort(),
    diffstat: diff.shortstat,
    committedLeftovers,
  };
}

/**
 * Reads `git diff --numstat -z --shortstat` (the changed paths and the summary line from one git
 * call): "added\tdeleted\tpath" entries, each NUL-ended (a path is taken verbatim: it may hold
 * tabs or newlines), then the summary line after the last NUL.
 */
function numstatAndShortstat(out: string): { paths: string[]; shortstat: string } {
  const end = out.lastIndexOf('\0');
  const paths = splitZ(out.slice(0, end + 1)).map((entry) => entry.split('\t').slice(2).join('\t'));
  return { paths, shortstat: out.slice(end + 1).trim() };
}

/** Commits everything `git status` shows (untracked files included, ignored ones not). */
async function commitLeftovers(opts: CollectDeliverablesOptions): Promise<boolean> {
  const { workspace: cwd, env } = opts;
  const others = await excludePathspecs(cwd, opts.copied ?? [], env);
  const status = await git(['status', '--porcelain=v1', '-z', '--untracked-files=all', ...others], { cwd, env });
  if (splitZ(status).length === 0) return false;
  await git(['add', '-A', ...others], { cwd, env });
  const check = ['diff', '--cached', '--quiet'];
  const staged = await tryGit(check, { cwd, env });
  if (staged.ok) return false; // nothing left once staged (a file created and deleted again, say)
  if (staged.exitCode !== 1) throw new GitError(check, cwd, staged.exitCode, staged.stderr);
  const message = leftoversMessage(opts.builderName, opts.taskId, opts.attempt);
  await git([...(await ownCommitArgs(cwd, env)), 'commit', '--quiet', '--no-verify', '-m', message], { cwd, env });
  return true;
}

/**
 * Refuses to go on when the workspace is no longer the top of a worktree (an agent that deleted
 * `.git`): git would otherwise find whatever repository encloses the directory and commit there.
 */
async function checkStillAWorktree(cwd: string, env: GitEnv | undefined): Promise<void> {
  const top = await tryGit(['rev-parse', '--show-toplevel'], { cwd, env });
  if (!top.ok || (await canonicalPath(top.stdout.trim())) !== (await canonicalPath(cwd))) {
    throw new WorkspaceError(`${cwd} is no longer a git worktree (was its .git file deleted?): its work cannot be read back`, cwd);
  }
}
