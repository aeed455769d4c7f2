// The run rows' moves (src/team/runs.ts) on a real PostgreSQL, for the cases the end-to-end tests
// cannot time: an earlier attempt still on the books when a later one is queued, and a late end.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/ports.ts';
import { migrate } from '../src/store/postgres/pg-task-store.ts';
import { cancelledBeforeStart, claimRun, endRun, endRunLate, giveUpRun, queueRun, readRun } from '../src/team/runs.ts';
import { testDatabase, type TestDatabase } from './helpers/postgres.ts';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await testDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const client = await pool.connect();
  await migrate(client, silentLogger).finally(() => client.release());
}, 240_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const STALE = 3_000;
const succeeded = { ...cancelledBeforeStart('x'), outcome: 'succeeded' as const, reason: 'exited with code 0' };

describe('run rows', () => {
  it('one attempt per task: queuing a later attempt stops an earlier one still running, and the later one is claimed only once it has ended (or its worker went silent)', async () => {
    await pool.query("INSERT INTO nightshift_workers (id, host, labels, slots) VALUES ('w1', 'h', '{}', 1), ('w2', 'h', '{}', 1)");
    await queueRun(pool, 't-1', 1);
    await queueRun(pool, 't-2', 1);
    expect(await claimRun(pool, 't-1', 1, 'w1', STALE)).toBe('claimed');
    expect(await claimRun(pool, 't-2', 1, 'w1', STALE)).toBe('claimed');
    expect(await claimRun(pool, 't-1', 1, 'w2', STALE)).toBe('gone'); // the fence: one claim per run
    await queueRun(pool, 't-1', 2);
    expect(await readRun(pool, 't-1', 1)).toMatchObject({ state: 'cancelling', why: 'a later attempt of the task was queued' });
    expect((await readRun(pool, 't-2', 1))?.state).toBe('running'); // another task's run is untouched
    expect(await claimRun(pool, 't-1', 2, 'w2', STALE)).toBe('wait'); // w1 is alive and still stopping it
    expect(await endRun(pool, 't-1', 1, 'w1', cancelledBeforeStart('stopped'))).toBe(true);
    expect(await claimRun(pool, 't-1', 2, 'w2', STALE)).toBe('claimed');

    // An earlier attempt whose worker went silent does not hold the next one back (the daemon gives it up).
    await queueRun(pool, 't-5', 1);
    expect(await claimRun(pool, 't-5', 1, 'w1', STALE)).toBe('claimed');
    await pool.query("UPDATE nightshift_workers SET heartbeat_at = now() - interval '1 minute' WHERE id = 'w1'");
    await queueRun(pool, 't-5', 2);
    expect(await claimRun(pool, 't-5', 2, 'w2', STALE)).toBe('claimed');
  });

  it('a late end is taken from a run given up, unless a later attempt exists; a dead worker\'s run is given up only if it is still its own', async () => {
    await queueRun(pool, 't-3', 1);
    await claimRun(pool, 't-3', 1, 'dead', STALE);
    expect(await giveUpRun(pool, 't-3', 1, 'someone-else', 'x')).toBe(false);
    expect(await giveUpRun(pool, 't-3', 1, 'dead', 'its worker died mid-build')).toBe(true);
    expect(await endRunLate(pool, 't-3', 1, 'dead', succeeded)).toBe(true);
    expect(await readRun(pool, 't-3', 1)).toMatchObject({ state: 'ended', result: { outcome: 'succeeded' } });

    await queueRun(pool, 't-4', 1);
    await claimRun(pool, 't-4', 1, 'dead', STALE);
    await queueRun(pool, 't-4', 2); // the daemon moved on
    expect(await endRunLate(pool, 't-4', 1, 'dead', succeeded)).toBe(false);
    expect((await readRun(pool, 't-4', 1))?.state).toBe('cancelling');
  });
});
