// publishBranch against real git, offline: remotes are bare repositories in the test's own
// directory (named by path, by file:// URL, or as a github.com URL that url.<file>.insteadOf
// rewrites to one), and `gh` is a fake first on PATH that records its argv. The only network
// address used is 127.0.0.1 port 1, where nothing listens.
import { chmod, copyFile, mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findOnPath, GH_MISSING } from '../src/builders/git/gh.ts';
import { publishBranch, pullRequestBody, type PublishOptions } from '../src/builders/git/publish.ts';
import { MAX_BODY_CHARS } from '../src/builders/git/pull-request.ts';
import { ensureRepository } from '../src/builders/git/repo.ts';
import { prepareWorktree } from '../src/builders/git/worktree.ts';
import type { CheckResult } from '../src/core/task.ts';
import { OWNER, sandbox, type Sandbox } from './fixtures/git/sandbox.ts';

const FAKE_GH = fileURLToPath(new URL('./fixtures/git/fake-gh.mjs', import.meta.url));
const GITHUB = 'https://github.com/acme/widgets.git';
const BRANCH = 'nightshift/t-7-spotify';
const PASSED: CheckResult = { command: 'npm test', outcome: 'passed', exitCode: 0, durationMs: 42_000 };
const FAILED: CheckResult = { command: 'npm test', outcome: 'failed', exitCode: 1, durationMs: 42_000 };

interface Setup {
  s: Sandbox;
  workspace: string;
  bare: string;
  /** The env with the fake gh first on PATH, answering in `mode`. */
  env(mode?: string): Record<string, string>;
  calls(): Promise<string[][]>;
  publish(opts?: Partial<PublishOptions>): ReturnType<typeof publishBranch>;
  /** Commits a file on the task's branch, as the agent would. */
  commit(file: string, text?: string): Promise<void>;
  /** What the bare remote holds for the task's branch, or null. */
  remoteHead(): Promise<string | null>;
}

/**
 * A repository whose task branch has one commit. `origin`: 'github' (rewritten to the bare
 * repository), 'path' (the bare repository's path), 'file' (its file:// URL), any other URL
 * (rewritten to the bare repository unless `rewrite` is false), or null for none.
 */
async function setup(origin: string | null = 'github', rewrite = true): Promise<Setup> {
  const s = await sandbox();
  const bare = s.path('widgets.git');
  await mkdir(bare);
  await s.git(bare, 'init', '--quiet', '--bare');
  const { path: repo } = await ensureRepository({ dataDir: s.path('data'), env: s.env });
  if (origin !== null) {
    const url = origin === 'github' ? GITHUB : origin === 'path' ? bare : origin === 'file' ? `file://${bare}` : origin;
    await s.git(repo, 'remote', 'add', 'origin', url);
    if (rewrite && url.includes('://') && !url.startsWith('file://')) await s.git(repo, 'config', `url.file://${bare}.insteadOf`, url);
  }
  const w = await prepareWorktree({ repo, baseBranch: 'main', workspace: s.path('data', 'workspaces', 't-7'), branch: BRANCH, env: s.env });
  const commit = async (file: string, text = 'export {}\n') => {
    await s.write(join(w.workspace, file), text);
    await s.git(w.workspace, 'add', file);
    await s.git(w.workspace, ...OWNER, 'commit', '--quiet', '-m', `agent: ${file}`);
  };
  await commit('spotify.ts');

  const bin = s.path('bin');
  await mkdir(bin);
  await copyFile(FAKE_GH, join(bin, 'gh'));
  await chmod(join(bin, 'gh'), 0o755);
  const ghLog = s.path('gh-calls.jsonl');
  const env = (mode = 'created') => ({ ...s.env, PATH: `${bin}:${s.env.PATH}`, FAKE_GH_LOG: ghLog, FAKE_GH_MODE: mode });
  return {
    s,
    workspace: w.workspace,
    bare,
    env,
    commit,
    calls: async () =>
      (await readFile(ghLog, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { argv: string[] }).argv),
    publish: (opts = {}) =>
      publishBranch({ workspace: w.workspace, branch: BRANCH, baseBranch: 'main', push: true, pullRequest: 'off', title: 'Spotify integration', body: 'Built overnight.', env: env(), ...opts }),
    remoteHead: async () => ((await s.gitOk(bare, 'rev-parse', '--verify', `refs/heads/${BRANCH}`)) ? (await s.git(bare, 'rev-parse', `refs/heads/${BRANCH}`)).trim() : null),
  };
}

