// What accepting a task and changing one task cost as the live queue grows (10, 1,000, 5,000 live
// tasks): a real Engine on a real LowdbTaskStore in a temp dir, driven through the chat commands
// (buildCommand, decisionCommand, clarifyCommand), and decideSchedule on its own.
//
// Baseline: the same operations run, in the same process and the same run, against the code of
// commit BASELINE_COMMIT (the scheduler, engine, commands and store before this work), extracted
// with `git archive` into a temp dir that shares this checkout's node_modules. Running the whole old
// tree rather than copying the old decideSchedule keeps the baseline honest for the accept and
// change paths too (which go through the old engine, commands and store), and nothing old is kept
// in this repository. The baseline needs git and the commit in this clone; without them only the
// current code is measured.
//
// The builder is an in-process fake: plan() names paths, start() returns a build that runs until it
// is cancelled, so the one building task keeps the single build slot; it spawns nothing (the bench
// itself runs git and tar once, to extract the baseline). The clock reads a fixed Wednesday 14:00
// in Europe/London (outside quiet hours) plus real elapsed time, and its timers never fire, so no
// background schedule pass runs between samples. No timed assertions: it prints a table.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const name = 'live-queue';
export const description = 'accept one task, change one task and decideSchedule vs live tasks (10 / 1,000 / 5,000), now vs the old code';

const BASELINE_COMMIT = 'c09bd27';
const SIZES = [10, 1_000, 5_000];
const SAMPLES = 60;
/** The old code takes seconds per operation at 5,000 live tasks: fewer samples there keep the run short. */
const baselineSamples = (n: number): number => (n >= 5_000 ? 2 : n >= 1_000 ? 3 : SAMPLES);
const WARMUP = 3;
/** Bursts of BURST accepts at once: the current code's, and the old code's by N (none at 5,000: 40 s a burst). */
const BURST = 20;
const burstsFor = (n: number, current: boolean): number => (current ? 3 : n >= 5_000 ? 0 : n >= 1_000 ? 1 : 2);
/** Warm-up runs: none for the old code where one operation takes a second or more. */
const warmupFor = (n: number, current: boolean): number => (current || n < 1_000 ? WARMUP : 0);

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const START = Date.parse('2026-11-25T14:00:00.000Z'); // Wed 14:00 in London (GMT): outside 22:00-06:00
const HOUR = 3_600_000;

// ---- the code under test, loaded from a source tree -------------------------------------------

type EngineModule = typeof import('../src/core/engine.ts');
type StoreModule = typeof import('../src/store/index.ts');
type BuildModule = typeof import('../src/commands/build.ts');
type DecisionsModule = typeof import('../src/commands/decisions.ts');
type ScheduleModule = typeof import('../src/core/schedule.ts');
type PolicyModule = typeof import('../src/core/policy.ts');
type TransitionsModule = typeof import('../src/core/transitions.ts');
type SafetyModule = typeof import('../src/core/safety.ts');
type Task = import('../src/core/task.ts').Task;
type Builder = import('../src/core/ports.ts').Builder;
type Clock = import('../src/core/ports.ts').Clock;
type CommandContext = import('../src/commands/context.ts').CommandContext;
type Policy = import('../src/core/policy.ts').Policy;

interface Code {
  label: string;
  engine: EngineModule;
  store: StoreModule;
  build: BuildModule;
  decisions: DecisionsModule;
  schedule: ScheduleModule;
  policy: PolicyModule;
  transitions: TransitionsModule;
  safety: SafetyModule;
}

async function loadCode(label: string, root: string): Promise<Code> {
  const load = <M>(rel: string): Promise<M> => import(pathToFileURL(path.join(root, rel)).href) as Promise<M>;
  return {
    label,
    engine: await load<EngineModule>('src/core/engine.ts'),
    store: await load<StoreModule>('src/store/index.ts'),
    build: await load<BuildModule>('src/commands/build.ts'),
    decisions: await load<DecisionsModule>('src/commands/decisions.ts'),
    schedule: await load<ScheduleModule>('src/core/schedule.ts'),
    policy: await load<PolicyModule>('src/core/policy.ts'),
    transitions: await load<TransitionsModule>('src/core/transitions.ts'),
    safety: await load<SafetyModule>('src/core/safety.ts'),
  };
}

