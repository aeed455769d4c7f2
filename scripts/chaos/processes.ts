// The processes a chaos run drives, killed and restarted at will, with what they print collected
// and waited on: the daemon (`nightshift start`, console adapter) and, in the team form, workers
// (`nightshift worker`). One-shots are test/helpers/cli.ts's runCli.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN } from '../../test/helpers/cli.ts';

/** A long-lived nightshift process: `nightshift start` or `nightshift worker`. */
export class NightshiftProcess {
  stdout = '';
  stderr = '';
  dead = false;
  readonly startedAt = Date.now();
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(env: NodeJS.ProcessEnv, command: 'start' | 'worker' = 'start') {
    this.child = spawn(process.execPath, [BIN, command], { env, cwd: env.NIGHTSHIFT_HOME, stdio: ['pipe', 'pipe', 'pipe'] });
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
