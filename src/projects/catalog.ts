// The projects nightshift builds in, from the settings: PROJECTS_FILE when it is set; otherwise
// the one project of BUILD_REPO (or the fresh repository under NIGHTSHIFT_HOME) with BUILD_CHECK,
// exactly as nightshift built before projects existed (tasks name no project then).
import type { Config } from '../config.ts';
import { describeCommand, type ProjectCatalog } from '../core/projects.ts';

/** The name of the one project without PROJECTS_FILE. */
export const SOLE_PROJECT = 'default';

export async function projectCatalog(config: Pick<Config, 'projectsFile' | 'buildRepo' | 'check' | 'openPr' | 'checkTimeoutMs'>): Promise<ProjectCatalog> {
  if (config.projectsFile) {
    const { loadProjectsFile } = await import('./projects-file.ts');
    return loadProjectsFile(config.projectsFile, { openPr: config.openPr, checkTimeoutMs: config.checkTimeoutMs });
  }
  return soleProject(config);
}

export function soleProject(config: Pick<Config, 'buildRepo' | 'check' | 'openPr'>): ProjectCatalog {
  return {
    projects: [
      {
        name: SOLE_PROJECT,
        repo: config.buildRepo ? { kind: 'path', path: config.buildRepo } : { kind: 'own' },
        ...(config.check ? { check: { argv: config.check.argv, shown: describeCommand(config.check.argv), timeoutMs: config.check.timeoutMs } } : {}),
        copy: [],
        channels: [],
        // As before projects: the branch is pushed only to open the pull request OPEN_PR asks for.
        push: config.openPr,
        pullRequest: config.openPr ? 'draft' : 'off',
      },
    ],
    defaultName: SOLE_PROJECT,
    file: null,
  };
}
