// `nightshift migrate-store`: copies a lowdb home (NIGHTSHIFT_HOME) into the PostgreSQL database of
// DATABASE_URL. Idempotent: a task is written by its id (the newer copy wins), meta by its key, so
// running it again (after an interruption, or after more work in the old home) brings the database
// level with the home and duplicates nothing. The home is only read, under its lock: a running
// nightshift must be stopped first.
import type { Logger } from '../core/ports.ts';
import type { Task } from '../core/task.ts';
import { acquireLock } from '../lock.ts';
import { LowdbTaskStore } from './lowdb-task-store.ts';
import { PgTaskStore } from './postgres/pg-task-store.ts';

export interface MigrateStoreOptions {
  home: string;
  databaseUrl: string;
  logger: Logger;
  /** One line per step: how far it is. */
  progress: (line: string) => void;
}

export interface Migrated {
  live: number;
  finished: number;
  meta: number;
}

const BATCH = 500;

export async function migrateStore(opts: MigrateStoreOptions): Promise<Migrated> {
  const lock = acquireLock(opts.home, 'cli');
  const from = new LowdbTaskStore({ dir: opts.home, logger: opts.logger });
  const to = new PgTaskStore({ url: opts.databaseUrl, logger: opts.logger });
  try {
    await from.open();
    await to.open();
    // Oldest first, so the database's history keeps the order they finished in.
    const finished = (await from.history()).reverse();
    for (let i = 0; i < finished.length; i += BATCH) {
      await to.put(...finished.slice(i, i + BATCH));
      opts.progress(`finished tasks: ${Math.min(i + BATCH, finished.length)} of ${finished.length}`);
    }
    const live: Task[] = from.live();
    if (live.length) await to.put(...live);
    opts.progress(`live tasks: ${live.length}`);
    const meta = from.metaEntries();
    for (const [key, value] of meta) await to.setMeta(key, value);
    opts.progress(`settings kept by nightshift (meta): ${meta.length}`);
    return { live: live.length, finished: finished.length, meta: meta.length };
  } finally {
    await to.close();
    await from.close();
    lock.release();
  }
}
