// Pull requests for a task's branch with gh: opening one as a draft and marking it ready
// (publish.ts decides when). A pull request is a courtesy on top of the branch: every failure
// becomes a `skipped` reason for the reply, never an exception that could fail the build.
import { cutAt } from '../../core/safe-text.ts';
import { runGh, type GhRun } from './gh.ts';
import { firstLine, splitLines } from './git.ts';
import type { GitHubRepo } from './origin.ts';

export type PullRequestOutcome = { url: string } | { skipped: string };

/** How long a push or a gh call may take when the caller does not say. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** GitHub refuses pull request bodies longer than 65,536 characters. */
export const MAX_BODY_CHARS = 60_000;
const TRUNCATED = '\n\n(truncated)';
const PR_URL = /https:\/\/github\.com\/[^\s/]+\/[^\s/]+\/pull\/\d+/;

export interface DraftPullRequest extends GhRun {
  repo: GitHubRepo;
  branch: string;
  baseBranch: string;
  title: string;
  body: string;
}

/** `gh pr create --draft`: the new pull request's URL, or the one the branch already has (a retry). */
export async function createDraftPullRequest(o: DraftPullRequest): Promise<PullRequestOutcome> {
  const args = ['pr', 'create', '--draft', '--title', o.title, '--body', cutToFit(o.body, MAX_BODY_CHARS), '--head', o.branch, '--base', o.baseBranch, '--repo', `${o.repo.owner}/${o.repo.name}`];
  const r = await runGh(args, o);
  if (r.ok) {
    const url = lastUrl(r.stdout);
    return url ? { url } : { skipped: `gh pr create printed no pull request URL: ${firstLine(r.stdout) || 'no output'}` };
  }
  // A retry of a task whose pull request is already open: that one is the link.
  const existing = /already exists/i.test(r.stderr) ? lastUrl(r.stderr) : null;
  return existing ? { url: existing } : { skipped: `gh pr create failed: ${r.why}` };
}

/** `gh pr ready <url>`: takes the pull request out of draft, or says why it could not. */
export async function markReadyForReview(url: string, o: GhRun): Promise<{ ready: true } | { skipped: string }> {
  const r = await runGh(['pr', 'ready', url], o);
  return r.ok ? { ready: true } : { skipped: `gh pr ready failed: ${r.why}` };
}


/** The text, or as much of it as fits in `max` characters with a note that it was cut. */
export function cutToFit(text: string, max: number): string {
  return text.length <= max ? text : `${cutAt(text, Math.max(0, max - TRUNCATED.length))}${TRUNCATED}`;
}

function lastUrl(text: string): string | null {
  const urls = splitLines(text)
    .map((l) => PR_URL.exec(l.trim())?.[0])
    .filter((u): u is string => u !== undefined);
  return urls.at(-1) ?? null;
}