/** The baseline's source tree in a temp dir (git archive of BASELINE_COMMIT), or null without git. */
async function extractBaseline(): Promise<string | null> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nightshift-bench-baseline-'));
  try {
    const tar = execFileSync('git', ['archive', '--format=tar', BASELINE_COMMIT, 'src', 'package.json', 'tsconfig.json'], {
      cwd: REPO,
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
  } catch (e) {
    console.log(`  (no baseline: could not extract ${BASELINE_COMMIT}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    await rm(dir, { recursive: true, force: true });
    return null;
  }
}

// ---- the world around the engine --------------------------------------------------------------

/** Time starts at START and moves with the real clock; timers are accepted and never fire. */
function benchClock(): Clock {
  const began = performance.now();
  return {
    now: () => new Date(START + Math.floor(performance.now() - began)),
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
  };
}

/** A build that runs until cancelled, in this process: nothing is spawned. */
const fakeBuilder: Builder = {
  name: 'bench builder',
  isDemo: false,
  plan: (task, attempt) => ({ workspace: `/nowhere/workspaces/${task.id}`, logPath: `/nowhere/logs/${task.id}/attempt-${attempt}.log` }),
  start: () => {
    let end: (r: Awaited<ReturnType<Builder['start']>['result']>) => void = () => undefined;
    const result = new Promise<Awaited<ReturnType<Builder['start']>['result']>>((r) => (end = r));
    return {
      pid: undefined,
      result,
      cancel: async (reason) => {
        end({ outcome: 'cancelled', exitCode: null, signal: 'SIGTERM', reason, logTail: '', deliverables: {}, durationMs: 0 });
      },
    };
  },
};

const policyFor = (code: Code): Policy =>
  code.policy.defaultPolicy({ timeZone: 'Europe/London', quietHours: { start: 22 * 60, end: 6 * 60 }, maxParallelBuilds: 1, tickMs: 60_000 });

const TOPICS = ['the reports page', 'the billing webhook', 'the admin dashboard', 'the signup form', 'the search API', 'the nightly export'];
const REQUESTS = [
  (topic: string) => `add a CSV export to ${topic} that downloads the current filtered table, same column order as the screen, quote every field`,
  (topic: string) => `refactor ${topic} so the data loading lives in one module with tests for the empty and error states`,
  (topic: string) => `fix the flaky test around ${topic} that times out on CI about one run in ten; find the race instead of raising the timeout`,
  (topic: string) => `write docs for ${topic}: what it does, its settings with defaults, and a worked example`,
];

type Kind = 'high' | 'medium' | 'low' | 'failed';

/**
 * A realistic mix of N live tasks, by position in every hundred: 4 high (the first becomes the one
 * building at engine start, the rest wait for the slot), 3 failed with a retry ahead, 32 low
 * awaiting approval, 61 medium waiting for quiet hours. Below 100 tasks the first few positions
 * cover every kind.
 */
function mix(n: number): Kind[] {
  const small: Kind[] = ['high', 'high', 'failed', 'low', 'low', 'low', 'low'];
  return Array.from({ length: n }, (_, i): Kind => {
    if (n < 100) return small[i] ?? 'medium';
    const r = i % 100;
    return r < 4 ? 'high' : r < 7 ? 'failed' : r < 39 ? 'low' : 'medium';
  });
}

function seedTasks(code: Code, policy: Policy, n: number): Task[] {
  const T = code.transitions;
  const seedPolicy = { ...policy, retryBackoffMs: [2 * HOUR] };
  return mix(n).map((kind, i) => {
    const id = `t-${i + 1}`;
    const created = new Date(START - (n - i) * 60_000);
    const topic = TOPICS[i % TOPICS.length] as string;
    const request = (REQUESTS[i % REQUESTS.length] as (t: string) => string)(topic) + ` (#${i + 1})`;
    const priority = kind === 'failed' ? (i % 2 ? 'high' : 'medium') : kind;
    const deadline = kind === 'medium' && i % 5 === 0 ? new Date(START + 72 * HOUR).toISOString() : null;
    const draft = {
      title: request.slice(0, 60),
      request,
      priority,
      priorityReason: priority === 'high' ? 'said "urgent"' : priority === 'low' ? 'said "when you get a chance"' : 'default priority',
      deadline,
      deadlinePhrase: deadline ? 'by saturday' : null,
      estimateMs: i % 3 === 0 ? 45 * 60_000 : null,
    } as const;
    const origin = { adapter: 'slack', userId: 'U024BE7LH', userName: 'dana', channel: 'C02ABCDEF', thread: `1740938400.${String(i).padStart(6, '0')}` };
    const verdict = code.safety.checkSafety({ text: request, priority }, policy.safetyExtras, created);
    let task = T.createTask(id, draft, origin, verdict, created);
    if (kind === 'failed') {
      const startedAt = new Date(START - 30 * 60_000);
      const started = T.startAttempt(task, { logPath: `/nowhere/logs/${id}/attempt-1.log`, builder: 'bench builder', workspace: `/nowhere/workspaces/${id}`, demo: false }, startedAt);
      if (!started.ok) throw new Error(`bench seed: ${started.error.message}`);
      const end = { outcome: 'failed' as const, exitCode: 2, signal: null, reason: 'exited with code 2', logTail: 'error: could not compile', deliverables: {}, durationMs: 20 * 60_000 };
      const failed = T.finishAttempt(started.value, end, seedPolicy, new Date(START - 10 * 60_000 - i * 7_000)); // retries spread out
      if (!failed.ok) throw new Error(`bench seed: ${failed.error.message}`);
      task = failed.value;
    }
    return task;
  });
}

interface World {
  ctx: CommandContext;
  policy: Policy;
  close(): Promise<void>;
  live(): Task[];
}

async function openWorld(code: Code, n: number): Promise<World> {
  const dir = await mkdtemp(path.join(tmpdir(), `nightshift-bench-live-${n}-`));
  const store = new code.store.LowdbTaskStore({ dir });
  await store.open();
  const policy = policyFor(code);
  await store.put(...seedTasks(code, policy, n));
  const engine = new code.engine.Engine({ store, builder: fakeBuilder, policy, clock: benchClock(), logger: silentLogger, runBuilds: true });
  await engine.start();
  const building = engine.live().filter((t) => t.status === 'building').length;
  if (building !== 1) throw new Error(`bench: expected one building task at N=${n}, found ${building}`);
  const ctx: CommandContext = { engine, actor: { id: 'U024BE7LH', name: 'dana', role: 'owner', adapter: 'slack', channel: 'C02ABCDEF' } };
  return {
    ctx,
    policy,
    live: () => engine.live(),
    async close() {
      await engine.shutdown(0);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

// ---- measuring --------------------------------------------------------------------------------

interface Stat {
  p50: number;
  p99: number;
  samples: number;
}

function stat(samples: number[]): Stat {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: pick(0.5), p99: pick(0.99), samples: sorted.length };
}

const OPERATIONS = ['accept', 'accept ×20 at once', 'approve', 'bump to low', 'clarify', 'decideSchedule'] as const;
type Operation = (typeof OPERATIONS)[number];
const OPERATION_LABEL: Record<Operation, string> = {
  accept: 'accept "build a CSV export of the report by tonight"',
  'accept ×20 at once': '20 accepts at once: each reply',
  approve: 'approve one awaiting task',
  'bump to low': 'bump one medium task to low',
  clarify: 'clarify one awaiting task',
  decideSchedule: 'decideSchedule alone',
};

/**
 * One timed step and an untimed undo that puts the queue back as it was, so every sample sees the
 * same mix and the same N. Where the queue has enough tasks, each sample changes a different one.
 */
interface Step {
  timed(i: number): Promise<void>;
  undo(i: number): Promise<void>;
}

function targets(world: World, want: (t: Task) => boolean, count: number): { ids: string[]; reuse: boolean } {
  const all = world.live().filter(want).map((t) => t.id);
  if (all.length === 0) throw new Error('bench: no task to change');
  if (all.length >= count) return { ids: Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count)] as string), reuse: false };
  return { ids: Array.from({ length: count }, (_, i) => all[i % all.length] as string), reuse: true };
}

async function measureOne(code: Code, n: number, samples: number, warmup: number, bursts: number): Promise<Map<Operation, Stat>> {
  const world = await openWorld(code, n);
  const { ctx } = world;
  const { buildCommand } = code.build;
  const { decisionCommand, clarifyCommand } = code.decisions;
  const out = new Map<Operation, Stat>();
  const must = async (what: string, reply: Promise<{ ok: boolean; text: string; tasks: Task[] }>): Promise<Task[]> => {
    const r = await reply;
    if (!r.ok) throw new Error(`bench (${code.label}, N=${n}): ${what} failed: ${r.text}`);
    return r.tasks;
  };
  try {
    const total = samples + warmup;
    const awaiting = targets(world, (t) => t.status === 'awaiting_approval', total);
    const medium = targets(world, (t) => t.status === 'queued' && t.priority === 'medium', total);
    const clarified = targets(world, (t) => t.status === 'awaiting_approval' && (awaiting.reuse || !awaiting.ids.includes(t.id)), total);
    const accepted: string[] = [];
    /** decideSchedule alone is timed on the live tasks as they stand, read once. */
    let snapshot: Task[] = [];
    const steps: Record<Exclude<Operation, 'accept ×20 at once'>, Step> = {
      accept: {
        timed: async () => {
          const [t] = await must('accept', buildCommand(ctx, 'build a CSV export of the report by tonight'));
          accepted.push(t?.id ?? '');
        },
        // The new task leaves the live set again where it would change N by more than a few percent.
        undo: async () => void (n < 1_000 && (await must('cancel', decisionCommand(ctx, 'cancel', accepted.pop() ?? '')))),
      },
      approve: {
        timed: async (i) => void (await must('approve', decisionCommand(ctx, 'approve', awaiting.ids[i] as string))),
        // Back to awaiting approval (an approval does not survive a new reason).
        undo: async (i) => {
          if (!awaiting.reuse) return;
          await must('undo approve', decisionCommand(ctx, 'bump', `${awaiting.ids[i] as string} medium`));
          await must('undo approve', decisionCommand(ctx, 'bump', `${awaiting.ids[i] as string} low`));
        },
      },
      'bump to low': {
        timed: async (i) => void (await must('bump', decisionCommand(ctx, 'bump', `${medium.ids[i] as string} low`))),
        undo: async (i) => void (medium.reuse && (await must('undo bump', decisionCommand(ctx, 'bump', `${medium.ids[i] as string} medium`)))),
      },
      // Still awaiting approval afterwards: nothing to undo.
      clarify: {
        timed: async (i) => void (await must('clarify', clarifyCommand(ctx, `${clarified.ids[i] as string} use the v2 API and keep the old one working`))),
        undo: async () => undefined,
      },
      decideSchedule: {
        timed: async () => void code.schedule.decideSchedule({ tasks: snapshot, now: ctx.engine.now(), policy: world.policy, typicalDurationMs: null }),
        undo: async () => undefined,
      },
    };
    // A burst: every reply's time from the moment all BURST requests were made.
    const burstTimes: number[] = [];
    for (let b = 0; b < bursts; b++) {
      const start = performance.now();
      const replies = await Promise.all(
        Array.from({ length: BURST }, async (_, k) => {
          const tasks = await must('burst accept', buildCommand(ctx, `build a CSV export of report ${k + 1} by tonight`));
          burstTimes.push(performance.now() - start);
          return tasks;
        }),
      );
      if (bursts > 1 || n < 1_000) for (const [t] of replies) await must('cancel', decisionCommand(ctx, 'cancel', t?.id ?? ''));
    }
    if (burstTimes.length > 0) out.set('accept ×20 at once', stat(burstTimes));
    for (const op of OPERATIONS) {
      if (op === 'accept ×20 at once') continue;
      const step = steps[op];
      snapshot = world.live();
      const times: number[] = [];
      for (let i = 0; i < total; i++) {
        const start = performance.now();
        await step.timed(i);
        if (i >= warmup) times.push(performance.now() - start);
        await step.undo(i);
      }
      out.set(op, stat(times));
    }
  } finally {
    await world.close();
  }
  return out;
}

// ---- the table --------------------------------------------------------------------------------

const ms = (v: number): string => (Number.isNaN(v) ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function printTable(results: { code: Code; byN: Map<number, Map<Operation, Stat>> }[]): void {
  const header = ['operation', 'code', ...SIZES.flatMap((n) => [`${n.toLocaleString('en-US')} p50`, 'p99']), 'samples', '5,000 ÷ 10 p50'];
  const rows: string[][] = [];
  for (const op of OPERATIONS) {
    for (const { code, byN } of results) {
      const cells = SIZES.map((n) => byN.get(n)?.get(op));
      const first = cells[0];
      const last = cells[cells.length - 1];
      rows.push([
        code === results[0]?.code ? OPERATION_LABEL[op] : '',
        code.label,
        ...cells.flatMap((s) => [ms(s?.p50 ?? NaN), ms(s?.p99 ?? NaN)]),
        cells.map((s) => s?.samples ?? 0).join('/'),
        first && last ? `${(last.p50 / first.p50).toFixed(2)}×` : '-',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
  console.log(
    `\nAll times in ms, columns by live tasks. Each sample is one command through the real Engine and LowdbTaskStore ` +
      `(fsync'd writes in a temp dir), from the call to the reply; decideSchedule is the pure function on the live tasks (read once). ` +
      `20 accepts at once: ${BURST} buildCommand calls made together, each reply timed from then (bursts of ${BURST}, cancelled afterwards). ` +
      `Mix: ~55% medium queued (waiting for quiet hours), ~32% low awaiting approval, ~3% failed with a retry in 2 h, ` +
      `~4% high queued waiting for the one build slot, one building; Europe/London at 14:00, outside quiet hours. ` +
      `samples: per column, after ${WARMUP} warm-up runs (none for the baseline at 1,000 and 5,000, where it takes fewer samples: ` +
      `each of its operations takes seconds there). Each change sample changes a different task where there are enough; at 10, ` +
      `an untimed undo puts the task back (and an accepted task is cancelled), so N stays 10.`,
  );
}

export async function run(): Promise<void> {
  const current = await loadCode('now', REPO);
  const baselineDir = await extractBaseline();
  try {
    const codes = [current];
    if (baselineDir && existsSync(path.join(baselineDir, 'src/core/engine.ts'))) codes.push(await loadCode(BASELINE_COMMIT, baselineDir));
    const results = codes.map((code) => ({ code, byN: new Map<number, Map<Operation, Stat>>() }));
    for (const n of SIZES) {
      for (const r of results) {
        process.stdout.write(`  measuring ${r.code.label} at ${n.toLocaleString('en-US')} live tasks...\n`);
        const now = r.code === current;
        r.byN.set(n, await measureOne(r.code, n, now ? SAMPLES : baselineSamples(n), warmupFor(n, now), burstsFor(n, now)));
      }
    }
    printTable(results);
  } finally {
    if (baselineDir) await rm(baselineDir, { recursive: true, force: true });
  }
}
