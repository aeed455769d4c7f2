// Runs the real `nightshift` executable, as a user would, against a temp NIGHTSHIFT_HOME.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './agents.ts';

export const BIN = fileURLToPath(new URL('../../bin/nightshift.mjs', import.meta.url));

/** An environment with nothing of the developer's machine that could change the outcome. */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    NIGHTSHIFT_HOME: home,
    OWNER_TZ: 'Europe/London',
    DEMO_BUILD_STEP: '50ms',
    // Many daemons run at once in the suite: no dashboard unless a test asks for one (port 0: any free port).
    DASHBOARD_PORT: 'off',
    ...extra,
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    // Run from the data directory: a developer's own .env in the repository must not leak in.
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: env.NIGHTSHIFT_HOME, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export class DaemonProcess {
  stdout = '';
  stderr = '';
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  readonly home: string;

  constructor(env: NodeJS.ProcessEnv) {
    this.home = env.NIGHTSHIFT_HOME ?? '';
    this.child = spawn(process.execPath, [BIN, 'start'], { env, cwd: env.NIGHTSHIFT_HOME, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((r) => this.child.on('close', (code) => r(code)));
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    await this.waitOn('stdout', pattern, timeoutMs);
  }

  /** A line on stderr (nightshift's warnings): its own pipe, so it may come after stdout's next line. */
  async waitForStderr(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    await this.waitOn('stderr', pattern, timeoutMs);
  }

  private async waitOn(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs: number): Promise<void> {
    await waitFor(() => pattern.test(this[stream]), timeoutMs, `${stream} matching ${pattern}`).catch((e: Error) => {
      throw new Error(`${e.message}\n--- stdout so far:\n${this.stdout}\n--- stderr:\n${this.stderr}`);
    });
  }
}
