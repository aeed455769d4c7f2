// Config → the Builder that runs every build: the chosen agent preset (or any command, or the
// bundled demo builder) in a git worktree per task.
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import type { Builder, Logger } from '../core/ports.ts';
import { redact } from '../logger.ts';
import { AgentBuilder } from './agent-builder.ts';
import { builderIdentity } from './builder-identity.ts';
import { GitWorkspaces } from './git-workspaces.ts';
import { customPreset, PRESETS_BY_NAME, type AgentPreset } from './presets/index.ts';

export const DEMO_AGENT_PATH = fileURLToPath(new URL('./demo-agent.mjs', import.meta.url));

export interface SelectedBuilder {
  builder: Builder;
  /** Said once at start, so the owner knows what will do the work. */
  notice: string;
}

export function selectBuilder(config: Config, logger: Logger): SelectedBuilder {
  const { builder: choice, home, builderEnv } = config;
  const workspaces = new GitWorkspaces({
    dataDir: home,
    ...(config.buildRepo ? { buildRepo: config.buildRepo } : {}),
    keep: config.workspaceKeep,
    env: config.toolEnv,
    logger,
  });
  const { name, isDemo, notice } = builderIdentity(config);
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
  const builder = new AgentBuilder({
    name,
    preset,
    command,
    isDemo,
    dataDir: home,
    env,
    workspaces,
    ...(config.promptTemplate ? { promptTemplate: config.promptTemplate } : {}),
    ...(config.builderModel ? { model: config.builderModel } : {}),
    ...(config.builderArgs ? { extraArgs: config.builderArgs } : {}),
    stallMs: config.stallTimeoutMs,
    logMaxBytes: config.logMaxBytes,
    timeZone: config.policy.timeZone,
    redact: (text) => redact(text, config.secrets),
    logger,
    ...(config.openPr ? { openPullRequest: (w, task, summary) => workspaces.openPullRequest(w, task, summary) } : {}),
  });
  return { builder, notice };
}
