import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAlive } from '../src/builders/process-tree.ts';
import { startResourceMonitor } from '../src/builders/supervision/resource-monitor.ts';
import type { ProcessSample, SampleFn } from '../src/builders/supervision/resource-monitor.ts';
import { waitFor } from './helpers/agents.ts';
import { tempDir } from './helpers/temp-dir.ts';

const MB = 1024 * 1024;

// Burns CPU time (not wall time) so the figures hold on a loaded machine.
const BURN = `
const burn = (ms) => { const t0 = process.cpuUsage(); for (;;) { const u = process.cpuUsage(t0); if ((u.user + u.system) / 1000 >= ms) return; } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
`;

/**
 * A parent holding 60 MB and burning 600 ms of CPU, and a forked child burning 400 ms. Prints what
 * each measured of itself, then both stay, idle (their figures final), until a line on stdin: a
 * sample sees only live processes, so the test takes its last one first.
 */
const TREE_SCRIPT = `${BURN}
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
if (process.argv[2] === 'child') {
  burn(400);
  process.send({ cpuMs: cpuMs(), rssBytes: process.memoryUsage().rss });
  process.once('message', () => process.disconnect()); // the parent's word to go
} else {
  const child = fork(fileURLToPath(import.meta.url), ['child']);
  const childReport = new Promise((r) => child.once('message', r));
  const childExit = new Promise((r) => child.once('exit', r));
  const ballast = Buffer.alloc(60 * 1024 * 1024, 1); // filled, so every page is resident
  burn(600);
  const child_ = await childReport;
  const parent = { cpuMs: cpuMs(), rssBytes: process.memoryUsage().rss, uptimeMs: process.uptime() * 1000, ballast: ballast.length };
  console.log(JSON.stringify({ parent, child: child_ }));
  process.stdin.once('data', async () => {
    child.send('go');
    await childExit;
    process.stdin.destroy();
  });
}
`;

/**
 * Starts a detached process (own session, reparented once we exit), prints its pid and exits. The
 * process burns 500 ms of CPU only once SCRIPT_DIR/go exists (the test makes it when we are gone:
 * until then it is our child, and would count without the marker too), then makes SCRIPT_DIR/burnt
 * and stays, idle, until it is killed (a sample sees only live processes).
 */
const DAEMONIZE_SCRIPT = `
import { spawn } from 'node:child_process';
const body = ${JSON.stringify(`${BURN}
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
while (!existsSync(join(process.env.SCRIPT_DIR, 'go'))) await sleep(10);
burn(500);
writeFileSync(join(process.env.SCRIPT_DIR, 'burnt'), '');
setInterval(() => {}, 1000);`)};
const d = spawn(process.execPath, ['--input-type=module', '-e', body], { detached: true, stdio: 'ignore' });
d.unref();
console.log(d.pid);
`;

