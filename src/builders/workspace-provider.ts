// Where a task's builder works and how its results are read back. The git implementation gives
// each task its own worktree on its own branch (git-workspaces.ts).
import type { Deliverables, Task } from '../core/task.ts';

export interface PreparedWorkspace {
  workspace: string;
  /** The repository the work is based on: shown to the agent and to the owner. */
  repository: string;
  branch?: string;
  baseBranch?: string;
  baseCommit?: string;
  /** HEAD when this attempt began: whether the attempt itself changed anything is counted from here. */
  startCommit?: string;
}

export interface CollectedWork {
  deliverables: Partial<Deliverables>;
  /** False when the attempt left nothing behind: no commits and no changed files. */
  changed: boolean;
}

export interface WorkspaceProvider {
  /** The task's workspace path; the same for every attempt, known before anything is created. */
  workspaceFor(task: Task): string;
  prepare(task: Task, attempt: number): Promise<PreparedWorkspace>;
  collect(prepared: PreparedWorkspace, task: Task, attempt: number, builderName: string): Promise<CollectedWork>;
  /** Removes workspaces the cleanup policy no longer keeps; never one whose task is live. */
  tidy?(tasks: Task[]): Promise<void>;
}
