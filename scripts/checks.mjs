// The static checks of `npm test`, side by side: the type check and the type-aware lint on one
// TypeScript program (scripts/typecheck-and-lint.mjs: the program tsc checks is the one eslint's
// rules read, instead of each building its own) and the import-cycle check (madge) each use one
// core, so running them together takes as long as the slowest rather than their sum. Each one's
// output is printed whole, in order, when it ends; the script fails when any of them fails.
//
// `--with-tests` runs the test suite (vitest, its output live) at the same time: the suite spends
// part of its time waiting on child processes and sockets, and the checks fill that time, so
// `npm test` takes about as long as the suite alone. The checks' verdict is printed after it.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureTestTools } from './test-tools.mjs';

const CHECKS = [
  ['typecheck and lint', process.execPath, [fileURLToPath(new URL('typecheck-and-lint.mjs', import.meta.url))]],
  ['import cycles', 'npx', ['--no-install', 'madge', '--circular', '--extensions', 'ts', 'src']],
];

const withTests = process.argv.includes('--with-tests');
const runs = CHECKS.map(([name, bin, args]) =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Beside the suite, the checks take the CPU the tests leave: a test that times a real deadline
    // (Slack's 3 s ack, a daemon's start) must not wait behind the type checker. Their sum is the
    // same; alone, the checks have the machine anyway.
    if (withTests && child.pid) {
      try {
        setPriority(child.pid, 10);
      } catch {
        // not allowed here: they run at the same priority, as before
      }
    }
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ name, code, out, seconds: ((Date.now() - started) / 1000).toFixed(1) }));
  }),
);

// The suite's own tools (the real Claude Code CLI) are installed beside it; the test that needs
// them waits for the install (scripts/test-tools.mjs).
const tools = withTests ? ensureTestTools() : Promise.resolve();
const tests = withTests
  ? new Promise((resolve) => spawn('npx', ['--no-install', 'vitest', 'run'], { stdio: 'inherit' }).on('close', (code) => resolve(code)))
  : Promise.resolve(0);
await tools;

let failed = false;
for (const r of await Promise.all(runs)) {
  if (r.code !== 0) failed = true;
  r.report = `${r.code === 0 ? '✓' : '✗'} ${r.name} (${r.seconds} s)\n${r.code === 0 ? '' : r.out.endsWith('\n') ? r.out : `${r.out}\n`}`;
}
const testsCode = await tests;
for (const r of await Promise.all(runs)) process.stdout.write(r.report);
if (testsCode !== 0) failed = true;
process.exit(failed ? 1 : 0);
