// The team form's PostgreSQL, as bench/team.ts finds one: CHAOS_DATABASE_URL (a server where that
// user may create databases), else a throwaway cluster (test/setup/postgres-cluster.ts, removed
// when this process exits). Each run gets a fresh database of its own on it.
import { findServerBin, startCluster } from '../../test/setup/postgres-cluster.ts';
import { adminQuery, freshDatabase } from '../../test/setup/fresh-database.ts';

export interface TeamDatabase {
  url: string;
  /** Where it is, for the report (no password). */
  what: string;
  /** Drops the database, and stops the throwaway cluster if there is one. */
  close(): Promise<void>;
}

/** Runs `sql` in a connection of its own. */
export const query = adminQuery;

/** A fresh database; a sentence saying why when there is no server to make it on. */
export async function teamDatabase(): Promise<TeamDatabase | string> {
  const given = process.env.CHAOS_DATABASE_URL;
  if (!given && !findServerBin()) return 'no PostgreSQL: set CHAOS_DATABASE_URL to a server where that user may create databases, or install the server (apt-get install postgresql)';
  const cluster = given ? null : await startCluster();
  const server = given ?? cluster!.url;
  const { name, url, drop } = await freshDatabase(server, 'ns_chaos');
  const where = new URL(server);
  where.password = '';
  return {
    url,
    what: given ? `database ${name} on CHAOS_DATABASE_URL (${where.host})` : `database ${name} on a throwaway cluster (${where.host})`,
    async close() {
      await drop().catch(() => undefined);
      await cluster?.stop();
    },
  };
}
