// Workspaces across projects: each task is built in a worktree of its own project's repository
// (one GitWorkspaces per project, each created on first use). Without PROJECTS_FILE there is one
// project, BUILD_REPO's (or the fresh repository), exactly as before projects existed.
import { join } from 'node:path';
import type { Clock, Logger } from '../core/ports.ts';
import { projectOf, projectList, type Project, type ProjectCatalog } from '../core/projects.ts';
import type { CheckResult, Task } from '../core/task.ts';
import { checkSummary } from '../core/check-summary.ts';
import { publishBranch, pullRequestBody, type Published } from './git/publish.ts';
import { GitWorkspaces } from './git-workspaces.ts';
import { WorkspaceError, type GitEnv } from './git/git.ts';
import type { CheckCommand } from './project-check.ts';
import type { CollectedWork, PreparedWorkspace, WorkspaceProvider } from './workspace-provider.ts';

export interface ProjectWorkspacesOptions {
  dataDir: string;
  keep: number;
  env?: GitEnv;
  logger?: Logger;
  /** For each project's GitWorkspaces: when a clone's base branch counts as freshly fetched. */
  clock?: Pick<Clock, 'now'>;
  /** Where the task is discussed and shown (its chat thread, its dashboard page), for its pull request. */
  linksFor?: (task: Task) => Promise<TaskPlaces>;
}

export interface TaskPlaces {
  threadUrl?: string;
  taskPageUrl?: string;
}

/** What a task's project runs around the agent. */
export interface ProjectCommands {
  setup?: CheckCommand;
  check?: CheckCommand;
}

export class ProjectWorkspaces implements WorkspaceProvider {
  private readonly byName = new Map<string, GitWorkspaces>();

  constructor(
    readonly catalog: ProjectCatalog,
    private readonly opts: ProjectWorkspacesOptions,
  ) {}

  /** The task's project; a project that has left PROJECTS_FILE since the task was queued is an error saying so. */
  projectFor(task: Task): Project {
    const project = projectOf(this.catalog, task.project);
    if (project) return project;
    throw new WorkspaceError(
      task.project
        ? `${task.id} builds in project ${task.project}, which is no longer in ${this.catalog.file ?? 'PROJECTS_FILE'} (${projectList(this.catalog)}): add it back, or cancel ${task.id}`
        : `${task.id} names no project and ${this.catalog.file ?? 'PROJECTS_FILE'} has no default: set default there, or cancel ${task.id}`,
    );
  }

  /** The project's setup and check, for the task (none when its project is gone: prepare says why). */
  commandsFor(task: Task): ProjectCommands {
    const project = projectOf(this.catalog, task.project);
    if (!project) return {};
    const command = (c: Project['setup']): CheckCommand | undefined => (c ? { argv: c.argv, timeoutMs: c.timeoutMs, shown: c.shown } : undefined);
    const setup = command(project.setup);
    const check = command(project.check);
    return { ...(setup ? { setup } : {}), ...(check ? { check } : {}) };
  }

  /** The project's own workspaces: its repository, base branch and files to copy. */
  workspacesOf(project: Project): GitWorkspaces {
    let ws = this.byName.get(project.name);
    if (!ws) {
      const { dataDir, keep, env, logger, clock } = this.opts;
      const sole = this.catalog.file === null;
      ws = new GitWorkspaces({
        dataDir,
        keep,
        ...(env ? { env } : {}),
        ...(logger ? { logger } : {}),
        ...(clock ? { clock } : {}),
        // The one project of BUILD_REPO keeps BUILD_REPO's own words in every message.
        ...(sole ? (project.repo.kind === 'path' ? { buildRepo: project.repo.path } : {}) : { project, projectsFile: this.catalog.file ?? undefined }),
      });
      this.byName.set(project.name, ws);
    }
    return ws;
  }

  workspaceFor(task: Task): string {
    // The same directory whatever the project: task ids are unique across projects.
    return join(this.opts.dataDir, 'workspaces', task.id);
  }

  prepare(task: Task, attempt: number): Promise<PreparedWorkspace> {
    try {
      return this.workspacesOf(this.projectFor(task)).prepare(task, attempt);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  collect(prepared: PreparedWorkspace, task: Task, attempt: number, builderName: string): Promise<CollectedWork> {
    try {
      return this.workspacesOf(this.projectFor(task)).collect(prepared, task, attempt, builderName);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /**
   * Pushes a finished task's branch and opens its pull request, as its project says (push,
   * pull_request); the body carries the agent's summary, the checks and links back to the task.
   */
  async publish(w: PreparedWorkspace, task: Task, summary: string | undefined, checks: CheckResult | undefined): Promise<Published> {
    const project = this.projectFor(task);
    if (!w.branch || !w.baseBranch || (!project.push && project.pullRequest === 'off')) return { problems: [] };
    const places = project.pullRequest !== 'off' && this.opts.linksFor ? await this.opts.linksFor(task).catch(() => ({})) : {};
    const body = pullRequestBody({ taskId: task.id, spec: task.spec, ...(summary ? { summary } : {}), checks: checkSummary(checks), ...places });
    return publishBranch({
      workspace: w.workspace,
      branch: w.branch,
      baseBranch: w.baseBranch,
      push: project.push,
      pullRequest: project.pullRequest,
      title: task.title,
      body,
      ...(checks ? { checks } : {}),
      copiedFiles: project.copy,
      ...(this.opts.env ? { env: this.opts.env } : {}),
    });
  }

  /** Files the task's project copies into its worktrees. */
  copiedFor(task: Task): readonly string[] {
    return projectOf(this.catalog, task.project)?.copy ?? [];
  }

  /** Each project tidies its own tasks' worktrees (a project none of them has a worktree in is not opened). */
  async tidy(tasks: Task[]): Promise<void> {
    for (const project of this.catalog.projects) {
      const own = tasks.filter((t) => projectOf(this.catalog, t.project)?.name === project.name);
      if (!this.byName.has(project.name) && !own.some((t) => t.deliverables.workspace)) continue;
      await this.workspacesOf(project).tidy(own);
    }
  }
}
