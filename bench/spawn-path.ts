// What a build costs between AgentBuilder.start() and the spawn of the agent: git processes
// (counted by a `git` wrapper first on PATH that logs when each starts and ends) and wall time,
// for a fresh task and for a retry of it, with the repository check already cached (as in the
// daemon, where the start-up tidy makes it). The timing pass runs without the wrapper.
// `node --import tsx bench/spawn-path.ts` or, once registered in bench/run.ts, `npm run bench -- spawn-path`.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentBuilder } from '../src/builders/agent-builder.ts';
import { GitWorkspaces } from '../src/builders/git-workspaces.ts';
import { customPreset } from '../src/builders/presets/index.ts';
import { Task } from '../src/core/task.ts';
import { makeTask } from '../test/helpers/task-factory.ts';

export const name = 'spawn-path';
export const description = 'git processes and ms from AgentBuilder.start() to the spawn, fresh task and retry';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

function task(n: number): Task {
  const at = new Date().toISOString();
  return makeTask({ id: `t-${n}`, title: `Add CSV export ${n}`, spec: 'Add a CSV export button to /reports.', request: 'add CSV export', priority: 'medium', status: 'building', createdAt: at, updatedAt: at });
}

interface Call {
  args: string;
  start: number;
  end: number;
}

/** Git invocations logged by the wrapper, as [start, end] in ms. */
async function readCalls(file: string): Promise<Call[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const starts = new Map<string, { t: number; args: string }>();
  const calls: Call[] = [];
  for (const line of text.split('\n')) {
    const m = /^(S|E) (\d+) (\d+) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, kind, id, ns, args] = m;
    const t = Number(ns) / 1e6;
    if (kind === 'S') starts.set(id ?? '', { t, args: args ?? '' });
    else {
      const s = starts.get(id ?? '');
      if (s) calls.push({ args: s.args, start: s.t, end: t });
    }
  }
  return calls.sort((a, b) => a.start - b.start);
}

/** How many git processes ran one after another: the longest chain of non-overlapping calls. */
function sequentialSteps(calls: Call[]): number {
  let steps = 0;
  let until = -Infinity;
  for (const c of calls) {
    if (c.start >= until) {
      steps++;
      until = c.end;
    } else until = Math.max(until, c.end);
  }
  return steps;
}

interface Run {
  ms: number;
  prepareMs: number;
  calls: Call[];
}

async function measure(withWrapper: boolean) {
  const root = await mkdtemp(join(tmpdir(), 'nightshift-bench-spawn-'));
  try {
    const bin = join(root, 'bin');
    const callLog = join(root, 'git-calls.log');
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(root, 'gitconfig') };
    await writeFile(env.GIT_CONFIG_GLOBAL as string, '');
    if (withWrapper) {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(bin);
      const real = (await import('node:child_process')).execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
      await writeFile(
        join(bin, 'git'),
        `#!/bin/sh\nid=$$\necho "S $id $(date +%s%N) $*" >> ${JSON.stringify(callLog)}\n${JSON.stringify(real)} "$@"\nrc=$?\necho "E $id $(date +%s%N)" >> ${JSON.stringify(callLog)}\nexit $rc\n`,
      );
      await chmod(join(bin, 'git'), 0o755);
      env.PATH = `${bin}:${env.PATH}`;
    }
    const dataDir = join(root, 'data');
    const workspaces = new GitWorkspaces({ dataDir, keep: 100, env });
    await workspaces.repository(); // cached, as in the daemon
    // The workspace provider, timed: how much of start() → spawn is preparing the worktree.
    let prepareMs = 0;
    const timedWorkspaces: typeof workspaces = Object.assign(Object.create(workspaces) as GitWorkspaces, {
      prepare: async (t: Task, n: number) => {
        const t0 = performance.now();
        try {
          return await workspaces.prepare(t, n);
        } finally {
          prepareMs = performance.now() - t0;
        }
      },
    });
    const builder = new AgentBuilder({
      name: 'bench',
      preset: customPreset(['/bin/true']),
      command: '/bin/true',
      dataDir,
      env,
      workspaces: timedWorkspaces,
    });
    const results = { fresh: [] as Run[], retry: [] as Run[] };
    const one = async (t: Task, attempt: number) => {
      const before = (await readCalls(callLog)).length;
      const t0 = performance.now();
      let spawnedAt = 0;
      let spawnedWall = 0;
      const handle = builder.start({
        task: t,
        attempt,
        plan: builder.plan(t, attempt),
        timeoutMs: 60_000,
        onProgress: () => {},
        onSpawn: () => {
          spawnedAt = performance.now();
          spawnedWall = Date.now();
        },
      });
      await handle.result;
      const calls = (await readCalls(callLog)).slice(before).filter((c) => c.start <= spawnedWall);
      return { ms: spawnedAt - t0, prepareMs, calls };
    };
    for (let i = 0; i < ROUNDS; i++) {
      const t = task(i);
      results.fresh.push(await one(t, 1));
      results.retry.push(await one(t, 2));
    }
    return results;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

export async function run(): Promise<void> {
  const counted = await measure(true);
  const timed = await measure(false);
  for (const kind of ['fresh', 'retry'] as const) {
    const calls = counted[kind].map((r) => r.calls);
    const sample = calls[calls.length - 1] ?? [];
    const ms = timed[kind].map((r) => r.ms);
    const prep = timed[kind].map((r) => r.prepareMs);
    console.log(
      `${kind}: ${sample.length} git processes before the spawn (${sequentialSteps(sample)} one after another); ` +
        `start() → spawn median ${pct(ms, 50).toFixed(1)} ms, p90 ${pct(ms, 90).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms; ` +
        `of which preparing the worktree median ${pct(prep, 50).toFixed(1)} ms (${ROUNDS} runs)`,
    );
    const t0 = sample[0]?.start ?? 0;
    for (const c of sample) {
      console.log(`  +${(c.start - t0).toFixed(1)} ms: git ${c.args.replace(/^-c \S+ -c \S+ /, '')} (${(c.end - c.start).toFixed(1)} ms)`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
