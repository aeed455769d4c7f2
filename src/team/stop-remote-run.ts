// A cancel made while no daemon runs (a one-shot `nightshift cancel`), of an attempt a worker is
// building: the run is marked cancelling in the team database, and its worker stops the agent at
// its next heartbeat. Loaded only for such an attempt.
import pg from 'pg';
import { cancelRun } from './runs.ts';

export async function stopRemoteRun(url: string, taskId: string, attempt: number, why: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'nightshift-cli', connectionTimeoutMillis: 10_000, query_timeout: 10_000 });
  client.on('error', () => undefined); // a lost connection fails the query below, which says so
  await client.connect();
  try {
    await cancelRun(client, taskId, attempt, why);
  } finally {
    await client.end();
  }
}
