// Projects through the real `nightshift start`, with Slack (the real Bolt app against the local fake
// Slack) and its console: a request is routed by the channel it was asked in, by name on the
// console, and a half name is asked about in Slack and answered there. Built work that never passes
// web's check is escalated in its thread with Retry / Accept anyway / Cancel; api-server's work that
// passes is pushed and gets a pull request whose body links back to its Slack thread.
import { copyFile, chmod, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentEnv, cleanUpAgents, startDaemon, task, taskWhen } from './helpers/agent-env.ts';
import { runCli } from './helpers/cli.ts';
import { git, PROJECT_AGENT, twoProjects } from './helpers/projects.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { startFakeSlack, type FakeSlack } from './fakes/slack/fake-slack.ts';
import { FAKE_PERMALINK_HOST } from './fakes/slack/defaults.ts';
import { appMention, eventCallback, mention, slashCommand } from './fakes/slack/payloads.ts';

const OWNER = 'U0OWNER';

let fake: FakeSlack | null = null;
afterEach(async () => {
  await cleanUpAgents();
  await fake?.stop();
  fake = null;
});

/** The task's status message in a channel (the root whose text names it), and the replies in its thread. */
function threadOf(f: FakeSlack, channel: string, id: string) {
  const root = f.messages(channel).find((m) => !m.thread_ts && new RegExp(`\\b${id}\\b`).test(JSON.stringify(m.blocks ?? m.text)));
  return { root, replies: root ? f.messages(channel).filter((m) => m.thread_ts === root.ts) : [] };
}

