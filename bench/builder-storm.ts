// The builder side of the storm, without the engine, the store or chat: BENCH_BUILDS (default 20)
// AgentBuilder builds at once, each running bench/fixtures/storm-agent.mjs (500 PROGRESS lines a
// second) for BENCH_STORM_S (default 15) seconds, in git worktrees, logs capped at LOG_MAX_BYTES
// (BENCH_LOG_MAX, default 8 MiB). Progress goes nowhere (the engine's coalescing is not measured
// here). Measured in this process while every build runs: CPU (% of one core), event-loop delay
// p99, and afterwards the largest log. Meanwhile BENCH_PROBES (default 10) more tasks are started
// one after another in the same repository (their agent is /bin/true), each timed from start() to
// the spawn: the builder's share of "request accepted → first instruction" under the storm.
// `node --import tsx bench/builder-storm.ts`.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AgentBuilder } from '../src/builders/agent-builder.ts';
import { GitWorkspaces } from '../src/builders/git-workspaces.ts';
import { customPreset } from '../src/builders/presets/index.ts';
import { Task } from '../src/core/task.ts';
import { makeTask } from '../test/helpers/task-factory.ts';

export const name = 'builder-storm';
export const description = '20 builds × 500 lines/s through AgentBuilder: CPU, loop delay p99, log size';

const BUILDS = Number(process.env.BENCH_BUILDS ?? 20);
const SECONDS = Number(process.env.BENCH_STORM_S ?? 15);
const LOG_MAX = Number(process.env.BENCH_LOG_MAX ?? 8 * 1024 * 1024);
const PROBES = Number(process.env.BENCH_PROBES ?? 10);
const AGENT = fileURLToPath(new URL('./fixtures/storm-agent.mjs', import.meta.url));

function task(n: number): Task {
  const at = new Date().toISOString();
  return makeTask({ id: `t-${n}`, title: `Storm ${n}`, spec: 'print a lot', request: 'print a lot', priority: 'high', status: 'building', createdAt: at, updatedAt: at });
}

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'nightshift-bench-storm-'));
  try {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, STORM_SECONDS: String(SECONDS), STORM_LINES_PER_S: '500' };
    const workspaces = new GitWorkspaces({ dataDir: root, keep: 100, env: { ...env, GIT_CONFIG_NOSYSTEM: '1' } });
    await workspaces.repository();
    const builder = new AgentBuilder({
      name: 'storm',
      preset: customPreset([AGENT]),
      command: AGENT,
      dataDir: root,
      env,
      workspaces,
      logMaxBytes: LOG_MAX, // ignored by code that has no cap
    } as ConstructorParameters<typeof AgentBuilder>[0]);
    let lines = 0;
    let spawned = 0;
    const all = Array.from({ length: BUILDS }, (_, i) => {
      const t = task(i);
      return builder.start({
        task: t,
        attempt: 1,
        plan: builder.plan(t, 1),
        timeoutMs: (SECONDS + 60) * 1000,
        onProgress: () => void lines++,
        onSpawn: () => void spawned++,
      });
    });
    while (spawned < BUILDS) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1_000)); // every agent under way
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const lines0 = lines;
    const probe = new AgentBuilder({ name: 'probe', preset: customPreset(['/bin/true']), command: '/bin/true', dataDir: root, env, workspaces });
    const probeMs: number[] = [];
    for (let i = 0; i < PROBES && performance.now() - t0 < (SECONDS - 5) * 1000; i++) {
      const t = task(1000 + i);
      const started = performance.now();
      let spawnedAt = 0;
      await probe.start({ task: t, attempt: 1, plan: probe.plan(t, 1), timeoutMs: 60_000, onProgress: () => {}, onSpawn: () => void (spawnedAt = performance.now()) }).result;
      probeMs.push(spawnedAt - started);
    }
    const rest = Math.max(1, SECONDS - 3) * 1000 - (performance.now() - t0);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    loop.disable();
    const seen = lines - lines0;
    const results = await Promise.all(all.map((h) => h.result));
    const logs = join(root, 'logs');
    let largest = 0;
    for (const id of await readdir(logs)) {
      for (const f of await readdir(join(logs, id))) if (f.endsWith('.log')) largest = Math.max(largest, (await stat(join(logs, id, f))).size);
    }
    console.log(
      `${BUILDS} builds × 500 lines/s: ${(seen / (wall / 1000)).toFixed(0)} lines/s read; CPU ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1)}% of a core, ` +
        `event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms (max ${(loop.max / 1e6).toFixed(1)} ms); ` +
        `largest log ${(largest / 1024).toFixed(0)} KiB; outcomes: ${[...new Set(results.map((r) => r.outcome))].join(', ')}`,
    );
    probeMs.sort((a, b) => a - b);
    if (probeMs.length) {
      console.log(
        `  ${probeMs.length} tasks started during the storm: start() → spawn median ${probeMs[Math.floor(probeMs.length / 2)]?.toFixed(0)} ms, ` +
          `max ${probeMs[probeMs.length - 1]?.toFixed(0)} ms (all: ${probeMs.map((m) => m.toFixed(0)).join(', ')})`,
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
