// How long a task will take, from comparable history: builds by the same builder of a similar size
// (the spec's length in words, within half to twice this one's), else the same builder's builds,
// else every build. An honest range (the middle half of the samples) rather than one median over
// every build ever, and the owner's own --eta always wins. Pure: the samples come in.
import { formatDuration } from './durations.ts';
import type { Task } from './task.ts';

/** One finished build: who built it, how big its spec was, how long it took. */
export interface DurationSample {
  builder: string;
  words: number;
  durationMs: number;
}

export interface Estimate {
  /** The typical duration: the owner's estimate, or the median of the comparable builds. */
  ms: number;
  /** The range most comparable builds fell in (both equal to `ms` for the owner's own estimate). */
  lowMs: number;
  highMs: number;
  /** What it rests on, as said to the owner: "your estimate", "8 similar builds with claude". */
  basis: string;
  own: boolean;
}

/** How many comparable builds make a range worth saying; fewer are said as they are. */
const RANGE_FROM = 4;

export function specWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i] as number;
}

/** The estimate for a task built by `builder`, or null with no estimate and no history. */
export function estimateFor(task: Pick<Task, 'estimateMs' | 'spec'>, builder: string, samples: readonly DurationSample[]): Estimate | null {
  if (task.estimateMs) return { ms: task.estimateMs, lowMs: task.estimateMs, highMs: task.estimateMs, basis: 'your estimate', own: true };
  const words = specWords(task.spec);
  const mine = samples.filter((s) => s.builder === builder);
  const similar = mine.filter((s) => s.words >= words / 2 && s.words <= words * 2);
  const [chosen, what] =
    similar.length >= RANGE_FROM / 2
      ? [similar, `similar build${similar.length === 1 ? '' : 's'} with ${builder}`]
      : mine.length > 0
        ? [mine, `build${mine.length === 1 ? '' : 's'} with ${builder}`]
        : [samples, `past build${samples.length === 1 ? '' : 's'}`];
  if (chosen.length === 0) return null;
  const sorted = chosen.map((s) => s.durationMs).sort((a, b) => a - b);
  const few = sorted.length < RANGE_FROM;
  return {
    ms: quantile(sorted, 0.5),
    lowMs: few ? (sorted[0] as number) : quantile(sorted, 0.25),
    highMs: few ? (sorted.at(-1) as number) : quantile(sorted, 0.75),
    basis: `${chosen.length} ${what}`,
    own: false,
  };
}

/** "needs ~2h (your estimate)", "usually 12m–25m (8 similar builds with claude)", "took ~4m (1 past build)". */
export function describeEstimate(e: Estimate): string {
  if (e.own) return `needs ~${formatDuration(e.ms)} (your estimate)`;
  const low = formatDuration(e.lowMs);
  const high = formatDuration(e.highMs);
  if (low === high) return `took ~${formatDuration(e.ms)} (${e.basis})`;
  return `usually ${low}–${high} (${e.basis})`;
}
