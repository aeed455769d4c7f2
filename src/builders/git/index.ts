// Git workspaces for builds: the repository, one worktree per task, what an attempt delivered,
// cleanup by policy, and publishing a branch (a push, a pull request). Every git call goes through git.ts.
export { DEFAULT_IDENTITY, GitError, WorkspaceError, type GitEnv } from './git.ts';
export { ensureRepository, type EnsureRepositoryOptions, type Repository } from './repo.ts';
export { branchName, slugify } from './branch-name.ts';
export { prepareWorktree, type PrepareWorktreeOptions, type PreparedWorktree } from './worktree.ts';
export { collectDeliverables, leftoversMessage, type CollectDeliverablesOptions, type CollectedDeliverables } from './deliverables.ts';
export {
  ACTIVE_STATUSES,
  FINISHED_STATUSES,
  cleanupWorkspaces,
  planCleanup,
  type CleanupOptions,
  type CleanupPlan,
  type CleanupReport,
  type CleanupTask,
  type PlanCleanupInput,
  type Removal,
  type WorkspaceState,
} from './cleanup.ts';
export { type PullRequestOutcome } from './pull-request.ts';
export { parseGitHubRemote } from './origin.ts';
export { publishBranch, pullRequestBody, type PublishOptions, type Published, type PullRequestMode } from './publish.ts';
export { headCommit, returnToBranch } from './return-to-branch.ts';
