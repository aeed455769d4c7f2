// Running the built `nightshift` (and its baseline, `node -e 0`) as whole processes, the way a
// user does, timing each from spawn to exit and reading its peak memory.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/nightshift.mjs', import.meta.url));
const REPORT_RSS = fileURLToPath(new URL('./report-rss.mjs', import.meta.url));

export interface Run {
  wallMs: number;
  peakRssBytes: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment for the binary: nothing of the developer's own settings. */
export function benchEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, NIGHTSHIFT_HOME: home, OWNER_TZ: 'UTC', DASHBOARD_PORT: '0', ...extra };
}

/** Runs `node <args>` once; the peak RSS comes from the process itself (report-rss.mjs). */
export async function timeNode(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  const rssFile = join(cwd, `rss-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', REPORT_RSS, ...args], { env: { ...env, BENCH_RSS_FILE: rssFile }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const wallMs = performance.now() - started;
  const peakRssBytes = Number((await readFile(rssFile, 'utf8').catch(() => 'NaN')).trim());
  await rm(rssFile, { force: true });
  return { wallMs, peakRssBytes, code, stdout, stderr };
}

export interface Daemon {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  stop(): Promise<void>;
}

/** `nightshift start` (this build, or `bin` of a baseline) with its prompt on a pipe; resolves once it takes requests. */
export async function startDaemon(env: Record<string, string>, cwd: string, opts: { bin?: string; nodeArgs?: string[] } = {}): Promise<Daemon> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.bin ?? BIN, 'start'], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (/Type a request/.test(out)) resolve();
      else if (child.exitCode !== null) reject(new Error(`the daemon exited: ${out}`));
      else setTimeout(check, 20);
    };
    check();
  });
  return {
    child,
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
