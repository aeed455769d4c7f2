// The same core scenario, said through Slack and through Discord (the real Bolt app and the real
// discord.js client, each against its local fake), must leave the same task states: the adapters
// differ only in rendering and transport. Each platform gets a driver that knows how to say the
// scenario's steps there; the scenario and the comparison know nothing of either.
import { beforeAll, describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../src/adapters/discord/discord-adapter.ts';
import { SlackAdapter } from '../src/adapters/slack/slack-adapter.ts';
import { Engine } from '../src/core/engine.ts';
import { silentLogger } from '../src/core/ports.ts';
import type { Task } from '../src/core/task.ts';
import { waitFor } from './helpers/agents.ts';
import { FAKE_ACK_GIVE_UP_MS, slashAnswer, timeBotAcks } from './helpers/slack-acks.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { chatEngine } from './helpers/chat-engine.ts';
import { startFakeDiscord, type FakeDiscord } from './fakes/discord/fake-discord.ts';
import { FAKE_CHANNEL_ID } from './fakes/discord/defaults.ts';
import { startFakeSlack, type FakeSlack } from './fakes/slack/fake-slack.ts';
import { blockAction, eventCallback, threadReply } from './fakes/slack/payloads.ts';

type Who = 'owner' | 'requester' | 'stranger';
type Verb = 'approve' | 'reject' | 'cancel' | 'retry';

/** What a person can do on a chat platform, in the scenario's words. */
interface Driver {
  engine: Engine;
  /** Resolves with the answer the person is shown (JSON of the platform's message). */
  request(who: Who, text: string): Promise<string>;
  press(who: Who, verb: Verb, taskId: string): Promise<void>;
  /** Presses a button the person may not use; resolves with the refusal they alone are shown. */
  pressRefused(who: Who, verb: Verb, taskId: string): Promise<string>;
  replyInThread(who: Who, taskId: string, text: string): Promise<void>;
  /** Resolves once the platform has been told something about the task (its card exists). */
  cardShown(taskId: string): Promise<void>;
  /** Checks what the platform asks of the bot's timing (Slack: every envelope acked within 3 s). */
  expectTimelyAnswers(): void;
  stop(): Promise<void>;
}

/** Builds one at a time, so both runs see the same order. */
const engineIn = (dir: string) => chatEngine(dir, { env: { FAKE_STEP_MS: '100' }, policy: { maxParallelBuilds: 1 } });

async function slackDriver(): Promise<Driver> {
  const ids: Record<Who, string> = { owner: 'U0OWNER', requester: 'U0REQUESTER', stranger: 'U0STRANGER' };
  const channel = 'C0BUILDS';
  const fake: FakeSlack = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test', ackTimeoutMs: FAKE_ACK_GIVE_UP_MS });
  const { store, engine } = await engineIn(await tempDir());
  const adapter = new SlackAdapter({
    engine,
    config: { mode: 'socket', botToken: 'xoxb-test', appToken: 'xapp-test', port: 0, apiUrl: fake.apiUrl, ownerId: ids.owner, approvers: [], allowedUsers: [ids.requester] },
    logger: silentLogger,
    postGapMs: 50,
    // No reconnectDelayMs: @slack/socket-mode also takes it as the pong deadline (a ping every third
    // of it), so 300 ms drops the socket whenever a loaded machine stalls this process that long,
    // and an envelope sent meanwhile is lost (the fake, unlike Slack, does not redeliver it).
  });
  const acks = timeBotAcks(adapter.app);
  await adapter.start();
  await engine.start();
  const card = (id: string) => engine.getMeta<Record<string, { channel: string; ts: string }>>('slack.cards')?.[id];
  const press = async (who: Who, verb: Verb, id: string) => {
    const c = card(id)!;
    await fake.sendEnvelope('interactive', blockAction({ userId: ids[who], channelId: c.channel, messageTs: c.ts, actionId: `ns_${verb}`, value: id }));
  };
  return {
    engine,
    async request(who, text) {
      return (await slashAnswer(fake, { text, userId: ids[who], channelId: channel })).json;
    },
    press,
    async pressRefused(who, verb, id) {
      const toThem = () => fake.ephemerals.filter((m) => m.user === ids[who]);
      const before = toThem().length;
      await press(who, verb, id);
      await fake.waitFor(() => toThem().length > before, 10_000, `the refusal shown to the ${who}`);
      return JSON.stringify(toThem().at(-1));
    },
    async replyInThread(who, id, text) {
      const c = card(id)!;
      await fake.sendEnvelope('events_api', eventCallback(threadReply({ text, user: ids[who], channel: c.channel, threadTs: c.ts })));
    },
    cardShown: (id) => waitFor(() => card(id) !== undefined, 5_000, `${id}'s Slack card`),
    expectTimelyAnswers: () => acks.expectAllInWindow(),
    async stop() {
      await engine.shutdown(0);
      await adapter.stop();
      await store.close();
      await fake.stop();
    },
  };
}

async function discordDriver(): Promise<Driver> {
  const ids: Record<Who, string> = { owner: '400000000000000001', requester: '400000000000000002', stranger: '400000000000000003' };
  const fake: FakeDiscord = await startFakeDiscord();
  const { store, engine } = await engineIn(await tempDir());
  const adapter = new DiscordAdapter({
    engine,
    config: { token: fake.token, guildId: fake.guildId, channel: FAKE_CHANNEL_ID, ownerId: ids.owner, approvers: [], allowedUsers: [ids.requester], apiUrl: fake.apiUrl },
    logger: silentLogger,
    perChannel: { count: 5, windowMs: 500 },
  });
  await adapter.start();
  await engine.start();
  const card = (id: string) => engine.getMeta<Record<string, { channel: string; ts: string; thread?: string }>>('discord.cards')?.[id];
  return {
    engine,
    async request(who, text) {
      // answered directly, or deferred and then edited when the work took longer: under load either is right
      return JSON.stringify(await fake.slashCommand({ userId: ids[who], channelId: FAKE_CHANNEL_ID, name: 'build', options: [{ name: 'request', type: 3, value: text }] }).finalOriginal());
    },
    async press(who, verb, id) {
      await fake.pressButton({ userId: ids[who], messageId: card(id)!.ts, customId: `ns:${verb}:${id}` }).response();
    },
    async pressRefused(who, verb, id) {
      // the refusal is the interaction's answer, shown to the presser alone
      const answer = await fake.pressButton({ userId: ids[who], messageId: card(id)!.ts, customId: `ns:${verb}:${id}` }).response();
      expect(answer.data.flags & 64).toBe(64);
      return JSON.stringify(answer.data);
    },
    async replyInThread(who, id, text) {
      await fake.sendMessage({ authorId: ids[who], channelId: card(id)!.thread!, content: text });
    },
    cardShown: (id) => waitFor(() => card(id)?.thread !== undefined, 5_000, `${id}'s Discord status message`),
    expectTimelyAnswers: () => undefined, // the fake answers a late interaction with 10062: the reply would never have arrived
    async stop() {
      await engine.shutdown(0);
      await adapter.stop();
      await store.close();
      await fake.stop();
    },
  };
}

const settled = (d: Driver, id: string, states: string[]) =>
  waitFor(async () => states.includes((await d.engine.get(id))?.status ?? ''), 15_000, `${id} to be ${states.join(' or ')}`);

/** The scenario: requests, approvals by the right and the wrong person, a clarification, a rejection, a refusal. */
async function scenario(d: Driver): Promise<void> {
  await d.request('owner', 'a hello-world CLI by tonight');
  await d.cardShown('t-1');
  await settled(d, 't-1', ['done']);

  await d.request('requester', 'force-push the rewritten history to main --priority high');
  await d.cardShown('t-2');
  // refused: the stranger is told privately, and nothing changes
  expect(await d.pressRefused('stranger', 'approve', 't-2')).toMatch(/only the owner or an approver can approve/);
  expect((await d.engine.get('t-2'))?.status).toBe('awaiting_approval');
  await d.press('owner', 'approve', 't-2');
  await settled(d, 't-2', ['done']);

  await d.request('owner', 'urgent: build it');
  await d.cardShown('t-3');
  await d.replyInThread('owner', 't-3', 'a CLI that prints hello world, in TypeScript');
  await settled(d, 't-3', ['done']);

  await d.request('owner', 'deploy the docs site to production by tonight');
  await d.cardShown('t-4');
  await d.press('owner', 'reject', 't-4');
  await settled(d, 't-4', ['rejected']);

  await d.request('requester', 'delete the staging database by tonight');
  await d.cardShown('t-5');
  await d.replyInThread('owner', 't-5', 'cancel');
  await settled(d, 't-5', ['cancelled']);

  // not allowed: the stranger is told so (the answer is given once the request was handled), and no task
  expect(await d.request('stranger', 'a hello-world CLI by tonight')).toMatch(/not on the list of people who can request builds/);
  d.expectTimelyAnswers();
}

/** A task as both platforms must agree on it: people by role, times and platform ids left out. */
function comparable(t: Task, roles: Record<string, Who>) {
  return {
    id: t.id,
    title: t.title,
    status: t.status,
    priority: t.priority,
    spec: Object.entries(roles).reduce((spec, [id, role]) => spec.replaceAll(id, role), t.spec),
    safety: t.safety.reasons.map((r) => r.kind),
    askedBy: roles[t.origin.userId],
    events: t.events.map((e) => `${e.type}${e.by ? ` by ${roles[e.by] ?? e.by}` : ''}`),
    attempts: t.attempts.map((a) => a.outcome),
    clarifiedBy: t.clarifications.map((c) => roles[c.by] ?? c.by),
  };
}

async function everyTask(d: Driver) {
  const out: Task[] = [];
  for (let n = 1; ; n++) {
    const t = await d.engine.get(`t-${n}`);
    if (!t) return out;
    out.push(t);
  }
}

describe('the same scenario through Slack and Discord', () => {
  const results: Record<'slack' | 'discord', ReturnType<typeof comparable>[]> = { slack: [], discord: [] };

  beforeAll(async () => {
    const roles: Record<string, Who> = {
      U0OWNER: 'owner', U0REQUESTER: 'requester', U0STRANGER: 'stranger',
      '400000000000000001': 'owner', '400000000000000002': 'requester', '400000000000000003': 'stranger',
    };
    // Run side by side: each has its own fake platform, engine and store.
    await Promise.all(
      (['slack', 'discord'] as const).map(async (platform) => {
        const d = platform === 'slack' ? await slackDriver() : await discordDriver();
        try {
          await scenario(d);
          results[platform] = (await everyTask(d)).map((t) => comparable(t, roles));
        } finally {
          await d.stop();
        }
      }),
    );
  }, 90_000);

  it('ends with the same tasks, in the same states, with the same history', () => {
    expect(results.slack.map((t) => `${t.id} ${t.status}`)).toEqual(['t-1 done', 't-2 done', 't-3 done', 't-4 rejected', 't-5 cancelled']);
    expect(results.discord).toEqual(results.slack);
  });

  it('records who did what by role on both: the owner approved, clarified and rejected; the stranger changed nothing', () => {
    for (const platform of ['slack', 'discord'] as const) {
      const [, t2, t3, t4] = results[platform];
      expect(t2!.askedBy).toBe('requester');
      expect(t2!.events).toContain('approved by owner');
      expect(t3!.clarifiedBy).toEqual(['owner']);
      expect(t4!.events).toContain('rejected by owner');
      expect(JSON.stringify(results[platform])).not.toContain('stranger');
    }
  });
});

