// The processes a chaos run drives: the real daemon (`nightshift start`, console adapter) and
// one-shot `nightshift` commands, with what they print collected and waited on.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/nightshift.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A one-shot `nightshift <args>`, spawned now; `done` resolves when it exits. */
export function cli(args: string[], env: NodeJS.ProcessEnv): { done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: env.NIGHTSHIFT_HOME, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

export class Daemon {
  stdout = '';
  stderr = '';
  dead = false;
  readonly startedAt = Date.now();
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [BIN, 'start'], { env, cwd: env.NIGHTSHIFT_HOME, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((r) =>
      this.child.on('close', (code) => {
        this.dead = true;
        r(code);
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Resolves with the first match of `pattern` in stdout after `from`; null if it exits first or time runs out. */
  waitForOutput(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<RegExpExecArray | null> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const m = pattern.exec(this.stdout.slice(from));
        if (m) finish(m);
        return m !== null;
      };
      const finish = (m: RegExpExecArray | null) => {
        clearTimeout(timer);
        this.child.stdout.off('data', onData);
        this.child.off('close', onClose);
        resolve(m);
      };
      const onData = () => void check();
      const onClose = () => finish(null);
      const timer = setTimeout(() => finish(null), timeoutMs);
      this.child.stdout.on('data', onData);
      this.child.on('close', onClose);
      check();
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (!this.dead) this.child.kill(signal);
    return this.exited;
  }
}

/** True when `pid` is a live run of the chaos agent for this task and attempt (not a reused pid). */
export function isLiveRun(pid: number, task: string, attempt: number): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat[stat.lastIndexOf(')') + 2]; // a zombie has ended; it waits to be reaped
    return state !== 'Z' && env.includes(`NIGHTSHIFT_TASK_ID=${task}`) && env.includes(`NIGHTSHIFT_ATTEMPT=${attempt}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chaos-agent');
  } catch {
    return false;
  }
}
