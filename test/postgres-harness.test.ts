// The harness the PostgreSQL store's tests stand on (test/helpers/postgres.ts, test/setup/postgres.ts):
// a real server, a separate empty database per call, gone after drop(), reachable from loopback only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { onThrowawayCluster, query, testDatabase, waitForServer } from './helpers/postgres.ts';


const tables = async (url: string) =>
  (await query<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).map((r) => r.table_name);

/** How a TCP connection to host:port ends: 'connected' or the error code. */
const tryConnect = (host: string, port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });

describe('the PostgreSQL test harness', () => {
  it('gives each call its own empty database: a table made in one is not in the other', async () => {
    const a = await testDatabase();
    const b = await testDatabase();
    try {
      expect(a.url).not.toBe(b.url);
      expect(await tables(a.url)).toEqual([]);
      expect(await tables(b.url)).toEqual([]);
      await query(a.url, 'CREATE TABLE tasks (id text PRIMARY KEY)');
      await query(a.url, "INSERT INTO tasks VALUES ('t1')");
      expect(await tables(a.url)).toEqual(['tasks']);
      expect(await tables(b.url)).toEqual([]);
      const [db] = await query<{ db: string; encoding: string }>(b.url, 'SELECT current_database() AS db, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()');
      expect(db).toEqual({ db: new URL(b.url).pathname.slice(1), encoding: 'UTF8' });
    } finally {
      await a.drop();
      await b.drop();
    }
  });

  it('drop() removes the database, with a connection still open to it', async () => {
    const db = await testDatabase();
    const open = new pg.Client({ connectionString: db.url });
    open.on('error', () => undefined); // the drop ends this connection
    await open.connect();
    await db.drop();
    await expect(query(db.url, 'SELECT 1')).rejects.toMatchObject({ code: '3D000' }); // invalid_catalog_name: no such database
    await open.end().catch(() => undefined);
    await db.drop(); // twice is harmless
  });

  it.skipIf(!onThrowawayCluster())('the throwaway cluster listens on 127.0.0.1 only', async () => {
    const db = await testDatabase();
    try {
      const [row] = await query<{ listen: string; addr: string }>(db.url, "SELECT current_setting('listen_addresses') AS listen, host(inet_server_addr()) AS addr");
      expect(row).toEqual({ listen: '127.0.0.1', addr: '127.0.0.1' });
      const port = Number(new URL(db.url).port);
      expect(await tryConnect('127.0.0.1', port)).toBe('connected');
      // Every other address of this machine (IPv6 loopback included) finds no server on that port.
      const elsewhere = Object.values(networkInterfaces())
        .flatMap((list) => list ?? [])
        .filter((i) => !(i.family === 'IPv4' && i.internal) && !i.address.startsWith('fe80:'))
        .map((i) => i.address);
      for (const host of ['::1', ...elsewhere]) expect(await tryConnect(host, port), host).not.toBe('connected');
    } finally {
      await db.drop();
    }
  });

  it('a cluster that failed to start fails the test that needs it, saying why', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'nightshift-pg-state-'));
    try {
      await writeFile(join(stateDir, 'failed'), 'initdb failed (exit 1): no space left on device');
      await expect(waitForServer({ stateDir })).rejects.toThrow("the tests' PostgreSQL did not start: initdb failed (exit 1): no space left on device");
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
