// Team mode through the binaries, on a real PostgreSQL: `nightshift start` with BUILD_ON=workers
// dispatches through pg-boss, two `nightshift worker` processes (each its own machine: its own
// NIGHTSHIFT_HOME) take the attempts, and one of them dies mid-build (SIGKILL, with the agent it ran,
// as when its machine goes down). Its attempt is declared lost within WORKER_TIMEOUT and built by
// the other worker; every task is done once, and no task ever ran on two workers at once.
import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/agents.ts';
import { taskWhen } from './helpers/agent-env.ts';
import { cliEnv, runCli } from './helpers/cli.ts';
import { query, testDatabase } from './helpers/postgres.ts';
import { killStrays } from './helpers/strays.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { alive, ledgerEntries, startWorker as startTeamWorker, teamDaemon as startTeamDaemon, TEAM_AGENT, type Cleanups, type LedgerEntry } from './helpers/team.ts';
import { startFakeSlack, type FakeSlack } from './fakes/slack/fake-slack.ts';
import { slashCommand } from './fakes/slack/payloads.ts';

const AGENT = TEAM_AGENT;
const OWNER = 'U0OWNER';
/** Each task is asked for in a channel of its own: Slack paces a bot's posts per channel (about one a second). */
const channelOf = (id: string) => `C0TEAM${id.slice(2)}`;

/** A task's status card in its channel (the root whose text names it) and the replies in its thread. */
function threadOf(f: FakeSlack, id: string) {
  const channel = channelOf(id);
  const root = f.messages(channel).find((m) => !m.thread_ts && new RegExp(`\\b${id}\\b`).test(m.text));
  return root ? f.messages(channel).filter((m) => m.thread_ts === root.ts) : [];
}

beforeAll(async () => (await testDatabase()).drop(), 240_000);

type Entry = LedgerEntry;

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const startWorker = (_name: string, env: NodeJS.ProcessEnv) => startTeamWorker(env, cleanups);
const teamDaemon = (extra: Record<string, string> = {}) => startTeamDaemon(cleanups, extra);

