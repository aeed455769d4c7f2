// The team-mode end-to-end tests' pieces: a database of their own, `nightshift start` handing builds
// to workers, `nightshift worker` processes (each its own machine: its own NIGHTSHIFT_HOME), and the
// ledger the team agent keeps of when it starts, ends or is stopped, on which worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, cliEnv, DaemonProcess } from './cli.ts';
import { testDatabase, type TestDatabase } from './postgres.ts';
import { killStrays } from './strays.ts';
import { tempDir } from './temp-dir.ts';

export const TEAM_AGENT = fileURLToPath(new URL('../fixtures/agents/team-agent.mjs', import.meta.url));

export interface LedgerEntry {
  event: 'start' | 'end' | 'stopped';
  task: string;
  attempt: number;
  worker: string;
  at: number;
  pid: number;
}

export async function ledgerEntries(ledger: string): Promise<LedgerEntry[]> {
  // Whole lines only: an agent may be half-way through appending the last one.
  const lines = (await readFile(ledger, 'utf8').catch(() => '')).split('\n').slice(0, -1);
  return lines.filter(Boolean).map((l) => JSON.parse(l) as LedgerEntry);
}

/** What a test started, ended after it (last first). */
export type Cleanups = (() => Promise<void> | void)[];

export interface StartedWorker {
  child: ChildProcess;
  out: () => string;
  home: string;
}

export function startWorker(env: NodeJS.ProcessEnv, cleanups: Cleanups): StartedWorker {
  let out = '';
  const child = spawn(process.execPath, [BIN, 'worker'], { env, cwd: env.NIGHTSHIFT_HOME, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const home = env.NIGHTSHIFT_HOME as string;
  cleanups.push(() => {
    child.kill('SIGKILL');
    killStrays(home);
  });
  return { child, out: () => out, home };
}

/** The environment of a worker (or a daemon that builds) running the team agent as `name`, in a home of its own. */
export async function agentWorkerEnv(common: Record<string, string>, ledger: string, name: string, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  return cliEnv(await tempDir(), {
    ...common,
    BUILDER: TEAM_AGENT,
    BUILDER_ENV_ALLOW: 'TEAM_LEDGER,TEAM_WORKER_NAME,TEAM_WORK_MS,TEAM_GATE',
    TEAM_LEDGER: ledger,
    TEAM_WORKER_NAME: name,
    TEAM_WORK_MS: '1500',
    ...extra,
  });
}

export interface TeamDaemon {
  db: TestDatabase;
  ledger: string;
  /** What daemon and workers share: the database, WORKER_TIMEOUT 3s. */
  common: Record<string, string>;
  daemonEnv: NodeJS.ProcessEnv;
  daemon: DaemonProcess;
}

/** A database of its own, the agents' ledger, and what daemon and workers share: the database, WORKER_TIMEOUT 3s. */
export async function teamDatabase(cleanups: Cleanups): Promise<Pick<TeamDaemon, 'db' | 'ledger' | 'common'>> {
  const db: TestDatabase = await testDatabase();
  cleanups.push(() => db.drop());
  const ledger = join(await tempDir(), 'ledger.jsonl');
  return { db, ledger, common: { DATABASE_URL: db.url, WORKER_TIMEOUT: '3s' } };
}

/** A team database, and `nightshift start` handing builds to workers. */
export async function teamDaemon(cleanups: Cleanups, extra: Record<string, string> = {}): Promise<TeamDaemon> {
  const { db, ledger, common } = await teamDatabase(cleanups);
  const daemonEnv = cliEnv(await tempDir(), { ...common, BUILD_ON: 'workers', ...extra });
  const daemon = watchedDaemon(daemonEnv, cleanups);
  await daemon.waitForOutput(/Builds run on workers/);
  return { db, ledger, common, daemonEnv, daemon };
}

/** `nightshift start`, SIGKILLed (with what it left at work) when the test ends. */
export function watchedDaemon(env: NodeJS.ProcessEnv, cleanups: Cleanups): DaemonProcess {
  const daemon = new DaemonProcess(env);
  cleanups.push(async () => {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    killStrays(daemon.home);
  });
  return daemon;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
