// The repository's origin remote: its URL as configured, whether it is on GitHub, and how it is
// shown in a message (never with the credentials a URL can carry).
import { tryGit, type GitEnv } from './git.ts';

/** Why nothing can be pushed or opened on a remote: said in the done message. */
export const NO_ORIGIN = 'the repository has no origin remote';

export interface GitHubRepo {
  owner: string;
  name: string;
}

/**
 * origin's URL as configured, or null when there is no origin. Read from the config, not with
 * `git remote get-url`: that applies url.*.insteadOf rewrites, and GitHub is recognised by the
 * URL the owner wrote.
 */
export async function originUrl(cwd: string, env?: GitEnv): Promise<string | null> {
  const r = await tryGit(['config', '--get', 'remote.origin.url'], { cwd, env });
  return r.ok ? r.stdout.trim() : null;
}

/** The repository a GitHub remote URL names (https, ssh:// or scp-like `git@github.com:o/r`); null for any other host. */
export function parseGitHubRemote(url: string): GitHubRepo | null {
  const m =
    /^(?:(?:https?|ssh):\/\/(?:[^@/\s]+@)?github\.com(?::\d+)?\/|(?:[^@/:\s]+@)?github\.com:)([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/i.exec(
      url.trim(),
    );
  return m?.[1] && m[2] ? { owner: m[1], name: m[2] } : null;
}

/** The GitHub repository origin's URL names, or why a pull request cannot be opened there. */
export function gitHubRepoOf(url: string): { repo: GitHubRepo } | { skipped: string } {
  const repo = parseGitHubRemote(url);
  return repo ? { repo } : { skipped: `origin (${hideCredentials(url)}) is not a GitHub repository` };
}

/** Hides credentials a URL may carry (`https://user:token@host`) before it goes into a message. */
export function hideCredentials(text: string): string {
  return text.replace(/(\/\/)[^/@\s]+@/g, '$1***@');
}
