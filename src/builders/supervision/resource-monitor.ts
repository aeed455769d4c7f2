// Wall time, CPU time and peak memory of one attempt's process tree, measured by sampling.
//
// Accuracy, with the default 1 s interval:
// - CPU: per pid we keep the largest cumulative CPU time seen and sum those over every pid seen
//   during the attempt, so processes that came and went between samples still count. A process
//   that lived entirely between two samples is missed, and each process loses what it used after
//   its last sample (at most one interval's worth). Zombies are still measured, so a child that
//   exited but was not yet reaped contributes its final figure. A pid reused by another process
//   within one attempt is counted once, with the larger of the two figures.
// - Memory: the sum of RSS over the tree double-counts pages shared between processes (shared
//   libraries, copy-on-write after fork), so it overstates the memory really used; spikes shorter
//   than an interval are missed.
// - Wall: from startResourceMonitor() to stop(), on the monotonic clock by default.
// - Sharing: on Linux every monitor reads one scan of /proc, so a sample may be up to half an
//   interval older than its tick; the last one, at stop(), is always taken then.
import { isAlive } from '../process-tree.ts';
import { defaultSampler } from './sample-process-tree.ts';
import type { ProcessSample, ResourceUsage, SampleFn } from './usage.ts';

export type { ProcessSample, ResourceUsage, SampleFn } from './usage.ts';

export interface ResourceMonitorOptions {
  /** The attempt's process; it and its descendants are measured. */
  leaderPid: number;
  /**
   * "NAME=value" environment entries: processes carrying every one of them count as part of the
   * tree even after they left it (setsid, daemonising). Default none.
   */
  markers?: string[];
  /** Milliseconds between samples. Default 1000. */
  intervalMs?: number;
  /** Default: the shared /proc table on Linux, pidtree + pidusage elsewhere (see sample-process-tree.ts). */
  sample?: SampleFn;
  /** Milliseconds on a monotonic clock, for wall time. Default performance.now. */
  now?: () => number;
}

export interface ResourceMonitor {
  /** Stops sampling, takes a last sample if anyone of the tree is still alive, returns the totals. Idempotent. */
  stop(): Promise<ResourceUsage>;
  /** The totals so far. */
  current(): ResourceUsage;
}

/**
 * Starts sampling at once and then every `intervalMs` until stop(). Never throws once started:
 * a failed sample is skipped. Its timer does not keep the event loop alive. Sampling also ends by
 * itself once a sample finds nothing and the leader is gone (no process can join the tree then).
 */
export function startResourceMonitor(opts: ResourceMonitorOptions): ResourceMonitor {
  const { leaderPid, intervalMs = 1_000, sample = defaultSampler(), now = () => performance.now() } = opts;
  const markers = [...(opts.markers ?? [])];
  if (!Number.isInteger(leaderPid) || leaderPid <= 0) throw new RangeError(`leaderPid must be a positive integer, got ${leaderPid}`);
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`intervalMs must be a positive number of milliseconds, got ${intervalMs}`);

  const startedAt = now();
  let endedAt: number | undefined;
  const maxCpuByPid = new Map<number, number>();
  let cpuMs = 0;
  let peakRssBytes = 0;
  let samples = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped: Promise<ResourceUsage> | undefined;

  const current = (): ResourceUsage => ({
    wallMs: Math.max(0, Math.round((endedAt ?? now()) - startedAt)),
    cpuMs: Math.round(cpuMs),
    peakRssBytes,
    samples,
  });

  const record = (procs: readonly ProcessSample[]): number => {
    let rss = 0;
    let measured = 0;
    for (const p of procs) {
      if (!Number.isFinite(p.cpuMs) || !Number.isFinite(p.rssBytes)) continue;
      const before = maxCpuByPid.get(p.pid) ?? 0;
      if (p.cpuMs > before) {
        maxCpuByPid.set(p.pid, p.cpuMs);
        cpuMs += p.cpuMs - before;
      }
      rss += Math.max(0, p.rssBytes);
      measured++;
    }
    if (measured > 0) {
      samples++;
      peakRssBytes = Math.max(peakRssBytes, rss);
    }
    return measured;
  };

  /** Resolves to how many processes were measured, or null when the sample failed. */
  const takeSample = async (maxAgeMs: number): Promise<number | null> => {
    try {
      return record(await sample(leaderPid, markers, { maxAgeMs }));
    } catch {
      return null;
    }
  };

  /** With markers, members may outlive the leader; the final sample finds out (cheaply, on Linux). */
  const treeMayHaveMembers = (): boolean => isAlive(leaderPid) || markers.length > 0;

  let first = true;
  const tick = (): void => {
    timer = undefined;
    // The first sample needs a scan made since the monitor started: a shared scan taken just
    // before would not show the attempt at all, and a build shorter than one interval would go
    // unmeasured. Later ones may share a scan up to half an interval old.
    const maxAgeMs = first ? 0 : intervalMs / 2;
    first = false;
    inFlight = takeSample(maxAgeMs).then((measured) => {
      inFlight = undefined;
      if (stopped) return;
      if (measured === 0 && !isAlive(leaderPid)) return; // the tree is extinct
      timer = setTimeout(tick, intervalMs);
      timer.unref();
    });
  };
  tick();

  return {
    current,
    stop() {
      stopped ??= (async () => {
        endedAt = now();
        if (timer) clearTimeout(timer);
        timer = undefined;
        await inFlight;
        if (treeMayHaveMembers()) await takeSample(0);
        return current();
      })();
      return stopped;
    },
  };
}
