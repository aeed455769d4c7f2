// Runs one coding agent (or any command) as the builder: a real child process in its own process
// group, in the task's workspace. The preset says how to invoke it (an argv array: task text never
// touches a shell) and how to read what it prints; the workspace provider prepares the task's
// worktree and reads back the commits. Output goes to one log per attempt, bounded by LOG_MAX_BYTES
// (attempt-log.ts).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { formatDuration } from '../core/durations.ts';
import { formatOwnerTime } from '../core/time-of-day.ts';
import type { AdoptRequest, Builder, BuildHandle, BuildPlan, BuildRequest, BuildResult, Logger } from '../core/ports.ts';
import { AdoptedBuild } from './adopted-build.ts';
import { isKeeperOf } from './keeper/keeper-process.ts';
import { silentLogger } from '../core/ports.ts';
import type { Attempt, Task } from '../core/task.ts';
import { previousAttempt } from './previous-attempt.ts';
import { RedactingLines } from './redacting-lines.ts';
import { AgentOutput } from './agent-output.ts';
import { AttemptLog, completeAttemptLog, DEFAULT_LOG_MAX_BYTES } from './attempt-log.ts';
import { DEFAULT_PROMPT_TEMPLATE, DEFAULT_RULES, renderPrompt, type AgentPreset } from './presets/index.ts';
import { runCheck, setupSummary } from './project-check.ts';
import type { ProjectCommands } from './project-workspaces.ts';
import { SetupError } from './git/copy-files.ts';
import { concludeAttempt, concludeEndedAlone, endRecordPath, foldAwayLog, sessionInLog, readEndRecord, workspaceRecordPath, writeJsonWhole, type EndContext, type Exit, type Publish, type StopReason } from './attempt-end.ts';
import { awayLogPath, endedCleanlyAlone, exitRecordPath, readExitRecord, type ExitRecord } from './keeper/exit-record.ts';
import { KEEPER_PATH } from './keeper/keeper-path.ts';
import { attemptMarkers, markerEnv } from './attempt-markers.ts';
import { KEEPER_ENDS_WITH_PARENT } from './keeper/keeper-env.ts';
import { endProcesses, findAttemptProcesses, findByEnvironment, killTree } from './process-tree.ts';
import { ticksSinceBoot } from './supervision/proc-table.ts';
import { startResourceMonitor, type ResourceMonitor } from './supervision/resource-monitor.ts';
import { watchForStall } from './supervision/stall-watch.ts';
import type { PreparedWorkspace, WorkspaceProvider } from './workspace-provider.ts';

export interface AgentBuilderOptions {
  /** Shown in every message about a build: "Claude Code", "demo builder". */
  name: string;
  preset: AgentPreset;
  /** The executable to spawn (the preset's binary as found on PATH, or the custom command). */
  command: string;
  isDemo?: boolean;
  /** NIGHTSHIFT_HOME: logs and agent state live below it. */
  dataDir: string;
  /** The environment the builder gets: already scrubbed of secrets by config. */
  env: Record<string, string>;
  workspaces: WorkspaceProvider;
  promptTemplate?: string;
  model?: string;
  extraArgs?: string[];
  /** How long a builder may take to exit after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** Silence longer than this is reported as a stall. */
  stallMs?: number;
  /** LOG_MAX_BYTES: an attempt's log files never hold more (head and rotating tail). Default 8 MiB. */
  logMaxBytes?: number;
  /** Pushes a successful build's branch and opens its pull request, as its project says; the URL becomes a link. */
  publish?: Publish;
  /**
   * The task's project's own commands: `setup` runs in the worktree before the agent (its failure
   * ends the attempt, not retried), `check` after the agent finishes with changes (done only if it passes).
   */
  commandsFor?: (task: Task) => ProjectCommands;
  /** The owner's zone: the deadline in the prompt is written in it. */
  timeZone?: string;
  /** Removes secrets from text the agent wrote before it leaves nightshift (a pull request body). */
  redact?: (text: string) => string;
  logger?: Logger;
  /**
   * The agent ends when this process dies, instead of working on under its keeper. A team worker's
   * builds are not taken back by the next worker: the daemon retries them elsewhere after
   * WORKER_TIMEOUT, so an agent that outlived its worker would build the task twice at once.
   */
  endsWithUs?: boolean;
}

/** After the builder exits, how long its output may keep flowing (a background child may hold it open). */
const OUTPUT_DRAIN_MS = 2_000;

export { attemptMarkers } from './attempt-markers.ts';

