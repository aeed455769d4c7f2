// Linux's process table, read from /proc without running anything: one scan (each process's
// /proc/<pid>/stat: parent, group, state, start time, CPU time, resident pages) serves every
// running attempt's resource monitor, so sampling costs one scan per interval whatever the number
// of builds. Environments (/proc/<pid>/environ, for the attempts' markers) are read once per
// process, and only for processes the markers could be on.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  /** R, S, D, Z (zombie), T… */
  state: string;
  /** When it started, in clock ticks since boot: with the pid, what tells a reused pid apart. */
  start: number;
  /** Its own user + system CPU time, in ms (not its reaped children's). */
  cpuMs: number;
  rssBytes: number;
}

export interface ProcSnapshot {
  /** performance.now() when the scan began. */
  startedAt: number;
  byPid: ReadonlyMap<number, ProcEntry>;
  /** The pid and every descendant of it that is in the snapshot (empty when the pid is not). */
  treeOf(pid: number): number[];
}

/**
 * Linux reports /proc times in USER_HZ, which is 100 on every architecture it runs userland on
 * (x86, arm, arm64, riscv, ppc, s390); glibc's sysconf(_SC_CLK_TCK) returns that constant.
 */
const CLK_TCK = 100;
/** Pids read per turn of the event loop: a scan never holds it for long. */
const SLICE = 128;

let pageBytes: number | undefined;

/** The kernel's page size, from this process's own memory map (4 KiB when it cannot tell). */
function pageSize(): number {
  if (pageBytes !== undefined) return pageBytes;
  pageBytes = 4096;
  try {
    const fd = openSync('/proc/self/smaps', 'r');
    try {
      const buf = Buffer.alloc(4096);
      const n = readSync(fd, buf, 0, buf.length, 0);
      const kb = /KernelPageSize:\s+(\d+) kB/.exec(buf.toString('latin1', 0, n))?.[1];
      if (kb) pageBytes = Number(kb) * 1024;
    } finally {
      closeSync(fd);
    }
  } catch {
    // keep 4 KiB
  }
  return pageBytes;
}

/** True where this module can work: Linux with /proc mounted. */
export function hasProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

const statBuf = Buffer.alloc(4096);

/** One process's /proc/<pid>/stat, parsed; null when it is gone (or unreadable). */
export function readProcEntry(pid: number): ProcEntry | null {
  let fd: number | undefined;
  let text: string;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
    const n = readSync(fd, statBuf, 0, statBuf.length, 0);
    text = statBuf.toString('latin1', 0, n);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  // "pid (comm) S ppid pgrp ..."; comm may hold spaces and parentheses: split after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields from 3 (state) on, so index = field number - 3 (proc(5)).
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const start = Number(f[19]);
  const rss = Number(f[21]);
  if (![utime, stime, start, rss].every(Number.isFinite)) return null;
  return {
    pid,
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    state: f[0] ?? '?',
    start,
    cpuMs: ((utime + stime) * 1000) / CLK_TCK,
    rssBytes: Math.max(0, rss) * pageSize(),
  };
}

/** Ticks since boot now, on the clock process start times use. */
export function ticksSinceBoot(): number {
  try {
    return Math.floor(Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * CLK_TCK);
  } catch {
    return 0;
  }
}

function pidsInProc(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(name));
  }
  return pids;
}

function snapshotOf(entries: Map<number, ProcEntry>, startedAt: number): ProcSnapshot {
  let children: Map<number, number[]> | undefined;
  return {
    startedAt,
    byPid: entries,
    treeOf(pid) {
      if (!entries.has(pid)) return [];
      if (!children) {
        children = new Map();
        for (const e of entries.values()) {
          const list = children.get(e.ppid);
          if (list) list.push(e.pid);
          else children.set(e.ppid, [e.pid]);
        }
      }
      const out = [pid];
      for (let i = 0; i < out.length; i++) for (const kid of children.get(out[i] as number) ?? []) out.push(kid);
      return out;
    },
  };
}

/** The whole table at once, synchronously: for the rare callers that must not wait (ending a tree). */
export function scanProcSync(): ProcSnapshot {
  const startedAt = performance.now();
  const entries = new Map<number, ProcEntry>();
  for (const pid of pidsInProc()) {
    const e = readProcEntry(pid);
    if (e) entries.set(pid, e);
  }
  return snapshotOf(entries, startedAt);
}

/** The whole table, read a slice at a time so other work runs in between. */
export async function scanProc(): Promise<ProcSnapshot> {
  const startedAt = performance.now();
  const pids = pidsInProc();
  const entries = new Map<number, ProcEntry>();
  for (let i = 0; i < pids.length; i += SLICE) {
    if (i > 0) await new Promise<void>((r) => setImmediate(r));
    for (const pid of pids.slice(i, i + SLICE)) {
      const e = readProcEntry(pid);
      if (e) entries.set(pid, e);
    }
  }
  return snapshotOf(entries, startedAt);
}

/**
 * One scan shared by every caller: a snapshot is reused while it is recent enough for the asker,
 * and callers arriving during a scan wait for that scan instead of starting their own.
 */
export class SharedProcTable {
  private last: ProcSnapshot | null = null;
  private running: { startedAt: number; scan: Promise<ProcSnapshot> } | null = null;
  /** Per pid: its start time and the environment entries read from it so far (name → value, null: absent). */
  private readonly environs = new Map<number, { start: number; entries: Map<string, string | null> }>();
  /** Scans started and environments read: for tests and benches. */
  scans = 0;
  environReads = 0;

  constructor(private readonly scan: () => Promise<ProcSnapshot> = scanProc) {}

  /** A snapshot whose scan began at `notBefore` (performance.now()) or later. */
  async snapshot(notBefore: number): Promise<ProcSnapshot> {
    if (this.last && this.last.startedAt >= notBefore) return this.last;
    if (this.running && this.running.startedAt >= notBefore) return this.running.scan;
    if (this.running) await this.running.scan.catch(() => {});
    if (this.last && this.last.startedAt >= notBefore) return this.last;
    if (this.running && this.running.startedAt >= notBefore) return this.running.scan;
    const startedAt = performance.now();
    this.scans++;
    const scan = this.scan().then((snap) => {
      this.last = snap;
      for (const [pid, env] of this.environs) if (snap.byPid.get(pid)?.start !== env.start) this.environs.delete(pid);
      return snap;
    });
    const mine = { startedAt, scan };
    this.running = mine;
    try {
      return await scan;
    } finally {
      if (this.running === mine) this.running = null;
    }
  }

  /** True when the process carries every one of `markers` ("NAME=value") in its environment. */
  carries(entry: ProcEntry, markers: readonly string[]): boolean {
    let env = this.environs.get(entry.pid);
    if (env?.start !== entry.start) {
      env = { start: entry.start, entries: new Map() };
      this.environs.set(entry.pid, env);
    }
    const names = markers.map((m) => m.slice(0, m.indexOf('=')));
    if (names.some((n) => !env.entries.has(n))) {
      this.environReads++;
      readEnviron(entry.pid, names, env.entries);
    }
    return markers.every((m, i) => {
      const name = names[i] as string;
      return env.entries.get(name) === m.slice(name.length + 1);
    });
  }
}

/** Reads the named variables of a process's environment into `into` (null for those it lacks). */
function readEnviron(pid: number, names: readonly string[], into: Map<string, string | null>): void {
  for (const n of names) into.set(n, null);
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return; // gone, or another user's
  }
  const wanted = new Set(names);
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0 && wanted.has(entry.slice(0, eq))) into.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
}

/** The table every monitor in this process shares. */
export const procTable = new SharedProcTable();
