// Finished means checked (issue 16, first part): BUILD_CHECK, the project's own check, runs in the
// worktree after the agent finishes, through the real binary. A failing check is a failed attempt
// whose successor is told the failure; passing is what "done" means; never fixed, it is escalated
// as "built, checks failing" with the failure's end, and never counted as built, unless the owner
// accepts the work as it is ("accept t-1"): then it is done, said as accepted with checks failing.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { agentEnv, cleanUpAgents, task, untilSettled } from './helpers/agent-env.ts';
import { runCli } from './helpers/cli.ts';

afterEach(cleanUpAgents);

const AGENT = fileURLToPath(new URL('./fixtures/agents/answer.mjs', import.meta.url));
const CHECK = fileURLToPath(new URL('./fixtures/checks/answer-check.mjs', import.meta.url));


const setup = (extra: Record<string, string> = {}) =>
  agentEnv({ BUILDER: AGENT, BUILD_CHECK: JSON.stringify([process.execPath, CHECK]), RETRY_BACKOFF: '100ms', BUILDER_ENV_ALLOW: 'FAKE_NEVER_FIX', ...extra });

describe('the project\'s own check decides "done"', () => {
  it('a failing check fails the attempt; the next one is told the failure, fixes it, and is done with "checks passed"', async () => {
    const { env } = await setup();
    await runCli(['add', 'build the answer module', '--priority', 'high'], env);
    const out = await untilSettled(env);
    const t = (await task(env, 't-1')) as unknown as { status: string; attempts: { outcome: string; reason?: string; logPath: string; checks?: { outcome: string; command: string } }[] };
    expect(t.status, out).toBe('done');
    expect(t.attempts.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);
    expect(t.attempts[0]!.reason).toMatch(/^built, checks failing \(node .*answer-check\.mjs exited with code 1 after \d+(ms|s)\)$/);
    expect(t.attempts[0]!.checks?.outcome).toBe('failed');
    expect(t.attempts[1]!.checks?.outcome).toBe('passed');
    // The check's own output is in the attempt's log, where the next attempt's prompt reads it.
    expect(await readFile(t.attempts[0]!.logPath, 'utf8')).toMatch(/# checks: node .*answer-check\.mjs[\s\S]*FAIL answer\.test: expected "right", got "wrong"/);
    expect(out).toMatch(/t-1 "Build the answer module" is done after .* · checks passed \(node .*answer-check\.mjs, \d+(ms|s)\)/);
  });

  it('never fixed: escalated as "built, checks failing" with the failure, not counted as built until the owner accepts it as it is', async () => {
    const { env } = await setup({ FAKE_NEVER_FIX: '1' });
    await runCli(['add', 'build the answer module', '--priority', 'high'], env);
    const out = await untilSettled(env);
    const t = await task(env, 't-1');
    expect(t.status, out).toBe('escalated');
    expect(t.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(out).toMatch(/failed 3 times and needs you\. Last error: built, checks failing/);
    expect(out).toMatch(/FAIL answer\.test: expected "right", got "wrong"/); // the end of the failure, in the escalation
    // The work is built; only the checks stand in the way: the owner may take it as it is.
    expect(out).toContain('Say "retry t-1" to try again, "accept t-1" to take the work as it is, or "cancel t-1" to drop it.');
    const summary = await runCli(['summary'], env);
    expect(summary.stdout).not.toMatch(/Built:/);
    expect(summary.stdout).toMatch(/Needs you:\n {2}t-1 "Build the answer module" failed 3 times.* · "retry t-1", "accept t-1" or "cancel t-1"/);

    const accepted = await runCli(['accept', 't-1'], env);
    expect(accepted.stdout, accepted.stderr).toMatch(/^t-1 "Build the answer module" accepted with checks failing/);
    expect(accepted.code).toBe(0);
    expect((await task(env, 't-1')).status).toBe('done');
    const after = await runCli(['summary'], env);
    expect(after.stdout).toMatch(/Built:\n {2}t-1 "Build the answer module" · .* · accepted by cli with checks failing \(node .*answer-check\.mjs exited with code 1 after \d+(ms|s)\)/);
    expect(after.stdout).not.toMatch(/checks passed|Needs you/);
  });
});
