// The composition root: config → lock → store → builder → engine → adapters → control socket;
// and the signals. `nightshift start` and `nightshift run --until-idle` both come through here.
// The Slack and Discord adapters (and with them @slack/bolt and discord.js) are loaded only when
// their tokens are configured.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Server } from 'node:net';
import type { Config } from './config.ts';
import { formatDuration } from './core/durations.ts';
import { Engine } from './core/engine.ts';
import type { Task } from './core/task.ts';
import { systemClock, type Clock, type Logger } from './core/ports.ts';
import { SummaryScheduler } from './core/summary-scheduler.ts';
import { ConsoleAdapter } from './adapters/console/console-adapter.ts';
import type { SlackAdapter } from './adapters/slack/slack-adapter.ts';
import type { DiscordAdapter } from './adapters/discord/discord-adapter.ts';
import type { Dashboard } from './dashboard/dashboard-server.ts';
import { selectBuilder } from './builders/select-builder.ts';
import { projectCatalog } from './projects/catalog.ts';
import { runCliRequest } from './control/cli-request.ts';
import { serveControl, socketPathFor } from './control/control-socket.ts';
import { createLogger, redact, teeLogger } from './logger.ts';
import { acquireLockWaiting } from './lock.ts';
import { ensurePrivateDir } from './private-dir.ts';
import { createStore } from './store/open-store.ts';

export interface DaemonOptions {
  config: Config;
  out: Writable;
  err: Writable;
  /** The owner's prompt; omitted for non-interactive runs. */
  input?: Readable;
  clock?: Clock;
  holder?: 'daemon' | 'run';
  /** `start --empty-queue`: db.json and its backup are gone; start with an empty queue, keep the history. */
  emptyQueue?: boolean;
}

