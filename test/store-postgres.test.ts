// The PostgreSQL store beyond the common contract (store-conformance.test.ts), on a real server:
// its schema migrations, one nightshift per database, what an unreachable server says, and
// `nightshift migrate-store` from a lowdb home, through the binary, repeated.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LowdbTaskStore } from '../src/store/index.ts';
import { PgTaskStore } from '../src/store/postgres/pg-task-store.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/store/postgres/schema.ts';
import { cliEnv, runCli } from './helpers/cli.ts';
import { query, testDatabase, type TestDatabase } from './helpers/postgres.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

// The server comes up on first use (on a fresh machine, after npm test has installed it).
beforeAll(async () => (await testDatabase()).drop(), 240_000);

const dbs: TestDatabase[] = [];
const stores: PgTaskStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dbs.splice(0)) await d.drop();
});

async function database(): Promise<TestDatabase> {
  const db = await testDatabase();
  dbs.push(db);
  return db;
}
function pgStore(url: string): PgTaskStore {
  const s = new PgTaskStore({ url });
  stores.push(s);
  return s;
}
const sql = query;

const at = (minute: number): string => new Date(Date.UTC(2026, 2, 2, 18, minute)).toISOString();

describe('PgTaskStore', () => {
  it('creates its schema on a fresh database, records its version, and opens it again without migrating', async () => {
    const db = await database();
    const first = pgStore(db.url);
    expect(await first.open()).toEqual({ warnings: [], loadedVersion: null });
    await first.close();
    expect(await sql<{ version: number }>(db.url, 'SELECT version FROM nightshift_schema ORDER BY version')).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    const again = pgStore(db.url);
    expect(await again.open()).toEqual({ warnings: [], loadedVersion: SCHEMA_VERSION });
  });

  it('refuses a database whose schema is newer than it knows, saying to upgrade', async () => {
    const db = await database();
    const s = pgStore(db.url);
    await s.open();
    await s.close();
    await sql(db.url, `INSERT INTO nightshift_schema (version) VALUES (${SCHEMA_VERSION + 1})`);
    await expect(pgStore(db.url).open()).rejects.toThrow(`has schema version ${SCHEMA_VERSION + 1}, newer than this nightshift knows (${SCHEMA_VERSION}); upgrade nightshift`);
  });

  it('one nightshift per database: a second is refused while the first has it open, and welcome after', async () => {
    const db = await database();
    const first = pgStore(db.url);
    await first.open();
    await expect(pgStore(db.url).open()).rejects.toThrow(/another nightshift has this database \(DATABASE_URL\) open/);
    await first.close();
    const second = pgStore(db.url);
    await expect(second.open()).resolves.toMatchObject({ warnings: [] });
  });

  it('keeps what was put across a reopen: live tasks, history newest first, meta, and ids never reused', async () => {
    const db = await database();
    const s = pgStore(db.url);
    await s.open();
    const [a, b, c] = s.allocateIds(3) as [string, string, string];
    await s.put(makeTask({ id: a, status: 'queued', updatedAt: at(1) }), makeTask({ id: b, status: 'done', updatedAt: at(2) }), makeTask({ id: c, status: 'cancelled', updatedAt: at(3) }));
    await s.setMeta('slack.cards', { [a]: { channel: 'C1', ts: '1.2' } });
    await s.close();
    const again = pgStore(db.url);
    await again.open();
    expect(again.live().map((t) => t.id)).toEqual(['t-1']);
    expect((await again.history()).map((t) => t.id)).toEqual(['t-3', 't-2']);
    expect(await again.history({ since: new Date(at(3)) })).toHaveLength(1);
    expect(again.getMeta('slack.cards')).toEqual({ 't-1': { channel: 'C1', ts: '1.2' } });
    expect(again.allocateIds(1)).toEqual(['t-4']);
  });

  it('a lost connection (the server ended the session) is replaced at the next change: nothing is lost, and the database stays held', async () => {
    const db = await database();
    const s = pgStore(db.url);
    await s.open();
    const [a, b] = s.allocateIds(2) as [string, string];
    await s.put(makeTask({ id: a, status: 'queued' }));
    // As a server restart or a network cut would: every session of nightshift's is ended.
    const ended = await sql<{ ended: boolean }>(db.url, "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'nightshift' AND datname = current_database()");
    expect(ended).toEqual([{ ended: true }]);
    await s.put(makeTask({ id: b, status: 'done', updatedAt: at(5) }));
    await s.setMeta('lastSummaryAt', at(6));
    expect(await sql<{ id: string }>(db.url, 'SELECT id FROM nightshift_tasks ORDER BY number')).toEqual([{ id: 't-1' }, { id: 't-2' }]);
    expect((await s.history()).map((t) => t.id)).toEqual(['t-2']);
    await expect(pgStore(db.url).open()).rejects.toThrow(/another nightshift has this database/);
  });

  it('an unreachable server is said as what to check, without the password', async () => {
    const s = pgStore('postgres://nightshift:hunter2secret@127.0.0.1:9/nightshift');
    const e = await s.open().then(
      () => new Error('it opened'),
      (x: unknown) => x as Error,
    );
    expect(e.name).toBe('DatabaseUnreachableError');
    expect(e.message).toMatch(/^cannot reach the PostgreSQL server of DATABASE_URL \(.*ECONNREFUSED.*\): is it running, and are its host and port right\?$/);
    expect(e.message).not.toContain('hunter2secret');
  });
});

