// `nightshift worker` as a process: the local builder (BUILDER, PROJECTS_FILE, the agent's own
// credentials, all of this machine), the worker, and signals: SIGTERM or Ctrl-C stops taking work
// and hands back what runs, so the daemon gives it to another worker.
import type { Writable } from 'node:stream';
import type { Config } from '../config.ts';
import type { Builder, Logger } from '../core/ports.ts';
import { createLogger } from '../logger.ts';
import { selectBuilder } from '../builders/select-builder.ts';
import { projectCatalog } from '../projects/catalog.ts';
import { ensurePrivateDir } from '../private-dir.ts';
import { agentKillGraceMs, Worker, workerOptions } from './worker.ts';
import { acquireLock } from '../lock.ts';
import { endProcesses, findByEnvironmentPrefix } from '../builders/process-tree.ts';
import { join } from 'node:path';

export async function startWorker(config: Config, out: Writable, err: Writable): Promise<void> {
  await ensurePrivateDir(config.home);
  // One worker per NIGHTSHIFT_HOME (its worktrees and logs are its own).
  const lock = acquireLock(config.home, 'worker');
  const logger = createLogger({ level: config.logLevel === 'debug' ? 'debug' : 'warn', secrets: config.secrets, out: err });
  const catalog = await projectCatalog(config);
  const { builder } = selectBuilder(config, logger, catalog, { teamWorker: { killGraceMs: agentKillGraceMs(config.team.workerTimeoutMs) } });
  const worker = await workHere(config, builder, logger, (line) => out.write(`${line}\n`));
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1); // a second signal: at once
    stopping = true;
    void worker.stop(config.shutdownGraceMs).then(() => {
      lock.release();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * A worker in this process, building with `builder` in config.home (which the caller holds the lock
 * of): `nightshift worker`, or the daemon itself with BUILD_ON=both. What a worker that died here
 * left at work is ended first: the daemon has given those attempts to another worker.
 */
export async function workHere(config: Config, builder: Builder, logger: Logger, say: (line: string) => void): Promise<Worker> {
  const leftovers = findByEnvironmentPrefix(`NIGHTSHIFT_WORKSPACE=${join(config.home, 'workspaces')}/`);
  await endProcesses(leftovers, 5_000);
  if (leftovers.length) say(`Ended ${leftovers.length} process${leftovers.length === 1 ? '' : 'es'} a worker that died here had left at work.`);
  const worker = new Worker({ url: config.databaseUrl as string, builder, ...workerOptions(config), logger, say });
  await worker.start();
  return worker;
}
