// The project's own check (BUILD_CHECK: `npm test`, `make check`) run in the worktree after the
// agent says it is done: done means the check passed, not that the agent exited 0. An argv, never
// a shell string; its own process group, ended whole at its timeout; its output goes into the
// attempt's log, and the end of it is kept for the next attempt and the owner.
import { spawn } from 'node:child_process';
import type { CheckResult } from '../core/task.ts';
import { describeCommand } from '../core/projects.ts';
import { killTree } from './process-tree.ts';
import { formatDuration } from '../core/durations.ts';

export interface CheckCommand {
  argv: string[];
  timeoutMs: number;
  /** As the owner wrote it ("npm ci && npm run build", run under sh -c); the argv when absent. */
  shown?: string;
}

export interface CheckRun extends CheckResult {
  /** The end of what it printed, as it printed it. */
  tail: string;
  /** The signal that ended it (an out-of-memory kill), when it did not exit by itself. */
  signal?: NodeJS.Signals;
  /** It could not be started at all (not found, not executable). */
  notStarted?: boolean;
}

const TAIL_BYTES = 8 * 1024;

/** "npm test": the command as a person would type it, the program by its file name. */
export const describeCheck = describeCommand;

export async function runCheck(check: CheckCommand, cwd: string, env: Record<string, string>, onOutput: (chunk: string) => void): Promise<CheckRun> {
  const started = Date.now();
  const command = check.shown ?? describeCheck(check.argv);
  const [program, ...args] = check.argv as [string, ...string[]];
  let tail = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    onOutput(text);
    tail = (tail + text).slice(-TAIL_BYTES);
  };
  const child = spawn(program, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) void killTree(child.pid, 1_000);
  }, check.timeoutMs);
  const exit = await new Promise<{ code: number | null; signal?: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  const durationMs = Date.now() - started;
  if (exit.error) return { command, outcome: 'failed', exitCode: null, durationMs, tail: `could not start ${command}: ${exit.error.message}`, notStarted: true };
  if (timedOut) return { command, outcome: 'timed_out', exitCode: exit.code, durationMs, tail };
  return { command, outcome: exit.code === 0 ? 'passed' : 'failed', exitCode: exit.code, durationMs, tail, ...(exit.signal ? { signal: exit.signal } : {}) };
}

/** "setup passed (npm ci, 12s)", "setup failed (npm ci exited with code 1 after 3s)", "setup timed out (npm ci ran past 15m)". */
export function setupSummary(run: CheckRun): string {
  const took = formatDuration(run.durationMs);
  if (run.outcome === 'passed') return `setup passed (${run.command}, ${took})`;
  if (run.outcome === 'timed_out') return `setup timed out (${run.command} ran past ${took})`;
  const how = run.exitCode !== null ? `exited with code ${run.exitCode}` : run.signal ? `was ended by ${run.signal}` : run.notStarted ? 'could not start' : 'ended';
  return `setup failed (${run.command} ${how} after ${took})`;
}
