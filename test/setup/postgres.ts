// The suite's PostgreSQL: TEST_DATABASE_URL when the developer gives a server (tests create and drop
// their own databases on it), else ONE throwaway cluster for the whole run, started on first use.
//
// The cluster is owned by this process (vitest's main one) and handed to the workers through a
// state directory passed with `provide`: a worker that needs it writes `wanted` there
// (test/helpers/postgres.ts); this process then runs initdb and `pg_ctl start -w` (about 1 s in
// /dev/shm) and writes `url` once the server answers, or `failed` saying why. A run without a
// PostgreSQL test starts nothing. The cluster (test/setup/postgres-cluster.ts) listens on 127.0.0.1
// only, at a free port, trusts every local connection, and trades durability for speed (fsync
// off...): its data is thrown away at the end of the run, on Ctrl-C too, and by the next run if this
// one was killed outright. When the server binaries are missing while `npm test` installs them
// beside the suite (scripts/test-tools.mjs), its start waits for that install.
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { clusterDir, OWNER_FILE, startClusterIn } from './postgres-cluster.ts';

export { findServerBin, INSTALL_PHASE } from './postgres-cluster.ts';

/** What the workers get: the developer's server, or the state directory of the throwaway cluster. */
export type PostgresHandoff = { url: string } | { stateDir: string };

declare module 'vitest' {
  interface ProvidedContext {
    postgres: PostgresHandoff;
  }
}

/** Files of the state directory (written by this process except `wanted`). */
export const STATE = { wanted: 'wanted', url: 'url', failed: 'failed', phase: 'phase', owner: OWNER_FILE } as const;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('postgres', { url: given });
    return async () => {};
  }
  const { dir, scrap } = await clusterDir();
  project.provide('postgres', { stateDir: dir });
  // Whole or absent, never half written, when a worker reads it.
  const put = async (name: string, text: string) => {
    await writeFile(join(dir, `${name}.tmp`), text);
    await rename(join(dir, `${name}.tmp`), join(dir, name));
  };
  const setPhase = (p: string) => put(STATE.phase, p);
  let starting: Promise<void> | undefined;
  const watch = setInterval(() => {
    if (starting || !existsSync(join(dir, STATE.wanted))) return;
    clearInterval(watch);
    starting = startClusterIn(dir, setPhase).then(
      (url) => put(STATE.url, url),
      (e: unknown) => put(STATE.failed, e instanceof Error ? e.message : String(e)),
    );
  }, 50);
  watch.unref();
  return async () => {
    clearInterval(watch);
    await starting;
    scrap();
  };
}
