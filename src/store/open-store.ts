// Which TaskStore a process opens: PostgreSQL when DATABASE_URL is set (its client loads only
// then), else the lowdb store in NIGHTSHIFT_HOME.
import type { Config } from '../config.ts';
import type { Logger, TaskStore } from '../core/ports.ts';
import { LowdbTaskStore } from './lowdb-task-store.ts';

export interface StoreChoice {
  /** `start --empty-queue`: the lowdb store goes on when db.json and its backup are both gone. */
  acceptMissingQueue?: boolean;
}

export async function createStore(config: Pick<Config, 'home' | 'databaseUrl'>, logger: Logger, choice: StoreChoice = {}): Promise<TaskStore> {
  if (config.databaseUrl) {
    const { PgTaskStore } = await import('./postgres/pg-task-store.ts');
    return new PgTaskStore({ url: config.databaseUrl, logger });
  }
  return new LowdbTaskStore({ dir: config.home, logger, ...(choice.acceptMissingQueue ? { acceptMissingQueue: true } : {}) });
}
