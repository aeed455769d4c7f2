// Publishing a finished task's branch so it can be reviewed from anywhere: pushed to origin
// (whatever origin is), then, when asked and origin is on GitHub, a draft pull request, marked
// ready for review once the checks passed. Each step that does not happen becomes a problem for
// the done message, never an exception: the build is done either way, and its branch is local.
import { checkSummary } from '../../core/check-summary.ts';
import { LEFT_AS_DRAFT, NO_PULL_REQUEST, NOT_PUSHED } from '../../core/publish-problems.ts';
import type { CheckResult } from '../../core/task.ts';
import { unusableBranchNames } from './branch-name.ts';
import { locateGh } from './gh.ts';
import { firstLine, splitLines, tryGit, type GitEnv } from './git.ts';
import { gitHubRepoOf, hideCredentials, NO_ORIGIN, originUrl } from './origin.ts';
import { createDraftPullRequest, DEFAULT_TIMEOUT_MS, markReadyForReview } from './pull-request.ts';
import { pushBranch } from './push.ts';

export { pullRequestBody, type PullRequestBodyInput } from './pull-request-body.ts';

export type { PullRequestMode } from '../../core/projects.ts';
import type { PullRequestMode } from '../../core/projects.ts';

export interface PublishOptions {
  /** The task's worktree. */
  workspace: string;
  branch: string;
  baseBranch: string;
  /** Push the branch to origin when the repository has an origin remote. */
  push: boolean;
  /** 'draft': open a draft PR with gh; 'ready': open it as a draft, then mark it ready (gh pr ready) when the checks passed; 'off': none. A PR needs the push. */
  pullRequest: PullRequestMode;
  title: string;
  /** The PR body (built by pullRequestBody). */
  body: string;
  /** The check's outcome, if a check ran: only 'passed' makes 'ready' mark it ready. */
  checks?: CheckResult;
  /** Paths nightshift copied into the worktree (e.g. ".env"): a branch whose commits add or change any of them is never pushed (secrets). */
  copiedFiles?: string[];
  /** The gh executable; looked up on the env's PATH when omitted. */
  ghPath?: string;
  env?: GitEnv;
  /** How long the push and each gh call may take. Default 120_000 ms. */
  timeoutMs?: number;
}

export interface Published {
  /** "origin/nightshift/t-7-x" when pushed. */
  pushed?: string;
  /** The PR URL, when one was opened (or already existed). */
  pullRequest?: string;
  /** True when it was marked ready for review. */
  ready?: boolean;
  /** Each thing that did not happen and why, for the done message: "not pushed: git push failed: …", "no pull request: gh (the GitHub CLI) is not on PATH; …", "left as a draft: checks failing (…)". */
  problems: string[];
}

/** Pushes the branch and opens its pull request as the options ask; what did not happen is in `problems`. Never throws. */
export async function publishBranch(opts: PublishOptions): Promise<Published> {
  const out: Published = { problems: [] };
  try {
    await publish(opts, out);
  } catch (e) {
    // git missing, or the worktree gone: whatever was done so far stands.
    const why = hideCredentials(firstLine(e instanceof Error ? e.message : String(e)));
    out.problems.push(`${out.pushed ? NO_PULL_REQUEST : NOT_PUSHED}: ${why}`);
  }
  return out;
}

async function publish(o: PublishOptions, out: Published): Promise<void> {
  const wantsPullRequest = o.pullRequest !== 'off';
  if (!o.push && !wantsPullRequest) return;
  if (!o.push) {
    out.problems.push(`${NO_PULL_REQUEST}: a pull request needs the branch pushed, and pushing is off`);
    return;
  }
  const cwd = o.workspace;
  const origin = await originUrl(cwd, o.env);
  if (origin === null) {
    // A purely local repository is fine: there is nowhere to push, and nobody asked for more.
    if (wantsPullRequest) out.problems.push(`${NO_PULL_REQUEST}: ${NO_ORIGIN}`);
    return;
  }
  const refused = unusableBranchNames(o.branch, o.baseBranch) ?? (await committedCopies(o));
  if (refused) {
    out.problems.push(`${NOT_PUSHED}: ${refused}`);
    return;
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const push = await pushBranch({ cwd, branch: o.branch, env: o.env, timeoutMs });
  if ('failed' in push) {
    out.problems.push(`${NOT_PUSHED}: ${push.failed}`);
    return;
  }
  out.pushed = push.pushed;
  if (wantsPullRequest) await openPullRequest(o, origin, timeoutMs, out);
}

async function openPullRequest(o: PublishOptions, origin: string, timeoutMs: number, out: Published): Promise<void> {
  // Not on GitHub first: installing gh would not help there.
  const github = gitHubRepoOf(origin);
  if ('skipped' in github) {
    out.problems.push(`${NO_PULL_REQUEST}: ${github.skipped}`);
    return;
  }
  const gh = await locateGh(o.ghPath, o.env);
  if ('missing' in gh) {
    out.problems.push(`${NO_PULL_REQUEST}: ${gh.missing}`);
    return;
  }
  const run = { gh: gh.gh, cwd: o.workspace, env: o.env, timeoutMs };
  const pr = await createDraftPullRequest({ ...run, repo: github.repo, branch: o.branch, baseBranch: o.baseBranch, title: o.title, body: o.body });
  if ('skipped' in pr) {
    out.problems.push(`${NO_PULL_REQUEST}: ${pr.skipped}`);
    return;
  }
  out.pullRequest = pr.url;
  if (o.pullRequest !== 'ready') return;
  // Only work whose checks passed is put in front of reviewers; no checks is no evidence.
  if (o.checks?.outcome !== 'passed') {
    out.problems.push(`${LEFT_AS_DRAFT}: ${checkSummary(o.checks)}`);
    return;
  }
  const ready = await markReadyForReview(pr.url, run);
  if ('skipped' in ready) out.problems.push(`${LEFT_AS_DRAFT}: ${ready.skipped}`);
  else out.ready = true;
}

/**
 * Why the branch must not be pushed because its commits carry a file nightshift copied into the
 * worktree (a .env holds secrets), or null. Every commit since the base is read, not only the
 * end result: a file added and deleted again would still be on origin in the history.
 */
async function committedCopies(o: PublishOptions): Promise<string | null> {
  if (!o.copiedFiles?.length) return null;
  const args = ['log', '--format=', '--name-only', '--no-renames', '--diff-filter=d', '--end-of-options', `${o.baseBranch}..refs/heads/${o.branch}`, '--', ...o.copiedFiles.map((f) => `:(literal)${f}`)];
  const r = await tryGit(args, { cwd: o.workspace, env: o.env });
  if (!r.ok) return `could not check the branch's commits for files nightshift copied into the worktree: ${firstLine(r.stderr) || 'no message'}`;
  const found = [...new Set(splitLines(r.stdout))];
  if (!found.length) return null;
  return `the branch commits ${found.join(', ')}, which nightshift copied into the worktree; remove ${found.length === 1 ? 'it' : 'them'} from the branch first`;
}
