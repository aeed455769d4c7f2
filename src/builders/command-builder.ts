// Runs a configured command as the builder: a real child process, in its own process group, in
// the task's workspace. The task text never touches a shell: the command is an argv array and the
// spec arrives on stdin and as a file (NIGHTSHIFT_SPEC_FILE). Output goes to one log file per
// attempt; lines become progress updates.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Builder, BuildHandle, BuildPlan, BuildRequest, BuildResult, Logger } from '../core/ports.ts';
import { silentLogger } from '../core/ports.ts';
import type { Attempt, Task } from '../core/task.ts';
import { formatDuration } from '../core/durations.ts';
import { parseProgressLine } from './progress-line.ts';
import { endProcesses, findByEnvironment, killTree } from './process-tree.ts';
import { changedFiles, snapshotFiles } from './workspace-files.ts';
import { LineSplitter } from './line-splitter.ts';

export interface CommandBuilderOptions {
  /** Shown in every message about a build. */
  name: string;
  /** The program and its arguments; never a shell string. */
  argv: string[];
  isDemo?: boolean;
  /** NIGHTSHIFT_HOME: workspaces and logs live below it. */
  dataDir: string;
  /** The environment the builder gets: already scrubbed of secrets by config. */
  env: Record<string, string>;
  /** How long a builder may take to exit after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  logger?: Logger;
}

const TAIL_LINES = 40;

export class CommandBuilder implements Builder {
  readonly name: string;
  readonly isDemo: boolean;

  constructor(private readonly opts: CommandBuilderOptions) {
    if (opts.argv.length === 0 || !opts.argv[0]) throw new Error('CommandBuilder needs a command to run');
    this.name = opts.name;
    this.isDemo = opts.isDemo ?? false;
  }

  plan(task: Task, attempt: number): BuildPlan {
    return {
      workspace: join(this.opts.dataDir, 'workspaces', task.id),
      logPath: join(this.opts.dataDir, 'logs', task.id, `attempt-${attempt}.log`),
    };
  }

  start(req: BuildRequest): BuildHandle {
    return new RunningBuild(this.opts, req);
  }

  /** Ends what a crash left of an attempt: every process carrying its task, attempt and workspace. */
  async reap(task: Task, attempt: Attempt): Promise<boolean> {
    const found = findByEnvironment(attemptMarkers(task.id, attempt.n, this.plan(task, attempt.n).workspace));
    await endProcesses(found, this.opts.killGraceMs ?? 5_000);
    return found.length > 0;
  }
}

/** Environment entries every process of an attempt inherits: how its leftovers are found. */
function attemptMarkers(taskId: string, attempt: number, workspace: string): string[] {
  return [`NIGHTSHIFT_TASK_ID=${taskId}`, `NIGHTSHIFT_ATTEMPT=${attempt}`, `NIGHTSHIFT_WORKSPACE=${workspace}`];
}

/** After the builder exits, how long its output may keep flowing (a background child may hold it open). */
const OUTPUT_DRAIN_MS = 2_000;

/** Resolves when every stream has closed, or after `ms`, when the stragglers are destroyed. */
async function drained(streams: Readable[], ms: number): Promise<void> {
  const open = streams.filter((s) => !s.closed && !s.destroyed);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(open.map((s) => new Promise<void>((r) => s.once('close', () => r())))),
    new Promise<void>((r) => (timer = setTimeout(r, ms))),
  ]);
  clearTimeout(timer);
  for (const s of open) s.destroy();
}

class RunningBuild implements BuildHandle {
  pid: number | undefined;
  readonly result: Promise<BuildResult>;
  private stopReason: { outcome: 'cancelled' | 'timed_out'; reason: string } | null = null;
  private exited: Promise<void>;
  private markExited!: () => void;

  constructor(
    private readonly opts: CommandBuilderOptions,
    private readonly req: BuildRequest,
  ) {
    this.exited = new Promise((r) => (this.markExited = r));
    this.result = this.run().catch((e: unknown) => {
      this.markExited();
      const reason = `could not run the builder: ${e instanceof Error ? e.message : String(e)}`;
      return { outcome: 'failed', reason, exitCode: null, signal: null, logTail: '', deliverables: {}, durationMs: 0 } satisfies BuildResult;
    });
  }

  async cancel(reason: string): Promise<void> {
    this.stopReason ??= { outcome: 'cancelled', reason };
    await this.stop();
  }

  private async stop(): Promise<void> {
    if (this.pid !== undefined) await killTree(this.pid, this.opts.killGraceMs ?? 5_000);
    await this.sweep();
    await this.exited;
  }

