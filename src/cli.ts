// `nightshift` and its subcommands. `start` runs the daemon (the console adapter when no chat
// tokens are set); one-shots hand their request to a running daemon over its control socket, or,
// when none runs, take the data directory's lock and do it themselves.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { Engine } from './core/engine.ts';
import { systemClock } from './core/ports.ts';
import { PRIORITIES } from './core/task.ts';
import { selectBuilder } from './builders/select-builder.ts';
import { runCliRequest, type CliRequest } from './control/cli-request.ts';
import { sendControl } from './control/control-socket.ts';
import type { Reply } from './commands/reply.ts';
import { ensurePrivateDir, startDaemon, handleSignals, survive } from './daemon.ts';
import { createLogger } from './logger.ts';
import { acquireLock, readLock, LockHeldError } from './lock.ts';
import { LowdbTaskStore, StoreCorruptError, StoreFormatTooNewError } from './store/index.ts';

/**
 * Settings from a `.env` file in the current directory, for what the environment does not already
 * set (an exported variable wins, as with most tools that read .env files).
 */
function loadDotEnv(): void {
  const file = resolve('.env');
  if (!existsSync(file)) return;
  for (const [k, v] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) if (process.env[k] === undefined) process.env[k] = v;
}

function config(): Config {
  loadDotEnv();
  return loadConfig(process.env);
}

/** Runs a one-shot request: through the daemon when one is running, else in-process under the lock. */
async function oneShot(req: CliRequest): Promise<Reply> {
  const cfg = config();
  const holder = readLock(cfg.home);
  if (holder?.socket) return sendControl(holder.socket, req);
  if (holder) throw new LockHeldError(holder, cfg.home);
  await ensurePrivateDir(cfg.home);
  const lock = acquireLock(cfg.home, 'cli');
  const logger = createLogger({ level: 'warn', secrets: cfg.secrets, out: process.stderr });
  const store = new LowdbTaskStore({ dir: cfg.home, logger });
  try {
    const report = await store.open();
    for (const w of report.warnings) process.stderr.write(`WARNING: ${w}\n`);
    const { builder } = selectBuilder(cfg, logger);
    const engine = new Engine({ store, builder, policy: cfg.policy, clock: systemClock, logger, runBuilds: false });
    await engine.start();
    return await runCliRequest(engine, req);
  } finally {
    await store.close();
    lock.release();
  }
}

function print(reply: Reply, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(reply.ok ? reply.json ?? reply.tasks : { error: reply.text }, null, 2)}\n`);
  else (reply.ok ? process.stdout : process.stderr).write(`${reply.text}\n`);
  if (!reply.ok) process.exitCode = 1;
}

const run = (req: () => CliRequest, json = false) => async () => print(await oneShot(req()), json);

function quoteFlag(value: string): string {
  return `"${value.replace(/"/g, "'")}"`;
}

const program = new Command('nightshift')
  .description('Say "build X by tonight" and walk away: nightshift queues it, runs a coding agent on it, and reports back.')
  .showHelpAfterError();

program
  .command('start')
  .description('run nightshift: the console prompt (no chat tokens are set), the scheduler and the builders')
  .action(async () => {
    const cfg = config();
    const daemon = await startDaemon({ config: cfg, out: process.stdout, err: process.stderr, input: process.stdin });
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
  .action(async (words: string[], o: { priority?: string; by?: string; eta?: string; json?: boolean }) => {
    let text = words.join(' ');
    if (o.priority) text += ` --priority ${o.priority}`;
    if (o.by) text += ` --by ${quoteFlag(o.by)}`;
    if (o.eta) text += ` --eta ${o.eta}`;
    await run(() => ({ verb: 'add', text }), o.json)();
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

for (const verb of ['approve', 'reject', 'cancel', 'retry'] as const) {
  program
    .command(verb)
    .description(`${verb} a task`)
    .argument('<id>', 'a task id such as t-7')
    .argument('[reason...]', verb === 'reject' ? 'why (optional)' : '')
    .option('--json', 'print the task as JSON')
    .action(async (id: string, reason: string[], o: { json?: boolean }) => {
      await run(() => ({ verb, args: [id, ...reason].join(' ') }), o.json)();
    });
}

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
  .command('run')
  .description('start what is eligible now, wait for it, and exit (for cron and scripts)')
  .requiredOption('--until-idle', 'exit once nothing is building and nothing may start now')
  .action(async () => {
    const cfg = config();
    const daemon = await startDaemon({ config: cfg, out: process.stdout, err: process.stderr, holder: 'run' });
    handleSignals(daemon, process.stderr, cfg.shutdownGraceMs);
    await daemon.engine.whenIdle();
    const failed = daemon.engine.live().filter((t) => t.status === 'escalated' || t.status === 'failed');
    await daemon.stop(0);
    process.stdout.write(failed.length ? `Idle; ${failed.length} task(s) failed: ${failed.map((t) => t.id).join(', ')}.\n` : 'Idle: nothing more to start now.\n');
  });

/** Errors a user can act on are printed as one clear message, without a stack trace. */
function explain(e: unknown): string {
  if (e instanceof ConfigError || e instanceof LockHeldError || e instanceof StoreCorruptError || e instanceof StoreFormatTooNewError) return e.message;
  const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
  if (code === 'ECONNREFUSED' || code === 'ENOENT') {
    return 'a nightshift process holds this data directory but does not answer on its control socket; is it stuck? Check NIGHTSHIFT_HOME/nightshift.log, or stop it.';
  }
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`nightshift: ${explain(e)}\n`);
  process.exit(e instanceof ConfigError ? 78 : 1);
});
