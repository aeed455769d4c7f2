// A project named by a clone URL: nightshift keeps its own clone under NIGHTSHIFT_HOME/projects/<name>
// and brings the base branch up to date before each new task branches off it. The clone's own
// checkout is left detached, so the base branch can always be updated in place.
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { firstLine, git, tryGit, withRepoLock, WorkspaceError, type GitEnv } from './git.ts';
import { hideCredentials } from './origin.ts';

/** How long a fetched base branch counts as fresh: tasks queued together share one fetch. */
const FRESH_MS = 60_000;

export interface Clone {
  path: string;
  /** The remote's default branch, or the one the project names. */
  baseBranch: string;
}

/** Clones the URL into `dir` once (an unfinished clone is started over); later calls only check it. */
export async function ensureClone(url: string, dir: string, base: string | undefined, env?: GitEnv): Promise<Clone> {
  await mkdir(dirname(dir), { recursive: true });
  return withRepoLock(dir, async () => {
    const done = await stat(join(dir, '.git', 'nightshift-cloned')).catch(() => null);
    if (!done) {
      await rm(dir, { recursive: true, force: true });
      const r = await tryGit(['clone', '--quiet', '--no-checkout', '--', url, dir], { cwd: dirname(dir), env, timeoutMs: 30 * 60_000 });
      if (!r.ok) {
        throw new WorkspaceError(`could not clone ${hideCredentials(url)}: ${hideCredentials(firstLine(r.stderr)) || 'git clone failed'}`, dir);
      }
      await git(['checkout', '--quiet', '--detach'], { cwd: dir, env }).catch(() => undefined);
      // Marked whole only now: a clone killed half-way is started over, not trusted.
      await writeFile(join(dir, '.git', 'nightshift-cloned'), `${url}\n`);
    }
    const branch = base ?? (await remoteDefault(dir, env));
    const local = await tryGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], { cwd: dir, env });
    if (!local.ok) {
      const remote = await tryGit(['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${branch}^{commit}`], { cwd: dir, env });
      if (!remote.ok) throw new WorkspaceError(`${hideCredentials(url)} has no branch ${branch} to build from`, dir);
      await git(['branch', '--quiet', '--no-track', branch, remote.stdout.trim()], { cwd: dir, env });
    }
    return { path: dir, baseBranch: branch };
  });
}

async function remoteDefault(dir: string, env?: GitEnv): Promise<string> {
  const head = await tryGit(['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], { cwd: dir, env });
  const name = head.ok ? head.stdout.trim().replace(/^origin\//, '') : '';
  return name || 'main';
}

const fetchedAt = new Map<string, number>();

/**
 * Brings the clone's base branch to the remote's (forced: nightshift owns the clone). A failed
 * fetch (offline) is not an error: builds go on from what the clone has, and the reason is returned.
 */
export async function refreshBase(clone: Clone, env?: GitEnv, now = Date.now()): Promise<string | null> {
  const key = `${clone.path}#${clone.baseBranch}`;
  if (now - (fetchedAt.get(key) ?? 0) < FRESH_MS) return null;
  return withRepoLock(clone.path, async () => {
    const r = await tryGit(['fetch', '--quiet', 'origin', `+refs/heads/${clone.baseBranch}:refs/heads/${clone.baseBranch}`], { cwd: clone.path, env, timeoutMs: 5 * 60_000 });
    if (!r.ok) return `could not fetch ${clone.baseBranch}: ${hideCredentials(firstLine(r.stderr)) || 'git fetch failed'}; building from the clone as it is`;
    fetchedAt.set(key, now);
    return null;
  });
}