describe('projects with Slack, through the binary', () => {
  it('routes by channel and by name, asks about a half name, escalates failing checks with three buttons, and links the pull request to its thread', async () => {
    fake = await startFakeSlack({ ackTimeoutMs: 10_000 });
    const projects = await twoProjects({ apiOnGitHub: true, apiYaml: ['pull_request: ready'] });
    const bin = await tempDir();
    await copyFile(new URL('./fixtures/git/fake-gh.mjs', import.meta.url), join(bin, 'gh'));
    await chmod(join(bin, 'gh'), 0o755);
    const ghLog = join(bin, 'gh-calls.jsonl');
    const { env } = await agentEnv({
      BUILDER: PROJECT_AGENT,
      PROJECTS_FILE: projects.file,
      RETRY_BACKOFF: '100ms',
      FAKE_GH_LOG: ghLog,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_OWNER_ID: OWNER,
      SLACK_API_URL: fake.apiUrl,
    });
    env.PATH = [bin, env.PATH].join(delimiter);
    const daemon = startDaemon(env);
    await daemon.waitForOutput(/Slack: connected \(Socket Mode\)/);
    const f = fake;

    // By channel: a mention in web's channel, a /build in api-server's. (Urgent: they start now, whatever the hour.)
    await f.sendEnvelope('events_api', eventCallback(appMention({ text: `${mention()} urgent: build the answer module`, user: OWNER, channel: 'C0WEB' })));
    await taskWhen(env, 't-1', () => true, 10_000, 't-1');
    await f.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the answer module', userId: OWNER, channelId: 'C0API' }));
    await taskWhen(env, 't-2', () => true, 10_000, 't-2');
    // By name, on the console: the channel of nothing, the project it names.
    daemon.type('urgent: build the answer module in api-server');
    await daemon.waitForOutput(/t-3 "Build the answer module" in api-server/);
    // A half name, in Slack: asked about, and the answer queues it there.
    await f.sendEnvelope('events_api', eventCallback(appMention({ text: `${mention()} urgent: build the answer module in the api repo`, user: OWNER, channel: 'C0WEB' })));
    await f.waitFor(() => JSON.stringify(f.messages('C0WEB')).includes('did you mean api-server?'), 10_000, 'the question');
    await f.sendEnvelope('events_api', eventCallback(appMention({ text: `${mention()} api-server`, user: OWNER, channel: 'C0WEB' })));
    await taskWhen(env, 't-4', () => true, 10_000, 't-4');

    const where = async (id: string) => {
      const t = (await task(env, id)) as unknown as { project?: string; title: string };
      return `${t.title} in ${t.project}`;
    };
    // Each built where it was meant to be, without the half name in its title.
    expect([await where('t-1'), await where('t-2'), await where('t-3'), await where('t-4')]).toEqual([
      'Build the answer module in web',
      'Build the answer module in api-server',
      'Build the answer module in api-server',
      'Build the answer module in api-server',
    ]);

    await taskWhen(env, 't-1', (t) => t.status === 'escalated', 60_000, 't-1 escalated');
    for (const id of ['t-2', 't-3', 't-4']) await taskWhen(env, id, (t) => t.status === 'done', 60_000, `${id} done`);

    // web's work never passes its check: escalated in its thread with the failure's end and three buttons.
    await f.waitFor(() => threadOf(f, 'C0WEB', 't-1').replies.some((m) => /needs you/.test(m.text)), 45_000, 'the escalation');
    const esc = threadOf(f, 'C0WEB', 't-1').replies.find((m) => /needs you/.test(m.text))!;
    expect(esc.text).toMatch(/Last error: built, checks failing \(node \S*answer-check\.mjs exited with code 1/);
    expect(JSON.stringify(esc.blocks)).toContain('FAIL answer.test: expected \\"right\\", got \\"wrong\\"');
    expect(JSON.stringify(threadOf(f, 'C0WEB', 't-1').root?.blocks)).toContain('*Project*\\nweb'); // the card says where it builds
    expect((JSON.stringify(esc.blocks).match(/"action_id":"ns_[a-z]+"/g) ?? []).join(' ')).toBe('"action_id":"ns_retry" "action_id":"ns_accept" "action_id":"ns_cancel"');

    // api-server's passing work: pushed, with a pull request made ready, whose body links its thread.
    const t2 = (await task(env, 't-2')) as unknown as { deliverables: { branch: string; pushed?: string; links: string[] } };
    expect(t2.deliverables.pushed).toBe(`origin/${t2.deliverables.branch}`);
    expect(git(projects.apiRemote!, 'branch', '--list')).toContain(t2.deliverables.branch);
    expect(t2.deliverables.links).toEqual(['https://github.com/acme/widgets/pull/42']);
    const calls = (await readFile(ghLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { argv: string[] });
    const created = calls.find((c) => c.argv[1] === 'create' && c.argv.includes(t2.deliverables.branch))!;
    const body = created.argv[created.argv.indexOf('--body') + 1]!;
    expect(body).toMatch(/## Checks\n\nchecks passed \(node \S*answer-check\.mjs, \d+(ms|s)\)/);
    expect(body).toContain(`- Thread: ${FAKE_PERMALINK_HOST}/archives/C0API/p`);
    expect(calls.some((c) => c.argv[1] === 'ready')).toBe(true);
    await f.waitFor(() => threadOf(f, 'C0API', 't-2').replies.some((m) => /is done after/.test(m.text)), 45_000, 't-2 done in its thread');
    const done = threadOf(f, 'C0API', 't-2').replies.find((m) => /is done after/.test(m.text))!;
    expect(done.text).toMatch(/Checks passed/);
    expect(done.text).toContain(`Pushed to origin/${t2.deliverables.branch}`);

    // The morning briefing: the three api-server builds are built; t-1 only needs the owner.
    const summary = (await runCli(['summary'], env)).stdout;
    const built = summary.slice(summary.indexOf('Built:'), summary.indexOf('Needs you:') > summary.indexOf('Built:') ? summary.indexOf('Needs you:') : undefined);
    expect(built).toMatch(/t-2 .*checks passed/);
    expect(built).not.toContain('t-1');
    expect(summary).toMatch(/Needs you:\n {2}t-1 "Build the answer module" failed 3 times/);
    expect(f.rejected).toEqual([]); // every message passed the fake's Block Kit checks
  }, 150_000);
});
