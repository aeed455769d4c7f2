// Workspaces are removed by policy: never while a task may still run, never with work that is not
// in the base branch, and only beyond the newest few. The decision is a pure function of what git
// reports (planCleanup); cleanupWorkspaces asks git, decides, then acts.
import { stat } from 'node:fs/promises';
import { canonicalPath, firstLine, isWithin, splitZ, tryGit, withRepoLock, type GitEnv } from './git.ts';
import { listWorktrees, type WorktreeEntry } from './worktrees.ts';
import { excludePathspecs } from './copy-files.ts';

/** A task may still use its workspace in these states: it is never cleaned up. */
export const ACTIVE_STATUSES: readonly string[] = ['building', 'queued', 'failed', 'awaiting_approval', 'escalated'];
/** A task in these states is over: its workspace may go once its work is merged. */
export const FINISHED_STATUSES: readonly string[] = ['done', 'cancelled', 'rejected'];

export interface CleanupTask {
  id: string;
  status: string;
  workspace?: string;
  branch?: string;
  /** ISO instant; a finished task without one counts as the oldest. */
  finishedAt?: string;
}

/** What git says about one finished task's workspace. */
export interface WorkspaceState {
  /** The worktree is registered and its directory exists. */
  present: boolean;
  /** Why removing it would lose something (unmerged commits, uncommitted changes, a lock); empty when nothing would be lost. */
  reasonsToKeep: string[];
  /** The branch to delete with the worktree: it exists and every commit on it is in the base branch. */
  mergedBranch?: string;
}

export interface PlanCleanupInput {
  tasks: readonly CleanupTask[];
  /** How many finished tasks' worktrees to keep in any case, newest first. */
  keep: number;
  /** Only worktrees below this directory are ever removed (compared as given: pass canonical paths). */
  workspacesDir: string;
  /** Per task id, for finished tasks whose workspace lies below workspacesDir. */
  state: ReadonlyMap<string, WorkspaceState>;
}

export interface Removal {
  id: string;
  workspace: string;
  /** Deleted with the worktree: merged into the base branch. */
  deleteBranch?: string;
}

export interface CleanupPlan {
  remove: Removal[];
  kept: { id: string; why: string }[];
}

export function planCleanup(input: PlanCleanupInput): CleanupPlan {
  if (!Number.isInteger(input.keep) || input.keep < 0) throw new RangeError(`keep must be a whole number of workspaces, 0 or more; got ${input.keep}`);
  const kept: CleanupPlan['kept'] = [];
  const finished: { task: CleanupTask & { workspace: string }; state: WorkspaceState }[] = [];
  for (const task of input.tasks) {
    const { workspace } = task;
    if (workspace === undefined) continue; // nothing on disk to clean
    if (ACTIVE_STATUSES.includes(task.status)) {
      kept.push({ id: task.id, why: `${task.status}: the task may still use its workspace` });
    } else if (!FINISHED_STATUSES.includes(task.status)) {
      kept.push({ id: task.id, why: `unknown status ${task.status}: left alone` });
    } else if (!isWithin(workspace, input.workspacesDir)) {
      kept.push({ id: task.id, why: `${workspace} is outside ${input.workspacesDir}: not nightshift's to remove` });
    } else {
      const state = input.state.get(task.id);
      if (state?.present) finished.push({ task: { ...task, workspace }, state });
    }
  }

  finished.sort((a, b) => finishedTime(b.task) - finishedTime(a.task) || idNumber(b.task.id) - idNumber(a.task.id));
  const remove: Removal[] = [];
  finished.forEach(({ task, state }, i) => {
    if (i < input.keep) kept.push({ id: task.id, why: `one of the ${input.keep} most recently finished` });
    else if (state.reasonsToKeep.length > 0) kept.push({ id: task.id, why: state.reasonsToKeep.join('; ') });
    else remove.push({ id: task.id, workspace: task.workspace, ...(state.mergedBranch ? { deleteBranch: state.mergedBranch } : {}) });
  });
  return { remove, kept };
}

function finishedTime(task: CleanupTask): number {
  const t = task.finishedAt === undefined ? NaN : Date.parse(task.finishedAt);
  return Number.isNaN(t) ? -Infinity : t;
}

function idNumber(id: string): number {
  const n = Number(/(\d+)$/.exec(id)?.[1]);
  return Number.isNaN(n) ? -1 : n;
}

export interface CleanupOptions {
  repo: string;
  baseBranch: string;
  /** NIGHTSHIFT_HOME/workspaces: nothing outside it is ever removed. */
  workspacesDir: string;
  keep: number;
  tasks: readonly CleanupTask[];
  /** True for a task whose workspace a build is using now: asked again just before each removal. */
  inUse?: (taskId: string) => boolean;
  /** Files nightshift copied into every worktree (.env): not changes anyone would lose. */
  copied?: readonly string[];
  env?: GitEnv;
}

