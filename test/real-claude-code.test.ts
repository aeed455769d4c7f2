// The real Claude Code CLI (from the npm registry, installed by `npm test`), driven by the real
// `nightshift` binary with its unchanged argv, offline against a local fake of the Anthropic
// Messages API (ANTHROPIC_BASE_URL). The fake CLIs elsewhere behave like this one; here the failure
// paths are read as the CLI really prints them: a rejected key, its own minutes of API retries, a
// 429 with and without the subscription's reset time, and a session resumed with --resume.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeMessagesApi, subscriptionLimitHeaders, type MessagesRequest, type Reply } from './fakes/anthropic/fake-messages-api.ts';
import { agentEnv, cleanUpAgents, startDaemon, task, untilSettled } from './helpers/agent-env.ts';
import { waitFor } from './helpers/agents.ts';
import { runCli } from './helpers/cli.ts';
import { killStrays } from './helpers/strays.ts';
import { realClaudeInstalled, realClaudeOnPath } from './helpers/real-claude.ts';

const KEY = 'sk-ant-api03-test-key-for-the-real-cli';
const apis: FakeMessagesApi[] = [];

// npm test installs the CLI beside the suite, the first time: a fresh machine waits for the download here.
beforeAll(realClaudeInstalled, 300_000);

afterEach(async () => {
  await cleanUpAgents();
  for (const api of apis.splice(0)) await api.stop();
});

/** Writes a file with the Bash tool, then says it is done: a whole small build. */
const buildsAFile = (r: MessagesRequest): Reply =>
  r.toolUseIds.length === 0 ? { kind: 'bash', command: "printf 'hello from claude\\n' > HELLO.md", description: 'Write HELLO.md' } : { kind: 'text', text: 'Wrote HELLO.md with a greeting.' };

