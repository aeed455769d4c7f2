// The real `nightshift` binary driving fake agent CLIs named like the real ones, placed first on
// PATH: the right preset is chosen, argv is what the real CLI expects, progress comes out of the
// stream, the branch holds the commits, secrets stay out, parallel builds stay apart. Sessions that
// resume are in e2e-agent-sessions.test.ts.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../src/builders/process-tree.ts';
import { waitFor } from './helpers/agents.ts';
import { agentEnv, cleanUpAgents, startDaemon, task, taskWhen, untilSettled, type JsonTask } from './helpers/agent-env.ts';
import { runCli } from './helpers/cli.ts';
import { killStrays } from './helpers/strays.ts';
import { FAKE_CLI_DIR } from './fixtures/fake-clis/harness.ts';
import { tempDir } from './helpers/temp-dir.ts';

afterEach(cleanUpAgents);

describe('agents on PATH', () => {
  it('BUILDER=auto picks Claude Code, runs it headless, and the branch holds its commit', async () => {
    const { env, readRecord } = await agentEnv();
    const add = await runCli(['add', 'build a Spotify integration', '--priority', 'high'], env);
    expect(add.code).toBe(0);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.stdout).toMatch(/Builds run Claude Code \(.*fake-clis\/claude, found on PATH by BUILDER=auto\)/);
    expect(run.stdout).toMatch(/t-1 "Build a Spotify integration" is done/);
    expect(run.stdout).toMatch(/t-1 \[░+\] … starting \(claude-sonnet-4-5\)/); // progress read from the stream-json events
    const rec = await readRecord();
    expect(rec.cli).toBe('claude');
    expect(rec.argv.slice(0, 6)).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'bypassPermissions']);
    expect(rec.env.NIGHTSHIFT_WEBHOOK_TOKEN).toBeUndefined();
    expect(JSON.stringify(rec.env)).not.toContain('nightshift-token-must-never-reach-an-agent');
    expect(rec.env.ANTHROPIC_API_KEY).toBe('sk-ant-test-key-for-the-agent');
    const t = await task(env, 't-1');
    expect(t.status).toBe('done');
    expect(t.deliverables.branch).toBe('nightshift/t-1-build-a-spotify-integration');
    expect(t.deliverables.changedFiles).toContain('src/feature.ts');
    expect(t.deliverables.diffstat).toMatch(/file.? changed/);
    expect(t.deliverables.summary).toBeTruthy();
    expect(t.attempts[0]?.usage?.costUsd).toBeGreaterThan(0);
    // The agent's todo list as it last wrote it, kept with the attempt (status --json shows it).
    expect((t.attempts[0] as { plan?: unknown }).plan).toEqual([
      { text: 'Write the feature', status: 'done' },
      { text: 'Run the tests', status: 'in_progress' },
    ]);
    expect(t.attempts[0]?.resources?.wallMs).toBeGreaterThan(0);
    const log = execFileSync('git', ['log', '--format=%s', t.deliverables.branch!], { cwd: t.deliverables.workspace!, encoding: 'utf8' });
    expect(log.split('\n')[0]).toBe(t.deliverables.commits.at(-1)?.replace(/^\S+ /, ''));
  });

  it.each([
    ['codex', ['exec', '--json']],
    ['gemini', ['-p']],
    ['opencode', ['run', '--format', 'json']],
    ['aider', ['--message']],
  ])('BUILDER=%s runs it with the argv it expects and finishes the task', async (name, firstArgs) => {
    const { env, readRecord } = await agentEnv({ BUILDER: name, OPENAI_API_KEY: 'sk-openai', GEMINI_API_KEY: 'gem-key' });
    await runCli(['add', 'build a CSV export for invoices', '--priority', 'high'], env);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.stdout, run.stdout + run.stderr).toMatch(/t-1 .* is done/);
    expect(run.stdout).toMatch(/^ {2}t-1 \[[█░]+\] (\d+%|…) \S/m); // a progress line read from its output
    const rec = await readRecord();
    expect(rec.cli).toBe(name);
    expect(rec.argv.slice(0, firstArgs.length)).toEqual(firstArgs);
    const t = await task(env, 't-1');
    expect(t.deliverables.commits.length).toBeGreaterThan(0);
  });

  it('an agent that keeps failing is retried, then escalated with its own error', async () => {
    const { env } = await agentEnv({ FAKE_CLI_MODE: 'fail', RETRY_BACKOFF: '100ms' });
    await runCli(['add', 'build a Spotify integration', '--priority', 'high'], env);
    // run --until-idle exits when nothing may start now (a back-off has not ended): cron runs it
    // again, once the back-off it stopped for has ended
    await untilSettled(env);
    const final = await task(env, 't-1');
    expect(final.status).toBe('escalated');
    expect(final.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed']);
    const status = await runCli(['status', 't-1'], env);
    expect(status.stdout).toMatch(/Attempt 3: failed \(Claude Code reported an error/);
  });

  it('a rejected API key is escalated at once, saying so, instead of spending three attempts', async () => {
    const { env } = await agentEnv({ FAKE_CLI_MODE: 'bad-key' });
    await runCli(['add', 'build a Spotify integration', '--priority', 'high'], env);
    const run = await runCli(['run', '--until-idle'], env);
    const t = await task(env, 't-1');
    expect(t.status).toBe('escalated');
    expect(t.attempts.map((a) => a.outcome)).toEqual(['failed']);
    expect(run.stdout).toMatch(/t-1 "Build a Spotify integration" failed 1 time and needs you\. Last error: Claude Code's credentials \(ANTHROPIC_API_KEY\) were rejected with HTTP 401/);
    expect(run.stdout).toMatch(/Failed and waiting for you \(1\): t-1/);
  });

  it('a usage limit is not a failure: the task waits for the reset, at no cost to its attempts', async () => {
    const { env } = await agentEnv({ FAKE_CLI_MODE: 'usage-limit' });
    await runCli(['add', 'build a Spotify integration', '--priority', 'high'], env);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.stdout).toMatch(/t-1 "Build a Spotify integration" is waiting for quota: .*It starts again by itself after/);
    // in the owner's zone, said once: no raw instant, no double period, no "retry later" advice
    expect(run.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d|\.\.|Retry later|retry after that/);
    // run --until-idle ends saying it waits for quota, not that it failed
    expect(run.stdout).toMatch(/Waiting for quota \(1\): t-1 \(waiting for quota until /);
    expect(run.stdout).not.toMatch(/failed/i);
    const queue = await runCli(['status'], env);
    expect(queue.stdout).toMatch(/t-1 · waiting for quota until \S+/);
    const t = await task(env, 't-1');
    expect(t.status).toBe('failed');
    // the agent said when its limit resets (two hours ahead): that is when it retries, not a guess
    const wait = Date.parse(t.retryAt!) - Date.now();
    expect(wait).toBeGreaterThan(7_000_000);
    expect(wait).toBeLessThan(7_300_000);
    expect(t.attempts[0]).toMatchObject({ outcome: 'usage_limited', counts: false });
  });

  it('two parallel builds never touch each other\'s files, and the owner\'s checkout is untouched', async () => {
    const owner = await tempDir();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Owner', '-c', 'user.email=o@example.com', ...args], { cwd: owner, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    await writeFile(join(owner, 'app.ts'), 'export const app = 1;\n');
    git('add', '-A');
    git('commit', '-qm', 'initial');
    await writeFile(join(owner, 'wip.txt'), 'uncommitted work of the owner\n');
    const before = { head: git('rev-parse', 'HEAD'), branch: git('branch', '--show-current'), status: git('status', '--porcelain') };
    const { env } = await agentEnv({ BUILD_REPO: owner, MAX_PARALLEL_BUILDS: '2', FAKE_CLI_STEP_MS: '150' });
    await runCli(['add', 'build the login page', '--priority', 'high'], env);
    await runCli(['add', 'build the signup page', '--priority', 'high'], env);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.stdout).toMatch(/t-1 .* is done/);
    expect(run.stdout).toMatch(/t-2 .* is done/);
    const [a, b] = [await task(env, 't-1'), await task(env, 't-2')];
    expect(a.deliverables.workspace).not.toBe(b.deliverables.workspace);
    const fa = await readFile(join(a.deliverables.workspace!, 'src/feature.ts'), 'utf8');
    const fb = await readFile(join(b.deliverables.workspace!, 'src/feature.ts'), 'utf8');
    expect(fa).toContain('login page');
    expect(fa).not.toContain('signup page');
    expect(fb).toContain('signup page');
    expect(fb).not.toContain('login page');
    // both ran at the same time
    const ta = a.attempts[0]!;
    const tb = b.attempts[0]!;
    expect(ta.outcome).toBe('succeeded');
    expect(tb.outcome).toBe('succeeded');
    expect(Date.parse(ta.startedAt)).toBeLessThan(Date.parse(tb.endedAt!));
    expect(Date.parse(tb.startedAt)).toBeLessThan(Date.parse(ta.endedAt!));
    const after = { head: git('rev-parse', 'HEAD'), branch: git('branch', '--show-current'), status: git('status', '--porcelain') };
    expect(after).toEqual(before);
    expect(git('branch', '--list', 'nightshift/*')).toMatch(/nightshift\/t-1-build-the-login-page[\s\S]*nightshift\/t-2-build-the-signup-page/);
  });

  it('cancel of a running agent leaves no process behind, not even one that ignores SIGTERM or left the group', async () => {
    const { env, home, readRecord } = await agentEnv({ FAKE_CLI_MODE: 'hang', FAKE_CLI_IGNORE_TERM: '1', FAKE_CLI_ESCAPE: '1', SHUTDOWN_GRACE: '1s' });
    const d = startDaemon(env);
    await d.waitForOutput(/Type a request/);
    d.type('urgent: build the Spotify integration');
    await d.waitForOutput(/t-1 started/);
    await waitFor(async () => ((await readRecord().catch(() => null)) as { pids?: unknown } | null)?.pids !== undefined, 20_000, 'the agent and its children');
    const pids = Object.values(((await readRecord()) as unknown as { pids: Record<string, number> }).pids);
    expect(pids).toHaveLength(3);
    expect(pids.every(isAlive)).toBe(true);
    const r = await runCli(['cancel', 't-1'], env);
    expect(r.stdout).toMatch(/t-1 .* cancelled/);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(killStrays(home)).toBe(0); // nothing of the attempt was left to kill
    await taskWhen(env, 't-1', (t) => t.status === 'cancelled', 5_000, 'cancelled');
  });
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=Owner', '-c', 'user.email=o@example.com', ...args], { cwd, encoding: 'utf8' });

/** The owner's checkout, its origin on GitHub; offline, that URL is rewritten to a local bare repository, so a push lands on disk. */
async function repoOnGitHub(): Promise<{ owner: string; bare: string }> {
  const owner = await tempDir();
  const bare = await tempDir();
  git(bare, 'init', '-q', '--bare');
  git(owner, 'init', '-q', '-b', 'main');
  await writeFile(join(owner, 'app.ts'), 'export const app = 1;\n');
  git(owner, 'add', '-A');
  git(owner, 'commit', '-qm', 'initial');
  git(owner, 'remote', 'add', 'origin', 'https://github.com/acme/widgets.git');
  git(owner, 'config', `url.file://${bare}.insteadOf`, 'https://github.com/acme/widgets.git');
  return { owner, bare };
}

describe('deliverables beyond the branch', () => {
  it('OPEN_PR=true pushes the branch and opens a draft pull request with gh, keeping its URL', async () => {
    const { owner, bare } = await repoOnGitHub();
    const bin = await tempDir();
    const { copyFile, chmod } = await import('node:fs/promises');
    await copyFile(new URL('./fixtures/git/fake-gh.mjs', import.meta.url), join(bin, 'gh'));
    await chmod(join(bin, 'gh'), 0o755);
    const ghLog = join(bin, 'gh-calls.jsonl');
    const { env } = await agentEnv({ BUILD_REPO: owner, OPEN_PR: 'true', FAKE_GH_LOG: ghLog });
    env.PATH = [bin, env.PATH].join(delimiter);
    await runCli(['add', 'build a Spotify integration', '--priority', 'high'], env);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.stdout).toMatch(/t-1 .* is done .*https:\/\/github\.com\/acme\/widgets\/pull\/42/);
    const t = (await task(env, 't-1')) as JsonTask & { deliverables: { links: string[] } };
    expect(t.deliverables.links).toEqual(['https://github.com/acme/widgets/pull/42']);
    expect(git(bare, 'branch', '--list')).toContain('nightshift/t-1-build-a-spotify-integration');
    const call = JSON.parse((await readFile(ghLog, 'utf8')).trim().split('\n')[0]!) as { argv: string[] };
    expect(call.argv.slice(0, 3)).toEqual(['pr', 'create', '--draft']);
    expect(call.argv).toContain('nightshift/t-1-build-a-spotify-integration');
  });
});

describe('OPEN_PR without gh', () => {
  it('says so at start and in the "done" message: the branch is pushed, and why there is no pull request and what to install', async () => {
    const { owner, bare } = await repoOnGitHub();
    // A PATH with the fake agents, node and git, and no gh.
    const bin = await tempDir();
    const { symlink } = await import('node:fs/promises');
    await symlink(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
    await symlink(process.execPath, join(bin, 'node'));
    const { env } = await agentEnv({ OPEN_PR: 'true', BUILD_REPO: owner });
    env.PATH = [FAKE_CLI_DIR, bin].join(delimiter);
    await runCli(['add', 'build a Spotify integration', '--priority', 'high'], env);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.stdout).toMatch(/OPEN_PR is on, but gh \(the GitHub CLI\) is not on PATH; install it from https:\/\/cli\.github\.com and run "gh auth login"/);
    expect(run.stdout).toMatch(/t-1 "Build a Spotify integration" is done .* · pushed to origin\/nightshift\/t-1-build-a-spotify-integration .*no pull request: gh \(the GitHub CLI\) is not on PATH/);
    expect(git(bare, 'branch', '--list')).toContain('nightshift/t-1-build-a-spotify-integration');
    const t = (await task(env, 't-1')) as JsonTask & { deliverables: { noPullRequest?: string } };
    expect(t.deliverables.noPullRequest).toMatch(/gh \(the GitHub CLI\) is not on PATH/);
  });
});
