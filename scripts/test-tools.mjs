// What the test suite needs beyond the project's own dependencies, installed on first use by
// `npm test`, beside the suite rather than before it:
// - the real Claude Code CLI from the npm registry (test/real-claude-code), which
//   test/real-claude-code.test.ts drives offline against a local fake of the Anthropic API. It
//   lives in its own package so its `claude` never lands in node_modules/.bin (where BUILDER=auto
//   would find it) and a plain `npm ci` of nightshift does not download its 400 MB;
// - Chromium from Debian's packages (/usr/bin/chromium), which test/dashboard-browser.test.ts
//   drives with playwright-core (`apt-get update`, then `apt-get install chromium`; as root);
// - PostgreSQL's server from Debian's packages (/usr/lib/postgresql/<major>/bin), of which
//   test/setup/postgres.ts starts a throwaway cluster for the PostgreSQL store's tests.
// apt-get holds dpkg's lock while it works, so a second apt-get at the same time fails: the Debian
// packages install one after the other, beside the npm install of Claude Code.
// While a tool installs, test/.tools/<tool>.installing holds the installer's pid, and the test
// that needs it waits for it to go (test/helpers/test-tools.ts); a failed install leaves
// <tool>.install-failed saying why.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const marks = `${root}test/.tools/`;
const claudeDir = `${root}test/real-claude-code/`;

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ code: -1, output: output + String(e) }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

// One apt-get at a time (dpkg's lock), and one `apt-get update` for all of them.
let aptQueue = Promise.resolve({ code: 0, output: '' });
let aptUpdated = false;
function aptInstall(pkg) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const turn = aptQueue.then(async () => {
    if (!aptUpdated) {
      const update = await run('apt-get', ['update', '-qq'], { env });
      if (update.code !== 0) return update;
      aptUpdated = true;
    }
    return run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env });
  });
  aptQueue = turn; // never rejects: run() resolves with the exit code
  return turn;
}

/** The directory of Debian's PostgreSQL server binaries (newest major), if installed. */
function postgresBin() {
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const majors = readdirSync(debian).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  return majors.map((m) => `${debian}/${m}/bin`).find((bin) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(`${bin}/${b}`)));
}

const TOOLS = {
  'claude-code': {
    present() {
      const lock = JSON.parse(readFileSync(`${claudeDir}package-lock.json`, 'utf8'));
      const wanted = lock.packages['node_modules/@anthropic-ai/claude-code'].version;
      const marker = `${claudeDir}node_modules/@anthropic-ai/claude-code/package.json`;
      return existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).version === wanted;
    },
    what: 'the real Claude Code CLI (npm registry)',
    // --ignore-scripts: its postinstall only copies the platform binary over a placeholder; the
    // test runs the platform package's binary itself.
    install: () => run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: claudeDir }),
  },
  chromium: {
    present: () => existsSync('/usr/bin/chromium'),
    what: "Chromium (Debian's package)",
    install: () => aptInstall('chromium'),
  },
  postgresql: {
    present: () => postgresBin() !== undefined,
    what: "PostgreSQL's server (Debian's package)",
    install: () => aptInstall('postgresql'),
  },
};

async function ensure(name) {
  const tool = TOOLS[name];
  const installing = `${marks}${name}.installing`;
  const failed = `${marks}${name}.install-failed`;
  rmSync(failed, { force: true });
  if (tool.present() && !existsSync(installing)) return;
  writeFileSync(installing, String(process.pid));
  process.stdout.write(`installing ${tool.what} for the tests, beside the suite…\n`);
  const r = await tool.install();
  if (r.code !== 0 || !tool.present()) writeFileSync(failed, `installing ${tool.what} failed (exit ${r.code}):\n${r.output}`);
  rmSync(installing, { force: true });
}

/** Resolves when every tool is there or has failed; never rejects (a failure is left for the test that needs it to report). */
export async function ensureTestTools() {
  mkdirSync(marks, { recursive: true });
  // Each writes its .installing mark before its first await: the suite can start right after this call.
  await Promise.all(Object.keys(TOOLS).map(ensure));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureTestTools();
  const failed = Object.keys(TOOLS).map((n) => `${marks}${n}.install-failed`).filter((f) => existsSync(f));
  for (const f of failed) process.stderr.write(readFileSync(f, 'utf8'));
  process.exit(failed.length ? 1 : 0);
}
