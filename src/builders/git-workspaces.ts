// Each task works in its own git worktree, on its own branch (nightshift/t-7-<slug>), off its
// project's repository: a checkout of the owner's (BUILD_REPO, or a path in PROJECTS_FILE), a clone
// nightshift keeps of a URL, or a fresh one under NIGHTSHIFT_HOME. Parallel builds never share files
// and the user's own checkout is never touched. Deliverables are read back from git.
import { join } from 'node:path';
import type { Clock, Logger } from '../core/ports.ts';
import { silentLogger, systemClock } from '../core/ports.ts';
import { isTerminal, type Task } from '../core/task.ts';
import {
  branchName,
  cleanupWorkspaces,
  collectDeliverables,
  ensureRepository,
  headCommit,
  returnToBranch,
  prepareWorktree,
  type GitEnv,
  type Repository,
} from './git/index.ts';
import { ensureClone, refreshBase } from './git/clone.ts';
import { copyIntoWorktree } from './git/copy-files.ts';
import { tryGit, WorkspaceError } from './git/git.ts';
import type { Project } from '../core/projects.ts';
import type { CollectedWork, PreparedWorkspace, WorkspaceProvider } from './workspace-provider.ts';

export interface GitWorkspacesOptions {
  dataDir: string;
  buildRepo?: string;
  /** A PROJECTS_FILE project: its repository (instead of buildRepo), base branch and files to copy. */
  project?: Pick<Project, 'name' | 'repo' | 'base' | 'copy' | 'copyFrom'>;
  /** PROJECTS_FILE, for messages that say where to fix a project. */
  projectsFile?: string;
  /** Finished tasks' worktrees kept beyond those with unmerged work. */
  keep: number;
  env?: GitEnv;
  logger?: Logger;
  /** When a clone's base branch was last fetched, and whether that is fresh enough: the system clock unless a test pins it. */
  clock?: Pick<Clock, 'now'>;
}

export class GitWorkspaces implements WorkspaceProvider {
  private repo: Promise<Repository> | null = null;
  /** Tasks whose workspace a build holds, from prepare() until collect(): tidy never removes those. */
  private readonly inUse = new Set<string>();
  /** The tidy under way, and the newest task list asked for while it runs (one more pass, not one per call). */
  private tidying: Promise<void> | null = null;
  private nextTidy: Task[] | null = null;

  constructor(private readonly opts: GitWorkspacesOptions) {}

  get workspacesDir(): string {
    return join(this.opts.dataDir, 'workspaces');
  }

  workspaceFor(task: Task): string {
    return join(this.workspacesDir, task.id);
  }

  /** The repository, created or checked once (a failure is retried on the next call). */
  repository(): Promise<Repository> {
    this.repo ??= this.findRepository().catch((e: unknown) => {
      this.repo = null;
      throw e;
    });
    return this.repo;
  }

  private async findRepository(): Promise<Repository> {
    const { project, env } = this.opts;
    const where = `project ${project?.name ?? ''} in ${this.opts.projectsFile ?? 'PROJECTS_FILE'}`;
    if (project?.repo.kind === 'url') {
      const clone = await ensureClone(project.repo.url, join(this.opts.dataDir, 'projects', project.name), project.base, env);
      return { ...clone, created: false };
    }
    const buildRepo = project ? (project.repo.kind === 'path' ? project.repo.path : undefined) : this.opts.buildRepo;
    const repo = await ensureRepository({
      dataDir: this.opts.dataDir,
      ...(buildRepo ? { buildRepo } : {}),
      ...(project && buildRepo ? { named: { what: `the repo of ${where} (${buildRepo})`, instead: 'or fix its repo there' } } : {}),
      ...(env ? { env } : {}),
    });
    if (!project?.base || project.base === repo.baseBranch) return repo;
    const base = await tryGit(['rev-parse', '--verify', '--quiet', `refs/heads/${project.base}^{commit}`], { cwd: repo.path, env });
    if (!base.ok) throw new WorkspaceError(`the base branch ${project.base} of ${where} does not exist in ${repo.path}`, repo.path);
    return { ...repo, baseBranch: project.base };
  }

  /** Files copied into every worktree (and never committed by nightshift): the project's `copy`. */
  get copied(): readonly string[] {
    return this.opts.project?.copy ?? [];
  }

