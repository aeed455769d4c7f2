// One process owns a data directory. The lock file holds the owner's pid and the socket where
// it takes commands; a lock whose pid is gone is stale (a crash) and is taken over.
import { openSync, readFileSync, rmSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';

export interface LockInfo {
  pid: number;
  startedAt: string;
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

/** The live holder of the lock, or null when it is free or stale. */
export function readLock(home: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(lockPath(home), 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && processAlive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export interface Lock {
  info: LockInfo;
  release(): void;
}

/** Takes the lock or throws LockHeldError. A stale lock (dead pid, unreadable file) is replaced. */
export function acquireLock(home: string, holder: string, socket?: string): Lock {
  const path = lockPath(home);
  const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), holder, ...(socket ? { socket } : {}) };
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      fsyncSync(fd);
      closeSync(fd);
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
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holderInfo = readLock(home);
      if (holderInfo) throw new LockHeldError(holderInfo, home);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${path}: another process keeps replacing it`);
}
