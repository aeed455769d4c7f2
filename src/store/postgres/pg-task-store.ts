// TaskStore on PostgreSQL (DATABASE_URL): the same contract as the lowdb store, on a server a team
// shares. Live tasks and meta are read once at open and served from memory, as the port requires
// (the engine asks them synchronously, many times a second); every change is written in one
// transaction before it is applied in memory, so a caller is told only what is on the server.
// Finished tasks stay in the same table (live = false); history is one indexed query.
import pg from 'pg';
import type { HistoryQuery, Logger, StoreOpenReport, TaskStore } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { isTerminal, Task, taskNumber, type TaskId } from '../../core/task.ts';
import { StoreNotOpenError } from '../errors.ts';
import { LiveSet } from '../live-set.ts';
import { takeIds, deepFreeze, lastPerId, toStoredMetaValue } from '../values.ts';
import { MIGRATION_LOCK, MIGRATIONS, OWNER_LOCK } from './schema.ts';

export interface PgTaskStoreOptions {
  /** postgres://user:password@host:5432/database */
  url: string;
  logger?: Logger;
  /**
   * Hold the database for this process while open (the daemon, a one-shot): a second nightshift
   * on the same database is refused. Default true.
   */
  exclusive?: boolean;
}

/** Another nightshift has this database open. */
export class DatabaseHeldError extends Error {
  override readonly name = 'DatabaseHeldError';
}

