// How an attempt ends, decided once for both ways it can end: watched by nightshift as it runs, or
// found after a restart (the agent ended on its own while nightshift was down; its keeper recorded
// the exit). Either way: the work is read back from git, the outcome classified, a draft pull
// request opened when configured, and the end written beside the log (attempt-N.end.json), so that
// a nightshift that dies before recording it records it at the next start instead of running
// finished work again.
import { appendFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { formatDuration } from '../core/durations.ts';
import type { BuildResult, Logger } from '../core/ports.ts';
import { BUILD_OUTCOMES, silentLogger } from '../core/ports.ts';
import type { CheckResult, Task } from '../core/task.ts';
import { AgentOutput } from './agent-output.ts';
import type { AgentPreset, AgentVerdict } from './presets/index.ts';
import { awayLogPath, type ExitRecord } from './keeper/exit-record.ts';
import type { ResourceUsage } from './supervision/usage.ts';
import { checkSummary } from '../core/check-summary.ts';
import { describeCheck, runCheck, type CheckCommand, type CheckRun } from './project-check.ts';
import { markerEnv } from './attempt-markers.ts';
import type { PreparedWorkspace, WorkspaceProvider } from './workspace-provider.ts';

/** What publishing a finished branch did (git/publish.ts): pushed, a pull request, and what did not happen. */
export type Publish = (w: PreparedWorkspace, task: Task, summary: string | undefined, checks: CheckResult | undefined) => Promise<{ pushed?: string; pullRequest?: string; problems: string[] }>;

export type Exit = { code: number | null; signal: NodeJS.Signals | null; spawnError?: Error };

/** Why nightshift itself stopped the attempt, if it did. */
export type StopReason = { outcome: 'cancelled' | 'timed_out'; reason: string };

export interface EndContext {
  /** "Claude Code", "demo builder". */
  name: string;
  /** The executable, for "could not start …". */
  command: string;
  workspaces: WorkspaceProvider;
  /** Pushes a finished task's branch and opens its pull request, as its project says (never throws). */
  publish?: Publish;
  redact?: (text: string) => string;
  logger?: Logger;
  /** BUILD_CHECK: the project's own check, run in the worktree when the agent finished with changes. */
  check?: CheckCommand;
  /** The environment the check runs in (the builder's). */
  checkEnv?: Record<string, string>;
}

export interface Ending {
  task: Task;
  attempt: number;
  logPath: string;
  prepared: PreparedWorkspace;
  exit: Exit;
  verdict: AgentVerdict;
  stopReason: StopReason | null;
  logTail: string;
  durationMs: number;
  resources?: ResourceUsage;
  /** Appends a line to the attempt's log. */
  writeLog(text: string): void;
}

/** Where an attempt keeps its own end: beside its log ("attempt-1.log" → "attempt-1.end.json"). */
export const endRecordPath = (logPath: string): string => logPath.replace(/\.log$/, '') + '.end.json';

/** Where an attempt keeps the workspace it ran in, for reading its work back after a restart. */
export const workspaceRecordPath = (logPath: string): string => logPath.replace(/\.log$/, '') + '.workspace.json';

export async function writeJsonWhole(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(value), { encoding: 'utf8', mode: 0o600 });
  await rename(tmp, file);
}

const OUTCOMES = new Set<string>(BUILD_OUTCOMES);

/** The recorded end, or null when there is none or it is not one (a torn or foreign file). */
export async function readEndRecord(file: string): Promise<BuildResult | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as Partial<BuildResult>;
    if (typeof r.outcome !== 'string' || !OUTCOMES.has(r.outcome) || typeof r.reason !== 'string') return null;
    return { exitCode: null, signal: null, logTail: '', deliverables: {}, durationMs: 0, ...r } as BuildResult;
  } catch {
    return null;
  }
}

/** What the attempt left, for telling "finished" from "did nothing". */
export interface WorkSeen {
  /** The attempt itself committed or changed something. */
  changed: boolean;
  /** It continued its own session from an earlier attempt, and the branch holds work since the fork. */
  continuedWithWork?: boolean;
}

