// Config → the Builder that runs every build: the chosen agent preset (or any command, or the
// bundled demo builder) in a git worktree per task.
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import type { Builder, Logger } from '../core/ports.ts';
import { redact } from '../logger.ts';
import { AgentBuilder } from './agent-builder.ts';
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
  let preset: AgentPreset;
  let command: string;
  let name: string;
  let notice: string;
  let env = builderEnv;
  let isDemo = false;
  switch (choice.kind) {
    case 'agent':
      preset = PRESETS_BY_NAME[choice.preset];
      command = choice.path;
      name = preset.displayName;
      notice = `Builds run ${preset.displayName} (${choice.path}${choice.detected ? ', found on PATH by BUILDER=auto' : ''}).`;
      break;
    case 'custom':
      preset = customPreset(choice.argv);
      command = choice.argv[0] as string;
      name = `command ${choice.argv.join(' ')}`;
      notice = `Builds run ${choice.argv.join(' ')} (the spec arrives on stdin and in $NIGHTSHIFT_SPEC_FILE).`;
      break;
    case 'demo':
      preset = customPreset([process.execPath, DEMO_AGENT_PATH]);
      command = process.execPath;
      name = 'the demo builder';
      isDemo = true;
      env = { ...builderEnv, NIGHTSHIFT_DEMO_STEP_MS: String(config.demoStepMs) };
      notice = `Builds use the bundled demo builder (${choice.why}): it writes the spec into the workspace and builds nothing real.`;
      break;
  }
  const repoNote = config.buildRepo ? `worktrees of ${config.buildRepo}` : `worktrees of a fresh repository in ${home}/repo (set BUILD_REPO to use yours)`;
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
  return { builder, notice: `${notice} Each task works on its own branch in ${repoNote}.` };
}
