// Small helpers the benches share: percentiles, timing a call many times, and a markdown table.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The p-th percentile (0-100) of the samples, nearest rank; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const ms = (v: number, digits = 0): string => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : '-');
export const mb = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : '-');

/** Prints a markdown table with the columns right-aligned after the first. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

/**
 * Times `fn` `count` times, in ms each (with an untimed `between` after each), and the longest
 * event-loop stall meanwhile.
 */
export async function timeEach(
  count: number,
  fn: (i: number) => Promise<unknown>,
  between?: (i: number) => Promise<unknown>,
): Promise<{ samples: number[]; stallMs: number }> {
  const samples: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
    if (between) await between(i);
  }
  loop.disable();
  return { samples, stallMs: loop.max / 1e6 };
}
