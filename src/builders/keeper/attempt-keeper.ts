// The attempt keeper: a small process between nightshift and the agent, so that the agent's work
// outlives nightshift. If nightshift dies (kill -9, a crash, the machine's OOM killer) while an
// agent builds, the agent does not notice: the keeper holds its output pipes, keeps what it prints
// (redacted) in attempt-N.away.log, and when the agent exits writes how it ended to
// attempt-N.exit.json. The next start reads that record and records the attempt as it really ended,
// instead of running finished work again.
//
//   node attempt-keeper.js <exit record> <away log> <away log max bytes> <report fd|-> -- <command> [args...]
//
// The report fd (nightshift passes 3, a pipe) is told the agent's pid once it runs, as one JSON
// line: nightshift measures the agent's process tree, not the keeper's.
//
// Its stdin is the agent's (inherited: the spec nightshift writes reaches the agent directly); its
// exit is the agent's (the same code, or the same signal raised on itself). It imports node
// built-ins and the redaction rules only, and is bundled on its own (scripts/build.mjs): it starts
// before every attempt. A team worker's keeper (KEEPER_ENDS_WITH_PARENT) ends the agent instead when
// the worker dies: no worker takes such an agent back.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { redact } from '../../logger.ts';
import { secretValues } from '../../secret-values.ts';
import { RedactingLines } from '../redacting-lines.ts';
import type { ExitRecord } from './exit-record.ts';
import { KEEPER_ENDS_WITH_PARENT } from './keeper-env.ts';

/** After the agent exits, how long a background child of it may keep its output open. */
const DRAIN_MS = 2_000;

const [recordPath, awayLogPath, maxBytesArg, reportFdArg, separator, command, ...args] = process.argv.slice(2);
const awayMaxBytes = Number(maxBytesArg);
const reportFd = reportFdArg === '-' ? null : Number(reportFdArg);
if (!recordPath || !awayLogPath || !(awayMaxBytes > 0) || (reportFd !== null && !(reportFd > 2)) || separator !== '--' || !command) {
  process.stderr.write('usage: attempt-keeper <exit record> <away log> <away log max bytes> <report fd|-> -- <command> [args...]\n');
  process.exit(2);
}

/** Written whole or not at all: the next start may read it at any moment. */
function writeRecord(record: ExitRecord): void {
  const tmp = `${recordPath}.tmp`;
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, recordPath as string);
}

// While nightshift reads our output, it is passed on as it comes; once a write fails (nightshift
// is gone: EPIPE), the rest goes to the away log, redacted as nightshift would. The away log holds
// at most its cap: the first half, then (at the end) the newest output up to the other half.
let awayFd: number | null = null;
let awayWritten = 0;
let newest: string[] = [];
let newestBytes = 0;
let dropped = 0;
const secrets = secretValues(process.env);
const awayLines = new RedactingLines(
  (text) => redact(text, secrets),
  (text) => {
    if (awayFd === null) return;
    const bytes = Buffer.byteLength(text);
    if (awayWritten + bytes <= awayMaxBytes / 2) {
      writeSync(awayFd, text);
      awayWritten += bytes;
      return;
    }
    newest.push(text);
    newestBytes += bytes;
    while (newestBytes > awayMaxBytes / 2 && newest.length > 1) {
      const gone = newest.shift() as string;
      newestBytes -= Buffer.byteLength(gone);
      dropped += Buffer.byteLength(gone);
    }
  },
);
let away = false;

function closeAwayLog(): void {
  awayLines.flush();
  if (awayFd === null) return;
  if (dropped > 0) writeSync(awayFd, `# nightshift keeper: ${dropped} bytes of output were dropped here (the away log holds at most ${awayMaxBytes}); the newest follow\n`);
  for (const text of newest) writeSync(awayFd, text);
  newest = [];
  closeSync(awayFd);
  awayFd = null;
}

function goAway(): void {
  if (away) return;
  away = true;
  try {
    awayFd = openSync(awayLogPath as string, 'a', 0o600);
    writeSync(awayFd, `# nightshift stopped reading at ${new Date().toISOString()}; the agent's output after that was kept by its keeper\n`);
  } catch {
    awayFd = null; // nowhere to keep it: the agent still runs, and its end is still recorded
  }
}