export class AgentBuilder implements Builder {
  readonly name: string;
  readonly isDemo: boolean;
  /** Exits recorded by an attempt's keeper while nightshift was down, found by reap(), by "t-7#2". */
  private readonly endedAlone = new Map<string, ExitRecord>();

  constructor(private readonly opts: AgentBuilderOptions) {
    this.name = opts.name;
    this.isDemo = opts.isDemo ?? false;
  }

  plan(task: Task, attempt: number): BuildPlan {
    return {
      workspace: this.opts.workspaces.workspaceFor(task),
      logPath: join(this.opts.dataDir, 'logs', task.id, `attempt-${attempt}.log`),
      ...(this.opts.preset.sessions ? sessionOf(task, attempt, this.opts.preset.sessions, this.name) : {}),
    };
  }

  start(req: BuildRequest): BuildHandle {
    return new RunningBuild(this.opts, req);
  }

  /**
   * Ends what a crash left of an attempt: every process carrying its task, attempt and workspace.
   * Then its log's rotating tail, if it had one, is moved into the log, so nothing stays split.
   */
  async reap(task: Task, attempt: Attempt): Promise<boolean> {
    const logPath = attempt.logPath || this.plan(task, attempt.n).logPath;
    // Read before anything is ended: a record written after may be of an end we caused.
    const before = await readExitRecord(exitRecordPath(logPath));
    const found = findByEnvironment(attemptMarkers(task.id, attempt.n, this.plan(task, attempt.n).workspace));
    await endProcesses(found, this.opts.killGraceMs ?? 5_000);
    // An agent that finished in the moment between that look and the signal (its keeper slower to
    // write than we were to look) finished by itself all the same.
    const kept = before ?? (await readExitRecord(exitRecordPath(logPath)).then((r) => (r && endedCleanlyAlone(r) ? r : null)));
    await completeAttemptLog(logPath, this.opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES).catch((e: unknown) =>
      (this.opts.logger ?? silentLogger).warn('could not complete the log of an interrupted attempt', { task: task.id, error: String(e) }),
    );
    if (kept) this.endedAlone.set(`${task.id}#${attempt.n}`, kept);
    // Ended here, mid-work: what it printed while nightshift was away belongs in its log.
    else await foldAwayLog(logPath).catch(() => undefined);
    return found.length > 0;
  }

  stillRunning(task: Task, attempt: Attempt): boolean {
    return attempt.pid !== undefined && isKeeperOf(attempt.pid, task.id, attempt.n);
  }

  adopt(req: AdoptRequest): BuildHandle | null {
    const { task, attempt } = req;
    if (attempt.pid === undefined || !this.stillRunning(task, attempt)) return null;
    return new AdoptedBuild({
      ctx: endContext(this.opts, task),
      preset: this.opts.preset,
      task,
      attempt,
      logPath: attempt.logPath || this.plan(task, attempt.n).logPath,
      workspace: this.plan(task, attempt.n).workspace,
      keeperPid: attempt.pid,
      timeoutMs: req.timeoutMs,
      killGraceMs: this.opts.killGraceMs ?? 5_000,
      onProgress: req.onProgress,
    });
  }

  async sessionOf(task: Task, attempt: Attempt): Promise<string | undefined> {
    if (this.opts.preset.sessions !== 'reported') return undefined;
    return sessionInLog(this.opts.preset, attempt.logPath || this.plan(task, attempt.n).logPath);
  }

  async tidy(tasks: Task[]): Promise<void> {
    await this.opts.workspaces.tidy?.(tasks);
  }

  /**
   * The end of an attempt that finished before nightshift recorded it: its own end record, or, when
   * the agent ended while nightshift was down (its keeper's exit record, found by reap() before it
   * ended anything), the attempt concluded now from that exit, the log and the work in git.
   */
  async finishedEnd(task: Task, attempt: Attempt): Promise<BuildResult | null> {
    const logPath = attempt.logPath || this.plan(task, attempt.n).logPath;
    const recorded = await readEndRecord(endRecordPath(logPath));
    if (recorded) return recorded;
    const key = `${task.id}#${attempt.n}`;
    const kept = this.endedAlone.get(key);
    if (!kept) return null;
    this.endedAlone.delete(key);
    return concludeEndedAlone(endContext(this.opts, task), {
      task,
      attempt: attempt.n,
      logPath,
      startedAt: attempt.startedAt,
      kept,
      preset: this.opts.preset,
      workspace: this.plan(task, attempt.n).workspace,
    });
  }
}

