// The static checks of `npm test`, side by side: the type check (tsc), the lint (eslint, type-aware)
// and the import-cycle check (madge) each use one core, so running them together takes as long as
// the slowest rather than their sum. Each one's output is printed whole, in order, when it ends;
// the script fails when any of them fails.
import { spawn } from 'node:child_process';

const CHECKS = [
  ['typecheck', 'tsc', ['--noEmit', '-p', 'tsconfig.json']],
  ['lint', 'eslint', ['.']],
  ['import cycles', 'madge', ['--circular', '--extensions', 'ts', 'src']],
];

const runs = CHECKS.map(([name, bin, args]) =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npx', ['--no-install', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ name, code, out, seconds: ((Date.now() - started) / 1000).toFixed(1) }));
  }),
);

let failed = false;
for (const r of await Promise.all(runs)) {
  process.stdout.write(`${r.code === 0 ? '✓' : '✗'} ${r.name} (${r.seconds} s)\n`);
  if (r.code !== 0) {
    failed = true;
    process.stdout.write(r.out.endsWith('\n') ? r.out : `${r.out}\n`);
  }
}
process.exit(failed ? 1 : 0);
