// `nightshift` and its subcommands. `start` runs the daemon (the console adapter when no chat
// tokens are set); one-shots hand their request to a running daemon over its control socket, or,
// when none runs, take the data directory's lock and do it themselves. What each command loads
// is decided in cli/needs.ts: this file imports only commander and node built-ins, so `--help`,
// `--version` and a one-shot that reaches a daemon start in a blink.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Reply } from './commands/reply.ts';
import type { CliRequest } from './control/cli-request.ts';
import type { Priority } from './core/task.ts';
import { needs } from './cli/needs.ts';
import { asPersistError } from './core/persist-error.ts';
import { dataHome, loadDotEnv } from './home.ts';
import { LockHeldError, readLock } from './lock.ts';
import { withoutUnsafeChars } from './core/safe-text.ts';

const PRIORITIES = ['high', 'medium', 'low'] as const satisfies readonly Priority[];

/** This file is the entry point, at src/cli.ts or dist/cli.js: package.json is one level up from either. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `nightshift ${pkg.version} (Node.js ${process.version})`;
}

async function config() {
  loadDotEnv();
  return (await needs.config()).loadConfig(process.env);
}

/** How long a one-shot waits for another one-shot that holds the data directory (they take milliseconds). */
const ONE_SHOT_WAIT_MS = 10_000;

/**
 * Runs a one-shot request: through the daemon when one is running, else in-process under the lock.
 * Another one-shot holding the lock is waited for, briefly: two `nightshift add`s from a script at
 * once both land; so is a daemon that is starting and not listening yet. A `run --until-idle` is
 * not waited for.
 */
async function oneShot(req: CliRequest): Promise<Reply> {
  loadDotEnv();
  const home = dataHome(process.env);
  const until = Date.now() + ONE_SHOT_WAIT_MS;
  for (;;) {
    const holder = readLock(home);
    if (holder?.socket) {
      try {
        return await (await needs.daemonClient()).sendControl(holder.socket, req);
      } catch (e) {
        // A daemon that has the lock but does not listen yet (it is restoring the store): wait for it.
        const code = (e as NodeJS.ErrnoException).code;
        if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() > until) throw e;
      }
    } else if (holder && (holder.holder !== 'cli' || Date.now() > until)) {
      throw new LockHeldError(holder, home);
    } else if (!holder) {
      try {
        return await (await needs.localRequest()).runLocally(req);
      } catch (e) {
        // Another one-shot, or a daemon that took the lock a moment ago: ask again.
        if (!(e instanceof LockHeldError) || (e.info.holder !== 'cli' && !e.info.socket) || Date.now() > until) throw e;
      }
    }
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
  }
}

function print(reply: Reply, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(reply.ok ? reply.json ?? reply.tasks : { error: reply.text }, null, 2)}\n`);
  // A terminal is told nothing that could move its cursor or reorder what it shows.
  else (reply.ok ? process.stdout : process.stderr).write(`${withoutUnsafeChars(reply.text)}\n`);
  if (!reply.ok) process.exitCode = 1;
}

const run = (req: () => CliRequest, json = false) => async () => print(await oneShot(req()), json);

function quoteFlag(value: string): string {
  return `"${value.replace(/"/g, "'")}"`;
}

const program = new Command('nightshift')
  .description('Say "build X by tonight" and walk away: nightshift queues it, runs a coding agent on it, and reports back.')
  .version(version(), '-V, --version', 'print the version')
  .showHelpAfterError();

program
  .command('start')
  .description('run nightshift: the console prompt (no chat tokens are set), the scheduler and the builders')
  .option('--empty-queue', 'start even though db.json and db.json.bak are both missing (the queue starts empty; history is kept)')
  .action(async (o: { emptyQueue?: boolean }) => {
    const cfg = await config();
    const { startDaemon, survive, handleSignals } = await needs.daemon();
    const daemon = await startDaemon({ config: cfg, out: process.stdout, err: process.stderr, input: process.stdin, ...(o.emptyQueue ? { emptyQueue: true } : {}) });
    survive(daemon.logger);
    handleSignals(daemon, process.stderr, cfg.shutdownGraceMs);
  });