/**
 * The session attempt `n` runs in: the session of the latest earlier attempt, resumed in the same
 * worktree (where agents look their sessions up), unless it could not be resumed. An agent that
 * names its own sessions ('reported') is not made to resume one twice in a row after failing with
 * it (a resume that fails may be the resume's fault; the agent has no "session not found" nightshift
 * can count on); it starts afresh, told how the attempt before went. Otherwise a new session: named
 * here ('named'), or by the agent.
 */
function sessionOf(task: Task, n: number, kind: 'named' | 'reported', builder: string): { session?: { id: string; resume: boolean } } {
  // Only this agent's own sessions (another agent, FALLBACK_BUILDER, may have run some attempts).
  const earlier = task.attempts.filter((a) => a.n < n && a.sessionId && a.builder === builder);
  const last = earlier.at(-1);
  const resumedAndFailed = kind === 'reported' && last?.outcome === 'failed' && earlier.at(-2)?.sessionId === last.sessionId;
  if (last?.sessionId && !last.sessionLost && !resumedAndFailed) return { session: { id: last.sessionId, resume: true } };
  return kind === 'named' ? { session: { id: randomUUID(), resume: false } } : {};
}

function endContext(opts: AgentBuilderOptions, task: Task): EndContext {
  const check = opts.commandsFor?.(task).check;
  return {
    name: opts.name,
    command: opts.command,
    workspaces: opts.workspaces,
    ...(opts.publish ? { publish: opts.publish } : {}),
    ...(check ? { check, checkEnv: opts.env } : {}),
    ...(opts.redact ? { redact: opts.redact } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  };
}

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
  private stopReason: StopReason | null = null;
  /** Just before the spawn, in /proc clock ticks (with a second of slack): only processes started since can be this attempt's. */
  private since: number | undefined;
  private readonly exited: Promise<void>;
  private markExited!: () => void;

  constructor(
    private readonly opts: AgentBuilderOptions,
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
    const markers = attemptMarkers(task.id, attempt, plan.workspace);
    await endProcesses(this.since === undefined ? findByEnvironment(markers) : await findAttemptProcesses(markers, this.since), 1_000);
  }

  private async run(): Promise<BuildResult> {
    const { plan } = this.req;
    const log = this.opts.logger ?? silentLogger;
    const started = Date.now();
    await mkdir(dirname(plan.logPath), { recursive: true });
    const logFile = await AttemptLog.open({
      path: plan.logPath,
      maxBytes: this.opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES,
      onError: (e) => log.warn('could not write the attempt log', { task: this.req.task.id, error: e instanceof Error ? e.message : String(e) }),
    });
    try {
      return await this.runLogged(logFile, started);
    } finally {
      await logFile.close();
    }
  }

  /**
   * The project's setup (`npm ci`), in the worktree, before the agent: its output goes into the
   * attempt's log. A failure (or a cancel meanwhile) ends the attempt here; null when the agent may start.
   */
  private async setUp(prepared: PreparedWorkspace, logFile: AttemptLog, started: number): Promise<BuildResult | null> {
    const { task, attempt, plan } = this.req;
    const setup = this.opts.commandsFor?.(task).setup;
    if (!setup) return null;
    const deliverables = { workspace: prepared.workspace, ...(prepared.branch ? { branch: prepared.branch } : {}) };
    const ended = () => ({ exitCode: null, signal: null, deliverables, durationMs: Date.now() - started });
    // Cancelled while the worktree was prepared (a slow clone): the cancel is waiting, so no setup starts.
    const cancelledEarly = this.stopReason;
    if (cancelledEarly) {
      this.markExited();
      return { ...ended(), ...cancelledEarly, logTail: '' };
    }
    const shown = setup.shown ?? setup.argv.join(' ');
    this.req.onProgress({ at: new Date().toISOString(), percent: null, message: `setting up: ${shown}` });
    logFile.write(`# setup: ${shown} in ${prepared.workspace}\n`);
    // It carries the attempt's markers, so a cancel's sweep ends it with everything it started.
    const markers = markerEnv(task.id, attempt, plan.workspace);
    const redact = this.opts.redact;
    const run = await runCheck(setup, prepared.workspace, { ...this.opts.env, ...markers }, (chunk) => logFile.write(redact ? redact(chunk) : chunk));
    const end = ended();
    if (this.stopReason) {
      // Ended by the cancel's sweep: its exit says nothing about the setup itself.
      logFile.write(`\n# setup stopped (${run.command}, ${this.stopReason.reason} after ${formatDuration(run.durationMs)})\n`);
      this.markExited();
      return { ...end, ...this.stopReason, logTail: run.tail };
    }
    const said = setupSummary(run);
    logFile.write(`\n# ${said}\n`);
    if (run.outcome === 'passed') return null;
    this.markExited();
    // The agent never ran: another attempt would only run the same setup again. The owner decides.
    return { ...end, outcome: 'failed', reason: said, retryable: false, logTail: redact ? redact(run.tail) : run.tail };
  }

  private async runLogged(logFile: AttemptLog, started: number): Promise<BuildResult> {
    const { task, attempt, plan } = this.req;
    const { preset } = this.opts;
    logFile.write(`# nightshift ${task.id} attempt ${attempt}: ${this.opts.name}, started ${new Date(started).toISOString()}\n`);

    // The spec does not depend on the workspace: it is written while the worktree is prepared.
    const specPath = plan.logPath.replace(/\.log$/, '.spec.md');
    const promptPath = plan.logPath.replace(/\.log$/, '.prompt.md');
    const stateDir = join(this.opts.dataDir, 'agent-state', preset.name);
    const [ready] = await Promise.all([
      this.opts.workspaces.prepare(task, attempt).then(
        (w) => ({ ok: true as const, w }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      Promise.all([writeFile(specPath, task.spec, 'utf8'), preset.name === 'aider' ? mkdir(stateDir, { recursive: true }) : undefined]),
    ]);
    if (!ready.ok) {
      this.markExited();
      const e = ready.error;
      const reason = `could not prepare the workspace: ${e instanceof Error ? e.message : String(e)}`;
      logFile.write(`# ${reason}\n`);
      // A file the project lists that is not there will not appear by trying again.
      return { outcome: 'failed', reason, exitCode: null, signal: null, logTail: '', deliverables: {}, durationMs: Date.now() - started, ...(e instanceof SetupError ? { retryable: false } : {}) };
    }
    const prepared = ready.w;
    logFile.write(`# workspace ${prepared.workspace}${prepared.branch ? ` on branch ${prepared.branch}` : ''}\n`);
    const setupFailed = await this.setUp(prepared, logFile, started);
    if (setupFailed) return setupFailed;

    const tz = this.opts.timeZone ?? 'UTC';
    // A retry is told how the attempt before it ended, what it said last and its summary.
    const previous = await previousAttempt(task, attempt);
    const prompt = renderPrompt(this.opts.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE, {
      title: task.title,
      spec: task.request,
      clarifications: task.clarifications.map((c) => c.text),
      deadline: task.deadline ? `${formatOwnerTime(new Date(task.deadline), new Date(), tz)} (${tz})` : null,
      repository: prepared.repository,
      branch: prepared.branch ?? '',
      rules: DEFAULT_RULES,
      previous: previous.text,
    });
    await writeFile(promptPath, prompt, 'utf8');
    // A custom command gets the spec itself (what BUILDER=/path promises); agents get the prompt.
    const invocation = preset.argv({
      prompt: preset.name === 'custom' ? task.spec : prompt,
      workspace: prepared.workspace,
      ...(this.opts.model ? { model: this.opts.model } : {}),
      ...(this.opts.extraArgs ? { extraArgs: this.opts.extraArgs } : {}),
      stateDir,
      ...(plan.session ? { session: plan.session } : {}),
    });

    // Reset times an agent prints without a zone are in this machine's zone, where it runs.
    const parser = preset.createParser({ workspace: prepared.workspace });
    const stall = watchForStall({ stallMs: this.opts.stallMs ?? 15 * 60_000, onStall: (ms) => this.req.onStall?.(ms) });
    // The log promises no secret: what the agent prints goes through the same redaction as every
    // message (an allow-listed API key echoed by the agent, a URL with a password in it).
    const redactor = this.opts.redact ? new RedactingLines(this.opts.redact, (t) => logFile.write(t)) : null;
    const output = new AgentOutput({
      parser,
      onProgress: (p) => this.req.onProgress(p),
      onChunk: (chunk) => (redactor ? redactor.push(chunk) : logFile.write(chunk)),
      onActivity: () => stall.activity(),
    });

    const env: Record<string, string> = {
      ...this.opts.env,
      ...preset.env,
      NIGHTSHIFT_TASK_ID: task.id,
      NIGHTSHIFT_ATTEMPT: String(attempt),
      NIGHTSHIFT_SPEC_FILE: specPath,
      NIGHTSHIFT_PROMPT_FILE: promptPath,
      ...previous.env,
      NIGHTSHIFT_WORKSPACE: plan.workspace,
      NIGHTSHIFT_TITLE: task.title,
      ...(prepared.branch ? { NIGHTSHIFT_BRANCH: prepared.branch } : {}),
      ...(task.deadline ? { NIGHTSHIFT_DEADLINE: task.deadline } : {}),
    };
    // The agent runs under its keeper (keeper/attempt-keeper.ts), which outlives nightshift: if
    // nightshift dies, the agent keeps working and its end is still recorded for the next start.
    const exitRecord = exitRecordPath(plan.logPath);
    await Promise.all([rm(exitRecord, { force: true }), rm(awayLogPath(plan.logPath), { force: true }), writeJsonWhole(workspaceRecordPath(plan.logPath), prepared)]);
    const logCap = this.opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES;
    const keeperArgs = [KEEPER_PATH, exitRecord, awayLogPath(plan.logPath), String(logCap), '3', '--', this.opts.command, ...invocation.args];
    this.since = ticksSinceBoot() - 100;
    const keeperEnv = this.opts.endsWithUs ? { ...env, [KEEPER_ENDS_WITH_PARENT]: `${process.pid}:${this.opts.killGraceMs ?? 5_000}` } : env;
    const child = spawn(process.execPath, keeperArgs, { cwd: prepared.workspace, env: keeperEnv, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    this.pid = child.pid;
    if (child.pid !== undefined) this.req.onSpawn?.(child.pid);
    if (this.stopReason) void this.stop(); // cancelled while we were still preparing
    // What the attempt costs is the agent's tree, measured from the moment the keeper says it runs
    // (the keeper, a small node process, is not the agent's cost).
    let monitor: ResourceMonitor | null = null;
    const report = child.stdio[3] as Readable | null;
    report?.setEncoding('utf8');
    report?.on('error', () => {});
    report?.on('data', (line: string) => {
      const agentPid = Number((/"agentPid":(\d+)/.exec(line) ?? [])[1]);
      if (monitor || !(agentPid > 0)) return;
      monitor = startResourceMonitor({ leaderPid: agentPid, markers: attemptMarkers(task.id, attempt, plan.workspace) });
    });
    const timer = setTimeout(() => {
      this.stopReason ??= { outcome: 'timed_out', reason: `timed out after ${formatDuration(this.req.timeoutMs)}` };
      void this.stop();
    }, this.req.timeoutMs);

    child.stdin.on('error', () => {}); // a builder that ignores stdin may close it before we finish writing
    if (invocation.stdin === null) child.stdin.end();
    else child.stdin.end(invocation.stdin);
    for (const [stream, name] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
      stream.on('data', (chunk: Buffer) => output.chunk(chunk, name));
      stream.on('end', () => output.end(name));
    }

    const keeperExit = await new Promise<Exit>((resolve) => {
      child.once('error', (e) => resolve({ code: null, signal: null, spawnError: e }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // The agent's own end, as its keeper saw it (a spawn failure included); the keeper's exit when
    // it could not say (ended by SIGKILL).
    const kept = keeperExit.spawnError ? null : await readExitRecord(exitRecord);
    const exit: Exit = kept
      ? { code: kept.exitCode, signal: kept.signal, ...(kept.spawnError ? { spawnError: Object.assign(new Error(kept.spawnError.message), { code: kept.spawnError.code }) } : {}) }
      : keeperExit;
    clearTimeout(timer);
    stall.stop();
    this.pid = undefined; // gone: a late cancel must not signal a pid that may be reused
    const resources = monitor ? await (monitor as ResourceMonitor).stop() : undefined;
    // The builder is gone; what it left running (a dev server, a daemonised child holding our
    // pipes) is ended, and its output gets a moment to drain before we stop reading.
    await this.sweep();
    await drained([child.stdout, child.stderr], OUTPUT_DRAIN_MS);
    redactor?.flush();
    this.markExited();
    const durationMs = Date.now() - started;
    return concludeAttempt(endContext(this.opts, task), {
      task,
      attempt,
      logPath: plan.logPath,
      prepared,
      exit,
      verdict: parser.end({ code: exit.code, signal: exit.signal }),
      stopReason: this.stopReason,
      logTail: output.tail(),
      durationMs,
      ...(resources ? { resources } : {}),
      writeLog: (text) => logFile.write(text),
    });
  }
}
