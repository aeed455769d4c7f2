// The faults fault injection found (issue 12), each as a person would meet it, each named after it:
// secrets that reached a log, bad input that was accepted or misread. Real builders, stores and the
// real `nightshift` binary.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { redact } from '../src/logger.ts';
import { parseTaskId } from '../src/core/task.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { cliEnv, runCli } from './helpers/cli.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

describe('secrets never reach a log', () => {
  const KEY = 'sk-live-0123456789abcdef';
  const DB_PASSWORD = 'hunter2-correct-horse';

  it('a password inside a URL value is redacted, in its URL and on its own; a short one inside any URL too', async () => {
    const home = await tempDir();
    const config = loadConfig({ NIGHTSHIFT_HOME: home, OWNER_TZ: 'Europe/London', BUILDER: 'demo', DATABASE_URL: `postgres://app:${DB_PASSWORD}@db.internal:5432/app` });
    const said = redact(`connecting to postgres://app:${DB_PASSWORD}@db.internal:5432/app (password ${DB_PASSWORD})`, config.secrets);
    expect(said).toBe('connecting to postgres://app:[redacted]@db.internal:5432/app (password [redacted])');
    expect(redact('see https://bob:pw@git.example.com/repo.git and my password is fine', [])).toBe('see https://bob:[redacted]@git.example.com/repo.git and my password is fine');
  });

  it('an attempt log holds no secret the agent printed, even one split across two writes', async () => {
    const dataDir = await tempDir();
    const secrets = [KEY, DB_PASSWORD];
    const builder = fakeAgentBuilder('leaky', dataDir, { env: { PATH: process.env.PATH ?? '', MY_API_KEY: KEY, DB_PASSWORD }, redact: (t) => redact(t, secrets) });
    const task = makeTask({ id: 't-9', spec: 'upload the report' });
    const plan = builder.plan(task, 1);
    const result = await builder.start({ task, attempt: 1, plan, timeoutMs: 20_000, onProgress: () => undefined }).result;
    expect(result.outcome).toBe('succeeded');
    const log = await readFile(plan.logPath, 'utf8');
    expect(log).toContain('using key [redacted] for the upload');
    expect(log).toContain('connecting to postgres://app:[redacted]@db.internal/app');
    expect(log).not.toContain(KEY);
    expect(log).not.toContain(DB_PASSWORD);
    expect(log).not.toContain(KEY.slice(0, 12));
  });
});

describe('bad input is refused, clearly, with the right exit code', () => {
  it('`add ""` queues nothing and exits non-zero, saying what to add', async () => {
    const home = await tempDir();
    const r = await runCli(['add', ''], cliEnv(home));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('add needs something to build, like: nightshift add "a hello-world CLI by tonight". Nothing was queued.\n');
    const hint = await runCli(['add', 'thanks!'], cliEnv(home));
    expect(hint.code).toBe(1);
    expect(hint.stderr).toMatch(/Nothing was queued\.\n$/);
    const status = await runCli(['status', '--json'], cliEnv(home));
    expect(JSON.parse(status.stdout)).toEqual([]);
  });

  it('an id too long to be one is "not a task id", never "t-1e+21"', async () => {
    expect(parseTaskId('t-1000000000000000000000')).toBeNull();
    expect(parseTaskId('t-123456789012345')).toBe('t-123456789012345');
    const r = await runCli(['status', 't-1000000000000000000000'], cliEnv(await tempDir()));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('"t-1000000000000000000000" is not a task id; ids look like t-7\n');
  });

  it.each([
    ['build a CSV export --eta -3h', '--eta must be a duration like 4h, 90m or 1h30m (got "-3h"). Nothing was queued.'],
    ['build a CSV export by the year 3000', '"by the year 3000" is not a date I can read; say it like "by friday 5pm", "by Dec 3" or "in 3 hours". Nothing was queued.'],
    ['build a CSV export by February 30', '"by February 30" is not a date I can read; say it like "by friday 5pm", "by Dec 3" or "in 3 hours". Nothing was queued.'],
    ['build a CSV export by 25:99', '"by 25:99" is not a date I can read; say it like "by friday 5pm", "by Dec 3" or "in 3 hours". Nothing was queued.'],
  ])('`add %j` is refused: %s', async (text, said) => {
    const home = await tempDir();
    const r = await runCli(['add', text], cliEnv(home));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${said}\n`);
    expect(JSON.parse((await runCli(['status', '--json'], cliEnv(home))).stdout)).toEqual([]);
  });
});
