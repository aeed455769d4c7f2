// The PostgreSQL store's schema, as numbered migrations applied in order at open (each once, in a
// transaction, under an advisory lock so two processes starting together do not race). A
// migration is never edited once released: a change is a new one at the end.

export interface Migration {
  version: number;
  /** What it does, for the log. */
  what: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'tasks (live and finished), meta, the id counter',
    sql: `
      CREATE TABLE nightshift_tasks (
        id            text PRIMARY KEY,
        number        integer NOT NULL UNIQUE,
        status        text NOT NULL,
        live          boolean NOT NULL,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        -- The order tasks finished in (the archive's order): history is read newest first by it.
        archived_seq  bigint,
        task          jsonb NOT NULL
      );
      CREATE INDEX nightshift_tasks_live ON nightshift_tasks (number) WHERE live;
      CREATE INDEX nightshift_tasks_history ON nightshift_tasks (archived_seq DESC) WHERE NOT live;
      CREATE SEQUENCE nightshift_archive_seq;
      CREATE TABLE nightshift_meta (key text PRIMARY KEY, value jsonb NOT NULL);
      CREATE TABLE nightshift_counters (name text PRIMARY KEY, value bigint NOT NULL);
    `,
  },
  {
    version: 2,
    what: 'workers and the attempts they run (team mode)',
    sql: `
      CREATE TABLE nightshift_workers (
        id            text PRIMARY KEY,
        host          text NOT NULL,
        labels        text[] NOT NULL DEFAULT '{}',
        slots         integer NOT NULL,
        started_at    timestamptz NOT NULL DEFAULT now(),
        heartbeat_at  timestamptz NOT NULL DEFAULT now()
      );
      -- One row per attempt handed to the workers. Its state is the fence: a worker runs an attempt
      -- only after moving it from 'queued' to 'running' itself, and stops it once it is anything else.
      CREATE TABLE nightshift_runs (
        task_id       text NOT NULL,
        attempt       integer NOT NULL,
        state         text NOT NULL CHECK (state IN ('queued', 'running', 'cancelling', 'ended', 'lost')),
        worker_id     text,
        queued_at     timestamptz NOT NULL DEFAULT now(),
        started_at    timestamptz,
        heartbeat_at  timestamptz,
        progress      jsonb,
        result        jsonb,
        why           text,
        PRIMARY KEY (task_id, attempt)
      );
      CREATE INDEX nightshift_runs_active ON nightshift_runs (state) WHERE state IN ('queued', 'running', 'cancelling');
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** One number for every nightshift process on a database: migrations take it for their transaction. */
export const MIGRATION_LOCK = 0x6e_73_6d_69; // "nsmi"
/** The channel the daemon says an attempt was queued on (the queue's name): idle workers ask at once. */
export const DISPATCH_CHANNEL = 'nightshift_dispatch';
/** The channel workers and the daemon tell each other of a run's change on ("t-7:2"). */
export const RUN_CHANNEL = 'nightshift_run';
/** Held for as long as a daemon has the store open: one nightshift writes a database at a time. */
export const OWNER_LOCK = 0x6e_73_6f_77; // "nsow"
