// A fresh, empty database on a PostgreSQL server, for what needs one of its own outside the
// suite's harness: `npm run bench -- team` and `npm run chaos -- --team` (the suite's own is
// test/helpers/postgres.ts, which keeps its admin connection's version between databases).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Runs `sql` in a connection of its own. */
export async function adminQuery<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A new empty database named `<prefix>_<pid>_<random>` on the server; drop() removes it, connections left open or not. */
export async function freshDatabase(serverUrl: string, prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const [row] = await adminQuery<{ v: string }>(serverUrl, "SELECT current_setting('server_version_num') AS v");
  // FILE_COPY (PostgreSQL 15+) copies the template's files instead of writing it all to the WAL.
  await adminQuery(serverUrl, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'${Number(row?.v) >= 150000 ? ' STRATEGY FILE_COPY' : ''}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: async () => void (await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}
