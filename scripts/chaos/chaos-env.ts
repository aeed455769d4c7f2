// The environment every nightshift process of a chaos run gets: nothing of the developer's machine,
// the chaos agent as the builder, writing to the run's ledger.
import { fileURLToPath } from 'node:url';

export const AGENT = fileURLToPath(new URL('./chaos-agent.mjs', import.meta.url));

/** A nightshift in `home` building with the chaos agent, which writes to `ledger`; `extra` on top. */
export function chaosEnv(home: string, ledger: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    NIGHTSHIFT_HOME: home,
    OWNER_TZ: 'UTC',
    // Always quiet: an approved low task runs at once, whatever the hour the chaos runs at (outside
    // the default 22:00-06:00 it would wait for the night, and be counted as left unsettled).
    QUIET_HOURS: '00:00-00:00',
    // The dashboard as users run it, on any free port: a nightshift of the developer's own may hold 7431.
    DASHBOARD_PORT: '0',
    BUILDER: AGENT,
    BUILDER_ENV_ALLOW: 'CHAOS_LEDGER',
    CHAOS_LEDGER: ledger,
    // Every kill mid-build costs an attempt: enough of them that a task is not given up on.
    MAX_ATTEMPTS: '20',
    RETRY_BACKOFF: '300ms',
    APPROVAL_REMINDER: 'off',
    SHUTDOWN_GRACE: '5s',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}
