#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` does it): src/ → dist/, the JavaScript that
// bin/nightshift runs. esbuild bundles our own modules into a few ES module files and splits them
// at every dynamic import(), so a command loads only the code it uses; npm packages are bundled
// apart (dist/vendor, the few every one-shot loads) or stay external (the rest, loaded from
// node_modules only when a chunk that imports them loads). Source maps name src/ lines in stack
// traces. It takes about half a second,
// so the test run rebuilds every time (test/setup/build.ts) and never drives a stale binary.
// Type-checking is `npm run typecheck` (tsc), part of `npm test`.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;

// The packages every one-shot command loads are bundled, into dist/vendor/ without source maps:
// zod alone is ~100 files, and opening and compiling them one by one was a quarter of a one-shot's
// start-up; a source map on a 750 KB bundle costs Node another ~70 ms to index at load, and a
// trace through zod's own code has nothing of ours to name. The rest stays external and loads
// from node_modules only when a chunk that needs it loads (the chat SDKs, pidusage, …).
const VENDORED = ['zod', 'commander', 'chrono-node/en', 'date-fns-tz', 'lowdb'];
/** dist/vendor/<file>.js for a specifier: "chrono-node/en" → "chrono-node__en" (a test reads the package back). */
const vendorFile = (specifier) => specifier.replace(/\//g, '__');
const vendorImports = {
  name: 'vendor-imports',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${VENDORED.join('|')})$`) }, (args) => ({ path: `./vendor/${vendorFile(args.path)}.js`, external: true }));
  },
};

// zod's `z` namespace re-exports every one of its ~60 locales (`z.locales`), and being a namespace
// they cannot be shaken out: they were half of the bundle every one-shot parses (368 of 759 KB).
// Only English is ever used (zod's own default, set by its schemas); the others are left out.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-english-only', pluginData: args.resolveDir } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from '../locales/en.js';",
      resolveDir: args.pluginData,
      loader: 'js',
    }));
  },
};

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
  const vendor = await build({
    ...common,
    sourcemap: false,
    packages: 'bundle',
    plugins: [zodEnglishOnly],
    entryPoints: VENDORED.map((specifier) => ({ in: specifier, out: vendorFile(specifier) })),
    outdir: 'dist/vendor',
    splitting: true,
    chunkNames: '[name]-[hash]',
    // commander is CommonJS: its require() of Node's own modules needs a require in an ES module.
    banner: { js: "import { createRequire as __vendorRequire } from 'node:module'; const require = __vendorRequire(import.meta.url);" },
  });
  const result = await build({
    ...common,
    plugins: [vendorImports],
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
  // The dashboard's browser script is served as is, from next to the chunks (dashboard/assets.ts).
  await copyFile(`${root}src/dashboard/client/live.js`, `${dist}/dashboard-live.js`);
  // Files are overwritten in place (chunk names carry a content hash, so an unchanged chunk is
  // rewritten with the same bytes and a nightshift already running from dist/ keeps working);
  // what the new build no longer has is removed afterwards.
  const wanted = new Set([...Object.keys({ ...result.metafile.outputs, ...keeper.metafile.outputs, ...vendor.metafile.outputs }).map((f) => f.replace(/^dist\//, '')), 'demo-agent.mjs', 'dashboard-live.js', 'vendor']);
  for (const name of await readdir(dist)) if (!wanted.has(name)) await rm(`${dist}/${name}`, { recursive: true, force: true });
  for (const name of await readdir(`${dist}/vendor`)) if (!wanted.has(`vendor/${name}`)) await rm(`${dist}/vendor/${name}`, { force: true });
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const { metafile } = await buildNightshift();
  const files = Object.keys(metafile.outputs).filter((f) => f.endsWith('.js'));
  console.log(`nightshift built: ${files.length} files in dist/ (${Math.round(performance.now() - started)} ms)`);
}
