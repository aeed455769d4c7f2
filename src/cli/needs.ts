// The one place that decides what a CLI command loads. cli.ts itself imports only commander and
// small modules of node built-ins; everything heavier is a dynamic import here:
// - `--help`, `--version`: nothing more;
// - a one-shot (`status`, `add`, `approve`, ...) while a daemon runs: only the socket client;
// - the same with no daemon: the config schema, the store and an engine that never builds (each
//   verb then loads just its own command: see control/cli-request.ts);
// - `start` and `run`: the daemon, with the builders; Slack and Discord only if configured (daemon.ts).
export const needs = {
  daemonClient: () => import('../control/control-client.ts'),
  localRequest: () => import('./local-request.ts'),
  daemon: () => import('../daemon.ts'),
  config: () => import('../config.ts'),
};