// A team worker's keeper does not outlive its worker: see endWithParent below.
const [parentArg, graceArg] = (process.env[KEEPER_ENDS_WITH_PARENT] ?? '').split(':');
const parentPid = Number(parentArg);
const endsWithParentGraceMs = parentPid > 0 ? Math.max(0, Number(graceArg) || 0) : -1;
delete process.env[KEEPER_ENDS_WITH_PARENT];

const agent = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'] });
if (reportFd !== null) {
  try {
    if (agent.pid !== undefined) writeSync(reportFd, `${JSON.stringify({ agentPid: agent.pid })}\n`);
    closeSync(reportFd);
  } catch {
    // nightshift is gone already: nobody to tell
  }
}

function forward(from: Readable, to: Writable): void {
  // Chunks handed to the pipe and not yet confirmed written: the write that finds nightshift gone
  // fails after the fact, and its chunk (with any queued behind it) goes to the away log instead.
  const unconfirmed = new Set<Buffer>();
  to.on('error', () => {
    goAway();
    for (const chunk of unconfirmed) awayLines.push(chunk);
    unconfirmed.clear();
  });
  from.on('data', (chunk: Buffer) => {
    if (away) return awayLines.push(chunk);
    unconfirmed.add(chunk);
    const written = to.write(chunk, (error) => {
      if (!error) unconfirmed.delete(chunk);
    });
    // Back-pressure: a slow reader slows the agent's output, it does not fill our memory.
    if (!written) {
      from.pause();
      const resume = () => {
        to.off('drain', resume);
        to.off('error', resume);
        from.resume();
      };
      to.once('drain', resume);
      to.once('error', resume);
    }
  });
}
forward(agent.stdout, process.stdout);
forward(agent.stderr, process.stderr);

// A signal meant for the attempt (a cancel, a shutdown, a restart ending what a crash left) goes to
// the agent; the keeper stays until the agent has gone, to record how it ended.
let forwarded: NodeJS.Signals | undefined;
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // Only a signal that reached a running agent caused its end; one that came after it had exited
    // (before we heard) did not, and its end stays its own.
    if (stillRunning()) forwarded ??= signal;
    agent.kill(signal);
  });
}

// The worker that started us died (we were given to another parent): the daemon will retry the
// attempt on another worker, so the agent is ended now, politely and then by force, rather than
// build the task a second time beside it. Checked twice a second.
if (endsWithParentGraceMs >= 0) {
  const watch = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(watch);
    if (stillRunning()) forwarded ??= 'SIGTERM';
    agent.kill('SIGTERM');
    setTimeout(() => agent.kill('SIGKILL'), endsWithParentGraceMs).unref();
  }, 500);
  watch.unref();
}

/** Whether the agent still runs: on Linux, not gone and not a zombie; elsewhere, until we hear it exit. */
const HAS_PROC = existsSync('/proc/self/stat');
function stillRunning(): boolean {
  if (ended || agent.pid === undefined) return false;
  if (!HAS_PROC) return true;
  try {
    const stat = readFileSync(`/proc/${agent.pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

function closed(stream: Readable): Promise<void> {
  return stream.closed || stream.destroyed ? Promise.resolve() : new Promise((r) => stream.once('close', () => r()));
}

let ended = false;

async function end(record: ExitRecord): Promise<void> {
  if (ended) return; // a spawn error may be followed by an exit event
  ended = true;
  try {
    writeRecord(record);
  } catch (e) {
    process.stderr.write(`nightshift keeper: could not record the agent's end: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all([closed(agent.stdout), closed(agent.stderr)]), new Promise((r) => (timer = setTimeout(r, DRAIN_MS)))]);
  clearTimeout(timer);
  closeAwayLog();
  if (record.signal) {
    process.removeAllListeners(record.signal);
    process.kill(process.pid, record.signal);
  }
  process.exit(record.exitCode ?? 1);
}

agent.once('error', (e: NodeJS.ErrnoException) => {
  void end({ exitCode: e.code === 'ENOENT' ? 127 : 126, signal: null, endedAt: new Date().toISOString(), away, spawnError: { code: e.code ?? 'unknown', message: e.message } });
});
agent.once('exit', (code, signal) => {
  void end({ exitCode: code, signal, endedAt: new Date().toISOString(), away, ...(forwarded ? { forwarded } : {}) });
});
