// The processes of a team chaos run, each a part with a home of its own that outlives its lives:
// the daemon (`nightshift start`, BUILD_ON=workers or both) and its workers (`nightshift worker`).
// Each life's output is kept in chaos/logs/<part>-<life>.log, for a look after a finding.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NightshiftProcess } from './processes.ts';

/** How long a start may take to come up, and a SIGTERM to end the process. */
export const START_WAIT_MS = 30_000;
export const STOP_WAIT_MS = 30_000;

export class Part {
  /** Every life so far, the current (or last) one last. */
  readonly lives: NightshiftProcess[] = [];
  /** SIGTERMs it did not end within STOP_WAIT_MS. */
  stopsHung = 0;
  /** Starts that did not come up. */
  startsRefused = 0;
  /** The cycle of the chaos run from which it may be started again, once killed. */
  backAt = 0;

  constructor(
    /** "daemon", "worker-1"... */
    readonly name: string,
    readonly home: string,
    readonly env: NodeJS.ProcessEnv,
    private readonly logsDir: string,
  ) {}

  get isWorker(): boolean {
    return this.name !== 'daemon';
  }

  /** The current (or last) life. */
  get proc(): NightshiftProcess | undefined {
    return this.lives.at(-1);
  }

  /** When the current (or last) life began, ms since the epoch; 0 before the first. */
  get startedAt(): number {
    return this.proc?.startedAt ?? 0;
  }

  get up(): boolean {
    return this.proc !== undefined && !this.proc.dead;
  }

  /** Whether a run's workspace (a ledger event's ws) is in this part's home. */
  ran(ws: string | undefined): boolean {
    return ws !== undefined && ws.startsWith(`${this.home}/`);
  }

  /** What each life printed (stdout, then stderr). */
  lifeLogs(): string[] {
    return this.lives.map((p) => `${p.stdout}\n${p.stderr}`);
  }

  /** A new life; false (after ending it) when it did not come up within START_WAIT_MS. */
  async start(): Promise<boolean> {
    const proc = new NightshiftProcess(this.env, this.isWorker ? 'worker' : 'start');
    const life = this.lives.push(proc);
    void proc.exited.then(() => writeFileSync(join(this.logsDir, `${this.name}-${life}.log`), `pid ${proc.pid}\n--- stdout\n${proc.stdout}\n--- stderr\n${proc.stderr}`));
    const ready = this.isWorker ? /nightshift worker \S+: \d+ slots?/ : /Type a request/;
    if (await proc.waitForOutput(ready, 0, START_WAIT_MS)) return true;
    await proc.kill();
    this.startsRefused++;
    return false;
  }

  /** Ends the current life with `signal`; a SIGTERM that does not end it within STOP_WAIT_MS is counted, then SIGKILLed. False then. */
  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<boolean> {
    const proc = this.proc;
    if (!proc || proc.dead) return true;
    if (signal === 'SIGKILL') {
      await proc.kill('SIGKILL');
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([proc.kill('SIGTERM').then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), STOP_WAIT_MS)))]);
    clearTimeout(timer);
    if (!inTime) {
      this.stopsHung++;
      await proc.kill('SIGKILL');
    }
    return inTime;
  }
}
