// A throwaway PostgreSQL cluster: initdb in a temp directory (in /dev/shm when it has room), started
// on 127.0.0.1 at a free port, trusting every local connection and trading durability for speed
// (fsync off...), and thrown away with its data at the end. The test suite's global setup
// (test/setup/postgres.ts) starts one on first use; `npm run bench -- team` starts its own.
//
// initdb refuses to run as root: as root the server binaries run as the `postgres` user (Debian's
// package creates it), through runuser with an argv; otherwise as the current user. When the
// binaries are missing while `npm test` installs them beside the suite (scripts/test-tools.mjs), the
// start waits for that install, as test/helpers/test-tools.ts does. A cluster whose owner was
// killed outright (SIGKILL) is removed by the next start, whoever's it was.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp, statfs, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../../src/builders/process-tree.ts';

/** Each cluster's directory: `<parent>/nightshift-pg-XXXXXX`, holding `data/`, `server.log` and the owner's pid. */
const PREFIX = 'nightshift-pg-';
/** The file of a cluster's directory that holds the pid of the process that made it. */
export const OWNER_FILE = 'owner';
export const INSTALL_PHASE = 'waiting for the install of PostgreSQL by npm test (scripts/test-tools.mjs)';

const SUPERUSER = 'nightshift';
const INSTALL_WAIT_MS = 240_000;
const MARKS = fileURLToPath(new URL('../.tools/', import.meta.url));
const asRoot = process.getuid?.() === 0;

type Run = { code: number | null; output: string };

function run(file: string, argv: string[], cwd: string, timeoutMs: number): Promise<Run> {
  // PG* variables of the developer's shell (PGDATA, PGPORT...) must not steer our cluster.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => output += String(e));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim() });
    });
  });
}

/** Runs a server binary (as `postgres` when we are root), with a time limit. */
const runPg = (cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> =>
  asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args], cwd, timeoutMs) : run(cmd, args, cwd, timeoutMs);

