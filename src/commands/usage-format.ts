// One line of resource use for status replies and attempt summaries, and one of what the agent
// itself reported (tokens, cost, turns).
import { formatDuration } from '../core/durations.ts';
import type { AgentUsage } from '../core/task.ts';

export interface ResourceUsage {
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  /** How many times the process tree was measured; 0 means cpu and memory are unknown. */
  samples?: number;
}

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

/** "$0.42 · 12 turns · 35k in / 4k out tokens"; '' when the agent reported nothing. */
export function formatAgentUsage(u: AgentUsage | undefined): string {
  if (!u) return '';
  const parts: string[] = [];
  if (u.costUsd !== undefined) parts.push(`$${u.costUsd.toFixed(2)}`);
  if (u.turns !== undefined) parts.push(`${u.turns} turn${u.turns === 1 ? '' : 's'}`);
  if (u.inputTokens !== undefined || u.outputTokens !== undefined) {
    parts.push(`${kilo(u.inputTokens ?? 0)} in / ${kilo(u.outputTokens ?? 0)} out tokens`);
  }
  return parts.join(' · ');
}

const kilo = (n: number): string => (n >= 10_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));
