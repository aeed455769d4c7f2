// The environment the agent end-to-end tests run nightshift in: the fake agent CLIs first on PATH,
// what they record, and a cleanup that leaves no daemon or agent behind.
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { cliEnv, DaemonProcess, runCli, type CliResult } from './cli.ts';
import { sendControl } from '../../src/control/control-client.ts';
import { readLock } from '../../src/lock.ts';
import { killStrays } from './strays.ts';
import { waitFor } from './agents.ts';
import { tempDir } from './temp-dir.ts';
import { FAKE_CLI_DIR } from '../fixtures/fake-clis/harness.ts';

export interface JsonTask {
  id: string;
  status: string;
  retryAt: string | null;
  deliverables: { branch?: string; commits: string[]; changedFiles: string[]; diffstat?: string; summary?: string; workspace?: string };
  attempts: { outcome: string; counts: boolean; builder: string; startedAt: string; endedAt?: string; pid?: number; sessionId?: string; usage?: { costUsd?: number; turns?: number }; resources?: { wallMs: number; peakRssBytes: number } }[];
}

export interface FakeRecord {
  cli: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The session the fake ran in, and whether it was resumed. */
  session?: string;
  resumed?: boolean;
}

const homes: string[] = [];
const daemons: DaemonProcess[] = [];

/** A daemon that afterEach(cleanUpAgents) kills, with every process it left. */
export function startDaemon(env: NodeJS.ProcessEnv): DaemonProcess {
  const d = new DaemonProcess(env);
  daemons.push(d);
  return d;
}

export async function cleanUpAgents(): Promise<void> {
  for (const d of daemons.splice(0)) {
    d.child.kill('SIGKILL');
    await d.exited;
  }
  for (const h of homes.splice(0)) killStrays(h);
}

export async function agentEnv(extra: Record<string, string> = {}) {
  const home = await tempDir();
  homes.push(home);
  const record = join(home, 'fake-record.json');
  const env = cliEnv(home, {
    PATH: [FAKE_CLI_DIR, process.env.PATH ?? ''].join(delimiter),
    AGENT_SANDBOXED: 'true', // tests run as root here; the real claude refuses root otherwise
    BUILDER_ENV_ALLOW: 'FAKE_CLI_MODE,FAKE_CLI_RECORD,FAKE_CLI_STEP_MS,FAKE_CLI_FILE,FAKE_CLI_IGNORE_TERM,FAKE_CLI_ESCAPE,FAKE_GH_LOG',
    FAKE_CLI_RECORD: record,
    NIGHTSHIFT_WEBHOOK_TOKEN: 'nightshift-token-must-never-reach-an-agent',
    ANTHROPIC_API_KEY: 'sk-ant-test-key-for-the-agent',
    ...extra,
  });
  const readRecord = async () => JSON.parse(await readFile(record, 'utf8')) as FakeRecord;
  return { home, env, readRecord };
}

export async function task(env: NodeJS.ProcessEnv, id: string): Promise<JsonTask> {
  const r = await runCli(['status', id, '--json'], env);
  try {
    return JSON.parse(r.stdout) as JsonTask;
  } catch {
    throw new Error(`status ${id} --json exited ${r.code} with no JSON\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`);
  }
}

/**
 * `status <id> --json` asked of the running daemon over its control socket, from this process:
 * the request and the answer the CLI's one-shot would send and print, without starting a process
 * (~0.2 s of CPU each, and a wait asks many times). Null when no daemon answers: ask the CLI.
 */
async function statusFromDaemon(home: string, id: string): Promise<CliResult | null> {
  const socket = readLock(home)?.socket;
  if (!socket) return null;
  try {
    const reply = await sendControl(socket, { verb: 'status', section: 'all', id }, 10_000);
    return reply.ok ? { code: 0, stdout: JSON.stringify(reply.json ?? reply.tasks), stderr: '' } : { code: 1, stdout: '', stderr: reply.text };
  } catch {
    return null; // stopping, or not listening yet
  }
}

/**
 * The task as `status <id> --json` shows it, once `until` holds (a task not made yet does not).
 * Asked again when nightshift writes to its store's files, or after a second without a write in
 * case one was missed: not in a loop of `nightshift` starts, each of which costs ~0.4 s of CPU that
 * the daemon under test then lacks. A running daemon is asked over its socket (statusFromDaemon).
 */
/** The files of the lowdb store in NIGHTSHIFT_HOME (src/store): a write to one is a change of some task. */
const STORE_FILE = /^(db\.json|db\.journal\.jsonl|archive\.jsonl)/;

export async function taskWhen(env: NodeJS.ProcessEnv, id: string, until: (t: JsonTask) => boolean, timeoutMs: number, what: string): Promise<JsonTask> {
  const home = env.NIGHTSHIFT_HOME;
  if (!home) throw new Error('taskWhen: the environment has no NIGHTSHIFT_HOME');
  let changed = false;
  let wake = () => {};
  const watcher = watch(home, (_event, name) => {
    // Only the store's files say a task changed: not the daemon's log, its lock (status takes it
    // too), its socket or its workspaces.
    if (!name || !STORE_FILE.test(name)) return;
    changed = true;
    wake();
  });
  const deadline = Date.now() + timeoutMs;
  let last = '(no answer yet)';
  try {
    for (;;) {
      changed = false;
      const r = (await statusFromDaemon(home, id)) ?? (await runCli(['status', id, '--json'], env));
      if (r.code === 0) {
        const t = JSON.parse(r.stdout) as JsonTask;
        if (until(t)) return t;
        last = `${t.status}, attempts: ${JSON.stringify(t.attempts.map((a) => a.outcome))}`;
      } else last = `status exited ${r.code}: ${r.stderr.trim()}`;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; ${id} was: ${last}`);
      if (!changed) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(1_000, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = () => {};
    }
  } finally {
    watcher.close();
  }
}

/**
 * Waits until the running daemon has recorded the pid of t's attempt keeper: the record a restart
 * takes the build back by. The agent is at work a moment before that write lands (it is recorded
 * in the background), so a kill -9 in between rightly ends the agent and retries the attempt; a
 * test of taking a build back kills only after this.
 */
export async function keeperRecorded(env: NodeJS.ProcessEnv, id: string): Promise<void> {
  await taskWhen(env, id, (t) => t.attempts.at(-1)?.outcome === 'running' && t.attempts.at(-1)?.pid !== undefined, 10_000, `${id}'s keeper pid on record`);
}

/**
 * `run --until-idle` as cron runs it, again after each retry back-off, until t-1 settles; returns
 * all it printed. A wait for quota is for hours: it is read, not sat out.
 */
export async function untilSettled(env: NodeJS.ProcessEnv): Promise<string> {
  let out = '';
  for (let i = 0; i < 6; i++) {
    const run = await runCli(['run', '--until-idle'], env);
    out += run.stdout + run.stderr;
    const { status, retryAt } = await task(env, 't-1');
    if (status !== 'failed' || !retryAt || Date.parse(retryAt) - Date.now() > 10_000) break;
    await waitFor(() => Date.now() >= Date.parse(retryAt), 10_000, 'the back-off to end');
  }
  return out;
}
