// Where the suite's temp directories go: a directory of this run in memory (/dev/shm) when it has
// room, else the system's temp directory as before. Every test makes data directories, git
// repositories and worktrees, and the store syncs each write to disk: on this machine's ext4 that
// costs the kernel (sys) time and waits, and in memory it does not (engine, store-durability,
// agent-builder and git-publish together: 36 s of test time against 51 s, sys CPU 7 s against 13 s).
// Nothing a test checks depends on the disk: a crash test kills a process, which leaves its writes
// in the page cache either way.
//
// TMPDIR is set here, in vitest's main process, before the workers start: they inherit it, and so
// does what they spawn with the inherited environment (the real `nightshift` runs with an
// environment of its own, its data in a test's directory). The directory is removed at the end of
// the run, on Ctrl-C too, and by the next run if this one was killed outright (its owner's pid is
// gone). Docker's default /dev/shm (64 MB) is too small: then nothing changes, as with
// NIGHTSHIFT_TEST_TMPDIR=system (to look at a run's leftovers on disk).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../../src/builders/process-tree.ts';

const MEMORY = '/dev/shm';
const PREFIX = 'nightshift-tests-';
const OWNER = '.owner';
/** Free memory needed to use it: the suite's temp directories held 4 MB at most (sampled every 2 s over a run); the rest is margin. */
const ROOM_BYTES = 1024 ** 3;

function sweepAbandoned(): void {
  for (const name of readdirSync(MEMORY).filter((n) => n.startsWith(PREFIX))) {
    const dir = join(MEMORY, name);
    try {
      const owner = Number(readFileSync(join(dir, OWNER), 'utf8'));
      if (owner > 0 && !isAlive(owner)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // no owner yet (a run starting now), or not ours to read
    }
  }
}

export default async function setup(): Promise<() => void> {
  if (process.env.NIGHTSHIFT_TEST_TMPDIR === 'system') return () => {};
  try {
    const fs = await statfs(MEMORY);
    if (fs.bavail * fs.bsize < ROOM_BYTES) return () => {};
  } catch {
    return () => {}; // not Linux
  }
  sweepAbandoned();
  const dir = await mkdtemp(join(MEMORY, PREFIX));
  await writeFile(join(dir, OWNER), String(process.pid));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  const scrap = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', scrap);
  return () => {
    process.off('exit', scrap);
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    scrap();
  };
}