const head = async (t: Setup) => (await t.s.git(t.workspace, 'rev-parse', 'HEAD')).trim();

describe('publishBranch: the push', () => {
  it.each(['path', 'file'])('pushes to a remote that is no GitHub repository (origin as a %s), with its upstream set', async (origin) => {
    const t = await setup(origin);
    expect(await t.publish()).toEqual({ pushed: `origin/${BRANCH}`, problems: [] });
    expect(await t.remoteHead()).toBe(await head(t));
    expect((await t.s.git(t.workspace, 'rev-parse', '--abbrev-ref', `${BRANCH}@{upstream}`)).trim()).toBe(`origin/${BRANCH}`);
    expect(await t.calls()).toEqual([]);
  });

  it('a repository without an origin is fine when no pull request is wanted: nothing pushed, no problem', async () => {
    const t = await setup(null);
    expect(await t.publish()).toEqual({ problems: [] });
  });

  it('a repository without an origin is a problem when a pull request is wanted', async () => {
    const t = await setup(null);
    expect(await t.publish({ pullRequest: 'draft' })).toEqual({ problems: ['no pull request: the repository has no origin remote'] });
    expect(await t.calls()).toEqual([]);
  });

  it('does nothing at all when neither a push nor a pull request is asked for', async () => {
    const t = await setup('path');
    expect(await t.publish({ push: false })).toEqual({ problems: [] });
    expect(await t.remoteHead()).toBeNull();
  });

  it('a pull request without the push is a problem, not a pull request of a branch origin lacks', async () => {
    const t = await setup();
    expect(await t.publish({ push: false, pullRequest: 'draft' })).toEqual({ problems: ['no pull request: a pull request needs the branch pushed, and pushing is off'] });
    expect(await t.remoteHead()).toBeNull();
    expect(await t.calls()).toEqual([]);
  });

  it('a push the remote rejects is "not pushed" with the hook\'s own words, and no pull request is tried', async () => {
    const t = await setup();
    const hook = join(t.bare, 'hooks', 'pre-receive');
    await t.s.write(hook, '#!/bin/sh\necho "pushes are closed until the release is out" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    expect(await t.publish({ pullRequest: 'draft' })).toEqual({
      problems: ['not pushed: git push failed: rejected (pre-receive hook declined): pushes are closed until the release is out'],
    });
    expect(await t.remoteHead()).toBeNull();
    expect(await t.calls()).toEqual([]);
  });

  it('a retry that rewrote the branch replaces nightshift\'s own earlier push (a lease, not a plain force)', async () => {
    const t = await setup('path');
    expect((await t.publish()).pushed).toBe(`origin/${BRANCH}`);
    await t.s.git(t.workspace, ...OWNER, 'commit', '--quiet', '--amend', '-m', 'agent: spotify, reworded on the retry');
    expect(await t.publish()).toEqual({ pushed: `origin/${BRANCH}`, problems: [] });
    expect(await t.remoteHead()).toBe(await head(t));
  });

  it('never overwrites commits someone else pushed to the branch on origin', async () => {
    const t = await setup('path');
    await t.publish();
    const other = t.s.path('reviewer');
    await t.s.git(t.s.root, 'clone', '--quiet', '--branch', BRANCH, t.bare, other);
    await t.s.write(join(other, 'fix.ts'), 'export const fix = 1;\n');
    await t.s.git(other, 'add', 'fix.ts');
    await t.s.git(other, ...OWNER, 'commit', '--quiet', '-m', 'reviewer: a fix');
    await t.s.git(other, 'push', '--quiet', 'origin', BRANCH);
    const theirs = await t.remoteHead();

    await t.s.git(t.workspace, ...OWNER, 'commit', '--quiet', '--amend', '-m', 'agent: spotify, rewritten');
    expect(await t.publish()).toEqual({
      problems: [`not pushed: git push failed: origin's ${BRANCH} has commits this branch does not; merge them into the branch, or delete it on origin`],
    });
    expect(await t.remoteHead()).toBe(theirs);
  });

  it('never pushes a branch whose commits carry a file nightshift copied into the worktree', async () => {
    const t = await setup();
    await t.commit('.env', 'API_TOKEN=s3cret\n');
    expect(await t.publish({ pullRequest: 'draft', copiedFiles: ['.env', '.npmrc'] })).toEqual({
      problems: ['not pushed: the branch commits .env, which nightshift copied into the worktree; remove it from the branch first'],
    });
    expect(await t.remoteHead()).toBeNull();
    expect(await t.calls()).toEqual([]);
  });

  it('a copied file committed and deleted again is still in the history, so the branch is still not pushed', async () => {
    const t = await setup('path');
    await t.commit('.env', 'API_TOKEN=s3cret\n');
    await t.s.git(t.workspace, 'rm', '--quiet', '.env');
    await t.s.git(t.workspace, ...OWNER, 'commit', '--quiet', '-m', 'agent: remove .env');
    expect((await t.publish({ copiedFiles: ['.env'] })).problems).toEqual(['not pushed: the branch commits .env, which nightshift copied into the worktree; remove it from the branch first']);
    expect(await t.remoteHead()).toBeNull();
  });

  it('a copied file left out of the commits (untracked) does not stop the push', async () => {
    const t = await setup('path');
    await t.s.write(join(t.workspace, '.env'), 'API_TOKEN=s3cret\n');
    expect(await t.publish({ copiedFiles: ['.env'] })).toEqual({ pushed: `origin/${BRANCH}`, problems: [] });
  });

  it('never shows credentials from a remote URL, whether the push fails or origin is not on GitHub', async () => {
    const unreachable = await setup('https://bob:s3cret@127.0.0.1:1/acme/widgets.git', false);
    const failed = await unreachable.publish({ pullRequest: 'draft' });
    expect(failed.problems).toEqual([expect.stringMatching(/^not pushed: git push failed: .+/)]);

    const gitlab = await setup('https://bob:s3cret@gitlab.example.com/acme/widgets.git');
    const pushed = await gitlab.publish({ pullRequest: 'draft' });
    expect(pushed).toEqual({ pushed: `origin/${BRANCH}`, problems: ['no pull request: origin (https://***@gitlab.example.com/acme/widgets.git) is not a GitHub repository'] });

    const leaky = await setup();
    const refused = await leaky.publish({ pullRequest: 'draft', env: leaky.env('leak') });
    expect(refused.problems).toEqual(['no pull request: gh pr create failed: error connecting to https://***@github.com/acme/widgets.git']);

    for (const r of [failed, pushed, refused]) expect(JSON.stringify(r)).not.toContain('s3cret');
  });
});

