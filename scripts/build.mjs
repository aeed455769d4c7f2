#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` does it): src/ → dist/, the JavaScript that
// bin/nightshift runs. esbuild bundles our own modules into a few ES module files and splits them
// at every dynamic import(), so a command loads only the code it uses; npm packages stay external
// (loaded from node_modules only when a chunk that imports them is loaded, and kept out of the
// source maps). Source maps name src/ lines in stack traces. It takes about a tenth of a second,
// so the test run rebuilds every time (test/setup/build.ts) and never drives a stale binary.
// Type-checking is `npm run typecheck` (tsc), part of `npm test`.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;

export async function buildNightshift({ quiet = false } = {}) {
  await mkdir(dist, { recursive: true });
  const common = {
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    // Node reads a map when a module loads (setSourceMapsEnabled): without the sources inside,
    // the maps stay small and cheap to read; traces still name src/ files and lines.
    sourcesContent: false,
    logLevel: quiet ? 'error' : 'warning',
    metafile: true,
  };
  const result = await build({
    ...common,
    entryPoints: ['src/cli.ts'],
    outdir: 'dist',
    splitting: true,
    // Flat: select-builder finds the demo agent next to whichever chunk holds it.
    chunkNames: '[name]-[hash]',
  });
  // The attempt keeper starts before every attempt: one file of its own, nothing shared to load.
  const keeper = await build({ ...common, entryPoints: ['src/builders/keeper/attempt-keeper.ts'], outfile: 'dist/attempt-keeper.js' });
  // The bundled demo builder runs as its own process: it is copied as is.
  await copyFile(`${root}src/builders/demo-agent.mjs`, `${dist}/demo-agent.mjs`);
  // Files are overwritten in place (chunk names carry a content hash, so an unchanged chunk is
  // rewritten with the same bytes and a nightshift already running from dist/ keeps working);
  // what the new build no longer has is removed afterwards.
  const wanted = new Set([...Object.keys({ ...result.metafile.outputs, ...keeper.metafile.outputs }).map((f) => f.replace(/^dist\//, '')), 'demo-agent.mjs']);
  for (const name of await readdir(dist)) if (!wanted.has(name)) await rm(`${dist}/${name}`, { recursive: true, force: true });
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const { metafile } = await buildNightshift();
  const files = Object.keys(metafile.outputs).filter((f) => f.endsWith('.js'));
  console.log(`nightshift built: ${files.length} files in dist/ (${Math.round(performance.now() - started)} ms)`);
}
