// An attempt whose agent is still at work when nightshift starts again (nightshift died; the agent,
// under its keeper, did not): nightshift takes it back instead of ending it. Its output since
// nightshift left is in its keeper's away log, read as it grows for progress; its end is the
// keeper's exit record, concluded like an attempt that ended alone. Cancel and BUILD_TIMEOUT (from
// the attempt's start) work as for any build.
import { open, stat } from 'node:fs/promises';
import type { BuildHandle, BuildResult, Progress } from '../core/ports.ts';
import type { Attempt, Task } from '../core/task.ts';
import { formatDuration } from '../core/durations.ts';
import { AgentOutput } from './agent-output.ts';
import { concludeEndedAlone, type EndContext, type StopReason } from './attempt-end.ts';
import { awayLogPath, exitRecordPath, readExitRecord, type ExitRecord } from './keeper/exit-record.ts';
import { isAlive, killTree } from './process-tree.ts';
import type { AgentPreset } from './presets/index.ts';

/** How often the away log and the exit record are looked at. */
const POLL_MS = 250;

export interface AdoptOptions {
  ctx: EndContext;
  preset: AgentPreset;
  task: Task;
  attempt: Attempt;
  logPath: string;
  workspace: string;
  /** The keeper's pid: the attempt's process-group leader. */
  keeperPid: number;
  timeoutMs: number;
  killGraceMs: number;
  onProgress(p: Progress): void;
}

export class AdoptedBuild implements BuildHandle {
  readonly pid: number;
  readonly result: Promise<BuildResult>;
  private stopReason: StopReason | null = null;
  private readonly output: AgentOutput;
  private read = 0;

  constructor(private readonly o: AdoptOptions) {
    this.pid = o.keeperPid;
    const parser = o.preset.createParser({ workspace: o.workspace });
    this.output = new AgentOutput({ parser, onProgress: (p) => o.onProgress(p) });
    this.result = this.watch();
  }

  async cancel(reason: string): Promise<void> {
    this.stopReason ??= { outcome: 'cancelled', reason };
    await killTree(this.pid, this.o.killGraceMs);
    await this.result.catch(() => undefined);
  }

  private async watch(): Promise<BuildResult> {
    const { attempt, timeoutMs } = this.o;
    const left = timeoutMs - (Date.now() - Date.parse(attempt.startedAt));
    const timer = setTimeout(() => {
      this.stopReason ??= { outcome: 'timed_out', reason: `timed out after ${formatDuration(timeoutMs)}` };
      void killTree(this.pid, this.o.killGraceMs);
    }, Math.max(0, left));
    try {
      let kept: ExitRecord | null = null;
      for (;;) {
        await this.readAway();
        kept = await readExitRecord(exitRecordPath(this.o.logPath));
        if (kept || !isAlive(this.pid)) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      // A keeper gone without a record (ended by SIGKILL): the agent's end is unknown.
      kept ??= await readExitRecord(exitRecordPath(this.o.logPath));
      const record: ExitRecord = kept ?? { exitCode: null, signal: 'SIGKILL', endedAt: new Date().toISOString(), away: true };
      return await concludeEndedAlone(this.o.ctx, {
        task: this.o.task,
        attempt: attempt.n,
        logPath: this.o.logPath,
        startedAt: attempt.startedAt,
        kept: record,
        preset: this.o.preset,
        workspace: this.o.workspace,
        stopReason: this.stopReason,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** What the agent printed since the last look, for progress (the log gets it whole at the end). */
  private async readAway(): Promise<void> {
    const path = awayLogPath(this.o.logPath);
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size <= this.read) return;
    const f = await open(path, 'r');
    try {
      const buf = Buffer.alloc(size - this.read);
      const { bytesRead } = await f.read(buf, 0, buf.length, this.read);
      this.read += bytesRead;
      this.output.chunk(buf.subarray(0, bytesRead), 'stdout');
    } finally {
      await f.close();
    }
  }
}