describe('team mode: a daemon and two workers on one PostgreSQL', () => {
  it('ten tasks from Slack spread over two workers; one worker killed mid-build; its attempt is built by the other, and its card tells so; nothing lost, nothing twice at once', async () => {
    const slack = await startFakeSlack({ ackTimeoutMs: 10_000 });
    cleanups.push(() => slack.stop());
    const { db, ledger, common, daemonEnv, daemon } = await teamDaemon({
      RETRY_BACKOFF: '100ms',
      MAX_PARALLEL_BUILDS: '4',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_OWNER_ID: OWNER,
      SLACK_API_URL: slack.apiUrl,
    });
    await daemon.waitForOutput(/Slack: connected/);
    const worker = async (name: string, extra: Record<string, string> = {}) =>
      startWorker(name, cliEnv(await tempDir(), { ...common, BUILDER: AGENT, WORKER_SLOTS: '2', BUILDER_ENV_ALLOW: 'TEAM_LEDGER,TEAM_WORKER_NAME,TEAM_WORK_MS,TEAM_GATE', TEAM_LEDGER: ledger, TEAM_WORKER_NAME: name, TEAM_WORK_MS: '1500', ...extra }));
    // Worker a's agents wait on a gate that never opens: whatever a takes is still at work when it
    // is killed, however fast or slow the tasks arrive.
    const a = await worker('a', { TEAM_GATE: await tempDir() });
    const b = await worker('b');
    await waitFor(() => /nightshift worker .*2 slots/.test(a.out()) && /nightshift worker .*2 slots/.test(b.out()), 20_000, 'both workers up');
    expect((await runCli(['workers'], daemonEnv)).stdout.split('\n').filter((l) => /0\/2 busy/.test(l))).toHaveLength(2);

    for (let i = 1; i <= 10; i++) {
      await slack.sendEnvelope('slash_commands', slashCommand({ text: `urgent: build widget number ${i}`, userId: OWNER, channelId: channelOf(`t-${i}`) }));
      await taskWhen(daemonEnv, `t-${i}`, () => true, 10_000, `t-${i} queued`);
    }
    const entries = () => ledgerEntries(ledger);
    // Kill worker a while one of its agents is at work: the worker, its keeper and agent, as a machine going down.
    const inFlightOnA = (log: Entry[]) => log.some((s) => s.worker === 'a' && s.event === 'start' && !log.some((e) => e.event === 'end' && e.task === s.task && e.attempt === s.attempt));
    await waitFor(async () => inFlightOnA(await entries()), 30_000, 'worker a building');
    a.child.kill('SIGKILL');
    killStrays(a.home);
    const killedAt = Date.now();

    await waitFor(async () => (await entries()).filter((e) => e.event === 'end').length >= 10 && (await runCli(['status', '--active', '--json'], daemonEnv)).stdout.trim() === '[]', 90_000, 'all ten built');
    for (let i = 1; i <= 10; i++) await taskWhen(daemonEnv, `t-${i}`, (t) => t.status === 'done', 20_000, `t-${i} done`);

    const log = await entries();
    // Every task was built to the end (by one attempt that counted; an agent that finished just as
    // its worker died has its end in the ledger too, but that attempt was never recorded).
    expect(new Set(log.filter((e) => e.event === 'end').map((e) => e.task))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `t-${i + 1}`)));
    // What worker a was running when it died was declared lost and built again by b, after a died.
    const lost = await query<{ task_id: string; attempt: number; worker_id: string }>(db.url, "SELECT task_id, attempt, worker_id FROM nightshift_runs WHERE state = 'lost'");
    expect(lost.length).toBeGreaterThan(0);
    for (const run of lost) {
      // Worker a's: taken by it (its agent may not have started yet when it died).
      expect(run.worker_id).toBe(/nightshift worker (\S+):/.exec(a.out())?.[1]);
      const t = JSON.parse((await runCli(['status', run.task_id, '--json'], daemonEnv)).stdout) as { attempts: { outcome: string; reason?: string }[] };
      expect(t.attempts.map((x) => x.outcome)).toEqual(['failed', 'succeeded']);
      expect(t.attempts[0]?.reason).toBe(`the attempt was lost: its worker stopped answering (${run.worker_id})`);
      const again = log.find((e) => e.task === run.task_id && e.event === 'start' && e.attempt === run.attempt + 1);
      expect(again?.worker).toBe('b');
      expect(again!.at).toBeGreaterThan(killedAt);
    }
    // Never two agents on one task at once: each start comes after the previous attempt's end (or its worker's death).
    for (const task of new Set(log.map((e) => e.task))) {
      const starts = log.filter((e) => e.task === task && e.event === 'start').sort((x, y) => x.at - y.at);
      for (let i = 1; i < starts.length; i++) {
        const prev = starts[i - 1]!;
        const prevEnd = log.find((e) => e.task === task && e.event === 'end' && e.attempt === prev.attempt)?.at ?? killedAt;
        expect(starts[i]!.at).toBeGreaterThanOrEqual(prevEnd);
      }
    }
    // Both workers took a share (a until it died); the daemon's console told the story of the lost attempt.
    expect(new Set(log.filter((e) => e.event === 'start').map((e) => e.worker))).toEqual(new Set(['a', 'b']));
    expect(daemon.stdout).toMatch(/attempt 1 .*failed \(the attempt was lost: its worker stopped answering/);
    // The chat card of each lost attempt's task tells the story: lost, retried, done.
    for (const run of lost) {
      await slack.waitFor(() => threadOf(slack, run.task_id).some((m) => /is done after/.test(m.text)), 20_000, `${run.task_id} done in its thread`);
      const story = threadOf(slack, run.task_id).map((m) => m.text).join('\n');
      expect(story).toMatch(/Attempt 1 failed: the attempt was lost: its worker stopped answering \(.+\)\. Retrying at/);
      expect(story.indexOf('Attempt 1 failed')).toBeLessThan(story.indexOf('is done after'));
    }
    const rows = await query<{ state: string; n: string }>(db.url, 'SELECT state, count(*) AS n FROM nightshift_runs GROUP BY state ORDER BY state');
    expect(rows).toEqual([
      { state: 'ended', n: '10' },
      { state: 'lost', n: String(lost.length) },
    ]);
  }, 150_000);

  it('a cancel reaches the worker: its agent is ended, the task is cancelled, and workers lists who runs what', async () => {
    const { db, ledger, common, daemonEnv } = await teamDaemon();
    const w = startWorker('solo', cliEnv(await tempDir(), { ...common, BUILDER: AGENT, WORKER_LABELS: 'linux,big', BUILDER_ENV_ALLOW: 'TEAM_LEDGER,TEAM_WORKER_NAME,TEAM_WORK_MS', TEAM_LEDGER: ledger, TEAM_WORKER_NAME: 'solo', TEAM_WORK_MS: '60000' }));
    await waitFor(() => /nightshift worker .*1 slot, labels linux, big/.test(w.out()), 20_000, 'the worker up');
    await runCli(['add', 'build a long thing', '--priority', 'high'], daemonEnv);
    await waitFor(async () => (await readFile(ledger, 'utf8').catch(() => '')).includes('"start"'), 20_000, 'the agent at work');
    const agentPid = (JSON.parse((await readFile(ledger, 'utf8')).split('\n')[0]!) as { pid: number }).pid;
    const listed = (await runCli(['workers'], daemonEnv)).stdout;
    expect(listed).toMatch(/\[linux, big\] · 1\/1 busy: t-1 attempt 1/);

    const r = await runCli(['cancel', 't-1'], daemonEnv);
    expect(r.stdout).toMatch(/t-1 .* cancelled/);
    const t = JSON.parse((await runCli(['status', 't-1', '--json'], daemonEnv)).stdout) as { status: string };
    expect(t.status).toBe('cancelled');
    await waitFor(() => !alive(agentPid), 10_000, 'the agent ended');
    expect(await readFile(ledger, 'utf8')).not.toContain('"end"');
    expect(await query<{ state: string }>(db.url, 'SELECT state FROM nightshift_runs')).toEqual([{ state: 'ended' }]);
  }, 90_000);

  it('one worker per home: a second is refused; a worker that dies takes its agent with it, and one restarted there ends whatever outlived its predecessor', async () => {
    const { ledger, common, daemonEnv } = await teamDaemon({ RETRY_BACKOFF: '100ms' });
    const env = cliEnv(await tempDir(), { ...common, BUILDER: AGENT, BUILDER_ENV_ALLOW: 'TEAM_LEDGER,TEAM_WORKER_NAME,TEAM_WORK_MS', TEAM_LEDGER: ledger, TEAM_WORKER_NAME: 'one', TEAM_WORK_MS: '60000' });
    const first = startWorker('one', env);
    await waitFor(() => /nightshift worker /.test(first.out()), 20_000, 'the worker up');
    const twin = await runCli(['worker'], env);
    expect(twin.code).toBe(1);
    expect(twin.stderr).toMatch(/nightshift is already running on .* \(pid \d+, worker, since/);

    await runCli(['add', 'build a long thing', '--priority', 'high'], daemonEnv);
    const startOf = async (attempt: number) => (await ledgerEntries(ledger)).find((e) => e.event === 'start' && e.attempt === attempt);
    await waitFor(async () => (await startOf(1)) !== undefined, 20_000, 'the agent at work');
    const firstAgent = (await startOf(1))!.pid;
    // The worker process alone dies (a crash, the OOM killer): its agent's keeper ends the agent,
    // which would otherwise build on beside the attempt the daemon gives to another worker.
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('close', r));
    await waitFor(() => !alive(firstAgent), 10_000, 'the agent ended with its worker');
    expect((await ledgerEntries(ledger)).map((e) => `${e.attempt} ${e.event}`)).toEqual(['1 start', '1 stopped']);

    // Restarted there, it finds nothing left at work, and builds the retry.
    const second = startWorker('one again', env);
    await waitFor(async () => (await startOf(2)) !== undefined, 20_000, 'attempt 2 at work');
    expect(second.out()).not.toMatch(/Ended \d+ process/);
    // This time its keeper dies with it (SIGKILLed both): the agent is left alone, still at work, and
    // the next worker to start in this home ends it before it takes any work.
    const secondAgent = (await startOf(2))!.pid;
    const keeper = Number((await readFile(`/proc/${secondAgent}/stat`, 'utf8')).split(') ')[1]!.split(' ')[1]);
    process.kill(keeper, 'SIGKILL');
    second.child.kill('SIGKILL');
    await new Promise((r) => second.child.once('close', r));
    expect(alive(secondAgent)).toBe(true);
    const third = startWorker('one once more', env);
    await waitFor(() => /Ended 1 process a worker that died here had left at work/.test(third.out()), 20_000, 'the leftover ended');
    // Its run is given up at once (the agent never finished), not after WORKER_TIMEOUT.
    await waitFor(() => /t-1 attempt 2 was unfinished when the worker before this one died here: given up, the daemon builds it again/.test(third.out()), 10_000, 'the run given up');
    await waitFor(() => !alive(secondAgent), 10_000, 'the old agent gone');
    await runCli(['cancel', 't-1'], daemonEnv);
  }, 90_000);

  it('a task asking for a label (--on macos) waits, saying so, until a worker with it is up, and only such a worker builds it', async () => {
    const { ledger, common, daemonEnv } = await teamDaemon();
    const worker = (name: string, labels: string) =>
      startWorker(name, cliEnv(tempHome(), { ...common, BUILDER: AGENT, WORKER_LABELS: labels, BUILDER_ENV_ALLOW: 'TEAM_LEDGER,TEAM_WORKER_NAME,TEAM_WORK_MS', TEAM_LEDGER: ledger, TEAM_WORKER_NAME: name, TEAM_WORK_MS: '300' }));
    const homes: string[] = [await tempDir(), await tempDir()];
    const tempHome = () => homes.shift() as string;
    const gpu = worker('gpu-box', 'gpu');
    await waitFor(() => /labels gpu/.test(gpu.out()), 20_000, 'the gpu worker up');
    // --on asks for a label, one a worker has or one none has yet ("on gpu" in words: worker-label.test.ts).
    expect((await runCli(['add', 'render the intro frames --on gpu', '--priority', 'high'], daemonEnv)).stdout).toMatch(/t-1 "Render the intro frames" on a gpu worker/);
    const mac = await runCli(['add', 'build the installer --on macos', '--priority', 'high'], daemonEnv);
    expect(mac.stdout).toMatch(/t-2 "Build the installer" on a macos worker/);
    await waitFor(async () => (await runCli(['status', 't-2'], daemonEnv)).stdout.includes('waiting for a worker labelled macos: none is up'), 10_000, 't-2 saying what it waits for');
    await waitFor(async () => (await readFile(ledger, 'utf8').catch(() => '')).includes('"end"'), 20_000, 't-1 built');
    const macBox = worker('mac-mini', 'macos');
    await waitFor(async () => (await readFile(ledger, 'utf8').catch(() => '')).split('"end"').length === 3, 20_000, 't-2 built');
    const log = (await readFile(ledger, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string; task: string; worker: string });
    expect(log.filter((e) => e.event === 'start').map((e) => `${e.task} on ${e.worker}`)).toEqual(['t-1 on gpu-box', 't-2 on mac-mini']);
    void macBox;

    const local = await runCli(['add', 'build the installer --on macos'], cliEnv(await tempDir()));
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('--on macos asks for a worker, but this nightshift builds on its own machine (BUILD_ON=local)');
  }, 90_000);
});