describe('nightshift with DATABASE_URL, through the binary', () => {
  it('queues, builds and reports with its tasks in PostgreSQL; a wrong URL fails at start naming DATABASE_URL', async () => {
    const db = await database();
    const home = await tempDir();
    const env = cliEnv(home, { DATABASE_URL: db.url, BUILDER: 'demo', DEMO_BUILD_STEP: '10ms' });
    expect((await runCli(['add', 'build a hello-world CLI', '--priority', 'high'], env)).stdout).toMatch(/t-1 "Build a hello-world CLI"/);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.stdout).toMatch(/t-1 "Build a hello-world CLI" is done/);
    const rows = await sql<{ id: string; status: string; live: boolean }>(db.url, 'SELECT id, status, live FROM nightshift_tasks');
    expect(rows).toEqual([{ id: 't-1', status: 'done', live: false }]);
    const status = JSON.parse((await runCli(['status', 't-1', '--json'], env)).stdout) as { status: string };
    expect(status.status).toBe('done');

    const wrong = await runCli(['status'], { ...env, DATABASE_URL: 'mysql://root:pw@localhost/x' });
    expect(wrong.code).toBe(78);
    expect(wrong.stderr).toMatch(/DATABASE_URL: expected a PostgreSQL URL like postgres:\/\/user:password@host:5432\/nightshift/);
    expect(wrong.stderr).not.toContain(':pw@');
  }, 60_000);

  it('migrate-store copies a lowdb home into PostgreSQL, and running it again duplicates nothing', async () => {
    const home = await tempDir();
    const lowdb = new LowdbTaskStore({ dir: home });
    await lowdb.open();
    const finished = Array.from({ length: 7 }, (_, i) => makeTask({ id: `t-${i + 1}`, title: `Finished ${i + 1}`, status: 'done', updatedAt: at(i) }));
    await lowdb.put(...finished);
    await lowdb.put(makeTask({ id: 't-8', title: 'Still queued', status: 'queued' }), makeTask({ id: 't-9', title: 'Waiting', status: 'awaiting_approval' }));
    await lowdb.setMeta('lastSummaryAt', at(30));
    await lowdb.close();

    const db = await database();
    const env = cliEnv(home, { DATABASE_URL: db.url });
    const first = await runCli(['migrate-store'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Copied 2 live and 7 finished tasks and 1 meta values from ${home} into DATABASE_URL.`);
    const second = await runCli(['migrate-store'], env);
    expect(second.code, second.stderr).toBe(0);

    const counts = await sql<{ live: boolean; n: string }>(db.url, 'SELECT live, count(*) AS n FROM nightshift_tasks GROUP BY live ORDER BY live');
    expect(counts).toEqual([{ live: false, n: '7' }, { live: true, n: '2' }]);
    // The database now serves them: history in the order they finished, the queue, the next id.
    const s = pgStore(db.url);
    await s.open();
    expect((await s.history()).map((t) => t.title)).toEqual(finished.map((t) => t.title).reverse());
    expect(s.live().map((t) => t.title)).toEqual(['Still queued', 'Waiting']);
    expect(s.getMeta('lastSummaryAt')).toBe(at(30));
    expect(s.allocateIds(1)).toEqual(['t-10']);
    await s.close();

    const without = await runCli(['migrate-store'], cliEnv(home));
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('set DATABASE_URL (postgres://…) first. Nothing was copied.');
  }, 60_000);
});
