// One process owns a data directory. The lock file holds the owner's pid and the socket where
// it takes commands; a lock whose pid is gone is stale (a crash) and is taken over. A pid can be
// reused by another process after a crash, so on Linux the lock also holds the process's start
// time (and the boot it belongs to): a live pid that started at another time is not the holder.
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockInfo {
  pid: number;
  startedAt: string;
  /** Linux: the holder's start time in clock ticks since boot (/proc/<pid>/stat), and the boot's id. */
  procStart?: string;
  /** The daemon's command socket, when the holder is a daemon (not a one-shot). */
  socket?: string;
  /** What holds it: "daemon", "run", "cli". */
  holder: string;
}

export class LockHeldError extends Error {
  constructor(readonly info: LockInfo, readonly home: string) {
    super(
      `nightshift is already running on ${home} (pid ${info.pid}, ${info.holder}, since ${info.startedAt}). ` +
        'Stop it first, or point NIGHTSHIFT_HOME at another directory.',
    );
    this.name = 'LockHeldError';
  }
}

export const lockPath = (home: string): string => join(home, 'nightshift.lock');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** "<boot id>:<start ticks>" for a pid on Linux; null elsewhere or when it cannot be read. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return ticks ? `${boot}:${ticks}` : null;
  } catch {
    return null;
  }
}

/** True when the lock's process is alive and is the very process that wrote it (not a reused pid). */
function holderAlive(info: LockInfo): boolean {
  if (typeof info.pid !== 'number' || !processAlive(info.pid)) return false;
  if (!info.procStart) return true; // written where start times cannot be read: the pid is all we have
  const now = processStart(info.pid);
  return now === null || now === info.procStart;
}

/** The live holder of the lock, or null when it is free or stale. */
export function readLock(home: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(lockPath(home), 'utf8')) as LockInfo;
    return holderAlive(info) ? info : null;
  } catch {
    return null;
  }
}

export interface Lock {
  info: LockInfo;
  release(): void;
}

/**
 * Takes the lock or throws LockHeldError. The lock file appears complete or not at all (written to
 * a temp file, then hard-linked into place), so a reader never mistakes one being written for a
 * stale one. A stale lock (dead pid, unreadable file) is moved aside, and put back if it turns out
 * someone else replaced it meanwhile. It is not fsynced: a lock only means something while its
 * process lives, and one that a power cut left empty or torn reads as stale.
 */
export function acquireLock(home: string, holder: string, socket?: string): Lock {
  const path = lockPath(home);
  const procStart = processStart(process.pid);
  const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), holder, ...(procStart ? { procStart } : {}), ...(socket ? { socket } : {}) };
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
  } catch (e) {
    rmSync(tmp, { force: true }); // a full disk may have left it half written
    throw e;
  }
  try {
    for (let tries = 0; tries < 5; tries++) {
      try {
        linkSync(tmp, path);
        return heldLock(path, info);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holderInfo = readLock(home);
      if (holderInfo) throw new LockHeldError(holderInfo, home);
      moveStaleAside(path);
    }
    throw new Error(`could not take the lock ${path}: other processes keep replacing it`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function moveStaleAside(path: string): void {
  const seen = readRaw(path);
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it first
  }
  if (readRaw(aside) !== seen) {
    // It was replaced by a live lock between our read and the rename: give it back.
    try {
      linkSync(aside, path);
    } catch {
      // a third process took the spot; the retry will see it
    }
  }
  rmSync(aside, { force: true });
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function heldLock(path: string, info: LockInfo): Lock {
  let released = false;
  return {
    info,
    release() {
      if (released) return;
      released = true;
      try {
        const current = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
        if (current.pid === process.pid) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/**
 * Takes the lock, waiting up to `waitMs` while a one-shot (`nightshift status`, `add`: they hold it
 * for milliseconds) has it; a daemon or a `run` holding it is refused at once.
 */
export async function acquireLockWaiting(home: string, holder: string, socket: string | undefined, waitMs = 10_000): Promise<Lock> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return acquireLock(home, holder, socket);
    } catch (e) {
      if (!(e instanceof LockHeldError) || e.info.holder !== 'cli' || Date.now() > until) throw e;
    }
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
  }
}
