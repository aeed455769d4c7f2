// What the test suite needs beyond the project's own dependencies, installed on first use by
// `npm test`: the real Claude Code CLI from the npm registry (test/real-claude-code), which
// test/real-claude-code.test.ts drives offline against a local fake of the Anthropic API.
// It lives in its own package so its `claude` never lands in node_modules/.bin (where BUILDER=auto
// would find it) and a plain `npm ci` of nightshift does not download its 400 MB.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../test/real-claude-code/', import.meta.url));

function installedVersion() {
  const lock = JSON.parse(readFileSync(`${dir}package-lock.json`, 'utf8'));
  const wanted = lock.packages['node_modules/@anthropic-ai/claude-code'].version;
  const marker = `${dir}node_modules/@anthropic-ai/claude-code/package.json`;
  const have = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')).version : null;
  return { wanted, have };
}

export async function ensureTestTools() {
  const { wanted, have } = installedVersion();
  if (have === wanted) return;
  process.stdout.write(`installing Claude Code ${wanted} for the tests (test/real-claude-code)…\n`);
  // --ignore-scripts: its postinstall only copies the platform binary over a placeholder; the test
  // runs the platform package's binary itself.
  const code = await new Promise((resolve) => spawn('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' }).on('close', resolve));
  if (code !== 0) throw new Error(`npm ci in ${dir} failed (exit ${code}): the real Claude Code test cannot run`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await ensureTestTools();
