// The team form's PostgreSQL, as bench/team.ts finds one: CHAOS_DATABASE_URL (a server where that
// user may create databases), else a throwaway cluster (test/setup/postgres-cluster.ts, removed
// when this process exits). Each run gets a fresh database of its own on it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { findServerBin, startCluster } from '../../test/setup/postgres-cluster.ts';

export interface TeamDatabase {
  url: string;
  /** Where it is, for the report (no password). */
  what: string;
  /** Drops the database, and stops the throwaway cluster if there is one. */
  close(): Promise<void>;
}

/** Runs `sql` in a connection of its own. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh database; a sentence saying why when there is no server to make it on. */
export async function teamDatabase(): Promise<TeamDatabase | string> {
  const given = process.env.CHAOS_DATABASE_URL;
  if (!given && !findServerBin()) return 'no PostgreSQL: set CHAOS_DATABASE_URL to a server where that user may create databases, or install the server (apt-get install postgresql)';
  const cluster = given ? null : await startCluster();
  const server = given ?? cluster!.url;
  const name = `ns_chaos_${process.pid}_${randomBytes(4).toString('hex')}`;
  const [v] = await query<{ server_version_num: string }>(server, 'SHOW server_version_num');
  // FILE_COPY (PostgreSQL 15+) copies the template's files instead of writing it all to the WAL.
  await query(server, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'${Number(v?.server_version_num) >= 150000 ? ' STRATEGY FILE_COPY' : ''}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const where = new URL(server);
  where.password = '';
  return {
    url: url.toString(),
    what: given ? `database ${name} on CHAOS_DATABASE_URL (${where.host})` : `database ${name} on a throwaway cluster (${where.host})`,
    async close() {
      await query(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await cluster?.stop();
    },
  };
}
