// How a resource monitor measures its tree. On Linux: from the process table every monitor shares
// (proc-table.ts), so nothing is spawned and /proc is scanned once per interval however many builds
// run. Elsewhere: pidtree (which runs `ps`) and pidusage, and markers find nothing.
//
// What pidusage v4 does with pids that are gone (checked on Linux, and pinned by
// test/supervision-sample-process-tree.test.ts):
// - a call with two or more pids resolves; a vanished pid maps to null (no /proc entry) or
//   undefined (its /proc/<pid>/stat descriptor, cached from an earlier call, now reads ESRCH);
// - a call with one pid (bare or in a one-element array) rejects ("No matching pid found", ESRCH).
// So the batch is read as "whatever came back", and a rejected batch is retried pid by pid.
// Zombies are measured on purpose: their CPU time is final and their RSS is 0.
import pidusage from 'pidusage';
import { descendantsOf, findByEnvironment } from '../process-tree.ts';
import { hasProc, procTable, ticksSinceBoot, type SharedProcTable } from './proc-table.ts';
import type { ProcessSample, SampleFn } from './usage.ts';

/**
 * pidusage keeps a descriptor open per pid in a process-wide history until the entry is unused
 * for `maxage` ms (default 60 s). A short age bounds how many descriptors an agent that runs
 * thousands of short commands leaves open, and how long a reused pid stays unreadable.
 */
const PIDUSAGE_OPTIONS = { maxage: 10_000 };

/** Processes that started this long before the monitor can still be the tree's (the leader itself). */
const START_SLACK_TICKS = 500;

type Stat = pidusage.Status;

/** The sampler a monitor gets by default: the shared /proc table where there is one. */
export function defaultSampler(): SampleFn {
  return hasProc() ? procTreeSampler() : sampleProcessTree;
}

/**
 * A sampler for one monitor, reading the shared table: the leader and its descendants by parent
 * link, plus every process carrying all the markers. Only processes started since the monitor
 * (or the leader, if older) can carry them, so only their environments are read, once each.
 */
export function procTreeSampler(table: SharedProcTable = procTable): SampleFn {
  let since = ticksSinceBoot() - START_SLACK_TICKS;
  return async (leaderPid, markers, opts) => {
    const snap = await table.snapshot(performance.now() - (opts?.maxAgeMs ?? 0));
    const leader = snap.byPid.get(leaderPid);
    if (leader) since = Math.min(since, leader.start);
    const members = new Set(snap.treeOf(leaderPid));
    if (markers.length > 0) {
      for (const e of snap.byPid.values()) {
        if (e.start >= since && !members.has(e.pid) && e.pid !== process.pid && table.carries(e, markers)) members.add(e.pid);
      }
    }
    const out: ProcessSample[] = [];
    for (const pid of members) {
      const e = snap.byPid.get(pid);
      if (e) out.push({ pid, cpuMs: e.cpuMs, rssBytes: e.rssBytes });
    }
    return out;
  };
}

/** pidtree + pidusage: where there is no /proc to read. */
export async function sampleProcessTree(leaderPid: number, markers: readonly string[]): Promise<ProcessSample[]> {
  const pids = new Set<number>([leaderPid, ...(await descendantsOf(leaderPid))]);
  // No markers must mean "no extra processes": findByEnvironment([]) matches every process.
  if (markers.length > 0) for (const pid of findByEnvironment([...markers])) pids.add(pid);
  const stats = await usageOf([...pids]);
  return stats.map((s) => ({ pid: s.pid, cpuMs: s.ctime, rssBytes: s.memory }));
}

async function usageOf(pids: number[]): Promise<Stat[]> {
  if (pids.length === 0) return [];
  try {
    const byPid = await pidusage(pids, PIDUSAGE_OPTIONS);
    return pids.map((pid) => byPid[pid]).filter(isStat);
  } catch {
    const each = await Promise.allSettled(pids.map((pid) => pidusage(pid, PIDUSAGE_OPTIONS)));
    return each.flatMap((r) => (r.status === 'fulfilled' && isStat(r.value) ? [r.value] : []));
  }
}

function isStat(s: Stat | null | undefined): s is Stat {
  return s != null && Number.isFinite(s.ctime) && Number.isFinite(s.memory);
}