program
  .command('add')
  .description('queue a request, as if typed in chat')
  .argument('<request...>', 'what to build, e.g. "a hello-world CLI by tonight"')
  .addOption(new Option('-p, --priority <priority>', 'high, medium or low').choices(PRIORITIES))
  .option('--by <when>', 'deadline, e.g. "friday 5pm"')
  .option('--eta <duration>', 'estimate, e.g. 4h or 90m')
  .option('--json', 'print the created task(s) as JSON')
  .option('--yes', 'queue a very long list without asking first')
  .option('--project <name>', 'the project to build in (PROJECTS_FILE); default: the one the request names, or the default')
  .action(async (words: string[], o: { priority?: string; by?: string; eta?: string; json?: boolean; yes?: boolean; project?: string }) => {
    let text = words.join(' ');
    if (text.trim() === '') {
      process.stderr.write('add needs something to build, like: nightshift add "a hello-world CLI by tonight". Nothing was queued.\n');
      process.exitCode = 2;
      return;
    }
    if (o.priority) text += ` --priority ${o.priority}`;
    if (o.by) text += ` --by ${quoteFlag(o.by)}`;
    if (o.eta) text += ` --eta ${o.eta}`;
    if (o.project) text += ` --project ${quoteFlag(o.project)}`;
    const reply = await oneShot({ verb: 'add', text, ...(o.yes ? { yes: true } : {}) });
    // Anything but new tasks (a hint, a question asked back) queued nothing: not a success for a script.
    print(reply.kind === 'created' || !reply.ok ? reply : { ...reply, ok: false, text: `${reply.text}\nNothing was queued.` }, o.json ?? false);
  });

program
  .command('status')
  .description('what is building, the queue, what waits for you, recent results; or one task')
  .argument('[id]', 'a task id such as t-7')
  .option('--queue', 'only the queue')
  .option('--active', 'only what is building')
  .option('--completed', 'only finished tasks')
  .option('--limit <n>', 'how many finished tasks', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number above 0');
    return n;
  })
  .option('--json', 'print tasks exactly as the schema defines them')
  .option('--markdown', 'print BUILD_STATUS.md-style markdown')
  .action(async (id: string | undefined, o: { queue?: boolean; active?: boolean; completed?: boolean; limit?: number; json?: boolean; markdown?: boolean }) => {
    const section = o.queue ? 'queue' : o.active ? 'active' : o.completed ? 'completed' : 'all';
    await run(() => ({ verb: 'status', section, ...(id ? { id } : {}), ...(o.limit ? { limit: o.limit } : {}), ...(o.markdown ? { markdown: true } : {}) }), o.json)();
  });

/** What a verb does when its name alone does not say it. */
const VERB_HELP: Partial<Record<string, string>> = { accept: "take an escalated task's built work as it is, with its checks failing" };

for (const verb of ['approve', 'reject', 'cancel', 'retry', 'accept'] as const) {
  program
    .command(verb)
    .description(VERB_HELP[verb] ?? `${verb} a task`)
    .argument('<id>', 'a task id such as t-7')
    .argument('[reason...]', verb === 'reject' ? 'why (optional)' : '')
    .option('--json', 'print the task as JSON')
    .action(async (id: string, reason: string[], o: { json?: boolean }) => {
      await run(() => ({ verb, args: [id, ...reason].join(' ') }), o.json)();
    });
}

program
  .command('resume')
  .description('run again a task whose interrupted work waited for you (older than RESUME_MAX_AGE); the same as approve')
  .argument('<id>', 'a task id such as t-7')
  .option('--json', 'print the task as JSON')
  .action(async (id: string, o: { json?: boolean }) => run(() => ({ verb: 'approve', args: id, said: 'resume' }), o.json)());

program
  .command('bump')
  .description('change a task\'s priority (high starts now)')
  .argument('<id>')
  .argument('[priority]', 'high, medium or low', 'high')
  .option('--json')
  .action(async (id: string, priority: string, o: { json?: boolean }) => run(() => ({ verb: 'bump', args: `${id} ${priority}` }), o.json)());

program
  .command('clarify')
  .description('add detail to a task\'s spec; the safety checks run again')
  .argument('<id>')
  .argument('<text...>')
  .option('--json')
  .action(async (id: string, text: string[], o: { json?: boolean }) => run(() => ({ verb: 'clarify', args: `${id} ${text.join(' ')}` }), o.json)());

program
  .command('summary')
  .description('the morning summary, now')
  .option('--json')
  .action(async (o: { json?: boolean }) => run(() => ({ verb: 'summary' }), o.json)());

program
  .command('projects')
  .description('the repositories nightshift builds in (PROJECTS_FILE), and how to ask for one')
  .option('--json', 'print the projects as JSON')
  .action(async (o: { json?: boolean }) => run(() => ({ verb: 'projects' }), o.json)());

