// The repositories nightshift may build in (PROJECTS_FILE), as the core sees them: plain data,
// read and checked by src/projects. The core routes a request to one by name or by channel
// (project-routing.ts); the builders use the rest (where the repository is, setup, check).

/** A command a project runs in the task's worktree: an argv (a string in the file runs under `sh -c`). */
export interface ProjectCommand {
  argv: string[];
  /** As the owner wrote it, for messages: "npm ci". */
  shown: string;
  timeoutMs: number;
}

export type PullRequestMode = 'off' | 'draft' | 'ready';

export interface Project {
  /** How people name it: "api-server". */
  name: string;
  /**
   * A local checkout (absolute path), a clone URL nightshift clones under NIGHTSHIFT_HOME and
   * fetches, or (without PROJECTS_FILE and BUILD_REPO) the fresh repository nightshift keeps itself.
   */
  repo: { kind: 'path'; path: string } | { kind: 'url'; url: string } | { kind: 'own' };
  /** The branch builds start from; unset: the checked-out branch (a path) or the remote's default (a URL). */
  base?: string;
  setup?: ProjectCommand;
  check?: ProjectCommand;
  /** Paths relative to `copyFrom`, copied into every worktree before setup (".env", "config/local.json"). */
  copy: string[];
  /** Where copied files come from: the local checkout by default. */
  copyFrom?: string;
  /** Slack or Discord channel ids whose requests build here. */
  channels: string[];
  /** Push the task's branch to origin when the repository has one. */
  push: boolean;
  pullRequest: PullRequestMode;
}

export interface ProjectCatalog {
  projects: readonly Project[];
  /** Where a request goes when it names no project and its channel maps to none; null: it is asked. */
  defaultName: string | null;
  /** The file they came from (for messages), or null for the one project of BUILD_REPO. */
  file: string | null;
}

/** "npm test": a command as a person would type it, the program by its file name. */
export const describeCommand = (argv: readonly string[]): string => [(argv[0] ?? '').split('/').pop() ?? '', ...argv.slice(1)].join(' ');

/** The project a task builds in: its own, or the default for tasks that name none. */
export function projectOf(catalog: ProjectCatalog, name: string | undefined): Project | undefined {
  const wanted = name ?? catalog.defaultName ?? undefined;
  return wanted === undefined ? undefined : catalog.projects.find((p) => p.name === wanted);
}

/** "api-server, web (default: api-server)". */
export function projectList(catalog: ProjectCatalog): string {
  const names = catalog.projects.map((p) => p.name).join(', ');
  return catalog.defaultName ? `${names} (default: ${catalog.defaultName})` : names;
}
