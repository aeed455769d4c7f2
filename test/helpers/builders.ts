// A real AgentBuilder running one of the fake agent scripts (test/fixtures/agents) as a custom
// command, in git worktrees under the test's data directory.
import { AgentBuilder, type AgentBuilderOptions } from '../../src/builders/agent-builder.ts';
import { GitWorkspaces } from '../../src/builders/git-workspaces.ts';
import { customPreset } from '../../src/builders/presets/index.ts';
import { agent } from './agents.ts';

export function fakeAgentBuilder(
  script: Parameters<typeof agent>[0],
  dataDir: string,
  opts: Partial<Omit<AgentBuilderOptions, 'preset' | 'command' | 'dataDir' | 'workspaces'>> & { keep?: number } = {},
): AgentBuilder {
  const path = agent(script);
  const { keep, ...rest } = opts;
  return new AgentBuilder({
    name: `fake ${script}`,
    preset: customPreset([path]),
    command: path,
    dataDir,
    env: { PATH: process.env.PATH ?? '' },
    workspaces: new GitWorkspaces({ dataDir, keep: keep ?? 20 }),
    killGraceMs: 500,
    ...rest,
  });
}
