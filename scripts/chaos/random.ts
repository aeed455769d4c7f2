// The chaos runs' only source of chance: seeded, so that a run can be repeated with its seed.

export interface Dice {
  /** A number in [0, 1). */
  random(): number;
  pick<T>(xs: readonly T[]): T;
  /** A whole number from lo to hi. */
  between(lo: number, hi: number): number;
}

/** mulberry32: a small seeded generator. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function dice(seed: number): Dice {
  const random = seeded(seed);
  return {
    random,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T,
    between: (lo: number, hi: number) => Math.round(lo + random() * (hi - lo)),
  };
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
