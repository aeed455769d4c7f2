// Types for scripts/build.mjs, which runs under plain node (it is what `prepare` runs).
import type { Metafile } from 'esbuild';

export function buildNightshift(opts?: { quiet?: boolean }): Promise<{ metafile: Metafile }>;