async function realClaude(script: (r: MessagesRequest, i: number) => Reply, extra: Record<string, string> = {}) {
  const api = new FakeMessagesApi(script);
  apis.push(api);
  await api.start();
  const quiet = { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1', DISABLE_ERROR_REPORTING: '1' };
  const setup = await agentEnv({
    BUILDER: 'claude',
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: KEY,
    RETRY_BACKOFF: '100ms',
    ...quiet,
    // Tests reach only loopback: the CLI's telemetry, update check and error reports stay off.
    BUILDER_ENV_ALLOW: Object.keys(quiet).join(','),
    ...extra,
  });
  setup.env.PATH = `${await realClaudeOnPath(setup.home)}:${process.env.PATH ?? ''}`;
  for (const [k, v] of Object.entries(extra)) if (v === '') delete setup.env[k];
  return { api, ...setup };
}


describe('the real Claude Code CLI', () => {
  it('builds: runs its Bash tool in the worktree, and the branch holds the file, the summary is its last words', async () => {
    const { api, env } = await realClaude(buildsAFile);
    await runCli(['add', 'build a greeting file', '--priority', 'high'], env);
    const out = await untilSettled(env);
    const t = await task(env, 't-1');
    expect(t.status, out).toBe('done');
    expect(t.deliverables.changedFiles).toEqual(['HELLO.md']);
    expect(t.deliverables.summary).toBe('Wrote HELLO.md with a greeting.');
    expect(t.attempts[0]?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.attempts[0]?.usage?.turns).toBe(2);
    expect(api.requests).toHaveLength(2);
    expect(api.requests[0]?.credential).toBe(KEY);
    expect(api.requests[0]?.userText).toMatch(/build a greeting file/i);
    expect(out).toMatch(/t-1 "Build a greeting file" is done/);
  });

  it('a failed attempt\'s successor resumes the same session in the same worktree, told why the last one failed', async () => {
    const { api, env } = await realClaude((r, i) =>
      i === 1 ? { kind: 'error', status: 500, type: 'api_error', message: 'Internal server error', retry: false } : buildsAFile(r),
    );
    await runCli(['add', 'build a greeting file', '--priority', 'high'], env);
    const out = await untilSettled(env);
    const t = await task(env, 't-1');
    expect(t.status, out).toBe('done');
    expect(t.attempts.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);
    expect(t.attempts[1]?.sessionId).toBe(t.attempts[0]?.sessionId);
    const resumed = api.requests[2]!;
    // The conversation goes on: the CLI sent back its first attempt's tool call, read from its session store.
    expect(resumed.toolUseIds).toContain('toolu_1');
    expect(resumed.userText).toMatch(/Attempt 1 failed: Claude Code reported an API error \(server_error\)/); // why the last attempt failed
    expect(t.deliverables.changedFiles).toEqual(['HELLO.md']); // written by attempt 1, in the worktree attempt 2 ran in
  });

  it('a rejected API key is escalated at once, saying so, with no raw stream in the message', async () => {
    const { api, env } = await realClaude(() => ({ kind: 'error', status: 401, type: 'authentication_error', message: 'invalid x-api-key', retry: false }));
    await runCli(['add', 'build a greeting file', '--priority', 'high'], env);
    const out = await untilSettled(env);
    const t = await task(env, 't-1');
    expect(t.status, out).toBe('escalated');
    expect(t.attempts.map((a) => a.outcome)).toEqual(['failed']);
    expect(api.requests).toHaveLength(1); // no attempt spent on a key that cannot fix itself
    expect(out).toMatch(/Claude Code's credentials \(ANTHROPIC_API_KEY\) were rejected with HTTP 401 \("Invalid API key/);
    // its own words, once: not the stream, not its error code, not repeated by the result line
    expect(out).toMatch(/What it said last \(the whole log: \S+attempt-1\.log\):\nInvalid API key · Fix external API key\nSay "retry t-1"/);
    expect(out).not.toMatch(/\{"type":/);
  });

  it('while the CLI retries a failing API by itself, progress says so; cancel stops it', async () => {
    const { api, env, home } = await realClaude(() => ({ kind: 'error', status: 401, type: 'authentication_error', message: 'invalid x-api-key' }));
    const d = startDaemon(env);
    await d.waitForOutput(/Type a request/);
    d.type('urgent: build a greeting file');
    await d.waitForOutput(/API error 401, retry \d+\/10/); // progress is announced at most every 250 ms: any retry
    // It retried by itself (the console may have shown the first retry or a later one).
    await waitFor(() => api.requests.length >= 3, 20_000, 'a third request to the API');
    const r = await runCli(['cancel', 't-1'], env);
    expect(r.stdout).toMatch(/t-1 .* cancelled/);
    expect(killStrays(home)).toBe(0); // the CLI and everything it started are gone
    const seen = api.requests.length;
    expect(seen).toBeGreaterThanOrEqual(3);
    expect((await task(env, 't-1')).status).toBe('cancelled');
  });

  it('a 429 on an API key carries no reset time: the task waits for quota, saying it was not told when', async () => {
    const { env } = await realClaude(() => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: "This request would exceed your account's rate limit. Please try again later.", retry: false }));
    await runCli(['add', 'build a greeting file', '--priority', 'high'], env);
    const before = Date.now();
    const out = await untilSettled(env);
    const t = await task(env, 't-1');
    expect(t.attempts[0]).toMatchObject({ outcome: 'usage_limited', counts: false });
    expect(out).toMatch(/is waiting for quota: .*the agent gave no reset time/);
    const wait = Date.parse(t.retryAt!) - before;
    expect(wait).toBeGreaterThanOrEqual(5 * 60_000 - 1_000);
    expect(wait).toBeLessThan(6 * 60_000);
  });

  it('a subscription\'s usage limit waits until the reset the API gave', async () => {
    const resetsAt = new Date(Math.ceil((Date.now() + 2 * 3_600_000) / 1000) * 1000);
    const { api, env } = await realClaude(
      () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'usage limit reached', retry: false, headers: subscriptionLimitHeaders(resetsAt) }),
      { ANTHROPIC_API_KEY: '', CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-test-subscription-token' },
    );
    await runCli(['add', 'build a greeting file', '--priority', 'high'], env);
    const out = await untilSettled(env);
    const t = await task(env, 't-1');
    expect(api.requests[0]?.credential).toBe('sk-ant-oat01-test-subscription-token');
    expect(t.attempts[0], out).toMatchObject({ outcome: 'usage_limited', counts: false });
    expect(t.retryAt).toBe(resetsAt.toISOString());
    expect(out).toMatch(/is waiting for quota: Claude Code hit a usage limit \("You've hit your 5-hour limit · resets/);
  });
});
