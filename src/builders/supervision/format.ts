// One line of resource use for status replies and attempt summaries.
import { formatDuration } from '../../core/durations.ts';
import type { ResourceUsage } from './usage.ts';

const MB = 1024 * 1024; // as ps, top and most people's task managers count them
const GB = 1024 * MB;

/** "wall 12m 04s · cpu 3m 10s · peak 412 MB"; "wall 3s · cpu and memory not sampled" without samples. */
export function formatUsage(u: ResourceUsage): string {
  const wall = `wall ${formatDuration(u.wallMs)}`;
  if (u.samples === 0) return `${wall} · cpu and memory not sampled`;
  return `${wall} · cpu ${formatDuration(u.cpuMs)} · peak ${formatBytes(u.peakRssBytes)}`;
}

/** "412 MB", "1.6 GB", "<1 MB". */
export function formatBytes(bytes: number): string {
  const mb = Math.round(bytes / MB);
  if (mb >= 1024) {
    const gb = Math.round((bytes / GB) * 10) / 10;
    return `${gb >= 10 ? Math.round(gb) : gb.toFixed(1)} GB`;
  }
  if (mb === 0 && bytes > 0) return '<1 MB';
  return `${mb} MB`;
}