export function classify(ctx: Pick<EndContext, 'name' | 'command'>, exit: Exit, verdict: AgentVerdict, work: WorkSeen, stopReason: StopReason | null): Pick<BuildResult, 'outcome' | 'reason' | 'retryable' | 'sessionLost'> {
  if (exit.spawnError) {
    const code = (exit.spawnError as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : exit.spawnError.message;
    return { outcome: 'failed', reason: `could not start ${ctx.command}: ${what}` };
  }
  if (stopReason) return stopReason;
  if (verdict.outcome === 'usage_limited') return { outcome: 'usage_limited', reason: verdict.reason };
  if (verdict.outcome === 'failed') return { outcome: 'failed', reason: verdict.reason, ...(verdict.retryable === false ? { retryable: false } : {}), ...(verdict.sessionLost ? { sessionLost: true } : {}) };
  // An agent that resumed its own session knows what its earlier attempt did: finding that work
  // complete (an API error ended the earlier attempt after the last edit) is finishing, not idling.
  // A fresh run that changes nothing has not shown it looked, and is not taken as done.
  if (!work.changed && work.continuedWithWork) return { outcome: 'succeeded', reason: `${verdict.reason}; it resumed its session and found the work its earlier attempt left on the branch complete` };
  if (!work.changed) return { outcome: 'failed', reason: `${ctx.name} finished but changed nothing in the workspace this attempt` };
  return { outcome: 'succeeded', reason: verdict.reason };
}

/** Reads the work back, classifies the end, opens a pull request when configured, and keeps the end beside the log. */
export async function concludeAttempt(ctx: EndContext, e: Ending): Promise<BuildResult> {
  const log = ctx.logger ?? silentLogger;
  const { task, attempt, prepared, exit, verdict, stopReason } = e;
  let collectError: string | null = null;
  const work = await ctx.workspaces.collect(prepared, task, attempt, ctx.name).catch((err: unknown) => {
    collectError = err instanceof Error ? err.message : String(err);
    log.warn('could not read back the workspace', { task: task.id, error: collectError });
    return { deliverables: { workspace: prepared.workspace }, changed: false };
  });
  const commits = 'commits' in work.deliverables ? work.deliverables.commits : undefined;
  let outcome: ReturnType<typeof classify> = collectError && !stopReason && !exit.spawnError
    ? { outcome: 'failed' as const, reason: `could not read back the work in ${prepared.workspace}: ${collectError}` }
    : classify(ctx, exit, verdict, { changed: work.changed, continuedWithWork: continuedWithWork(task, attempt, verdict, commits) }, stopReason);
  // Done means the project's own check passed: an agent that says it finished is checked, and a
  // failing check is a failed attempt whose successor is told the failure (it is in this log).
  // With a check configured, it is the judge of an agent that says it finished and left work on
  // the branch, even when this attempt changed nothing (the work may be an earlier attempt's).
  let checks: CheckRun | undefined;
  let logTail = e.logTail;
  const branchHasWork = (commits?.length ?? 0) > 0;
  const agentFinished = verdict.outcome === 'succeeded' && !stopReason && !exit.spawnError && !collectError;
  if (ctx.check && (outcome.outcome === 'succeeded' || (agentFinished && branchHasWork))) {
    e.writeLog(`\n# checks: ${describeCheck(ctx.check.argv)} in ${prepared.workspace}\n`);
    // With the attempt's markers, like the agent and its setup: a cancel's sweep, a restart's reap
    // and a worker's leftover sweep end it too.
    checks = await runCheck(ctx.check, prepared.workspace, { ...ctx.checkEnv, ...markerEnv(task.id, attempt, prepared.workspace) }, (chunk) => e.writeLog(ctx.redact ? ctx.redact(chunk) : chunk));
    e.writeLog(`\n# ${checkSummary(checks)}\n`);
    if (checks.outcome !== 'passed') {
      outcome = { outcome: 'failed', reason: `built, ${checkSummary(checks)}` };
      logTail = checks.tail;
    } else if (outcome.outcome !== 'succeeded') {
      outcome = { outcome: 'succeeded', reason: `${verdict.reason}; the work on the branch passes its checks` };
    }
  }
  const links: string[] = [];
  let noPullRequest: string | undefined;
  let pushed: string | undefined;
  if (outcome.outcome === 'succeeded' && ctx.publish) {
    const summary = verdict.summary && ctx.redact ? ctx.redact(verdict.summary) : verdict.summary;
    const published = await ctx.publish(prepared, task, summary, checks);
    if (published.pullRequest) links.push(published.pullRequest);
    pushed = published.pushed;
    if (published.pushed) e.writeLog(`# pushed to ${published.pushed}\n`);
    for (const p of published.problems) e.writeLog(`# ${p}\n`);
    if (published.problems.length) noPullRequest = published.problems.join('; ');
  }
  e.writeLog(`\n# ${outcome.reason} after ${formatDuration(e.durationMs)}\n`);
  log.info('build ended', { task: task.id, attempt, outcome: outcome.outcome, code: exit.code });
  const result: BuildResult = {
    ...outcome,
    exitCode: exit.code,
    signal: exit.signal,
    logTail,
    deliverables: {
      ...work.deliverables,
      ...(verdict.summary ? { summary: verdict.summary } : {}),
      ...(links.length ? { links } : {}),
      ...(noPullRequest ? { noPullRequest } : {}),
      ...(pushed ? { pushed } : {}),
    },
    durationMs: e.durationMs,
    ...(verdict.usage ? { usage: verdict.usage } : {}),
    ...(e.resources ? { resources: e.resources } : {}),
    ...(verdict.resetsAt ? { resetsAt: verdict.resetsAt } : {}),
    ...(verdict.sessionId ? { sessionId: verdict.sessionId } : {}),
    ...(checks ? { checks: { command: checks.command, outcome: checks.outcome, exitCode: checks.exitCode, durationMs: checks.durationMs } } : {}),
  };
  // The builder ended on its own (not stopped by a cancel or a shutdown): its end is kept.
  if (!stopReason || stopReason.outcome === 'timed_out') {
    await writeJsonWhole(endRecordPath(e.logPath), result).catch((err: unknown) => log.warn('could not keep the end of the attempt beside its log', { task: task.id, error: String(err) }));
  }
  return result;
}

/** The attempt ran in the same agent session as an earlier one, and the branch has commits since the fork. */
function continuedWithWork(task: Task, attempt: number, verdict: AgentVerdict, commits: string[] | undefined): boolean {
  const session = verdict.sessionId;
  return session !== undefined && (commits?.length ?? 0) > 0 && task.attempts.some((a) => a.n < attempt && a.sessionId === session);
}

/** What the agent printed while nightshift was away (its keeper's away log) goes on the end of the attempt's log. */
export async function foldAwayLog(logPath: string): Promise<void> {
  const away = awayLogPath(logPath);
  const kept = await readFile(away).catch(() => null);
  if (!kept) return;
  await appendFile(logPath, kept);
  await rm(away, { force: true });
}

/** An attempt's whole log read back through its preset's parser, as if the agent were printing it now. */
async function replayLog(preset: AgentPreset, logPath: string, workspace?: string) {
  const parser = preset.createParser(workspace ? { workspace } : {});
  const output = new AgentOutput({ parser, onProgress: () => {} });
  output.chunk(await readFile(logPath).catch(() => Buffer.alloc(0)), 'stdout');
  output.end('stdout');
  return { parser, tail: output.tail() };
}

/** The session an agent reported in an attempt's log (agents that name their own), read back after a crash. */
export async function sessionInLog(preset: AgentPreset, logPath: string): Promise<string | undefined> {
  const { parser } = await replayLog(preset, logPath);
  return parser.end({ code: null, signal: 'SIGKILL' }).sessionId;
}

export interface EndedAlone {
  task: Task;
  attempt: number;
  logPath: string;
  startedAt: string;
  kept: ExitRecord;
  preset: AgentPreset;
  /** Where the attempt worked, when that was recorded before it started. */
  workspace: string;
  /** Set when nightshift took the attempt back at a restart and then stopped it (a cancel, BUILD_TIMEOUT). */
  stopReason?: StopReason | null;
}

/**
 * An agent that ended while nightshift was not there (its keeper recorded the exit): what it
 * printed meanwhile (the away log) joins the attempt's log, the whole log is read again by the
 * preset's parser as if live, and the attempt is concluded as if nightshift had watched it end.
 */
export async function concludeEndedAlone(ctx: EndContext, e: EndedAlone): Promise<BuildResult> {
  await foldAwayLog(e.logPath);
  const recorded = await readFile(workspaceRecordPath(e.logPath), 'utf8').then((t) => JSON.parse(t) as PreparedWorkspace).catch(() => null);
  const prepared: PreparedWorkspace = recorded ?? { workspace: e.workspace, repository: '' };
  const { parser, tail } = await replayLog(e.preset, e.logPath, prepared.workspace);
  const { kept: k } = e;
  const exit: Exit = {
    code: k.exitCode,
    signal: k.signal,
    ...(k.spawnError ? { spawnError: Object.assign(new Error(k.spawnError.message), { code: k.spawnError.code }) } : {}),
  };
  const durationMs = Math.max(0, Date.parse(k.endedAt) - Date.parse(e.startedAt));
  const lines: string[] = [
    e.stopReason === undefined
      ? `# nightshift was not running when ${ctx.name} ended (${k.endedAt}); its keeper recorded the end, and the next start read it\n`
      : `# ${ctx.name} kept working while nightshift restarted; nightshift took the attempt back, and its keeper recorded the end (${k.endedAt})\n`,
  ];
  const result = await concludeAttempt(ctx, {
    task: e.task,
    attempt: e.attempt,
    logPath: e.logPath,
    prepared,
    exit,
    verdict: parser.end({ code: exit.code, signal: exit.signal }),
    stopReason: e.stopReason ?? null,
    logTail: tail,
    durationMs: Number.isFinite(durationMs) ? durationMs : 0,
    writeLog: (text) => lines.push(text),
  });
  await appendFile(e.logPath, lines.join(''));
  return result;
}