const started: number[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Runs a script in its own directory (SCRIPT_DIR in its environment). `release()` writes a line to its stdin. */
async function runScript(source: string, env: Record<string, string> = {}) {
  const dir = await tempDir('nightshift-supervision-');
  const file = join(dir, 'script.mjs');
  await writeFile(file, source);
  const child = spawn(process.execPath, [file], { env: { ...process.env, ...env, SCRIPT_DIR: dir }, stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('spawn failed');
  started.push(pid);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stdin.on('error', () => undefined); // a script that exited at once closed it
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid, dir, exited, stdout: () => stdout, release: () => child.stdin.end('go\n') };
}

interface SelfReport {
  parent: { cpuMs: number; rssBytes: number; uptimeMs: number };
  child: { cpuMs: number; rssBytes: number };
}

describe('startResourceMonitor on real processes', () => {
  it('sums CPU over the whole tree, child included, and sees the peak memory', async () => {
    const t0 = performance.now();
    const run = await runScript(TREE_SCRIPT);
    const monitor = startResourceMonitor({ leaderPid: run.pid, intervalMs: 100 });
    await waitFor(() => run.stdout().includes('\n'), 20_000, 'the tree to report on itself');
    // both processes are alive and idle now: stop() takes a last sample of their final figures
    const usage = await monitor.stop();
    const elapsed = performance.now() - t0;
    run.release();
    await run.exited;
    const self = JSON.parse(run.stdout()) as SelfReport;

    const reported = self.parent.cpuMs + self.child.cpuMs;
    expect(usage.cpuMs).toBeGreaterThanOrEqual(reported - 60); // /proc counts in 10 ms ticks
    expect(usage.cpuMs).toBeLessThan(reported + 400);
    expect(usage.cpuMs).toBeGreaterThan(self.parent.cpuMs + 300); // the child counted
    expect(usage.peakRssBytes).toBeGreaterThanOrEqual(50 * MB);
    expect(usage.peakRssBytes).toBeGreaterThanOrEqual(0.9 * self.parent.rssBytes);
    expect(usage.wallMs).toBeGreaterThanOrEqual(self.parent.uptimeMs - 100);
    expect(usage.wallMs).toBeLessThanOrEqual(elapsed + 1);
    expect(usage.samples).toBeGreaterThanOrEqual(5);
  });

  it('a short build that starts just after another is watched is still measured (its first sample is a fresh scan)', async () => {
    const long = spawn('sleep', ['5'], { stdio: 'ignore' });
    const first = startResourceMonitor({ leaderPid: long.pid ?? 0 });
    try {
      await waitFor(() => first.current().samples > 0, 5_000, 'the first monitor to take its sample');
      // A builder that lives well under one interval (1 s): only its first sample can see it. The
      // monitor starts once it runs (a scan during its exec could read no memory yet), and after
      // the first monitor's last scan, which cannot show it. It lives 400 ms from when it is told
      // the monitor started, so a test process slow to start the monitor cannot miss it.
      const script = "console.log('up'); process.stdin.once('data', () => { const t = Date.now(); while (Date.now() - t < 400); process.exit(0); });";
      const short = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
      await new Promise((r) => short.stdout.once('data', r));
      const monitor = startResourceMonitor({ leaderPid: short.pid ?? 0 });
      short.stdin.write('go\n');
      await new Promise((r) => short.on('exit', r));
      const usage = await monitor.stop();
      expect(usage.samples).toBeGreaterThanOrEqual(1);
      expect(usage.peakRssBytes).toBeGreaterThan(0);
    } finally {
      long.kill('SIGKILL');
      await first.stop();
    }
  });

  it('a process that exits at once gives near-zero figures, without throwing', async () => {
    const run = await runScript('');
    const t0 = performance.now();
    const monitor = startResourceMonitor({ leaderPid: run.pid, intervalMs: 50 });
    await run.exited;
    const usage = await monitor.stop();
    const elapsed = performance.now() - t0;
    expect(usage.cpuMs).toBeGreaterThanOrEqual(0);
    expect(usage.cpuMs).toBeLessThan(1_000);
    expect(usage.peakRssBytes).toBeGreaterThanOrEqual(0);
    expect(usage.peakRssBytes).toBeLessThan(500 * MB);
    expect(usage.wallMs).toBeGreaterThanOrEqual(0);
    expect(usage.wallMs).toBeLessThanOrEqual(elapsed + 1); // no more than the time it was watched
  });

  it('a process already gone when monitoring starts gives zeros and no samples', async () => {
    const run = await runScript('');
    await run.exited;
    const usage = await startResourceMonitor({ leaderPid: run.pid, intervalMs: 50 }).stop();
    expect(usage).toMatchObject({ cpuMs: 0, peakRssBytes: 0, samples: 0 });
  });

  it('counts a detached grandchild that carries the environment marker, and only with the marker', async () => {
    const marker = `NIGHTSHIFT_TEST_MARK=${randomUUID()}`;
    const run = await runScript(DAEMONIZE_SCRIPT, { NIGHTSHIFT_TEST_MARK: marker.split('=')[1] ?? '' });
    const withMarker = startResourceMonitor({ leaderPid: run.pid, markers: [marker], intervalMs: 100 });
    const withoutMarker = startResourceMonitor({ leaderPid: run.pid, intervalMs: 100 });
    await run.exited;
    const daemon = Number(run.stdout().trim());
    started.push(daemon);
    await writeFile(join(run.dir, 'go'), ''); // its parent is gone: it may burn
    await waitFor(() => existsSync(join(run.dir, 'burnt')), 20_000, 'the detached grandchild to burn its 500 ms');
    // it is alive and idle: the marked monitor's last sample (at stop) sees its final figure
    const [marked, unmarked] = await Promise.all([withMarker.stop(), withoutMarker.stop()]);
    expect(marked.cpuMs).toBeGreaterThanOrEqual(unmarked.cpuMs + 450);
    expect(unmarked.cpuMs).toBeLessThan(400); // the leader's own start-up only
  });
});

describe('startResourceMonitor accounting (scripted samples)', () => {
  /** Returns the scripted samples in turn, then the last one forever. */
  const scripted = (...rounds: ProcessSample[][]): SampleFn => {
    let i = 0;
    return () => Promise.resolve(rounds[Math.min(i++, rounds.length - 1)] ?? []);
  };
  const p = (pid: number, cpuMs: number, rssMb: number): ProcessSample => ({ pid, cpuMs, rssBytes: rssMb * MB });

  it('keeps each pid at its highest CPU figure, counts pids that vanished, and takes the peak of summed RSS', async () => {
    let t = 1_000;
    const monitor = startResourceMonitor({
      leaderPid: process.pid, // alive, so stop() takes a final sample
      intervalMs: 1,
      now: () => t,
      sample: scripted(
        [p(1, 100, 10), p(2, 50, 20)], // 150 ms, 30 MB
        [p(1, 300, 40)], // pid 2 gone: still counted; 350 ms, 40 MB
        [p(1, 250, 5), p(3, 20, 1)], // a lower reading never lowers the total: 370 ms, 6 MB
      ),
    });
    await waitFor(() => monitor.current().samples >= 3, 2_000, 'three samples');
    t = 5_500;
    const usage = await monitor.stop();
    expect(usage).toEqual({ wallMs: 4_500, cpuMs: 370, peakRssBytes: 40 * MB, samples: usage.samples });
    t = 9_000;
    expect(monitor.current().wallMs).toBe(4_500); // frozen at stop()
    await expect(monitor.stop()).resolves.toEqual(usage);
  });

  it('survives a sampler that throws, rejects or returns garbage', async () => {
    let call = 0;
    const bad: SampleFn = () => {
      call++;
      if (call === 1) throw new Error('ps not found');
      if (call === 2) return Promise.reject(new Error('EMFILE'));
      if (call === 3) return Promise.resolve(null as unknown as ProcessSample[]);
      if (call === 4) return Promise.resolve([{ pid: 7, cpuMs: Number.NaN, rssBytes: 1 }]);
      return Promise.resolve([p(7, 80, 3)]);
    };
    const monitor = startResourceMonitor({ leaderPid: process.pid, intervalMs: 1, sample: bad });
    await waitFor(() => monitor.current().samples >= 1, 2_000, 'a good sample');
    const usage = await monitor.stop();
    expect(usage).toMatchObject({ cpuMs: 80, peakRssBytes: 3 * MB });
  });

  it('stops sampling by itself once the tree is extinct', async () => {
    const run = await runScript('');
    await run.exited;
    let calls = 0;
    // On a fake clock: had the monitor armed its next sample, running the clock on would take it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const monitor = startResourceMonitor({ leaderPid: run.pid, intervalMs: 1, sample: () => (calls++, Promise.resolve([])) });
      await vi.advanceTimersByTimeAsync(50);
      expect(calls).toBe(1);
      await monitor.stop();
      expect(calls).toBe(1); // no final sample either: the leader is gone and there are no markers
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects options that cannot work', () => {
    expect(() => startResourceMonitor({ leaderPid: 0 })).toThrow(RangeError);
    expect(() => startResourceMonitor({ leaderPid: process.pid, intervalMs: 0 })).toThrow(/intervalMs/);
  });
});
