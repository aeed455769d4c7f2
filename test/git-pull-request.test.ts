// Offline: origin is https://github.com/acme/widgets.git, rewritten by url.<file>.insteadOf to a
// local bare repository, so the push lands on disk; `gh` is a fake placed first on PATH.
import { chmod, copyFile, mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureRepository } from '../src/builders/git/repo.ts';
import { findOnPath, GH_MISSING } from '../src/builders/git/gh.ts';
import { parseGitHubRemote } from '../src/builders/git/origin.ts';
import { publishBranch } from '../src/builders/git/publish.ts';
import { prepareWorktree } from '../src/builders/git/worktree.ts';
import { OWNER, sandbox, type Sandbox } from './fixtures/git/sandbox.ts';

const FAKE_GH = fileURLToPath(new URL('./fixtures/git/fake-gh.mjs', import.meta.url));
const ORIGIN = 'https://github.com/acme/widgets.git';
const BRANCH = 'nightshift/t-7-spotify';

interface Setup {
  s: Sandbox;
  repo: string;
  workspace: string;
  bare: string;
  ghLog: string;
  /** The env with the fake gh first on PATH, answering in `mode`. */
  env(mode?: string): Record<string, string>;
  calls(): Promise<{ argv: string[]; cwd: string }[]>;
}

