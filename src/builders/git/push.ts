// Pushes a task's branch to origin, whatever origin is (a GitHub URL, ssh, a local bare
// repository): publishing the branch needs nothing but git. A failure comes back as one line
// a person can act on, never as an exception and never with credentials from a URL.
import { BRANCH_PREFIX } from './branch-name.ts';
import { firstLine, splitLines, tryGit, type GitEnv } from './git.ts';
import { hideCredentials } from './origin.ts';

export interface PushBranchOptions {
  /** The task's worktree. */
  cwd: string;
  branch: string;
  env?: GitEnv;
  timeoutMs: number;
}

/** "origin/nightshift/t-7-x" once pushed, or "git push failed: …". */
export type PushOutcome = { pushed: string } | { failed: string };

/** A hook's explanation can run long: the done message keeps its first lines. */
const MAX_REMOTE_LINES = 3;

/**
 * `git push --quiet -u origin <branch>`. A retry may have rewritten the task's branch (an agent
 * that amends or rebases), so a `nightshift/` branch is pushed with a lease on what nightshift
 * pushed last: it replaces its own earlier push, never commits someone else added on origin since.
 */
export async function pushBranch(o: PushBranchOptions): Promise<PushOutcome> {
  const lease = await leaseArgs(o);
  const r = await tryGit(['push', '--quiet', '-u', ...lease, 'origin', o.branch], { cwd: o.cwd, env: await pushEnv(o.cwd, o.env), timeoutMs: o.timeoutMs });
  return r.ok ? { pushed: `origin/${o.branch}` } : { failed: `git push failed: ${hideCredentials(pushFailure(r.stderr, o.branch))}` };
}

/**
 * `--force-with-lease=<ref>:<commit nightshift pushed last>`, from origin's tracking ref. Without
 * one (a first push, or an origin without a fetch refspec) a plain push: git's bare
 * `--force-with-lease` would then refuse even a fast-forward.
 */
async function leaseArgs(o: PushBranchOptions): Promise<string[]> {
  if (!o.branch.startsWith(BRANCH_PREFIX)) return [];
  const tracking = await tryGit(['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${o.branch}^{commit}`], { cwd: o.cwd, env: o.env });
  return tracking.ok ? [`--force-with-lease=refs/heads/${o.branch}:${tracking.stdout.trim()}`] : [];
}

/**
 * What went wrong, in one line: the rejection's reason with what the remote said (a hook's
 * message arrives as "remote: …" lines), or git's first line ("fatal: unable to access …").
 */
function pushFailure(stderr: string, branch: string): string {
  const lines = splitLines(stderr);
  const remote = lines.map((l) => /^remote:\s*(.*?)\s*$/.exec(l)?.[1]).filter((l): l is string => !!l).slice(0, MAX_REMOTE_LINES);
  const reason = lines.map((l) => /^\s*!\s*\[(?:remote )?rejected\].*\(([^)]+)\)\s*$/.exec(l)?.[1]).find((r) => r !== undefined);
  if (reason === 'stale info' || reason === 'fetch first' || reason === 'non-fast-forward') {
    return `origin's ${branch} has commits this branch does not; merge them into the branch, or delete it on origin`;
  }
  if (reason) return [`rejected (${reason})`, ...remote].join(': ');
  return firstLine(lines.filter((l) => !l.startsWith('To ')).join('\n')) || 'no message';
}

/** An ssh remote must fail rather than ask about a host key or a passphrase: nobody is there to answer. */
async function pushEnv(cwd: string, env: GitEnv | undefined): Promise<GitEnv> {
  const base = env ?? process.env;
  if (base.GIT_SSH_COMMAND !== undefined || base.GIT_SSH !== undefined) return base;
  if ((await tryGit(['config', '--get', 'core.sshCommand'], { cwd, env })).ok) return base;
  return { ...base, GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
}
