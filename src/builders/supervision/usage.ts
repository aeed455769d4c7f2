// What one attempt cost the machine, and the single measurement it is built from.

/** Resource use of one attempt's process tree. */
export interface ResourceUsage {
  /** Milliseconds from the start of monitoring to stop(), on the monotonic clock. */
  wallMs: number;
  /** User + system CPU time of every process seen in the tree, in milliseconds (see resource-monitor.ts for what is missed). */
  cpuMs: number;
  /** Largest sum of resident memory of the tree's live processes in any one sample, in bytes. */
  peakRssBytes: number;
  /** Samples that measured at least one process. 0 means cpuMs and peakRssBytes are unknown, not zero. */
  samples: number;
}

/** One process at one moment. */
export interface ProcessSample {
  pid: number;
  /** Cumulative user + system CPU time of the process itself (not of its reaped children), in ms. */
  cpuMs: number;
  /** Resident set size in bytes (0 for a zombie). */
  rssBytes: number;
}

/**
 * Measures the process tree led by `leaderPid`, plus every process carrying all of `markers`
 * ("NAME=value" environment entries). Processes that vanish while being measured are left out.
 * `maxAgeMs`: a measurement taken that long ago (for another monitor) will do; 0 or absent: a new one.
 */
export type SampleFn = (leaderPid: number, markers: readonly string[], opts?: { maxAgeMs?: number }) => Promise<readonly ProcessSample[]>;
