// The files a project lists (`copy: [.env]`) go into each task's worktree before setup runs, so
// the agent can run the project as its owner does. Only the files listed, never a directory
// walk; nightshift's own commits and cleanup leave them out (excludePathspecs).
import { copyFile, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { splitLines, tryGit, type GitEnv } from './git.ts';

/** Copies each listed path from `from` to the same place in the worktree; a missing one is an error naming it. */
export async function copyIntoWorktree(from: string, paths: readonly string[], workspace: string, where: string): Promise<void> {
  for (const p of paths) {
    const source = join(from, p);
    const found = await lstat(source).catch(() => null);
    if (!found?.isFile() && !found?.isSymbolicLink()) {
      throw new SetupError(`cannot copy ${p} into the worktree: ${source} ${found ? 'is not a file' : 'does not exist'} (${where})`);
    }
    const target = join(workspace, p);
    await mkdir(dirname(target), { recursive: true });
    // A link of the same name in the worktree (tracked by the repository) must not be written through.
    if ((await lstat(target).catch(() => null))?.isSymbolicLink()) await unlink(target);
    await copyFile(source, target);
  }
}

/**
 * Pathspecs for "everything but these": git add and status leave copied files alone. Files the
 * repository ignores already (.env in .gitignore, the usual case) are left out of the list: git
 * add refuses a pathspec that names an ignored file, even one that excludes it.
 */
export async function excludePathspecs(cwd: string, paths: readonly string[], env?: GitEnv): Promise<string[]> {
  if (paths.length === 0) return [];
  const r = await tryGit(['check-ignore', '--', ...paths], { cwd, env });
  const ignored = new Set(r.ok ? splitLines(r.stdout) : []);
  const tracked = paths.filter((p) => !ignored.has(p));
  return tracked.length ? ['--', '.', ...tracked.map((p) => `:(exclude,literal)${p}`)] : [];
}

/** The worktree cannot be made ready as the project says (a file to copy is missing): trying again will not help. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}
