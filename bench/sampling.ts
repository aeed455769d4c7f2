// What resource sampling costs the daemon with many builds running: BENCH_BUILDS (default 20)
// process trees (a shell and two children each, carrying their attempt's NIGHTSHIFT_* markers),
// each watched by its own startResourceMonitor at the default 1 s interval, as AgentBuilder does.
// Over BENCH_SECONDS (default 15): this process's CPU time (% of one core), its event-loop delay
// p99, and the processes it spawned (`ps` and friends, counted by wrappers first on PATH).
// `node --import tsx bench/sampling.ts`.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export const name = 'sampling';
export const description = 'resource monitors of 20 running builds: daemon CPU, loop delay p99, processes spawned';

const BUILDS = Number(process.env.BENCH_BUILDS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

/** How many /proc scans the shared table made, where there is one (the code before this had none). */
async function scans(): Promise<string> {
  const table = await import('../src/builders/supervision/proc-table.ts').catch(() => null);
  return table ? `, ${table.procTable.scans} /proc scans` : '';
}

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'nightshift-bench-sampling-'));
  const spawnLog = join(root, 'spawned.log');
  const bin = join(root, 'bin');
  await import('node:fs/promises').then((fs) => fs.mkdir(bin));
  for (const tool of ['ps', 'getconf']) {
    const real = await new Promise<string>((resolve) => {
      const p = spawn('sh', ['-c', `command -v ${tool}`]);
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.once('close', () => resolve(out.trim()));
    });
    await writeFile(join(bin, tool), `#!/bin/sh\necho ${tool} >> ${JSON.stringify(spawnLog)}\nexec ${JSON.stringify(real)} "$@"\n`);
    await chmod(join(bin, tool), 0o755);
  }
  process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
  const { startResourceMonitor } = await import('../src/builders/supervision/resource-monitor.ts');

  const trees: ChildProcess[] = [];
  try {
    for (let i = 0; i < BUILDS; i++) {
      const env = { PATH: process.env.PATH, NIGHTSHIFT_TASK_ID: `t-${i}`, NIGHTSHIFT_ATTEMPT: '1', NIGHTSHIFT_WORKSPACE: join(root, `t-${i}`) };
      trees.push(spawn('sh', ['-c', 'sleep 600 & sleep 600 & wait'], { env, detached: true, stdio: 'ignore' }));
    }
    const monitors = trees.map((t, i) =>
      startResourceMonitor({
        leaderPid: t.pid as number,
        markers: [`NIGHTSHIFT_TASK_ID=t-${i}`, 'NIGHTSHIFT_ATTEMPT=1', `NIGHTSHIFT_WORKSPACE=${join(root, `t-${i}`)}`],
      }),
    );
    await new Promise((r) => setTimeout(r, 1_500)); // past the first samples
    const spawnedBefore = (await readFile(spawnLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    loop.disable();
    const spawned = (await readFile(spawnLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).length - spawnedBefore;
    const usage = await Promise.all(monitors.map((m) => m.stop()));
    console.log(
      `${BUILDS} builds, ${SECONDS} s: CPU ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1)}% of a core, ` +
        `event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms (max ${(loop.max / 1e6).toFixed(1)} ms), ` +
        `${spawned} processes spawned (${(spawned / SECONDS).toFixed(1)}/s); ` +
        `${usage.reduce((n, u) => n + u.samples, 0)} samples in all${await scans()}`,
    );
  } finally {
    for (const t of trees) {
      try {
        if (t.pid !== undefined) process.kill(-t.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
