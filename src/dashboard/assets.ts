// The files the dashboard's pages load: the chart library and its annotation plugin, the diff
// renderer's stylesheet, straight from their npm packages (nothing is built for the browser), and
// our own small live-update script. Read once, kept in memory, cached by the browser for an hour.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Asset {
  body: string;
  type: string;
}

const require = createRequire(import.meta.url);

/** A file inside an installed package, found from its main entry (the packages' "exports" hide their dist/ files). */
function packageFile(name: string, file: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package ${name}`);
    dir = up;
  }
  return join(dir, file);
}

/** Our client script: next to the bundle in dist/, in client/ when run from src/. */
function clientScript(): string {
  const candidates = [new URL('./dashboard-live.js', import.meta.url), new URL('./client/live.js', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`the dashboard's client script is missing (looked for ${candidates.join(', ')}); run npm run build`);
  return found;
}

const SOURCES: Record<string, { file: () => string; type: string }> = {
  'chart.js': { file: () => packageFile('chart.js', 'dist/chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
  'chart-annotation.js': { file: () => packageFile('chartjs-plugin-annotation', 'dist/chartjs-plugin-annotation.min.js'), type: 'text/javascript; charset=utf-8' },
  'diff2html.css': { file: () => packageFile('diff2html', 'bundles/css/diff2html.min.css'), type: 'text/css; charset=utf-8' },
  'live.js': { file: clientScript, type: 'text/javascript; charset=utf-8' },
};

const loaded = new Map<string, Asset>();

/** The asset by its name under /assets/, or null when there is none. */
export function asset(name: string): Asset | null {
  const source = SOURCES[name];
  if (!source) return null;
  let a = loaded.get(name);
  if (!a) loaded.set(name, (a = { body: readFileSync(source.file(), 'utf8'), type: source.type }));
  return a;
}