describe('publishBranch: the pull request', () => {
  it('opens a draft with gh after the push, with the body it is given', async () => {
    const t = await setup();
    const body = pullRequestBody({ taskId: 't-7', spec: 'add a Spotify client', summary: 'Added a client with tests.', checks: 'checks passed (npm test, 42s)', threadUrl: 'https://acme.slack.com/archives/C1/p1' });
    expect(await t.publish({ pullRequest: 'draft', body, checks: PASSED })).toEqual({ pushed: `origin/${BRANCH}`, pullRequest: 'https://github.com/acme/widgets/pull/42', problems: [] });
    expect(await t.remoteHead()).toBe(await head(t));
    const calls = await t.calls();
    expect(calls).toEqual([['pr', 'create', '--draft', '--title', 'Spotify integration', '--body', body, '--head', BRANCH, '--base', 'main', '--repo', 'acme/widgets']]);
    const sent = calls[0]?.[6] ?? '';
    expect(sent).toContain('Added a client with tests.');
    expect(sent).toContain('checks passed (npm test, 42s)');
    expect(sent).toContain('Thread: https://acme.slack.com/archives/C1/p1');
  });

  it("'ready' with passing checks marks the pull request ready for review", async () => {
    const t = await setup();
    expect(await t.publish({ pullRequest: 'ready', checks: PASSED })).toEqual({ pushed: `origin/${BRANCH}`, pullRequest: 'https://github.com/acme/widgets/pull/42', ready: true, problems: [] });
    expect((await t.calls()).map((a) => a.slice(0, 3))).toEqual([
      ['pr', 'create', '--draft'],
      ['pr', 'ready', 'https://github.com/acme/widgets/pull/42'],
    ]);
  });

  it("'ready' with failing checks, or none, leaves it a draft and says why", async () => {
    const failing = await setup();
    expect(await failing.publish({ pullRequest: 'ready', checks: FAILED })).toEqual({
      pushed: `origin/${BRANCH}`,
      pullRequest: 'https://github.com/acme/widgets/pull/42',
      problems: ['left as a draft: checks failing (npm test exited with code 1 after 42s)'],
    });
    expect((await failing.calls()).map((a) => a[1])).toEqual(['create']);

    const unchecked = await setup();
    expect((await unchecked.publish({ pullRequest: 'ready' })).problems).toEqual(['left as a draft: no checks configured']);
  });

  it("'ready' when gh cannot mark it: the draft stands, with gh's words", async () => {
    const t = await setup();
    expect(await t.publish({ pullRequest: 'ready', checks: PASSED, env: t.env('ready-fail') })).toEqual({
      pushed: `origin/${BRANCH}`,
      pullRequest: 'https://github.com/acme/widgets/pull/42',
      problems: ['left as a draft: gh pr ready failed: GraphQL: Pull request is in clean status (markPullRequestReadyForReview)'],
    });
  });

  it('a retry whose pull request exists already gets that one back', async () => {
    const t = await setup();
    expect((await t.publish({ pullRequest: 'draft', env: t.env('exists') })).pullRequest).toBe('https://github.com/acme/widgets/pull/41');
  });

  it('without gh the branch is still pushed, and the problem says how to get gh', async () => {
    const t = await setup();
    const gitOnly = t.s.path('git-only');
    await mkdir(gitOnly);
    await symlink((await findOnPath('git')) ?? '', join(gitOnly, 'git'));
    expect(await t.publish({ pullRequest: 'draft', env: { ...t.env(), PATH: gitOnly } })).toEqual({ pushed: `origin/${BRANCH}`, problems: [`no pull request: ${GH_MISSING}`] });
    expect(await t.remoteHead()).toBe(await head(t));
  });
});

