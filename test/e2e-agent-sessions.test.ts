// Sessions that resume (issue 12): the next attempt continues the agent's own session in the same
// worktree, for every agent that can: Claude Code (named up front), Codex, Gemini CLI and OpenCode
// (named by the agent, read from its stream). The real `nightshift` binary and the fake CLIs.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/agents.ts';
import { agentEnv, cleanUpAgents, startDaemon, task, taskWhen, untilSettled, type JsonTask } from './helpers/agent-env.ts';
import { runCli } from './helpers/cli.ts';
import { killStrays } from './helpers/strays.ts';

afterEach(cleanUpAgents);

const RESUME_ARGS: Record<string, string> = { codex: 'resume', gemini: '--resume', opencode: '--session' };

/** A daemon building t-1 with the fake Claude Code at work (it records its pids once running). */
async function buildingClaude(env: NodeJS.ProcessEnv, readRecord: () => Promise<unknown>) {
  const d = startDaemon(env);
  await d.waitForOutput(/Type a request/);
  d.type('urgent: build the Spotify integration');
  await waitFor(async () => ((await readRecord().catch(() => null)) as { pids?: unknown } | null)?.pids !== undefined, 10_000, 'the agent running');
  return d;
}

describe('sessions that resume', () => {
  it('an interrupted Claude Code resumes its own session in the same worktree after a crash', async () => {
    const { env, readRecord, home } = await agentEnv({ FAKE_CLI_MODE: 'hang', RETRY_BACKOFF: '100ms' });
    const first = await buildingClaude(env, readRecord);
    const before = await readRecord();
    const named = before.argv[before.argv.indexOf('--session-id') + 1];
    expect(named).toMatch(/^[0-9a-f-]{36}$/); // nightshift named the session up front
    first.child.kill('SIGKILL'); // the machine goes down mid-build: nightshift and the agent with it
    await first.exited;
    killStrays(home);

    const second = startDaemon({ ...env, FAKE_CLI_MODE: 'succeed' });
    const t = await taskWhen(env, 't-1', (x) => x.status === 'done', 20_000, 't-1 done after the restart').catch((e: Error) => {
      throw new Error(`${e.message}\n--- stdout:\n${second.stdout}\n--- stderr:\n${second.stderr}`);
    });
    const after = await readRecord();
    expect(after.argv.slice(after.argv.indexOf('--resume'), after.argv.indexOf('--resume') + 2)).toEqual(['--resume', named]);
    expect(after.cwd).toBe(before.cwd); // the same worktree, where the session is kept
    expect(t.attempts.map((a) => [a.outcome, a.sessionId])).toEqual([['interrupted', named], ['succeeded', named]]);
  });

  it('a session that cannot be resumed makes the next attempt start a fresh one, on the same branch', async () => {
    const { env, readRecord, home } = await agentEnv({ FAKE_CLI_MODE: 'hang', RETRY_BACKOFF: '100ms' });
    const first = await buildingClaude(env, readRecord);
    const named = (await readRecord()).argv.find((a, i, all) => all[i - 1] === '--session-id');
    first.child.kill('SIGKILL');
    await first.exited;
    killStrays(home); // the agent went down with it
    // The agent's own session store is lost (another machine, a cleaned home).
    await rm(join(home, '.claude'), { recursive: true, force: true });
    startDaemon({ ...env, FAKE_CLI_MODE: 'succeed' });
    const t = (await taskWhen(env, 't-1', (x) => x.status === 'done', 20_000, 't-1 done with a fresh session')) as JsonTask & { attempts: { reason?: string }[] };
    expect(t.attempts.map((a) => a.outcome)).toEqual(['interrupted', 'failed', 'succeeded']);
    expect(t.attempts[1]?.reason).toMatch(/could not resume its earlier session .* the next attempt starts a fresh session on the same branch/);
    expect(t.attempts[2]?.sessionId).not.toBe(named);
    expect((await readRecord()).argv).toContain('--session-id');
  });

  it.each(['codex', 'gemini', 'opencode'])('%s: a failed attempt\'s successor continues the session the agent reported, in the same worktree', async (cli) => {
    const { env, readRecord } = await agentEnv({ BUILDER: cli, FAKE_CLI_MODE: 'fail-once', RETRY_BACKOFF: '100ms', OPENAI_API_KEY: 'sk-test', GEMINI_API_KEY: 'g-test' });
    await runCli(['add', 'build the login page', '--priority', 'high'], env);
    await untilSettled(env);
    const t = await task(env, 't-1');
    const [first, second] = t.attempts;
    expect([first?.outcome, second?.outcome]).toEqual(['failed', 'succeeded']);
    expect(first?.sessionId).toBeTruthy(); // as the agent reported it
    expect(second?.sessionId).toBe(first?.sessionId);
    const last = await readRecord();
    const flag = RESUME_ARGS[cli]!;
    expect(last.argv.slice(last.argv.indexOf(flag), last.argv.indexOf(flag) + 2)).toEqual([flag, first?.sessionId]);
    expect({ session: last.session, resumed: last.resumed }).toEqual({ session: first?.sessionId, resumed: true });
    expect(last.cwd).toBe(t.deliverables.workspace);
  });

  it('codex interrupted by a crash: the next start reads the thread it reported out of its log, and resumes it', async () => {
    const { env, readRecord, home } = await agentEnv({ BUILDER: 'codex', FAKE_CLI_MODE: 'hang', RETRY_BACKOFF: '100ms', OPENAI_API_KEY: 'sk-test' });
    const first = startDaemon(env);
    await first.waitForOutput(/Type a request/);
    first.type('urgent: build the Spotify integration');
    await waitFor(async () => (await readRecord().catch(() => null))?.session !== undefined, 10_000, 'the agent running');
    const thread = (await readRecord()).session!;
    // Killed once nightshift has the thread in its log (a line it had read but not yet written
    // when it died would be lost with it: the session then starts afresh, told what happened).
    const log = join(home, 'logs', 't-1', 'attempt-1.log');
    await waitFor(async () => (await readFile(log, 'utf8').catch(() => '')).includes(thread), 10_000, 'the thread id in the log');
    first.child.kill('SIGKILL'); // the machine goes down: nightshift and the agent with it
    await first.exited;
    killStrays(home);
    startDaemon({ ...env, FAKE_CLI_MODE: 'succeed' });
    const t = await taskWhen(env, 't-1', (x) => x.status === 'done', 20_000, 't-1 done after the restart');
    expect(t.attempts.map((a) => [a.outcome, a.sessionId])).toEqual([['interrupted', thread], ['succeeded', thread]]);
    expect((await readRecord()).resumed).toBe(true);
  });

  it('an agent that fails again in the session it resumed starts a fresh one next, not the same resume a third time', async () => {
    const { env } = await agentEnv({ BUILDER: 'codex', FAKE_CLI_MODE: 'fail', RETRY_BACKOFF: '100ms', OPENAI_API_KEY: 'sk-test' });
    await runCli(['add', 'build the login page', '--priority', 'high'], env);
    await untilSettled(env);
    const t = await task(env, 't-1');
    expect(t.status).toBe('escalated');
    const [s1, s2, s3] = t.attempts.map((a) => a.sessionId);
    expect(s1).toBeTruthy();
    expect(s2).toBe(s1);
    expect(s3).toBeTruthy();
    expect(s3).not.toBe(s1);
  });
});

