// What the configured builder is called, and the line said about it at start: known from the
// settings alone, without loading the runner, git or the process-tree tools (a one-shot that
// only reads the queue names the builder too).
import type { Config } from '../config.ts';
import { PRESETS_BY_NAME } from './presets/index.ts';

export interface BuilderIdentity {
  /** Shown in every message about a build: "Claude Code", "command /usr/local/bin/my-agent". */
  name: string;
  isDemo: boolean;
  /** Said once at start, so the owner knows what will do the work. */
  notice: string;
}

export function builderIdentity(config: Pick<Config, 'builder' | 'buildRepo' | 'home'> & { projectsFile?: string | undefined }): BuilderIdentity {
  const choice = config.builder;
  let id: Omit<BuilderIdentity, 'notice'> & { what: string };
  switch (choice.kind) {
    case 'agent': {
      const preset = PRESETS_BY_NAME[choice.preset];
      id = { name: preset.displayName, isDemo: false, what: `Builds run ${preset.displayName} (${choice.path}${choice.detected ? ', found on PATH by BUILDER=auto' : ''}).` };
      break;
    }
    case 'custom':
      id = { name: `command ${choice.argv.join(' ')}`, isDemo: false, what: `Builds run ${choice.argv.join(' ')} (the spec arrives on stdin and in $NIGHTSHIFT_SPEC_FILE).` };
      break;
    case 'demo':
      id = { name: 'the demo builder', isDemo: true, what: `Builds use the bundled demo builder (${choice.why}): it writes the spec into the workspace and builds nothing real.` };
      break;
  }
  const repoNote = config.projectsFile
    ? `worktrees of its project's repository (PROJECTS_FILE ${config.projectsFile}; "nightshift projects" lists them)`
    : config.buildRepo
      ? `worktrees of ${config.buildRepo}`
      : `worktrees of a fresh repository in ${config.home}/repo (set BUILD_REPO to use yours)`;
  return { name: id.name, isDemo: id.isDemo, notice: `${id.what} Each task works on its own branch in ${repoNote}.` };
}