/** A team command run without DATABASE_URL: says what to set, exit code 2. */
function needsDatabase(why: string): void {
  process.stderr.write(`${why}\n`);
  process.exitCode = 2;
}

program
  .command('migrate-store')
  .description("copy NIGHTSHIFT_HOME's tasks and history into the PostgreSQL database of DATABASE_URL (safe to run again)")
  .action(async () => {
    const cfg = await config();
    if (!cfg.databaseUrl) return needsDatabase('migrate-store copies the tasks in NIGHTSHIFT_HOME into PostgreSQL: set DATABASE_URL (postgres://…) first. Nothing was copied.');
    const { migrateStore } = await import('./store/migrate-store.ts');
    const { createLogger } = await import('./logger.ts');
    const logger = createLogger({ level: 'warn', secrets: cfg.secrets, out: process.stderr });
    const n = await migrateStore({ home: cfg.home, databaseUrl: cfg.databaseUrl, logger, progress: (line) => process.stdout.write(`  ${line}\n`) });
    process.stdout.write(`Copied ${n.live} live and ${n.finished} finished tasks and ${n.meta} meta values from ${cfg.home} into DATABASE_URL. Run it again at any time: it copies what changed and duplicates nothing.\n`);
  });

program
  .command('worker')
  .description('take builds from the team queue (DATABASE_URL) and run them on this machine (WORKER_SLOTS, WORKER_LABELS)')
  .action(async () => {
    const cfg = await config();
    if (!cfg.databaseUrl) return needsDatabase('nightshift worker takes builds from the team database: set DATABASE_URL (postgres://…) to the one the daemon uses.');
    const { startWorker } = await import('./team/start-worker.ts');
    await startWorker(cfg, process.stdout, process.stderr);
  });

program
  .command('workers')
  .description('the workers on the team database: labels, load, and what each runs')
  .option('--json', 'print them as JSON')
  .action(async (o: { json?: boolean }) => {
    const cfg = await config();
    if (!cfg.databaseUrl) return needsDatabase('nightshift workers lists the workers of the team database: set DATABASE_URL (postgres://…).');
    const { listWorkers } = await import('./team/workers-list.ts');
    process.stdout.write(`${await listWorkers(cfg.databaseUrl, cfg.team.workerTimeoutMs, o.json ?? false)}\n`);
  });

program
  .command('run')
  .description('start what is eligible now, wait for it, and exit (for cron and scripts)')
  .requiredOption('--until-idle', 'exit once nothing is building and nothing may start now')
  .action(async () => {
    const cfg = await config();
    const { startDaemon, handleSignals } = await needs.daemon();
    const daemon = await startDaemon({ config: cfg, out: process.stdout, err: process.stderr, holder: 'run' });
    handleSignals(daemon, process.stderr, cfg.shutdownGraceMs);
    await daemon.engine.whenIdle();
    const { idleReport } = await import('./commands/idle-report.ts');
    const report = idleReport(daemon.engine);
    await daemon.stop(0);
    process.stdout.write(`${report}\n`);
  });

/** Errors a user can act on (by class name: their modules may not be loaded), printed as one clear message without a stack trace. */
const USER_ERRORS = new Set(['ConfigError', 'LockHeldError', 'StoreCorruptError', 'StoreFormatTooNewError', 'StoreMissingError', 'DatabaseHeldError', 'DatabaseUnreachableError']);

function explain(e: unknown): string {
  if (e instanceof Error && USER_ERRORS.has(e.name)) return e.message;
  const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
  const unwritable = asPersistError(e);
  if (unwritable) {
    const file = (e as NodeJS.ErrnoException).path;
    return `cannot write NIGHTSHIFT_HOME (${unwritable.reason})${file ? ` at ${file}` : ''}: nothing was done. nightshift keeps its queue, lock and logs there; ${code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space' : 'make it writable, or point NIGHTSHIFT_HOME elsewhere'} and try again.`;
  }
  if (code === 'ECONNREFUSED' || code === 'ENOENT') {
    return 'a nightshift process holds this data directory but does not answer on its control socket; is it stuck? Check NIGHTSHIFT_HOME/nightshift.log, or stop it.';
  }
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`nightshift: ${explain(e)}\n`);
  process.exit(e instanceof Error && e.name === 'ConfigError' ? 78 : 1);
});
