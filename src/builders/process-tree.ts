// Ending a builder means ending everything it started: agents spawn shells, test runners and
// dev servers. Builders run as the leader of their own process group; we signal the group and,
// for children that left it (setsid, daemonising), every descendant found beforehand: from /proc
// on Linux (nothing spawned), by pidtree (which runs `ps`) elsewhere.
import { readdirSync, readFileSync } from 'node:fs';
import pidtree from 'pidtree';
import { hasProc, procTable, readProcEntry, scanProcSync } from './supervision/proc-table.ts';

const linux = hasProc();

export async function descendantsOf(pid: number): Promise<number[]> {
  if (linux) return scanProcSync().treeOf(pid).slice(1);
  try {
    return await pidtree(pid);
  } catch {
    return []; // the process is already gone
  }
}

/** True while the process exists and is not a zombie (containers often lack an init that reaps). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  // No /proc (macOS), or gone meanwhile: trust kill(0).
  return linux && readProcEntry(pid)?.state === 'Z';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone: that is what we want
  }
}

/** Sends `sig` to the process group led by `leader` and to every pid in `others`. */
export function signalTree(leader: number, others: number[], sig: NodeJS.Signals): void {
  signal(-leader, sig);
  signalEach(others, sig);
}

export function signalEach(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) signal(pid, sig);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * SIGTERM to the whole tree, then SIGKILL to whatever is still alive after `graceMs`.
 * Resolves once no process of the tree is left (or after the SIGKILL settles).
 */
export async function killTree(leader: number, graceMs: number): Promise<void> {
  const tree = await descendantsOf(leader);
  signalTree(leader, tree, 'SIGTERM');
  const everyone = [leader, ...tree];
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!everyone.some(isAlive) && !groupAlive(leader)) return;
    await sleep(50);
  }
  const late = await descendantsOf(leader);
  signalTree(leader, [...tree, ...late], 'SIGKILL');
  const hardDeadline = Date.now() + 2_000;
  while (Date.now() < hardDeadline && (everyone.some(isAlive) || groupAlive(leader))) await sleep(25);
}

/** True while any non-zombie member of the process group led by `leader` exists. */
export function groupAlive(leader: number): boolean {
  try {
    process.kill(-leader, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!linux) return true; // no /proc: the group is alive while kill(0) says so
  for (const e of scanProcSync().byPid.values()) if (e.pgrp === leader && e.state !== 'Z') return true;
  return false;
}

/**
 * Processes whose environment holds every one of `markers` ("NAME=value"). Builders inherit the
 * NIGHTSHIFT_* variables we set, and so do their children, even those that left the process
 * group: after a crash this finds what is left of an attempt without trusting a reused pid.
 * Linux only (/proc); elsewhere it finds nothing.
 */
export function findByEnvironment(markers: string[]): number[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
  // Each entry of environ ends with NUL: "\0NAME=value\0" finds it anywhere but the start.
  const needles = markers.map((m) => Buffer.from(`\0${m}\0`));
  return pids.filter((pid) => {
    if (pid === process.pid) return false;
    try {
      const env = readFileSync(`/proc/${pid}/environ`);
      const has = (needle: Buffer) => env.indexOf(needle) !== -1 || env.subarray(0, needle.length - 1).equals(needle.subarray(1));
      return needles.every(has) && !isZombie(pid);
    } catch {
      return false;
    }
  });
}

/** Processes with an environment entry that starts with `prefix` ("NIGHTSHIFT_WORKSPACE=/home/w/workspaces/"). */
export function findByEnvironmentPrefix(prefix: string): number[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
  const needle = Buffer.from(`\0${prefix}`);
  return pids.filter((pid) => {
    if (pid === process.pid) return false;
    try {
      const env = readFileSync(`/proc/${pid}/environ`);
      return (env.indexOf(needle) !== -1 || env.subarray(0, needle.length - 1).equals(needle.subarray(1))) && !isZombie(pid);
    } catch {
      return false;
    }
  });
}

/**
 * findByEnvironment for an attempt that started at `sinceTicks` (ticksSinceBoot()) or later: only
 * processes started since then can carry its markers, so only their environments are read (once
 * each, shared with the resource monitors), from a fresh scan read a slice at a time.
 */
export async function findAttemptProcesses(markers: string[], sinceTicks: number): Promise<number[]> {
  if (!linux) return findByEnvironment(markers);
  const snap = await procTable.snapshot(performance.now());
  const found: number[] = [];
  for (const e of snap.byPid.values()) {
    if (e.start >= sinceTicks && e.pid !== process.pid && e.state !== 'Z' && procTable.carries(e, markers)) found.push(e.pid);
  }
  return found;
}

/** SIGTERM to each, SIGKILL to whatever is left after `graceMs`. */
export async function endProcesses(pids: number[], graceMs: number): Promise<void> {
  if (pids.length === 0) return;
  signalEach(pids, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (Date.now() < until && pids.some(isAlive)) await sleep(50);
  signalEach(pids.filter(isAlive), 'SIGKILL');
}