describe('FALLBACK_BUILDER', () => {
  it('takes a task over at once, in the same worktree, when BUILDER stops at its usage limit; and only it gets its own credentials', async () => {
    const { env, readRecord } = await agentEnv({
      BUILDER: 'claude',
      FALLBACK_BUILDER: 'codex',
      FAKE_CLI_MODE_CLAUDE: 'usage-limit',
      OPENAI_API_KEY: 'sk-openai-test',
      BUILDER_ENV_ALLOW: 'FAKE_CLI_MODE,FAKE_CLI_MODE_CLAUDE,FAKE_CLI_RECORD',
    });
    await runCli(['add', 'build the login page', '--priority', 'high'], env);
    const run = await runCli(['run', '--until-idle'], env);
    expect(run.stdout).toMatch(/When Claude Code hits its usage limit, OpenAI Codex CLI takes the task over \(FALLBACK_BUILDER\)/);
    expect(run.stdout).toMatch(/OpenAI Codex CLI \(FALLBACK_BUILDER\) takes it over now, in the same worktree/);
    const t = await task(env, 't-1');
    expect(t.status).toBe('done');
    expect(t.attempts.map((a) => [a.outcome, a.builder, a.counts])).toEqual([
      ['usage_limited', 'Claude Code', false],
      ['succeeded', 'OpenAI Codex CLI', true],
    ]);
    const codex = await readRecord();
    expect(codex.cli).toBe('codex');
    expect(codex.cwd).toBe(t.deliverables.workspace);
    expect(codex.argv).not.toContain('resume'); // Claude's session is not Codex's
    expect(codex.env.OPENAI_API_KEY).toBe('sk-openai-test');
    expect(codex.env.ANTHROPIC_API_KEY).toBeUndefined(); // Claude's key stays with Claude
  });

  it('is refused at start when it is BUILDER itself, or not an agent', async () => {
    const { env } = await agentEnv({ BUILDER: 'claude', FALLBACK_BUILDER: 'claude' });
    const same = await runCli(['start'], env);
    expect(same.code).toBe(78);
    expect(same.stderr).toMatch(/FALLBACK_BUILDER: "claude" is BUILDER itself/);
    const demo = await runCli(['start'], { ...env, FALLBACK_BUILDER: 'demo' });
    expect(demo.stderr).toMatch(/FALLBACK_BUILDER: expected an agent/);
  });
});
