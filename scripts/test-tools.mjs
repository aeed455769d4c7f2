// What the test suite needs beyond the project's own dependencies, installed on first use by
// `npm test`: the real Claude Code CLI from the npm registry (test/real-claude-code), which
// test/real-claude-code.test.ts drives offline against a local fake of the Anthropic API.
// It lives in its own package so its `claude` never lands in node_modules/.bin (where BUILDER=auto
// would find it) and a plain `npm ci` of nightshift does not download its 400 MB.
//
// The install runs beside the suite rather than before it: while it runs, `.installing` exists in
// that directory, and the test waits for it to go (test/helpers/real-claude.ts); a failed install
// leaves `.install-failed` saying why.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../test/real-claude-code/', import.meta.url));
const INSTALLING = `${dir}.installing`;
const FAILED = `${dir}.install-failed`;

function versions() {
  const lock = JSON.parse(readFileSync(`${dir}package-lock.json`, 'utf8'));
  const wanted = lock.packages['node_modules/@anthropic-ai/claude-code'].version;
  const marker = `${dir}node_modules/@anthropic-ai/claude-code/package.json`;
  const have = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')).version : null;
  return { wanted, have };
}

/** Resolves when the tools are there; never rejects (a failure is left in `.install-failed` for the test to report). */
export async function ensureTestTools() {
  rmSync(FAILED, { force: true });
  const { wanted, have } = versions();
  if (have === wanted && !existsSync(INSTALLING)) return;
  writeFileSync(INSTALLING, String(process.pid));
  process.stdout.write(`installing Claude Code ${wanted} for the tests (test/real-claude-code), beside the suite…\n`);
  // --ignore-scripts: its postinstall only copies the platform binary over a placeholder; the test
  // runs the platform package's binary itself.
  let output = '';
  const code = await new Promise((resolve) => {
    const child = spawn('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => (output += String(e)));
    child.on('close', resolve);
  });
  if (code !== 0) writeFileSync(FAILED, `npm ci in ${dir} exited ${code}:\n${output}`);
  rmSync(INSTALLING, { force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureTestTools();
  if (existsSync(FAILED)) {
    process.stderr.write(readFileSync(FAILED, 'utf8'));
    process.exit(1);
  }
}
