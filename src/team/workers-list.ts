// `nightshift workers`: who is up on the team database, their labels and slots, what each runs,
// and who has gone silent.
import pg from 'pg';

interface WorkerRow {
  id: string;
  host: string;
  labels: string[];
  slots: number;
  silent_ms: number;
  running: string[] | null;
}

export async function listWorkers(url: string, staleMs: number, json: boolean): Promise<string> {
  const client = new pg.Client({ connectionString: url, application_name: 'nightshift-cli' });
  await client.connect();
  try {
    const r = await client.query<WorkerRow>(
      `SELECT w.id, w.host, w.labels, w.slots, (EXTRACT(EPOCH FROM now() - w.heartbeat_at) * 1000)::float8 AS silent_ms,
              array_agg(r.task_id || ' attempt ' || r.attempt ORDER BY r.task_id) FILTER (WHERE r.task_id IS NOT NULL) AS running
       FROM nightshift_workers w LEFT JOIN nightshift_runs r ON r.worker_id = w.id AND r.state IN ('running', 'cancelling')
       GROUP BY w.id ORDER BY w.started_at`,
    );
    if (json) return JSON.stringify(r.rows.map((w) => ({ id: w.id, host: w.host, labels: w.labels, slots: w.slots, running: w.running ?? [], alive: w.silent_ms <= staleMs })), null, 2);
    if (r.rows.length === 0) return 'No workers: start "nightshift worker" with this DATABASE_URL on a machine that builds.';
    return r.rows
      .map((w) => {
        const load = `${w.running?.length ?? 0}/${w.slots} busy`;
        const state = w.silent_ms > staleMs ? ` · silent for ${Math.round(w.silent_ms / 1000)}s` : '';
        return `${w.id}${w.labels.length ? ` [${w.labels.join(', ')}]` : ''} · ${load}${w.running?.length ? `: ${w.running.join(', ')}` : ''}${state}`;
      })
      .join('\n');
  } finally {
    await client.end();
  }
}