describe('pullRequestBody', () => {
  it('holds the request, what the agent says it did, the checks and the links', () => {
    const body = pullRequestBody({ taskId: 't-7', spec: 'add a Spotify client', summary: 'Added it.', checks: 'no checks configured', threadUrl: 'https://t.example/1', taskPageUrl: 'https://ns.example/tasks/t-7' });
    expect(body).toBe(
      [
        'Built by nightshift for t-7.',
        '',
        '## Request',
        '',
        'add a Spotify client',
        '',
        '## What the agent says it did',
        '',
        'Added it.',
        '',
        '## Checks',
        '',
        'no checks configured',
        '',
        '## Links',
        '',
        '- Thread: https://t.example/1',
        '- Task: https://ns.example/tasks/t-7',
      ].join('\n'),
    );
    expect(pullRequestBody({ taskId: 't-7', spec: 'x', checks: 'no checks configured' })).not.toMatch(/What the agent says|## Links/);
  });

  it('fits what GitHub accepts by cutting the request and the summary, never the checks or the links', () => {
    const body = pullRequestBody({ taskId: 't-7', spec: 's'.repeat(100_000), summary: 'a'.repeat(100_000), checks: 'checks passed (npm test, 42s)', threadUrl: 'https://t.example/1' });
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
    expect(body).toMatch(/s\n\n\(truncated\)\n\n## What the agent says it did/);
    expect(body.endsWith('checks passed (npm test, 42s)\n\n## Links\n\n- Thread: https://t.example/1')).toBe(true);
    // A short request keeps all of itself; the summary gets the rest.
    const short = pullRequestBody({ taskId: 't-7', spec: 'add a client', summary: 'a'.repeat(100_000), checks: 'no checks configured' });
    expect(short).toContain('## Request\n\nadd a client\n\n');
    expect(short.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
  });
});