async function setup(opts: { origin?: string | null; rewriteTo?: string } = {}): Promise<Setup> {
  const s = await sandbox();
  const bare = s.path('widgets.git');
  await mkdir(bare);
  await s.git(bare, 'init', '--quiet', '--bare');
  const { path: repo } = await ensureRepository({ dataDir: s.path('data'), env: s.env });
  const origin = opts.origin === undefined ? ORIGIN : opts.origin;
  if (origin !== null) {
    await s.git(repo, 'remote', 'add', 'origin', origin);
    // Any github.com URL in these tests is rewritten to a local path: nothing leaves the machine.
    await s.git(repo, 'config', `url.${opts.rewriteTo ?? `file://${bare}`}.insteadOf`, origin);
  }
  const w = await prepareWorktree({ repo, baseBranch: 'main', workspace: s.path('data', 'workspaces', 't-7'), branch: BRANCH, env: s.env });
  await s.write(join(w.workspace, 'spotify.ts'), 'export {}\n');
  await s.git(w.workspace, 'add', 'spotify.ts');
  await s.git(w.workspace, ...OWNER, 'commit', '--quiet', '-m', 'agent: spotify');

  const bin = s.path('bin');
  await mkdir(bin);
  await copyFile(FAKE_GH, join(bin, 'gh'));
  await chmod(join(bin, 'gh'), 0o755);
  const ghLog = s.path('gh-calls.jsonl');
  return {
    s,
    repo,
    workspace: w.workspace,
    bare,
    ghLog,
    env: (mode = 'created') => ({ ...s.env, PATH: `${bin}:${s.env.PATH}`, FAKE_GH_LOG: ghLog, FAKE_GH_MODE: mode }),
    calls: async () =>
      (await readFile(ghLog, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { argv: string[]; cwd: string }),
  };
}

/** OPEN_PR as it always was: push, then a draft pull request; its URL, or why there is none. */
async function pr(t: Setup, env: Record<string, string>, extra: { title?: string; body?: string; ghPath?: string } = {}): Promise<{ url: string } | { skipped: string }> {
  const published = await publishBranch({ workspace: t.workspace, branch: BRANCH, baseBranch: 'main', push: true, pullRequest: 'draft', title: extra.title ?? 'Spotify integration', body: extra.body ?? 'Built overnight.', env, ...(extra.ghPath ? { ghPath: extra.ghPath } : {}) });
  return published.pullRequest ? { url: published.pullRequest } : { skipped: published.problems.join('; ').replace(/^(?:no pull request|not pushed): /, '') };
}

describe('OPEN_PR: publishBranch with a draft pull request', () => {
  it('pushes the branch with its upstream, runs gh pr create --draft with argv elements, and returns the URL gh prints', async () => {
    const t = await setup();
    const title = 'Spotify integration; $(rm -rf ~) `whoami` "quoted"';
    const body = 'Built overnight.\n\n--base evil\n- 3 files changed';
    const result = await pr(t, t.env(), { title, body });
    expect(result).toEqual({ url: 'https://github.com/acme/widgets/pull/42' });

    expect(await t.calls()).toEqual([
      {
        argv: ['pr', 'create', '--draft', '--title', title, '--body', body, '--head', BRANCH, '--base', 'main', '--repo', 'acme/widgets'],
        cwd: t.workspace,
      },
    ]);
    const pushed = (await t.s.git(t.bare, 'rev-parse', `refs/heads/${BRANCH}`)).trim();
    expect(pushed).toBe((await t.s.git(t.workspace, 'rev-parse', 'HEAD')).trim());
    expect((await t.s.git(t.workspace, 'rev-parse', '--abbrev-ref', `${BRANCH}@{upstream}`)).trim()).toBe(`origin/${BRANCH}`);
  });

  it('returns the existing pull request when gh says the branch already has one (a retry)', async () => {
    const t = await setup();
    expect(await pr(t, t.env('exists'))).toEqual({ url: 'https://github.com/acme/widgets/pull/41' });
  });

  it('skips with gh\'s first stderr line when gh pr create fails, never throwing', async () => {
    const t = await setup();
    expect(await pr(t, t.env('fail'))).toEqual({ skipped: 'gh pr create failed: GraphQL: Resource not accessible by integration (createPullRequest)' });
  });

  it('skips when gh prints no pull request URL', async () => {
    const t = await setup();
    expect(await pr(t, t.env('silent'))).toEqual({ skipped: 'gh pr create printed no pull request URL: no output' });
  });

  it('uses an explicit ghPath, and skips when it is not an executable', async () => {
    const t = await setup();
    const env = { ...t.env(), PATH: t.s.env.PATH };
    expect(await pr(t, env, { ghPath: join(t.s.path('bin'), 'gh') })).toEqual({ url: 'https://github.com/acme/widgets/pull/42' });
    const missing = t.s.path('nowhere', 'gh');
    expect(await pr(t, env, { ghPath: missing })).toEqual({ skipped: `gh is not an executable at ${missing}` });
  });

  it('skips when gh is not on PATH', async () => {
    const t = await setup();
    const gitOnly = t.s.path('git-only');
    await mkdir(gitOnly);
    const realGit = await findOnPath('git');
    expect(realGit).not.toBeNull();
    await symlink(realGit ?? '', join(gitOnly, 'git'));
    expect(await pr(t, { ...t.env(), PATH: gitOnly })).toEqual({ skipped: GH_MISSING });
    expect(await t.calls()).toEqual([]);
  });

  it('skips when the repository has no origin remote', async () => {
    const t = await setup({ origin: null });
    expect(await pr(t, t.env())).toEqual({ skipped: 'the repository has no origin remote' });
    expect(await t.calls()).toEqual([]);
  });

  it('skips when origin is not on GitHub, without showing credentials in the URL', async () => {
    const t = await setup({ origin: 'https://bob:s3cret@gitlab.com/acme/widgets.git' });
    expect(await pr(t, t.env())).toEqual({ skipped: 'origin (https://***@gitlab.com/acme/widgets.git) is not a GitHub repository' });
    expect(await t.calls()).toEqual([]);
  });

  it('skips with git\'s message when the push fails, and never runs gh', async () => {
    const t = await setup({ rewriteTo: 'file:///nonexistent/widgets.git' });
    const result = await pr(t, t.env());
    expect(result).toEqual({ skipped: expect.stringMatching(/^git push failed: .+/) as unknown as string });
    expect(await t.calls()).toEqual([]);
  });
});

describe('parseGitHubRemote', () => {
  it.each([
    ['https://github.com/acme/widgets.git', 'acme/widgets'],
    ['https://github.com/acme/widgets', 'acme/widgets'],
    ['https://github.com/acme/widgets/', 'acme/widgets'],
    ['http://github.com/acme/widgets.git', 'acme/widgets'],
    ['https://x-access-token:abc@github.com/acme/widgets.git', 'acme/widgets'],
    ['HTTPS://GitHub.com/Acme/Widgets.git', 'Acme/Widgets'],
    ['git@github.com:acme/widgets.git', 'acme/widgets'],
    ['github.com:acme/my.dotted_repo-name', 'acme/my.dotted_repo-name'],
    ['ssh://git@github.com/acme/widgets.git', 'acme/widgets'],
    ['ssh://git@github.com:22/acme/widgets', 'acme/widgets'],
    ['  https://github.com/acme/widgets.git\n', 'acme/widgets'],
  ])('%j → %s', (url, expected) => {
    const r = parseGitHubRemote(url);
    expect(r && `${r.owner}/${r.name}`).toBe(expected);
  });

  it.each([
    'https://gitlab.com/acme/widgets.git',
    'https://github.com.evil.example/acme/widgets.git',
    'https://evilgithub.com/acme/widgets.git',
    'git@gitlab.com:acme/widgets.git',
    'file:///srv/git/widgets.git',
    '/srv/git/widgets.git',
    'https://github.com/acme',
    'https://github.com/acme/widgets/pulls',
    'https://github.com/-acme/widgets',
    'git://github.com/acme/widgets.git',
  ])('%j is not a GitHub repository', (url) => {
    expect(parseGitHubRemote(url)).toBeNull();
  });
});