export interface Daemon {
  engine: Engine;
  logger: Logger;
  /** Graceful: stop taking work, let builds finish up to the grace period, then end them. */
  stop(graceMs?: number): Promise<void>;
  /** Immediate: end every build now (recorded as interrupted). */
  abort(): Promise<void>;
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { config, out, err } = opts;
  const clock = opts.clock ?? systemClock;
  // A projects file with a mistake stops nightshift here, before it takes the data directory.
  const catalog = await projectCatalog(config);
  await ensurePrivateDir(config.home);
  const socket = socketPathFor(config.home);
  const lock = await acquireLockWaiting(config.home, opts.holder ?? 'daemon', socket);
  const logFile = createWriteStream(join(config.home, 'nightshift.log'), { flags: 'a' });
  const logger = teeLogger(
    createLogger({ level: config.logLevel, secrets: config.secrets, out: logFile }),
    createLogger({ level: 'warn', secrets: config.secrets, out: err }),
  );
  let server: Server | null = null;
  let summaries: SummaryScheduler | null = null;
  let consoleAdapter: ConsoleAdapter | null = null;
  let slack: SlackAdapter | null = null;
  let discord: DiscordAdapter | null = null;
  let dashboard: Dashboard | null = null;
  let remote: { close(): Promise<void> } | null = null;
  /** BUILD_ON=both: the worker in this process. */
  let ownWorker: { stop(graceMs?: number): Promise<void> } | null = null;
  try {
    const store = await createStore(config, logger, opts.emptyQueue ? { acceptMissingQueue: true } : {});
    const report = await store.open();
    for (const w of report.warnings) err.write(`WARNING: ${w}\n`);
    // A pull request links back to its task: the engine, made next, knows where (its thread, its page).
    let engineRef: Engine | null = null;
    const linksFor = async (task: Task) => (engineRef ? engineRef.placesOf(task) : {});
    const team = config.team.buildOn !== 'local' && config.databaseUrl ? await dispatchToWorkers(config.databaseUrl, config.team.workerTimeoutMs, logger) : null;
    remote = team?.builder ?? null;
    const { builder, notice, fallbackName } = team ?? selectBuilder(config, logger, catalog, { linksFor });
    if (team && config.team.buildOn === 'both') {
      // The daemon is one of the workers too: its builds go through the same queue and fence.
      const { workHere } = await import('./team/start-worker.ts');
      const { agentKillGraceMs } = await import('./team/worker.ts');
      ownWorker = await workHere(config, selectBuilder(config, logger, catalog, { linksFor, teamWorker: { killGraceMs: agentKillGraceMs(config.team.workerTimeoutMs) } }).builder, logger, (line) => out.write(`${line.replace(/^nightshift worker/, 'This nightshift is also a worker,')}\n`));
    }
    const policy = fallbackName ? { ...config.policy, fallbackBuilder: fallbackName } : config.policy;
    const engine = new Engine({ store, builder, policy, clock, logger, runBuilds: true, redact: (t) => redact(t, config.secrets) });
    engine.useProjects(catalog);
    if (team) engine.useWorkerLabels(() => team.builder.labels());
    engineRef = engine;
    consoleAdapter = new ConsoleAdapter({ engine, out, ...(opts.input ? { input: opts.input } : {}) });
    out.write(`nightshift: data in ${config.home}, owner time zone ${config.policy.timeZone}. ${notice}\n`);
    // The dashboard comes up before any adapter, so every message can link to it; a one-shot
    // `run --until-idle` serves none. A port in use is said, and nightshift runs without it.
    if (config.dashboard && (opts.holder ?? 'daemon') === 'daemon') {
      const { startDashboard } = await import('./dashboard/dashboard-server.ts');
      try {
        dashboard = await startDashboard({ engine, config: config.dashboard, logger, toolEnv: config.toolEnv });
        engine.useLinks(dashboard.links);
        out.write(`Dashboard: ${dashboard.links.home}${config.dashboard.token ? ' (open it once with ?token=<DASHBOARD_TOKEN>; the browser keeps it)' : ''}\n`);
      } catch (e) {
        err.write(`WARNING: ${e instanceof Error ? e.message : String(e)}. nightshift runs without it.\n`);
      }
    }
    if (config.openPr) {
      const { findOnPath, GH_MISSING } = await import('./builders/git/gh.ts');
      if (!(await findOnPath('gh', config.toolEnv))) out.write(`OPEN_PR is on, but ${GH_MISSING}. Until then builds end on their branch, without a pull request.\n`);
    }
    await consoleAdapter.start();
    server = await serveControl(socket, (req) => runCliRequest(engine, req));
    if (config.slack) {
      const { SlackAdapter } = await import('./adapters/slack/slack-adapter.ts');
      slack = new SlackAdapter({ engine, config: config.slack, logger });
      await slack.start();
      out.write(`Slack: connected (${config.slack.mode === 'socket' ? 'Socket Mode' : `HTTP on port ${config.slack.port}`}); owner ${config.slack.ownerId}.\n`);
    }
    if (config.discord) {
      const { DiscordAdapter } = await import('./adapters/discord/discord-adapter.ts');
      discord = new DiscordAdapter({ engine, config: config.discord, logger });
      const me = await discord.start();
      out.write(`Discord: connected as ${me.tag}; slash commands registered in ${me.commandsIn}; tasks in channel ${config.discord.channel}.\nDiscord: invite link ${me.invite}\n`);
    }
    await engine.start();
    if ((opts.holder ?? 'daemon') === 'daemon') {
      summaries = new SummaryScheduler(engine, clock, logger, (s) => engine.announceSummary(s));
      await summaries.start();
    }
    logger.info('nightshift started', { home: config.home, builder: builder.name });
    /** `graceMs`: how long the daemon's own worker (BUILD_ON=both) lets its builds finish. */
    const close = async (graceMs: number) => {
      summaries?.stop();
      await slack?.stop().catch((e: unknown) => logger.warn('Slack did not stop cleanly', { error: String(e) }));
      await discord?.stop().catch((e: unknown) => logger.warn('Discord did not stop cleanly', { error: String(e) }));
      consoleAdapter?.stop();
      await dashboard?.close();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      // Its builds may finish for the grace; the rest are handed back to the queue (the daemon has
      // let go of them; a worker, or this daemon when it starts again, takes them).
      await ownWorker?.stop(graceMs);
      await remote?.close();
      await store.close();
      lock.release();
      await new Promise<void>((r) => logFile.end(() => r()));
    };
    return {
      engine,
      logger,
      async stop(graceMs = config.shutdownGraceMs) {
        await engine.shutdown(graceMs);
        await close(graceMs);
      },
      async abort() {
        await engine.abort();
        await close(0);
      },
    };
  } catch (e) {
    await ownWorker?.stop().catch(() => undefined);
    await remote?.close().catch(() => undefined);
    summaries?.stop();
    await slack?.stop().catch(() => undefined);
    await discord?.stop().catch(() => undefined);
    consoleAdapter?.stop();
    await dashboard?.close();
    server?.close();
    lock.release();
    logFile.end();
    throw e;
  }
}

/**
 * A long-running daemon must not die of a library's stray rejection (Slack's Socket Mode client
 * leaves one unhandled when a reconnect fails): it is logged loudly, and the builds go on.
 */
export function survive(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error('an unexpected error was not handled (nightshift keeps running)', { error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
  });
}

/** SIGTERM/SIGINT: the first stops gracefully, a second ends every build at once and exits. */
export function handleSignals(daemon: Daemon, err: Writable, graceMs: number): void {
  let stopping = false;
  let forced = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      if (forced) return;
      forced = true;
      err.write(`${sig} again: ending every build now.\n`);
      void daemon.abort().finally(() => process.exit(130));
      return;
    }
    stopping = true;
    const running = daemon.engine.activeBuilds;
    err.write(
      running > 0
        ? `${sig}: no new work; waiting up to ${formatDuration(graceMs)} for ${running} build(s) to finish (signal again to stop now).\n`
        : `${sig}: stopping.\n`,
    );
    void daemon.stop(graceMs).then(
      // The builds may have ended because a second signal ended them: that exit code wins.
      () => process.exit(forced ? 130 : 0),
      (e: unknown) => {
        err.write(`error while stopping: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** BUILD_ON=workers: attempts are queued for `nightshift worker` machines instead of spawned here. */
async function dispatchToWorkers(url: string, staleMs: number, logger: Logger) {
  const { RemoteBuilder } = await import('./team/remote-builder.ts');
  const builder = new RemoteBuilder({ url, staleMs, logger });
  await builder.connect();
  return { builder, notice: 'Builds run on workers: start "nightshift worker" with the same DATABASE_URL on each machine that builds.', fallbackName: undefined };
}
