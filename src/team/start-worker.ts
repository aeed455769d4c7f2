// `nightshift worker` as a process: the local builder (BUILDER, PROJECTS_FILE, the agent's own
// credentials, all of this machine), the worker, and signals: SIGTERM or Ctrl-C stops taking work
// and hands back what runs, so the daemon gives it to another worker.
import type { Writable } from 'node:stream';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { selectBuilder } from '../builders/select-builder.ts';
import { projectCatalog } from '../projects/catalog.ts';
import { ensurePrivateDir } from '../private-dir.ts';
import { Worker, workerOptions } from './worker.ts';

export async function startWorker(config: Config, out: Writable, err: Writable): Promise<void> {
  await ensurePrivateDir(config.home);
  const logger = createLogger({ level: config.logLevel === 'debug' ? 'debug' : 'warn', secrets: config.secrets, out: err });
  const catalog = await projectCatalog(config);
  const { builder } = selectBuilder(config, logger, catalog);
  const url = config.databaseUrl as string;
  const worker = new Worker({ url, builder, ...workerOptions(config), logger, say: (line) => out.write(`${line}\n`) });
  await worker.start();
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1); // a second signal: at once
    stopping = true;
    void worker.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