  /** Ends every process of this attempt still alive, including children that daemonised. */
  private async sweep(): Promise<void> {
    const { task, attempt, plan } = this.req;
    await endProcesses(findByEnvironment(attemptMarkers(task.id, attempt, plan.workspace)), 1_000);
  }

  private async run(): Promise<BuildResult> {
    const { task, attempt, plan } = this.req;
    const log = this.opts.logger ?? silentLogger;
    const started = Date.now();
    await mkdir(plan.workspace, { recursive: true });
    await mkdir(dirname(plan.logPath), { recursive: true });
    const specPath = plan.logPath.replace(/\.log$/, '.spec.md');
    await writeFile(specPath, task.spec, 'utf8');
    const before = await snapshotFiles(plan.workspace);
    const logFile = createWriteStream(plan.logPath, { flags: 'a' });
    logFile.write(`# nightshift ${task.id} attempt ${attempt}: ${this.opts.name}, started ${new Date(started).toISOString()}\n`);
    const tail: string[] = [];
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      const p = parseProgressLine(line);
      if (p) this.req.onProgress({ at: new Date().toISOString(), ...p });
    };

    const [command, ...args] = this.opts.argv as [string, ...string[]];
    const env: Record<string, string> = {
      ...this.opts.env,
      NIGHTSHIFT_TASK_ID: task.id,
      NIGHTSHIFT_ATTEMPT: String(attempt),
      NIGHTSHIFT_SPEC_FILE: specPath,
      NIGHTSHIFT_WORKSPACE: plan.workspace,
      NIGHTSHIFT_TITLE: task.title,
      ...(task.deadline ? { NIGHTSHIFT_DEADLINE: task.deadline } : {}),
    };
    const child = spawn(command, args, { cwd: plan.workspace, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = child.pid;
    if (child.pid !== undefined) this.req.onSpawn?.(child.pid);
    if (this.stopReason) void this.stop(); // cancelled while we were still preparing
    const timer = setTimeout(() => {
      this.stopReason ??= { outcome: 'timed_out', reason: `timed out after ${formatDuration(this.req.timeoutMs)}` };
      void this.stop();
    }, this.req.timeoutMs);

    child.stdin.on('error', () => {}); // a builder that ignores stdin may close it before we finish writing
    child.stdin.end(task.spec);
    for (const stream of [child.stdout, child.stderr]) {
      const splitter = new LineSplitter(onLine);
      stream.on('data', (chunk: Buffer) => {
        logFile.write(chunk);
        splitter.push(chunk.toString('utf8'));
      });
      stream.on('end', () => splitter.flush());
    }

    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
      child.once('error', (e) => resolve({ code: null, signal: null, spawnError: e }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    // The builder is gone; what it left running (a dev server, a daemonised child holding our
    // pipes) is ended, and its output gets a moment to drain before we stop reading.
    await this.sweep();
    await drained([child.stdout, child.stderr], OUTPUT_DRAIN_MS);
    this.markExited();
    const durationMs = Date.now() - started;
    const after = await snapshotFiles(plan.workspace);
    const changed = changedFiles(before, after);
    const outcome = this.classify(exit, changed.length);
    logFile.end(`\n# ${outcome.reason} after ${formatDuration(durationMs)}\n`);
    await new Promise<void>((r) => logFile.once('close', () => r()));
    log.info('build ended', { task: task.id, attempt, outcome: outcome.outcome, code: exit.code });
    return {
      ...outcome,
      exitCode: exit.code,
      signal: exit.signal,
      logTail: tail.join('\n'),
      deliverables: { workspace: plan.workspace, changedFiles: changed },
      durationMs,
    };
  }

  private classify(
    exit: { code: number | null; signal: NodeJS.Signals | null; spawnError?: Error },
    changedCount: number,
  ): Pick<BuildResult, 'outcome' | 'reason'> {
    if (exit.spawnError) {
      const code = (exit.spawnError as NodeJS.ErrnoException).code;
      const what = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : exit.spawnError.message;
      return { outcome: 'failed', reason: `could not start ${this.opts.argv[0]}: ${what}` };
    }
    if (this.stopReason) return this.stopReason;
    if (exit.code === 0) {
      if (changedCount === 0) return { outcome: 'failed', reason: 'the builder exited 0 but changed nothing in the workspace' };
      return { outcome: 'succeeded', reason: 'exited with code 0' };
    }
    if (exit.signal) return { outcome: 'failed', reason: `killed by ${exit.signal}` };
    return { outcome: 'failed', reason: `exited with code ${exit.code}` };
  }
}
