// What a build changed in a plain-directory workspace: a snapshot of (size, mtime) per file
// before the attempt, compared with one after. Git-backed workspaces report commits instead.
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

const SKIP = new Set(['.git', 'node_modules', '.nightshift']);

export type FileSnapshot = Map<string, string>;

export async function snapshotFiles(root: string): Promise<FileSnapshot> {
  const out: FileSnapshot = new Map();
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (SKIP.has(e.name)) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) {
        const s = await stat(full).catch(() => null);
        if (s) out.set(relative(root, full), `${s.size}:${s.mtimeMs}`);
      }
    }
  }
  await walk(root);
  return out;
}

/** Files added, modified or deleted between two snapshots, sorted. */
export function changedFiles(before: FileSnapshot, after: FileSnapshot): string[] {
  const changed = new Set<string>();
  for (const [path, sig] of after) if (before.get(path) !== sig) changed.add(path);
  for (const path of before.keys()) if (!after.has(path)) changed.add(path);
  return [...changed].sort();
}
