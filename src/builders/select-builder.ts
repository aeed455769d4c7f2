// BUILDER → a Builder: the bundled demo builder, or any executable run as the builder.
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import type { Builder, Logger } from '../core/ports.ts';
import { CommandBuilder } from './command-builder.ts';

export const DEMO_AGENT_PATH = fileURLToPath(new URL('./demo-agent.mjs', import.meta.url));

export interface SelectedBuilder {
  builder: Builder;
  /** Said once at start, so the owner knows what will do the work. */
  notice: string;
}

export function selectBuilder(config: Config, logger: Logger): SelectedBuilder {
  const { builder: choice, home, builderEnv } = config;
  if (choice.kind === 'command') {
    return {
      builder: new CommandBuilder({ name: `builder ${choice.path}`, argv: [choice.path], dataDir: home, env: builderEnv, logger }),
      notice: `Builds run ${choice.path} (the spec arrives on stdin and in $NIGHTSHIFT_SPEC_FILE).`,
    };
  }
  const builder = new CommandBuilder({
    name: 'demo builder',
    argv: [process.execPath, DEMO_AGENT_PATH],
    isDemo: true,
    dataDir: home,
    env: { ...builderEnv, NIGHTSHIFT_DEMO_STEP_MS: String(config.demoStepMs) },
    logger,
  });
  const why = choice.requested === 'auto' ? 'BUILDER=auto and no agent presets are available yet' : 'BUILDER=demo';
  return { builder, notice: `Builds use the bundled demo builder (${why}): it writes the spec into the workspace and builds nothing real.` };
}
