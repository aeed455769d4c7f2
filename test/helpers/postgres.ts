// A fresh, empty PostgreSQL database for a test, on the suite's server (test/setup/postgres.ts):
// the developer's TEST_DATABASE_URL, or the throwaway cluster this run starts on first use.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { INSTALL_PHASE, STATE, type PostgresHandoff } from '../setup/postgres.ts';

export type TestDatabase = { url: string; drop(): Promise<void> };

/** Below the suite's 30 s hook timeout, so a start that never comes fails here, saying why. */
const READY_WAIT_MS = 25_000;
/**
 * While `npm test` installs PostgreSQL (as test/helpers/test-tools.ts waits for its tools). That
 * outlasts the suite's hook timeout: a file that may run during the install gives its hook a longer one.
 */
const INSTALL_WAIT_MS = 240_000;

const read = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/** Asks the global setup for its cluster and waits for its URL; throws its failure. */
export async function waitForServer(handoff: PostgresHandoff | undefined): Promise<string> {
  if (!handoff) throw new Error('no PostgreSQL for the tests: run them through vitest.config.ts, whose globalSetup test/setup/postgres.ts provides it');
  if ('url' in handoff) return handoff.url;
  const { stateDir } = handoff;
  const file = (name: string) => join(stateDir, name);
  if (!existsSync(file(STATE.wanted))) writeFileSync(file(STATE.wanted), String(process.pid));
  const started = Date.now();
  for (;;) {
    const url = read(file(STATE.url));
    if (url) return url;
    const failed = read(file(STATE.failed));
    if (failed) throw new Error(`the tests' PostgreSQL did not start: ${failed}`);
    const phase = read(file(STATE.phase)) ?? 'the global setup to see the request';
    if (Date.now() - started > (phase === INSTALL_PHASE ? INSTALL_WAIT_MS : READY_WAIT_MS)) {
      throw new Error(`the tests' PostgreSQL was not ready after ${Math.round((Date.now() - started) / 1000)} s, still waiting for ${phase} (state in ${stateDir})`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

let server: Promise<string> | undefined;
let made = 0;

/** Runs `sql(server version)` on the server's maintenance database; an error names the server (not its password). */
async function admin(url: string, sql: (version: number) => string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const version = Number((await client.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]?.server_version_num);
    await client.query(sql(version));
  } catch (e) {
    const where = new URL(url);
    where.password = '';
    throw new Error(`${sql(0).split(' ').slice(0, 2).join(' ')} on the tests' PostgreSQL (${where.toString()}) failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A new empty database (UTF8, from template0) for one test or one file; `drop()` removes it. */
export async function testDatabase(): Promise<TestDatabase> {
  server ??= waitForServer(inject('postgres'));
  const serverUrl = await server;
  // Lowercase letters, digits and underscores: needs no quoting, and unique across workers and runs.
  const name = `ns_test_${process.pid}_${++made}_${randomBytes(4).toString('hex')}`;
  // FILE_COPY (PostgreSQL 15+) copies the template's files: 16 ms here against 40 ms for the default,
  // which writes the whole template to the WAL; its checkpoints cost little with fsync off.
  await admin(serverUrl, (version) => `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'${version >= 150000 ? ' STRATEGY FILE_COPY' : ''}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    // WITH (FORCE) ends the connections a test left open (PostgreSQL 13+).
    drop: () => (dropped ??= admin(serverUrl, () => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** True on the run's throwaway cluster, false on the developer's TEST_DATABASE_URL. */
export const onThrowawayCluster = (): boolean => {
  const handoff = inject('postgres') as PostgresHandoff | undefined;
  return handoff !== undefined && 'stateDir' in handoff;
};

/** Runs one statement on `url` in its own connection: its rows. */
export { adminQuery as query } from '../setup/fresh-database.ts';
