// Config → the Builder that runs every build: the chosen agent preset (or any command, or the
// bundled demo builder) in a git worktree per task; with FALLBACK_BUILDER, a second one that takes
// over a task stopped by a usage limit (fallback-builder.ts).
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import type { Builder, Logger } from '../core/ports.ts';
import { redact } from '../logger.ts';
import { AgentBuilder } from './agent-builder.ts';
import { FallbackBuilder } from './fallback-builder.ts';
import type { BuilderChoice } from './resolve-builder.ts';
import { builderIdentity } from './builder-identity.ts';
import { ProjectWorkspaces, type TaskPlaces } from './project-workspaces.ts';
import type { Task } from '../core/task.ts';
import type { ProjectCatalog } from '../core/projects.ts';
import { customPreset, PRESETS_BY_NAME, type AgentPreset } from './presets/index.ts';

export const DEMO_AGENT_PATH = fileURLToPath(new URL('./demo-agent.mjs', import.meta.url));

export interface SelectedBuilder {
  builder: Builder;
  /** Said once at start, so the owner knows what will do the work. */
  notice: string;
  /** FALLBACK_BUILDER's name, when one is set (the engine's policy hands usage-limited tasks to it). */
  fallbackName?: string;
}

/** How the builder's agents relate to this process. */
export interface BuilderPlace {
  /** The task's places, for the links in a pull request's body. */
  linksFor?: (task: Task) => Promise<TaskPlaces>;
  /**
   * A team worker's: its agents end when it dies (see AgentBuilderOptions.endsWithUs), and are
   * given this long between SIGTERM and SIGKILL whenever they are stopped.
   */
  teamWorker?: { killGraceMs: number };
}

/** `catalog`: the projects (projects/catalog.ts); each task builds in a worktree of its own. */
export function selectBuilder(config: Config, logger: Logger, catalog: ProjectCatalog, place: BuilderPlace = {}): SelectedBuilder {
  const { linksFor } = place;
  const workspaces = new ProjectWorkspaces(catalog, { dataDir: config.home, keep: config.workspaceKeep, env: config.toolEnv, logger, ...(linksFor ? { linksFor } : {}) });
  const { notice } = builderIdentity(config);
  const primary = agentBuilder(config, config.builder, config.builderEnv, workspaces, logger, place);
  if (!config.fallbackBuilder) return { builder: primary, notice };
  const fallback = agentBuilder(config, config.fallbackBuilder.choice, config.fallbackBuilder.env, workspaces, logger, place);
  return {
    builder: new FallbackBuilder(primary, fallback),
    notice: `${notice} When ${primary.name} hits its usage limit, ${fallback.name} takes the task over (FALLBACK_BUILDER).`,
    fallbackName: fallback.name,
  };
}

function agentBuilder(config: Config, choice: BuilderChoice, builderEnv: Record<string, string>, workspaces: ProjectWorkspaces, logger: Logger, place: BuilderPlace): AgentBuilder {
  const { name, isDemo } = builderIdentity({ ...config, builder: choice });
  let preset: AgentPreset;
  let command: string;
  let env = builderEnv;
  switch (choice.kind) {
    case 'agent':
      preset = PRESETS_BY_NAME[choice.preset];
      command = choice.path;
      break;
    case 'custom':
      preset = customPreset(choice.argv);
      command = choice.argv[0] as string;
      break;
    case 'demo':
      preset = customPreset([process.execPath, DEMO_AGENT_PATH]);
      command = process.execPath;
      env = { ...builderEnv, NIGHTSHIFT_DEMO_STEP_MS: String(config.demoStepMs) };
      break;
  }
  return new AgentBuilder({
    name,
    preset,
    command,
    isDemo,
    dataDir: config.home,
    env,
    workspaces,
    ...(config.promptTemplate ? { promptTemplate: config.promptTemplate } : {}),
    ...(config.builderModel && choice === config.builder ? { model: config.builderModel } : {}),
    ...(config.builderArgs && choice === config.builder ? { extraArgs: config.builderArgs } : {}),
    stallMs: config.stallTimeoutMs,
    logMaxBytes: config.logMaxBytes,
    timeZone: config.policy.timeZone,
    redact: (text) => redact(text, config.secrets),
    logger,
    publish: (w, task, summary, checks) => workspaces.publish(w, task, summary, checks),
    commandsFor: (task) => workspaces.commandsFor(task),
    ...(place.teamWorker ? { endsWithUs: true, killGraceMs: place.teamWorker.killGraceMs } : {}),
  });
}