  async prepare(task: Task, _attempt: number): Promise<PreparedWorkspace> {
    this.inUse.add(task.id);
    try {
      return await this.prepareWorktree(task);
    } catch (e) {
      this.inUse.delete(task.id);
      throw e;
    }
  }

  private async prepareWorktree(task: Task): Promise<PreparedWorkspace> {
    const repo = await this.repository();
    const { project } = this.opts;
    // A clone follows its remote: each new task starts from the base branch as it is now.
    if (project?.repo.kind === 'url' && !task.deliverables.branch) {
      const now = (this.opts.clock ?? systemClock).now().getTime();
      const stale = await refreshBase({ path: repo.path, baseBranch: repo.baseBranch }, this.opts.env, now);
      if (stale) (this.opts.logger ?? silentLogger).warn(stale, { task: task.id, project: project.name });
    }
    const wt = await prepareWorktree({
      repo: repo.path,
      baseBranch: repo.baseBranch,
      workspace: this.workspaceFor(task),
      // Always the task's own branch, whatever a previous attempt left checked out.
      branch: branchName(task.id, task.title),
      ...(this.opts.env ? { env: this.opts.env } : {}),
    });
    if (project?.copyFrom && project.copy.length) await copyIntoWorktree(project.copyFrom, project.copy, wt.workspace, `copy of ${project.name}`);
    return { workspace: wt.workspace, repository: repo.path, branch: wt.branch, baseBranch: repo.baseBranch, baseCommit: wt.baseCommit, startCommit: wt.head };
  }

  async collect(prepared: PreparedWorkspace, task: Task, attempt: number, builderName: string): Promise<CollectedWork> {
    try {
      return await this.collectWork(prepared, task, attempt, builderName);
    } finally {
      this.inUse.delete(task.id);
    }
  }

  private async collectWork(prepared: PreparedWorkspace, task: Task, attempt: number, builderName: string): Promise<CollectedWork> {
    if (!prepared.baseCommit || !prepared.branch) return { deliverables: { workspace: prepared.workspace }, changed: false };
    await returnToBranch({ workspace: prepared.workspace, branch: prepared.branch, ...(this.opts.env ? { env: this.opts.env } : {}) });
    const d = await collectDeliverables({
      workspace: prepared.workspace,
      baseCommit: prepared.baseCommit,
      taskId: task.id,
      attempt,
      builderName,
      copied: this.copied,
      ...(this.opts.env ? { env: this.opts.env } : {}),
    });
    return {
      deliverables: {
        workspace: prepared.workspace,
        branch: d.branch,
        baseCommit: prepared.baseCommit,
        commits: d.commits,
        changedFiles: d.changedFiles,
        ...(d.diffstat ? { diffstat: d.diffstat } : {}),
      },
      // Changed by this attempt, not since the fork: a retry that does nothing has not succeeded
      // just because an earlier attempt left work behind.
      changed: d.committedLeftovers || (await headCommit(prepared.workspace, this.opts.env)) !== prepared.startCommit,
    };
  }

  /**
   * Removes what the cleanup policy no longer keeps. Calls while one runs are folded into one
   * more pass with the newest task list (the engine asks after every task that ends).
   */
  tidy(tasks: Task[]): Promise<void> {
    this.nextTidy = tasks;
    this.tidying ??= (async () => {
      try {
        for (let next = this.nextTidy; next; next = this.nextTidy) {
          this.nextTidy = null;
          await this.tidyOnce(next);
        }
      } finally {
        this.tidying = null;
        this.nextTidy = null;
      }
    })();
    return this.tidying;
  }

  private async tidyOnce(tasks: Task[]): Promise<void> {
    const repo = await this.repository();
    const report = await cleanupWorkspaces({
      repo: repo.path,
      baseBranch: repo.baseBranch,
      workspacesDir: this.workspacesDir,
      keep: this.opts.keep,
      tasks: tasks.map((t) => ({
        id: t.id,
        status: t.status,
        ...(t.deliverables.workspace ? { workspace: t.deliverables.workspace } : {}),
        ...(t.deliverables.branch ? { branch: t.deliverables.branch } : {}),
        ...(isTerminal(t.status) ? { finishedAt: t.updatedAt } : {}),
      })),
      inUse: (id) => this.inUse.has(id),
      copied: this.copied,
      ...(this.opts.env ? { env: this.opts.env } : {}),
    });
    if (report.removed.length) (this.opts.logger ?? silentLogger).info('removed finished workspaces', { tasks: report.removed });
  }

}