export interface CleanupReport {
  /** Ids of the tasks whose worktrees were removed. */
  removed: string[];
  kept: { id: string; why: string }[];
}

export async function cleanupWorkspaces(opts: CleanupOptions): Promise<CleanupReport> {
  const { repo, baseBranch, env } = opts;
  // Looking is read-only and may take a while (a `git status` per finished workspace): it runs
  // outside the repository lock, so a build being prepared meanwhile does not wait for it. Each
  // removal then takes the lock on its own, and skips a task that a build has taken up since.
  const workspacesDir = await canonicalPath(opts.workspacesDir);
  const worktrees = await listWorktrees(repo, env);
  const tasks: CleanupTask[] = [];
  const state = new Map<string, WorkspaceState>();
  for (const task of opts.tasks) {
    const workspace = task.workspace === undefined ? undefined : await canonicalPath(task.workspace);
    tasks.push({ ...task, workspace });
    if (workspace === undefined || !FINISHED_STATUSES.includes(task.status) || !isWithin(workspace, workspacesDir)) continue;
    const entry = worktrees.find((w) => w.canonical === workspace);
    state.set(task.id, await inspect(repo, baseBranch, workspace, entry, task.branch, env, opts.copied ?? []));
  }

  const plan = planCleanup({ tasks, keep: opts.keep, workspacesDir, state });
  const removed: string[] = [];
  const kept = [...plan.kept];
  for (const r of plan.remove) {
    const why = await withRepoLock(repo, async () => {
      if (opts.inUse?.(r.id)) return 'a build is using it';
      const gone = await tryGit(['worktree', 'remove', '--force', r.workspace], { cwd: repo, env });
      if (!gone.ok) return `git worktree remove failed: ${firstLine(gone.stderr)}`;
      // `branch -D` (after our own merged check against the base branch, not against HEAD) still
      // refuses a branch checked out anywhere, the owner's checkout included.
      if (r.deleteBranch) await tryGit(['branch', '-D', r.deleteBranch], { cwd: repo, env });
      return null;
    });
    if (why === null) removed.push(r.id);
    else kept.push({ id: r.id, why });
  }
  return { removed, kept };
}

async function inspect(
  repo: string,
  baseBranch: string,
  workspace: string,
  entry: WorktreeEntry | undefined,
  taskBranch: string | undefined,
  env: GitEnv | undefined,
  copied: readonly string[],
): Promise<WorkspaceState> {
  const onDisk = (await stat(workspace).catch(() => null))?.isDirectory() ?? false;
  if (!entry || entry.prunable || !onDisk) return { present: false, reasonsToKeep: [] };
  const reasons: string[] = [];
  if (entry.locked) reasons.push('locked with git worktree lock');

  const status = await tryGit(['status', '--porcelain=v1', '-z', '--untracked-files=all', ...(await excludePathspecs(workspace, copied, env))], { cwd: workspace, env });
  if (!status.ok) reasons.push(`git status failed there: ${firstLine(status.stderr)}`);
  else if (splitZ(status.stdout).length > 0) reasons.push('uncommitted changes in the workspace');

  const base = `refs/heads/${baseBranch}`;
  const branch = taskBranch ?? entry.branch ?? undefined;
  let mergedBranch: string | undefined;
  if (branch !== undefined && !branch.startsWith('-') && (await refExists(repo, `refs/heads/${branch}`, env))) {
    const ahead = await commitsNotIn(repo, base, `refs/heads/${branch}`, env);
    if (ahead === null) reasons.push(`could not compare ${branch} with ${baseBranch}`);
    else if (ahead > 0) reasons.push(`${branch} has ${plural(ahead, 'commit')} not merged into ${baseBranch}`);
    else mergedBranch = branch;
  }
  // The agent may have left HEAD elsewhere (detached, another branch): its commits count too.
  if (entry.head && entry.branch !== branch) {
    const ahead = await commitsNotIn(repo, base, entry.head, env);
    if (ahead === null || ahead > 0) {
      const where = entry.branch ? `branch ${entry.branch}` : 'a detached HEAD';
      reasons.push(`the workspace is on ${where} with ${ahead === null ? 'commits' : plural(ahead, 'commit')} not in ${baseBranch}`);
    }
  }
  return { present: true, reasonsToKeep: reasons, ...(mergedBranch ? { mergedBranch } : {}) };
}

async function refExists(repo: string, ref: string, env: GitEnv | undefined): Promise<boolean> {
  return (await tryGit(['show-ref', '--verify', '--quiet', ref], { cwd: repo, env })).ok;
}

/** How many commits `rev` has that `base` does not; null when git cannot tell. */
async function commitsNotIn(repo: string, base: string, rev: string, env: GitEnv | undefined): Promise<number | null> {
  const r = await tryGit(['rev-list', '--count', `${base}..${rev}`], { cwd: repo, env });
  const n = Number(r.stdout.trim());
  return r.ok && Number.isInteger(n) ? n : null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