/** The server of DATABASE_URL cannot be reached, or refuses the login: said as what to check. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

function unreachable(e: unknown): DatabaseUnreachableError {
  const err = e as { code?: string; message?: string };
  const why = err.message ?? String(e);
  if (err.code === '28P01' || err.code === '28000') return new DatabaseUnreachableError(`PostgreSQL refused the login in DATABASE_URL (${why}): check its user and password`);
  if (err.code === '3D000') return new DatabaseUnreachableError(`the database in DATABASE_URL does not exist (${why}): create it (createdb), then start again`);
  return new DatabaseUnreachableError(`cannot reach the PostgreSQL server of DATABASE_URL (${why}): is it running, and are its host and port right?`);
}

export class PgTaskStore implements TaskStore {
  private client: pg.Client | null = null;
  private readonly liveTasks = new LiveSet();
  private readonly meta = new Map<string, unknown>();
  private nextId = 1;
  /** Changes go to the server one after another, in call order. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Connections that reported an error or ended: replaced before their next use. */
  private readonly lost = new WeakSet<pg.Client>();

  constructor(private readonly opts: PgTaskStoreOptions) {}

  async open(): Promise<StoreOpenReport> {
    if (this.client) throw new Error('the PostgreSQL task store is already open');
    const client = await this.connect();
    try {
      const loadedVersion = await migrate(client, this.opts.logger ?? silentLogger);
      await this.load(client);
      this.client = client;
      return { warnings: [], loadedVersion };
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
  }

  /** A new connection, holding the database for this process when exclusive. */
  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.opts.url, application_name: 'nightshift' });
    // A connection that drops is replaced at the next query (an 'error' event without a listener
    // would end the process).
    client.on('error', (e) => {
      (this.opts.logger ?? silentLogger).warn('the PostgreSQL connection failed; the next change reconnects', { error: e.message });
      this.lost.add(client);
    });
    client.on('end', () => this.lost.add(client));
    await client.connect().catch((e: unknown) => {
      throw unreachable(e);
    });
    if (this.opts.exclusive !== false) {
      const held = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [OWNER_LOCK]).catch(async (e: unknown) => {
        await client.end().catch(() => undefined);
        throw e;
      });
      if (!held.rows[0]?.ok) {
        await client.end().catch(() => undefined);
        throw new DatabaseHeldError('another nightshift has this database (DATABASE_URL) open; stop it first, or give this one its own database');
      }
    }
    return client;
  }

  /**
   * Runs `fn` on the connection; a connection that was lost (the server restarted, a network
   * blip) is replaced first, and a call cut off by its loss is run once more on the new one. Every
   * statement here can be run twice safely: tasks and meta are written by key. Memory is not read
   * again: while this process holds the database, nothing else writes it.
   */
  private async onConnection<T>(method: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    let client = this.requireOpen(method);
    if (this.lost.has(client)) client = await this.reconnect(client);
    try {
      return await fn(client);
    } catch (e) {
      if (!isConnectionLoss(e) || this.client !== client) throw e;
      return fn(await this.reconnect(client));
    }
  }

  private async reconnect(old: pg.Client): Promise<pg.Client> {
    this.lost.delete(old);
    await old.end().catch(() => undefined);
    const client = await this.connect();
    this.client = client;
    (this.opts.logger ?? silentLogger).info('reconnected to PostgreSQL');
    return client;
  }

  private async load(client: pg.Client): Promise<void> {
    this.liveTasks.clear();
    this.meta.clear();
    const live = await client.query<{ task: unknown }>('SELECT task FROM nightshift_tasks WHERE live ORDER BY number');
    for (const row of live.rows) this.liveTasks.set(deepFreeze(Task.parse(row.task)));
    const meta = await client.query<{ key: string; value: unknown }>('SELECT key, value FROM nightshift_meta');
    for (const row of meta.rows) this.meta.set(row.key, row.value);
    const next = await client.query<{ next: string }>(
      `SELECT GREATEST(COALESCE((SELECT value FROM nightshift_counters WHERE name = 'next_id'), 1),
                       COALESCE((SELECT MAX(number) + 1 FROM nightshift_tasks), 1))::text AS next`,
    );
    this.nextId = Number(next.rows[0]?.next ?? 1);
  }

  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await this.writes.catch(() => undefined);
    this.client = null;
    await client.end().catch(() => undefined);
  }

  allocateIds(count: number): TaskId[] {
    this.requireOpen('allocateIds');
    const taken = takeIds(this.nextId, count);
    this.nextId = taken.next;
    return taken.ids;
  }

  live(): Task[] {
    this.requireOpen('live');
    return this.liveTasks.values();
  }

  getLive(id: TaskId): Task | null {
    this.requireOpen('getLive');
    return this.liveTasks.get(id) ?? null;
  }

  async get(id: TaskId): Promise<Task | null> {
    this.requireOpen('get');
    const live = this.liveTasks.get(id);
    if (live) return live;
    const r = await this.onConnection('get', (client) => client.query<{ task: unknown }>('SELECT task FROM nightshift_tasks WHERE id = $1', [id]));
    return r.rows[0] ? deepFreeze(Task.parse(r.rows[0].task)) : null;
  }

  async put(...given: Task[]): Promise<void> {
    this.requireOpen('put');
    // Every task is checked before anything is written: a bad one changes nothing.
    const tasks = lastPerId(given.map((t) => deepFreeze(Task.parse(t))));
    if (tasks.length === 0) return;
    const nextId = Math.max(this.nextId, ...tasks.map((t) => taskNumber(t.id) + 1));
    await this.write(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(
          `INSERT INTO nightshift_tasks (id, number, status, live, created_at, updated_at, archived_seq, task)
           SELECT t.id, t.number, t.status, t.live, t.created_at, t.updated_at,
                  CASE WHEN t.live THEN NULL ELSE nextval('nightshift_archive_seq') END, t.task
           FROM unnest($1::text[], $2::int[], $3::text[], $4::boolean[], $5::timestamptz[], $6::timestamptz[], $7::jsonb[])
                WITH ORDINALITY AS t(id, number, status, live, created_at, updated_at, task, n)
           ORDER BY t.n
           ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, live = EXCLUDED.live, updated_at = EXCLUDED.updated_at,
             archived_seq = EXCLUDED.archived_seq, task = EXCLUDED.task`,
          [
            tasks.map((t) => t.id),
            tasks.map((t) => taskNumber(t.id)),
            tasks.map((t) => t.status),
            tasks.map((t) => !isTerminal(t.status)),
            tasks.map((t) => t.createdAt),
            tasks.map((t) => t.updatedAt),
            tasks.map((t) => JSON.stringify(t)),
          ],
        );
        await client.query(
          `INSERT INTO nightshift_counters (name, value) VALUES ('next_id', $1)
           ON CONFLICT (name) DO UPDATE SET value = GREATEST(nightshift_counters.value, EXCLUDED.value)`,
          [nextId],
        );
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
    this.nextId = Math.max(this.nextId, nextId);
    for (const task of tasks) {
      if (isTerminal(task.status)) this.liveTasks.delete(task.id);
      else this.liveTasks.set(task);
    }
  }

  async history(query: HistoryQuery = {}): Promise<Task[]> {
    this.requireOpen('history');
    const limit = query.limit ?? null;
    if (limit !== null && limit <= 0) return [];
    const r = await this.onConnection('history', (client) => client.query<{ task: unknown }>(
      `SELECT task FROM nightshift_tasks
       WHERE NOT live AND ($1::timestamptz IS NULL OR updated_at >= $1::timestamptz)
       ORDER BY archived_seq DESC LIMIT $2`,
      [query.since?.toISOString() ?? null, limit],
    ));
    return r.rows.map((row) => deepFreeze(Task.parse(row.task)));
  }

  getMeta<T = unknown>(key: string): T | undefined {
    this.requireOpen('getMeta');
    return this.meta.has(key) ? (structuredClone(this.meta.get(key)) as T) : undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.requireOpen('setMeta');
    const stored = value === undefined ? undefined : toStoredMetaValue(key, value);
    await this.write((client) =>
      stored === undefined
        ? client.query('DELETE FROM nightshift_meta WHERE key = $1', [key])
        : client.query('INSERT INTO nightshift_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, JSON.stringify(stored)]),
    );
    if (stored === undefined) this.meta.delete(key);
    else this.meta.set(key, stored);
  }

  /** Every meta value (copies), for `nightshift migrate-store`. */
  metaEntries(): [string, unknown][] {
    this.requireOpen('metaEntries');
    return [...this.meta.entries()].map(([k, v]) => [k, structuredClone(v)]);
  }

  private write<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    this.requireOpen('write');
    const run = this.writes.then(
      () => this.onConnection('write', fn),
      () => this.onConnection('write', fn),
    );
    this.writes = run.catch(() => undefined);
    return run;
  }

  private requireOpen(method: string): pg.Client {
    if (!this.client) throw new StoreNotOpenError(method);
    return this.client;
  }
}

/** The connection, not the statement, failed: the server went away, or ended this session. */
function isConnectionLoss(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (err.code && (/^(?:57P0[123]|08\d\d\d)$/.test(err.code) || ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT'].includes(err.code))) return true;
  return /Connection terminated|Client was closed|not queryable/i.test(err.message ?? '');
}

/** Applies the migrations the database lacks; the version it had before (null: none). */
export async function migrate(client: Pick<pg.Client, 'query'>, logger: Logger): Promise<number | null> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS nightshift_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const r = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM nightshift_schema');
    const had = r.rows[0]?.version ?? null;
    const newest = MIGRATIONS.at(-1)?.version ?? 0;
    if (had !== null && had > newest) {
      throw new Error(`the database (DATABASE_URL) has schema version ${had}, newer than this nightshift knows (${newest}); upgrade nightshift`);
    }
    for (const m of MIGRATIONS) {
      if (had !== null && m.version <= had) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO nightshift_schema (version) VALUES ($1)', [m.version]);
      logger.info('applied a database migration', { version: m.version, what: m.what });
    }
    await client.query('COMMIT');
    return had;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
