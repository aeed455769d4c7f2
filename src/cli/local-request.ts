// A one-shot done in-process because no daemon runs: it takes the data directory's lock, opens the
// store, and answers through an engine that never builds. Loaded only on that path (see needs.ts).
import { loadConfig } from '../config.ts';
import { Engine } from '../core/engine.ts';
import { systemClock } from '../core/ports.ts';
import type { Reply } from '../commands/reply.ts';
import { runCliRequest, type CliRequest } from '../control/cli-request.ts';
import { createLogger } from '../logger.ts';
import { acquireLock } from '../lock.ts';
import { ensurePrivateDir } from '../private-dir.ts';
import { createStore } from '../store/open-store.ts';
import { oneShotBuilder } from './one-shot-builder.ts';

export async function runLocally(req: CliRequest): Promise<Reply> {
  const cfg = loadConfig(process.env);
  await ensurePrivateDir(cfg.home);
  const lock = acquireLock(cfg.home, 'cli');
  const logger = createLogger({ level: 'warn', secrets: cfg.secrets, out: process.stderr });
  const store = await createStore(cfg, logger);
  try {
    const report = await store.open();
    for (const w of report.warnings) process.stderr.write(`WARNING: ${w}\n`);
    const engine = new Engine({ store, builder: oneShotBuilder(cfg, logger), policy: cfg.policy, clock: systemClock, logger, runBuilds: false });
    // Only a request (routed to a project) and `projects` need the projects.
    if (req.verb === 'add' || req.verb === 'projects') engine.useProjects(await (await import('../projects/catalog.ts')).projectCatalog(cfg));
    await engine.start();
    return await runCliRequest(engine, req);
  } finally {
    await store.close();
    lock.release();
  }
}
