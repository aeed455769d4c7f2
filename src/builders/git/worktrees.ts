// What `git worktree list --porcelain` says about a repository's worktrees.
import { canonicalPath, git, splitLines, type GitEnv } from './git.ts';

export interface WorktreeEntry {
  /** As git recorded it. */
  path: string;
  /** `path` with symlinks resolved, for comparisons. */
  canonical: string;
  head: string | null;
  /** The checked-out branch's short name; null when detached (or bare). */
  branch: string | null;
  bare: boolean;
  detached: boolean;
  locked: boolean;
  /** Git would prune it: its directory is gone. */
  prunable: boolean;
}

export async function listWorktrees(repo: string, env?: GitEnv): Promise<WorktreeEntry[]> {
  const out = await git(['worktree', 'list', '--porcelain'], { cwd: repo, env });
  const entries: WorktreeEntry[] = [];
  let cur: Omit<WorktreeEntry, 'canonical'> | null = null;
  for (const line of splitLines(out)) {
    if (line.startsWith('worktree ')) {
      if (cur) entries.push({ ...cur, canonical: await canonicalPath(cur.path) });
      cur = { path: line.slice('worktree '.length), head: null, branch: null, bare: false, detached: false, locked: false, prunable: false };
    } else if (cur) {
      if (line.startsWith('HEAD ')) cur.head = line.slice(5);
      else if (line.startsWith('branch ')) cur.branch = line.slice(7).replace(/^refs\/heads\//, '');
      else if (line === 'bare') cur.bare = true;
      else if (line === 'detached') cur.detached = true;
      else if (line === 'locked' || line.startsWith('locked ')) cur.locked = true;
      else if (line === 'prunable' || line.startsWith('prunable ')) cur.prunable = true;
    }
  }
  if (cur) entries.push({ ...cur, canonical: await canonicalPath(cur.path) });
  return entries;
}
