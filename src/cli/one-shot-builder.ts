// The Builder held by the engine of a one-shot done in-process (no daemon runs). That engine never
// builds (runBuilds: false), so the runner with its git and process-tree tools is loaded only if
// the store shows a build a crash left behind, to end what is left of it.
import type { Config } from '../config.ts';
import type { Builder, Logger } from '../core/ports.ts';
import { builderIdentity } from '../builders/builder-identity.ts';
import { isKeeperOf } from '../builders/keeper/keeper-process.ts';
import { REMOTE_BUILDER_NAME } from '../team/remote-name.ts';

export function oneShotBuilder(config: Config, logger: Logger): Builder {
  const { name, isDemo } = builderIdentity(config);
  let real: Promise<Builder> | null = null;
  const load = () =>
    (real ??= Promise.all([import('../builders/select-builder.ts'), import('../projects/catalog.ts')]).then(async ([m, p]) => m.selectBuilder(config, logger, await p.projectCatalog(config)).builder));
  const never = (): never => {
    throw new Error('a one-shot never starts builds (runBuilds: false)');
  };
  return {
    name,
    isDemo,
    plan: never,
    start: never,
    reap: async (task, attempt) => {
      // A worker's build (a cancel while no daemon runs): its worker is told through the database.
      if (attempt.builder === REMOTE_BUILDER_NAME) {
        if (!config.databaseUrl) return false;
        await (await import('../team/stop-remote-run.ts')).stopRemoteRun(config.databaseUrl, task.id, attempt.n, 'cancelled while nightshift was not running');
        return true;
      }
      return (await load()).reap?.(task, attempt) ?? false;
    },
    finishedEnd: async (task, attempt) => (await load()).finishedEnd?.(task, attempt) ?? null,
    sessionOf: async (task, attempt) => (await load()).sessionOf?.(task, attempt),
    // Read from /proc alone: whether a crash left the agent at work (then a one-shot leaves it be).
    // A team's build runs on a worker, beyond this machine's sight: it is the daemon's to take back
    // (whatever BUILD_ON this one-shot was started with).
    stillRunning: (task, attempt) => attempt.builder === REMOTE_BUILDER_NAME || (attempt.pid !== undefined && isKeeperOf(attempt.pid, task.id, attempt.n)),
  };
}
