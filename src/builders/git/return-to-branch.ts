// An agent may leave its worktree on a detached HEAD or on a branch of its own. The task's work
// belongs on the task's branch: when what the agent left builds on that branch, the branch is
// moved forward to it and checked out again; anything else is refused, never guessed.
import { currentBranch } from './repo.ts';
import { git, tryGit, WorkspaceError, type GitEnv } from './git.ts';

export async function returnToBranch(opts: { workspace: string; branch: string; env?: GitEnv }): Promise<'on-branch' | 'moved'> {
  const { workspace: cwd, branch, env } = opts;
  const current = await currentBranch(cwd, env);
  if (current === branch) return 'on-branch';
  const where = current ? `branch ${current}` : 'a detached HEAD';
  const ancestor = await tryGit(['merge-base', '--is-ancestor', `refs/heads/${branch}`, 'HEAD'], { cwd, env });
  if (!ancestor.ok) {
    throw new WorkspaceError(`the agent left ${cwd} on ${where}, which does not build on ${branch}: its work was not moved (look at it with git log)`, cwd);
  }
  // -B moves the task's branch to HEAD (a fast-forward, checked above) and checks it out.
  await git(['checkout', '--quiet', '-B', branch, 'HEAD'], { cwd, env });
  return 'moved';
}

/** The commit the worktree's HEAD points at. */
export async function headCommit(cwd: string, env?: GitEnv): Promise<string> {
  return (await git(['rev-parse', 'HEAD'], { cwd, env })).trim();
}
