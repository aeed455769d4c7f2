#!/usr/bin/env node
// The `nightshift` executable: runs the compiled output in dist/ (built by `npm run build`, which
// `npm ci` runs through the package's `prepare` script). Source maps are on, so a stack trace names
// src/ files and lines.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// V8 compiles a regular expression to machine code on its second use. The date parser's patterns
// are large, and compiling them costs a one-shot `nightshift add` ~200 ms; interpreted for their
// first 20 uses they cost nothing noticeable, and the daemon's hot patterns still compile.
setFlagsFromString('--regexp-tier-up-ticks=20');

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('nightshift: it is not built yet (dist/cli.js is missing); run `npm run build` in its directory (npm ci does it too).\n');
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(entry.href);