/** The directory holding initdb, pg_ctl and postgres: Debian's newest major, else the PATH. */
export function findServerBin(): string | undefined {
  const complete = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)));
  const debian = '/usr/lib/postgresql';
  const majors = existsSync(debian) ? readdirSync(debian).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  const dirs = [...majors.map((m) => `${debian}/${m}/bin`), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  return dirs.find(complete);
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits while `npm test` installs PostgreSQL (its mark holds the installer's pid); throws its failure. */
async function installOver(): Promise<void> {
  const installing = `${MARKS}postgresql.installing`;
  const until = Date.now() + INSTALL_WAIT_MS;
  for (;;) {
    let pid = 0;
    try {
      pid = Number(readFileSync(installing, 'utf8'));
    } catch {
      break; // no install under way
    }
    if (!(pid > 0 && isAlive(pid))) break; // left by an install that died
    if (Date.now() > until) throw new Error(`the install of PostgreSQL by npm test did not end within ${INSTALL_WAIT_MS / 1000} s`);
    await wait(100);
  }
  const failed = `${MARKS}postgresql.install-failed`;
  if (existsSync(failed)) throw new Error(readFileSync(failed, 'utf8'));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The end of the server log, for an error message. */
const logTail = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-15).join('\n') : '(no server log)');

/** initdb and start a cluster in `dir` (which exists, and holds nothing else of it); resolves to its URL. */
export async function startClusterIn(dir: string, setPhase: (p: string) => Promise<void>): Promise<string> {
  const bin = findServerBin();
  if (!bin) {
    await setPhase(INSTALL_PHASE);
    await installOver();
  }
  const found = bin ?? findServerBin();
  if (!found) {
    throw new Error(
      "PostgreSQL's server is not installed (looked for initdb, pg_ctl and postgres in /usr/lib/postgresql/<major>/bin and on PATH). " +
        "`npm test` installs Debian's package beside the suite (scripts/test-tools.mjs); or run `apt-get install postgresql`; " +
        'or set TEST_DATABASE_URL to a server where that user may create databases.',
    );
  }
  if (asRoot) {
    const id = (flag: string) => run('id', [flag, 'postgres'], dir, 5_000).then((r) => (r.code === 0 ? Number(r.output) : 0));
    const [uid, gid] = [await id('-u'), await id('-g')];
    if (!(uid > 0)) throw new Error('running as root, and there is no `postgres` user to run the server as (initdb refuses root)');
    await chown(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  await setPhase(`initdb (${found})`);
  // --no-locale: byte-order collation, the same on every machine; --no-sync: nothing here must survive a crash.
  const init = await runPg(`${found}/initdb`, ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'], dir, 120_000);
  if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${init.output}`);
  // Settings in the config file rather than `pg_ctl -o`, which pg_ctl hands to a shell.
  await appendFile(
    join(data, 'postgresql.conf'),
    [
      '# nightshift test cluster: loopback only, fast, disposable',
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = ${quote(dir)}`,
      'max_connections = 100',
      'shared_buffers = 32MB',
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'wal_level = minimal',
      'max_wal_senders = 0',
      'jit = off',
      'autovacuum = off',
      "timezone = 'UTC'",
      '',
    ].join('\n'),
  );
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort(); // another process may take it before the server binds: then try another
    await appendFile(join(data, 'postgresql.conf'), `port = ${port}\n`);
    await setPhase(`pg_ctl start (port ${port})`);
    const start = await runPg(`${found}/pg_ctl`, ['start', '-w', '-t', '60', '-s', '-D', data, '-l', log], dir, 90_000);
    if (start.code === 0) return `postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    last = `pg_ctl start failed (exit ${start.code}): ${start.output}\n${logTail(log)}`;
    if (!/could not bind|already in use/i.test(last)) break;
  }
  throw new Error(last);
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const hasProc = existsSync('/proc/self/cmdline');

/** The pid of the postmaster serving `dir`, checked against its command line where /proc allows. */
function postmasterOf(dir: string): number | undefined {
  try {
    const data = join(dir, 'data');
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!(pid > 0 && isAlive(pid))) return undefined;
    if (hasProc && !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(data)) return undefined; // a reused pid
    return pid;
  } catch {
    return undefined; // never started, or gone
  }
}

/**
 * Stops the cluster in `dir` and removes the directory. Synchronous, so that it also runs in an
 * 'exit' handler: vitest exits on Ctrl-C without a global teardown, and the server, which pg_ctl
 * puts in a session of its own, would outlive it. SIGQUIT is PostgreSQL's immediate shutdown
 * (what `pg_ctl stop -m immediate` sends): nothing is flushed, the data is thrown away anyway.
 */
export function scrapCluster(dir: string): void {
  const pid = postmasterOf(dir);
  if (pid) {
    process.kill(pid, 'SIGQUIT');
    const until = Date.now() + 5_000;
    while (isAlive(pid) && Date.now() < until) sleepSync(10);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL'); // its children notice and follow
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}

/** Clusters of earlier runs that were killed outright (SIGKILL), found by the pid of the run that made them. */
function sweepAbandoned(parent: string): void {
  if (!hasProc) return; // without /proc a postmaster's pid cannot be told from a reused one
  for (const name of readdirSync(parent).filter((n) => n.startsWith(PREFIX))) {
    const dir = join(parent, name);
    try {
      const owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
      if (owner > 0 && !isAlive(owner)) scrapCluster(dir);
    } catch {
      // no owner yet (a run starting now), or not ours to read
    }
  }
}

/**
 * Where the cluster lives: memory (/dev/shm) when it has room, else the temp directory. Measured on
 * ext4 here: initdb 0.8 s in memory against 1.7 s on disk, and CREATE DATABASE 20-40 ms against
 * 200-400 ms (it makes some 300 files). Docker's default /dev/shm (64 MB) is too small for it.
 */
async function clusterParent(): Promise<string> {
  try {
    const fs = await statfs('/dev/shm');
    if (fs.bavail * fs.bsize >= 1024 ** 3) return '/dev/shm';
  } catch {
    // not Linux
  }
  return tmpdir();
}

/**
 * A directory for a new cluster, owned by this process (its pid in OWNER_FILE), after removing
 * those of owners that died; and its removal, with the server, when this process exits (an
 * 'exit' handler, taken off by `scrap`). The cluster itself is started by startClusterIn.
 */
export async function clusterDir(): Promise<{ dir: string; scrap(): void }> {
  const parent = await clusterParent();
  sweepAbandoned(parent);
  const dir = await mkdtemp(join(parent, PREFIX));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
  const onExit = () => scrapCluster(dir);
  process.once('exit', onExit);
  return {
    dir,
    scrap() {
      process.off('exit', onExit);
      scrapCluster(dir);
    },
  };
}

export interface Cluster {
  /** The superuser's URL, on the maintenance database `postgres`. */
  url: string;
  /** Stops the server and removes its data (also done when this process exits). */
  stop(): Promise<void>;
}

/** A new throwaway cluster, started and answering (about 1 s in /dev/shm). */
export async function startCluster(): Promise<Cluster> {
  const { dir, scrap } = await clusterDir();
  try {
    const url = await startClusterIn(dir, async () => {});
    return { url, stop: async () => scrap() };
  } catch (e) {
    scrap();
    throw e;
  }
}
