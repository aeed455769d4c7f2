// Opens a draft pull request for a task's branch when it can (gh installed, origin on GitHub) and
// says why not otherwise. A pull request is a courtesy on top of the branch: every failure becomes
// a `skipped` reason for the reply, never an exception that could fail the build.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { firstLine, gitEnv, splitLines, tryGit, type GitEnv } from './git.ts';

const run = promisify(execFile);

export interface OpenPullRequestOptions {
  workspace: string;
  branch: string;
  baseBranch: string;
  title: string;
  body: string;
  /** The gh executable; looked up on the env's PATH when omitted. */
  ghPath?: string;
  env?: GitEnv;
  /** How long the push, then gh, may each take. Default 120_000 ms. */
  timeoutMs?: number;
}

export type PullRequestOutcome = { url: string } | { skipped: string };

const DEFAULT_TIMEOUT_MS = 120_000;
/** Why OPEN_PR opened nothing, and what to do about it: said at start and in every "done" message. */
export const GH_MISSING = 'gh (the GitHub CLI) is not on PATH; install it from https://cli.github.com and run "gh auth login"';
/** GitHub refuses pull request bodies longer than 65,536 characters. */
const MAX_BODY_CHARS = 60_000;
const PR_URL = /https:\/\/github\.com\/[^\s/]+\/[^\s/]+\/pull\/\d+/;

export interface GitHubRepo {
  owner: string;
  name: string;
}

/** The repository a GitHub remote URL names (https, ssh:// or scp-like `git@github.com:o/r`); null for any other host. */
export function parseGitHubRemote(url: string): GitHubRepo | null {
  const m =
    /^(?:(?:https?|ssh):\/\/(?:[^@/\s]+@)?github\.com(?::\d+)?\/|(?:[^@/:\s]+@)?github\.com:)([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/i.exec(
      url.trim(),
    );
  return m?.[1] && m[2] ? { owner: m[1], name: m[2] } : null;
}

/** The first executable file called `name` in the env's PATH (empty entries, meaning ".", are ignored). */
export async function findOnPath(name: string, env: GitEnv = process.env): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(path: string): Promise<boolean> {
  const s = await stat(path).catch(() => null);
  if (!s?.isFile()) return false;
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** Hides credentials a URL may carry (`https://user:token@host`) before it goes into a message. */
export function hideCredentials(text: string): string {
  return text.replace(/(\/\/)[^/@\s]+@/g, '$1***@');
}

export async function openDraftPullRequest(opts: OpenPullRequestOptions): Promise<PullRequestOutcome> {
  try {
    return await open(opts);
  } catch (e) {
    return { skipped: `could not open a pull request: ${hideCredentials(firstLine(e instanceof Error ? e.message : String(e)))}` };
  }
}

async function open(opts: OpenPullRequestOptions): Promise<PullRequestOutcome> {
  const { workspace: cwd, branch, baseBranch, env } = opts;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const gh = opts.ghPath !== undefined ? ((await isExecutableFile(opts.ghPath)) ? opts.ghPath : null) : await findOnPath('gh', env);
  if (gh === null) return { skipped: opts.ghPath !== undefined ? `gh is not an executable at ${opts.ghPath}` : GH_MISSING };

  // The URL as configured, not `git remote get-url`: that applies url.*.insteadOf rewrites.
  const origin = await tryGit(['config', '--get', 'remote.origin.url'], { cwd, env });
  if (!origin.ok) return { skipped: 'the repository has no origin remote' };
  const repo = parseGitHubRemote(origin.stdout);
  if (!repo) return { skipped: `origin (${hideCredentials(origin.stdout.trim())}) is not a GitHub repository` };
  if (branch.startsWith('-') || baseBranch.startsWith('-')) return { skipped: `refusing branch names that look like options: ${branch}, ${baseBranch}` };

  const push = await tryGit(['push', '--quiet', '-u', 'origin', branch], { cwd, env: await pushEnv(cwd, env), timeoutMs });
  if (!push.ok) return { skipped: `git push failed: ${hideCredentials(firstLine(push.stderr))}` };

  const body = opts.body.length > MAX_BODY_CHARS ? `${opts.body.slice(0, MAX_BODY_CHARS)}\n\n(truncated)` : opts.body;
  const args = ['pr', 'create', '--draft', '--title', opts.title, '--body', body, '--head', branch, '--base', baseBranch, '--repo', `${repo.owner}/${repo.name}`];
  try {
    const { stdout } = await run(gh, args, {
      cwd,
      env: { ...gitEnv(env), GH_PROMPT_DISABLED: '1', GH_NO_UPDATE_NOTIFIER: '1', NO_COLOR: '1' },
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    });
    const url = lastUrl(stdout);
    return url ? { url } : { skipped: `gh pr create printed no pull request URL: ${firstLine(stdout) || 'no output'}` };
  } catch (e) {
    const f = e as { stderr?: string; killed?: boolean; message?: string };
    const stderr = f.stderr ?? '';
    // A retry of a task whose pull request is already open: that one is the link.
    const existing = /already exists/i.test(stderr) ? lastUrl(stderr) : null;
    if (existing) return { url: existing };
    const why = f.killed ? `timed out after ${timeoutMs} ms` : firstLine(stderr) || firstLine(f.message ?? '') || 'no message';
    return { skipped: `gh pr create failed: ${hideCredentials(why)}` };
  }
}

function lastUrl(text: string): string | null {
  const urls = splitLines(text)
    .map((l) => PR_URL.exec(l.trim())?.[0])
    .filter((u): u is string => u !== undefined);
  return urls.at(-1) ?? null;
}

/** An ssh remote must fail rather than ask about a host key or a passphrase: nobody is there to answer. */
async function pushEnv(cwd: string, env: GitEnv | undefined): Promise<GitEnv> {
  const base = env ?? process.env;
  if (base.GIT_SSH_COMMAND !== undefined || base.GIT_SSH !== undefined) return base;
  if ((await tryGit(['config', '--get', 'core.sshCommand'], { cwd, env })).ok) return base;
  return { ...base, GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
}
