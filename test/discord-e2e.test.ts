// The Discord adapter end to end: the real discord.js client against a local fake Discord (REST +
// gateway), a real engine and store, and a fake agent as the builder.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordAdapter, type DiscordAdapterOptions } from '../src/adapters/discord/discord-adapter.ts';
import type { DiscordConfig } from '../src/config.ts';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { silentLogger, systemClock } from '../src/core/ports.ts';
import { SummaryScheduler } from '../src/core/summary-scheduler.ts';
import { handleText } from '../src/commands/dispatch.ts';
import { LowdbTaskStore } from '../src/store/index.ts';
import { waitFor } from './helpers/agents.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { chatEngine, failingChecks, type ChatEngineOptions } from './helpers/chat-engine.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type FakeInteraction } from './fakes/discord/fake-discord.ts';
import { FAKE_CHANNEL_ID } from './fakes/discord/defaults.ts';

const OWNER = '400000000000000001';
const REQUESTER = '400000000000000002';
const STRANGER = '400000000000000003';
const CHANNEL = FAKE_CHANNEL_ID;
const ELSEWHERE = '300000000000000002';

interface World {
  fake: FakeDiscord;
  engine: Engine;
  adapter: DiscordAdapter;
  store: LowdbTaskStore;
  dir: string;
}

let world: World | null = null;
afterEach(async () => {
  if (!world) return;
  await world.engine.shutdown(0);
  await world.adapter.stop();
  await world.store.close();
  await world.fake.stop();
  world = null;
});

async function setup(opts: ChatEngineOptions & { fakeOpts?: FakeDiscordOptions; adapterOpts?: Partial<DiscordAdapterOptions> } = {}): Promise<World> {
  const fake = await startFakeDiscord({
    channels: [{ id: CHANNEL, name: 'builds' }, { id: ELSEWHERE, name: 'general' }],
    users: { [OWNER]: { username: 'owner' }, [REQUESTER]: { username: 'requester' }, [STRANGER]: { username: 'stranger' } },
    ...opts.fakeOpts,
  });
  const dir = await tempDir();
  const { fakeOpts: _fake, adapterOpts: _adapter, ...engineOpts } = opts;
  const { store, engine } = await chatEngine(dir, engineOpts);
  const config: DiscordConfig = {
    token: fake.token,
    guildId: fake.guildId,
    channel: CHANNEL,
    ownerId: OWNER,
    approvers: [],
    allowedUsers: [REQUESTER],
    apiUrl: fake.apiUrl,
  };
  const adapter = new DiscordAdapter({ engine, config, logger: silentLogger, perChannel: { count: 5, windowMs: 500 }, ...opts.adapterOpts });
  await adapter.start();
  await engine.start();
  world = { fake, engine, adapter, store, dir };
  return world;
}

const cardRef = (w: World, id: string) => w.engine.getMeta<Record<string, { channel: string; ts: string; thread?: string }>>('discord.cards')?.[id];
const cardOf = (w: World, id: string) => {
  const ref = cardRef(w, id);
  return ref ? w.fake.message(ref.ts) : undefined;
};
const threadOf = (w: World, id: string) => {
  const ref = cardRef(w, id);
  return ref?.thread ? w.fake.messages(ref.thread) : [];
};
const threadText = (w: World, id: string) => threadOf(w, id).map((m) => m.content).join('\n');
const status = async (w: World, id: string) => (await w.engine.get(id))?.status;
const embedOf = (m: { embeds: unknown[] } | undefined) => JSON.stringify(m?.embeds ?? []);
const buttonsOf = (m: { components: unknown[] } | undefined): string[] => JSON.stringify(m?.components ?? []).match(/ns:[a-z]+:t-\d+/g) ?? [];
/**
 * The answer a person sees to a command: answered in time (directly, or deferred when the work took
 * longer: under load either is right), then the final text.
 */
async function answerTo(i: FakeInteraction): Promise<{ content: string; flags: number }> {
  const first = await i.response();
  expect(first.lateMs ?? 0).toBe(0);
  expect([4, 5]).toContain(first.type);
  return (await i.finalOriginal()) as { content: string; flags: number };
}
/**
 * A barrier for "nothing happened": the owner asks about a task in a DM and waits for the answer.
 * The gateway delivers messages in order and the adapter takes each up as it comes, so once this one
 * is answered every message sent before it has been handled; the schedule pass asked for afterwards
 * begins only once whatever they changed has been committed.
 */
async function barrier(w: World, id: string): Promise<void> {
  const dm = w.fake.dmChannel(OWNER);
  const answers = () => w.fake.messages(dm).filter((m) => m.authorId === w.fake.botUserId).length;
  const before = answers();
  await w.fake.sendMessage({ authorId: OWNER, channelId: dm, content: `status ${id}`, dm: true });
  await w.fake.waitFor(() => answers() > before, 'the answer to the barrier');
  await w.engine.kick();
  await w.adapter.drain(); // and what the adapter queued meanwhile (other channels are paced apart) is sent
}
const build = (w: World, user: string, request: string, channelId = CHANNEL) => w.fake.slashCommand({ userId: user, channelId, name: 'build', options: [{ name: 'request', type: 3, value: request }] });

describe('Discord: connection and commands', () => {
  it('logs in with the intents it needs and registers its slash commands to the guild at start', async () => {
    const w = await setup();
    expect(w.fake.identifies).toHaveLength(1);
    const intents = w.fake.identifies[0]!.intents;
    for (const bit of [1 << 0, 1 << 9, 1 << 12, 1 << 15]) expect(intents & bit).toBe(bit); // Guilds, GuildMessages, DirectMessages, MessageContent
    const names = ['build', 'status', 'queue', 'approve', 'reject', 'cancel', 'retry', 'accept', 'clarify', 'bump', 'summary'];
    const guild = w.fake.commands.find((c) => c.scope === w.fake.guildId)!;
    expect((guild.body as { name: string }[]).map((c) => c.name)).toEqual(names);
    // and a DM-only global set, so /build works in a DM with the bot too
    const dm = w.fake.commands.find((c) => c.scope === 'global')!;
    expect((dm.body as { name: string; contexts: number[] }[]).map((c) => `${c.name}:${c.contexts.join()}`)).toEqual(names.map((n) => `${n}:1`));
  });
});

describe('Discord: /build → reply → thread → live edits → done', () => {
  it('answers at once, posts a status message with a thread, edits it live, and reports done mentioning the owner', async () => {
    const w = await setup({ env: { FAKE_STEP_MS: '700' } });
    const answer = await answerTo(build(w, OWNER, 'a hello-world CLI by tonight'));
    expect(answer.flags & 64).toBe(64); // only the asker sees it
    expect(answer.content).toMatch(/t-1 "Build a hello-world CLI" · high priority/);
    const ref = cardRef(w, 't-1')!;
    expect(answer.content).toContain(`Follow it in <#${ref.thread}>`);
    const thread = w.fake.thread(ref.thread!)!;
    expect(thread.parentId).toBe(CHANNEL);
    expect(thread.name).toBe('t-1 · Build a hello-world CLI');
    expect(thread.autoArchiveDuration).toBe(10_080); // a week of quiet: an overnight task's thread stays open (README)
    await waitFor(async () => (await status(w, 't-1')) === 'done', 15_000, 't-1 done');
    await w.adapter.drain();
    const card = cardOf(w, 't-1')!;
    expect(card.channelId).toBe(CHANNEL);
    expect(embedOf(card)).toContain('✅ done');
    expect(buttonsOf(card)).toEqual([]);
    // edited while the build ran: a progress bar with a percentage and the latest line
    expect(card.edits.some((e) => /\d+%`\\n(reading the spec|editing src\/hello\.ts|running tests)/.test(JSON.stringify(e.embeds)))).toBe(true);
    const said = threadText(w, 't-1');
    expect(said).toMatch(/Started attempt 1\/3/);
    expect(said).toMatch(new RegExp(`✅ <@${OWNER}> \\*\\*Build a hello-world CLI\\*\\* is done after`));
    const done = threadOf(w, 't-1').find((m) => /is done after/.test(m.content))!;
    expect(done.allowedMentions).toEqual({ parse: [], users: [OWNER] });
  });

  it('a request for several things makes one task, status message and thread each, and the reply links them all', async () => {
    const w = await setup({ script: 'hang' });
    const answer = await answerTo(build(w, OWNER, 'build the login page, the signup page and the password reset by tonight'));
    const refs = ['t-1', 't-2', 't-3'].map((id) => cardRef(w, id));
    for (const ref of refs) expect(ref?.thread).toBeDefined();
    expect(answer.content).toContain(`Follow them in ${refs.map((r) => `<#${r!.thread}>`).join(', ')}.`);
    expect(new Set(refs.map((r) => r!.thread)).size).toBe(3);
  });

  it('when handling takes longer than the budget, the interaction is deferred and the answer arrives as an edit', async () => {
    const w = await setup({ script: 'hang', adapterOpts: { ackBudgetMs: 0 } });
    const i = build(w, OWNER, 'a hello-world CLI by tonight');
    const res = await i.response();
    expect(res.type).toBe(5);
    const final = await i.finalOriginal();
    expect(final.content).toMatch(/t-1 "Build a hello-world CLI"/);
  });

  it('/build in a DM with the bot works too', async () => {
    const w = await setup({ script: 'hang' });
    const answer = await answerTo(w.fake.slashCommand({ userId: OWNER, channelId: w.fake.dmChannel(OWNER), name: 'build', options: [{ name: 'request', type: 3, value: 'a hello-world CLI by tonight' }], dm: true }));
    expect(answer.content).toMatch(/t-1 "Build a hello-world CLI"/);
    await waitFor(() => cardRef(w, 't-1')?.channel === CHANNEL, 10_000, 'the status message in DISCORD_CHANNEL');
  });

  it('a mention in a channel and a DM are understood like /build; chit-chat in a DM gets a hint', async () => {
    const w = await setup({ script: 'hang' });
    const asked = await w.fake.sendMessage({ authorId: OWNER, channelId: ELSEWHERE, content: 'build the Spotify integration by tonight', mentionsBot: true });
    await waitFor(async () => (await w.engine.get('t-1')) !== null, 5_000, 't-1 from a mention');
    await w.fake.sendMessage({ authorId: OWNER, channelId: w.fake.dmChannel(OWNER), content: 'urgent: build the CSV export for invoices', dm: true });
    await waitFor(async () => (await w.engine.get('t-2')) !== null, 5_000, 't-2 from a DM');
    expect((await w.engine.get('t-1'))!.title).toBe('Build the Spotify integration');
    expect((await w.engine.get('t-2'))!.title).toBe('Build the CSV export for invoices');
    await w.fake.waitFor(() => w.fake.messages(ELSEWHERE).some((m) => m.authorId === w.fake.botUserId && /t-1/.test(m.content)), 'the answer to the mention');
    const answer = w.fake.messages(ELSEWHERE).find((m) => m.authorId === w.fake.botUserId)!;
    expect(answer.messageReference?.message_id).toBe(asked.id);
    expect(answer.content).toMatch(/Follow it in <#\d+>/);
    // both tasks are followed in DISCORD_CHANNEL, each in its own thread
    await waitFor(() => cardRef(w, 't-2') !== undefined, 10_000, 'the second status message');
    expect(cardRef(w, 't-1')!.channel).toBe(CHANNEL);
    expect(cardRef(w, 't-2')!.channel).toBe(CHANNEL);
    await w.fake.sendMessage({ authorId: OWNER, channelId: w.fake.dmChannel(OWNER), content: 'thanks!', dm: true });
    await w.fake.waitFor(() => w.fake.messages(w.fake.dmChannel(OWNER)).some((m) => m.authorId === w.fake.botUserId && /build <what>|build &lt;what&gt;|build \\<what\\>/.test(m.content)), 'the hint');
    expect(await w.engine.get('t-3')).toBeNull();
  });
});

describe('Discord: buttons and who may press them', () => {
  const press = (w: World, user: string, messageId: string, customId: string) => w.fake.pressButton({ userId: user, messageId, customId });

  it('the owner approves with the button; a stranger is refused privately and nothing changes; the question loses its buttons', async () => {
    const w = await setup();
    build(w, REQUESTER, 'force-push the rewritten history to main --priority high');
    await w.fake.waitFor(() => threadOf(w, 't-1').some((m) => /needs your approval/.test(m.content)), 'the approval request');
    const ask = threadOf(w, 't-1').find((m) => /needs your approval/.test(m.content))!;
    expect(ask.content).toContain(`<@${OWNER}>`);
    expect(ask.allowedMentions).toEqual({ parse: [], users: [OWNER] });
    expect(buttonsOf(ask)).toEqual(['ns:approve:t-1', 'ns:reject:t-1']);
    expect(buttonsOf(cardOf(w, 't-1'))).toEqual(['ns:approve:t-1', 'ns:reject:t-1']);

    const refused = await press(w, STRANGER, ask.id, 'ns:approve:t-1').response();
    expect(refused.type).toBe(4);
    expect(refused.data.flags & 64).toBe(64);
    expect(refused.data.content).toMatch(/only the owner or an approver can approve/);
    expect(await status(w, 't-1')).toBe('awaiting_approval');

    const ok = await press(w, OWNER, cardOf(w, 't-1')!.id, 'ns:approve:t-1').response();
    expect(ok.type).toBe(6); // acknowledged; the message changes through the core's event
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 't-1 approved and built');
    await w.adapter.drain();
    expect(embedOf(cardOf(w, 't-1'))).toMatch(/Approved by <@400000000000000001> at \d\d:\d\d/);
    expect(buttonsOf(cardOf(w, 't-1'))).toEqual([]);
    const closed = w.fake.message(ask.id)!;
    expect(buttonsOf(closed)).toEqual([]);
    expect(closed.content).toMatch(/Approved by <@400000000000000001> at \d\d:\d\d/);
  });

  it('Cancel on a running build ends it', async () => {
    const w = await setup({ script: 'hang' });
    build(w, OWNER, 'urgent: build the invoice export');
    await waitFor(async () => (await status(w, 't-1')) === 'building', 5_000, 'building');
    await w.fake.waitFor(() => buttonsOf(cardOf(w, 't-1')).includes('ns:cancel:t-1'), 'the Cancel button');
    await press(w, OWNER, cardOf(w, 't-1')!.id, 'ns:cancel:t-1').response();
    await waitFor(async () => (await status(w, 't-1')) === 'cancelled', 10_000, 'cancelled');
    await w.fake.waitFor(() => /Cancelled by <@400000000000000001>/.test(threadText(w, 't-1')), 'the cancel message');
  });

  it('an escalated task pings the owner with the log tail and Retry / Cancel; Retry runs it again', async () => {
    const w = await setup({ script: 'fail' });
    build(w, OWNER, 'urgent: build the invoice export');
    await waitFor(async () => (await status(w, 't-1')) === 'escalated', 10_000, 'escalation');
    await w.adapter.drain();
    const esc = threadOf(w, 't-1').find((m) => /🚨/.test(m.content))!;
    expect(esc.content).toContain('could not compile src/index.ts');
    expect(buttonsOf(esc)).toEqual(['ns:retry:t-1', 'ns:cancel:t-1']);
    await press(w, OWNER, esc.id, 'ns:retry:t-1').response();
    await waitFor(async () => ((await w.engine.get('t-1'))?.attempts.length ?? 0) >= 4, 10_000, 'a new attempt');
  });

  it('built work failing its checks offers Retry / Accept anyway / Cancel; Accept anyway by the owner makes it done, said as accepted with checks failing', async () => {
    const w = await setup(failingChecks);
    build(w, OWNER, 'urgent: build the answer module');
    await waitFor(async () => (await status(w, 't-1')) === 'escalated', 15_000, 'escalation on failing checks');
    await w.adapter.drain();
    const esc = threadOf(w, 't-1').find((m) => /🚨/.test(m.content))!;
    expect(esc.content).toMatch(/Last error: built, checks failing/);
    expect(buttonsOf(esc)).toEqual(['ns:retry:t-1', 'ns:accept:t-1', 'ns:cancel:t-1']);
    expect(JSON.stringify(esc.components)).toContain('"label":"Accept anyway"');
    expect(buttonsOf(cardOf(w, 't-1'))).toEqual(['ns:retry:t-1', 'ns:accept:t-1', 'ns:cancel:t-1']);
    // /accept offers it as the person types
    const offered = await w.fake.autocomplete({ userId: OWNER, channelId: CHANNEL, name: 'accept', options: [{ name: 'task', type: 3, value: '', focused: true }] }).response();
    expect(offered.data.choices).toEqual([{ name: 't-1 · Build the answer module (escalated)', value: 't-1' }]);

    // A stranger, by the button or by /accept, is refused privately and nothing changes.
    const refused = await press(w, STRANGER, esc.id, 'ns:accept:t-1').response();
    expect(refused.data.flags & 64).toBe(64);
    expect(refused.data.content).toMatch(/only the owner or an approver can accept tasks/);
    const typed = await answerTo(w.fake.slashCommand({ userId: STRANGER, channelId: CHANNEL, name: 'accept', options: [{ name: 'task', type: 3, value: 't-1' }] }));
    expect(typed.content).toMatch(/only the owner or an approver can accept tasks/);
    expect(await status(w, 't-1')).toBe('escalated');

    expect((await press(w, OWNER, esc.id, 'ns:accept:t-1').response()).type).toBe(6);
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 't-1 accepted');
    await w.adapter.drain();
    expect(threadText(w, 't-1')).toMatch(/is done after [\s\S]*Accepted by <@400000000000000001> with checks failing \(node \S*answer-check\\?\.mjs exited with code 1 after \d+(ms|s)\)/);
    expect(threadText(w, 't-1')).not.toMatch(/checks passed/i);
    // The escalation's buttons are gone, replaced by who decided; so are the status message's.
    const closed = w.fake.message(esc.id)!;
    expect(buttonsOf(closed)).toEqual([]);
    expect(closed.content).toMatch(/Accepted with checks failing by <@400000000000000001> at \d\d:\d\d/);
    expect(buttonsOf(cardOf(w, 't-1'))).toEqual([]);
  });

  it('a reply in the thread while it waits clarifies the task; a stranger there is left alone', async () => {
    const w = await setup();
    build(w, OWNER, 'urgent: build it');
    await waitFor(() => cardRef(w, 't-1')?.thread !== undefined, 10_000, 'the thread');
    const thread = cardRef(w, 't-1')!.thread!;
    const chatter = await w.fake.sendMessage({ authorId: STRANGER, channelId: thread, content: 'lol what is this' });
    await barrier(w, 't-1');
    expect((await w.engine.get('t-1'))!.clarifications).toHaveLength(0);
    expect(w.fake.messages(thread).filter((m) => m.messageReference?.message_id === chatter.id)).toEqual([]); // nothing said back
    await w.fake.sendMessage({ authorId: OWNER, channelId: thread, content: 'a CLI that prints hello world, in TypeScript' });
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'the clarified task to be built');
    expect((await w.engine.get('t-1'))!.spec).toContain('a CLI that prints hello world');
  });

  it('a stranger typing /approve or "approve" in the thread changes nothing', async () => {
    const w = await setup();
    build(w, OWNER, 'urgent: deploy the docs site');
    await waitFor(async () => (await status(w, 't-1')) === 'awaiting_approval', 5_000, 'waiting');
    await waitFor(() => cardRef(w, 't-1')?.thread !== undefined, 10_000, 'the thread');
    const res = await answerTo(w.fake.slashCommand({ userId: STRANGER, channelId: CHANNEL, name: 'approve', options: [{ name: 'task', type: 3, value: 't-1' }] }));
    expect(res.flags & 64).toBe(64);
    expect(res.content).toMatch(/only the owner or an approver can/);
    const thread = cardRef(w, 't-1')!.thread!;
    await w.fake.sendMessage({ authorId: STRANGER, channelId: thread, content: 'approve' });
    await w.fake.waitFor(() => w.fake.messages(thread).some((m) => m.authorId === w.fake.botUserId && /only the owner or an approver can/.test(m.content)), 'the refusal in the thread');
    expect(await status(w, 't-1')).toBe('awaiting_approval');
    const typed = await answerTo(w.fake.slashCommand({ userId: OWNER, channelId: CHANNEL, name: 'approve', options: [{ name: 'task', type: 3, value: 'the docs' }] }));
    expect(typed.content).toMatch(/"the docs" is not a task id/);
    expect(await status(w, 't-1')).toBe('awaiting_approval');
  });

  it('anyone not allowed to request builds is refused politely and nothing is queued', async () => {
    const w = await setup();
    const res = await answerTo(build(w, STRANGER, 'a hello-world CLI by tonight'));
    expect(res.flags & 64).toBe(64);
    expect(res.content).toMatch(/not on the list of people who can request builds/);
    expect(w.engine.live()).toHaveLength(0);
  });

  it('autocomplete offers the tasks waiting for approval', async () => {
    const w = await setup();
    build(w, OWNER, 'urgent: deploy the docs site');
    await waitFor(async () => (await status(w, 't-1')) === 'awaiting_approval', 5_000, 'waiting');
    const res = await w.fake.autocomplete({ userId: OWNER, channelId: CHANNEL, name: 'approve', options: [{ name: 'task', type: 3, value: 'dep', focused: true }] }).response();
    expect(res.type).toBe(8);
    expect(res.data.choices).toEqual([{ name: 't-1 · Deploy the docs site (awaiting approval)', value: 't-1' }]);
    const approved = await answerTo(w.fake.slashCommand({ userId: OWNER, channelId: CHANNEL, name: 'approve', options: [{ name: 'task', type: 3, value: 't-1' }] }));
    expect(approved.content).toMatch(/t-1/);
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'approved by command and built');
  });
});

describe('Discord: the agent\'s plan', () => {
  it('shows on the status message as a checklist, its steps advancing edit by edit, every payload valid, at Discord\'s pace', async () => {
    const gates = await tempDir();
    const w = await setup({ script: 'planner', env: { FAKE_PLAN_GATE_DIR: gates }, fakeOpts: { rateLimits: { messagesPerChannelPer5s: 5, globalPerSec: 50 } }, adapterOpts: { perChannel: { count: 5, windowMs: 5_000 } } });
    build(w, OWNER, 'urgent: build the invoice CSV export');
    const planField = () => (cardOf(w, 't-1')?.embeds as { fields?: { name: string; value: string }[] }[] | undefined)?.[0]?.fields?.find((f) => f.name.startsWith("The agent's plan"));
    const marks = () => [...(planField()?.value ?? '').matchAll(/^(✅|▶️|⬜|❌) /gmu)].map((m) => m[1]).join('');
    for (let step = 1; step <= 4; step++) {
      const want = '✅✅✅✅'.slice(0, step - 1) + '▶️' + '⬜'.repeat(4 - step);
      await waitFor(() => marks() === want, 15_000, `the message showing step ${step} under way (it shows "${marks()}")`);
      await writeFile(join(gates, `step-${step}`), '');
    }
    await waitFor(async () => (await status(w, 't-1')) === 'done', 15_000, 'done');
    await w.adapter.drain(15_000);
    expect(planField()).toEqual({ name: "The agent's plan: 4 of 4 done", value: '✅ Read the invoice model\n✅ Write the CSV exporter\n✅ Add the tests\n✅ Run the tests', inline: false });
    // The fake checks every request against Discord's OpenAPI description and its rate limits.
    expect(w.fake.calls.filter((c) => c.rejected)).toEqual([]);
    // No more edits than the paced outbox allows: at most 5 in any 5 s.
    const at = cardOf(w, 't-1')!.edits.map((e) => e.at);
    // (`at` is when the fake received each edit, not when the outbox sent it: a loaded machine
    // delays one arrival more than another by a few hundred ms, as on the Slack side.)
    for (let i = 5; i < at.length; i++) expect(at[i]! - at[i - 5]!).toBeGreaterThanOrEqual(5_000 - 400);
  }, 90_000);
});

describe('Discord: behaving well on the platform', () => {
  it('a build printing lines fast gives a few edits, none refused at Discord\'s pace', async () => {
    const w = await setup({ script: 'chatty', fakeOpts: { rateLimits: { messagesPerChannelPer5s: 5, globalPerSec: 50 } }, adapterOpts: { perChannel: { count: 5, windowMs: 5_000 } } });
    build(w, OWNER, 'urgent: build the noisy thing');
    await waitFor(async () => (await status(w, 't-1')) === 'done', 15_000, 'done');
    await w.fake.waitFor(() => /is done after/.test(threadText(w, 't-1')), 'done in the thread', 15_000);
    await w.adapter.drain(15_000);
    expect(cardOf(w, 't-1')!.edits.length).toBeLessThan(20); // 2000 lines printed
    expect(w.fake.calls.filter((c) => c.rejected)).toEqual([]);
    expect(embedOf(cardOf(w, 't-1'))).toContain('✅ done');
  }, 40_000);

  it('a 429 with retry_after is honoured and every message still arrives', async () => {
    const w = await setup({ script: 'succeed' });
    w.fake.failNext('POST /channels/:id/messages', { status: 429, retryAfterSec: 1, times: 1 });
    build(w, OWNER, 'urgent: build the invoice export');
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    await w.fake.waitFor(() => /is done after/.test(threadText(w, 't-1')), 'done in the thread', 10_000);
    const posts = w.fake.calls.filter((c) => c.route === 'POST /channels/:id/messages');
    const i429 = posts.findIndex((c) => c.status === 429);
    expect(i429).toBeGreaterThanOrEqual(0);
    const retry = posts.slice(i429 + 1).find((c) => c.path === posts[i429]!.path)!;
    expect(retry.at - posts[i429]!.at).toBeGreaterThanOrEqual(950);
    expect(cardOf(w, 't-1')).toBeDefined();
  }, 20_000);

  it('the gateway drops mid-build and resumes: a request made meanwhile is handled and the final state is right', async () => {
    const w = await setup({ env: { FAKE_STEP_MS: '500' } });
    build(w, OWNER, 'urgent: build the invoice export');
    await waitFor(async () => (await status(w, 't-1')) === 'building', 5_000, 'building');
    await w.fake.dropGateway(4000);
    await w.fake.sendMessage({ authorId: OWNER, channelId: ELSEWHERE, content: 'build the Spotify integration by tonight', mentionsBot: true });
    await w.fake.waitFor(() => w.fake.resumes >= 1 && w.fake.connected, 'the resume', 10_000);
    expect(w.fake.identifies).toHaveLength(1); // resumed, not a new session
    await waitFor(async () => (await w.engine.get('t-2')) !== null, 10_000, 'the request sent while disconnected');
    await waitFor(async () => (await status(w, 't-1')) === 'done' && (await status(w, 't-2')) === 'done', 20_000, 'both done');
    await w.adapter.drain();
    expect(embedOf(cardOf(w, 't-1'))).toContain('✅ done');
    expect(threadText(w, 't-1')).toMatch(/is done after/);
  }, 40_000);

  it('task text cannot ping anyone: every message goes out with no mentions allowed but the owner', async () => {
    const w = await setup();
    build(w, OWNER, 'urgent: build the @everyone announcement banner for <@&500000000000000001>');
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    await w.adapter.drain();
    const bodies = w.fake.calls
      .filter((c) => /^(POST|PATCH) \/(channels|interactions|webhooks)\//.test(c.route) && c.body && typeof c.body === 'object')
      .map((c) => (c.route.startsWith('POST /interactions') ? (c.body as { data?: Record<string, unknown> }).data : c.body) as Record<string, unknown> | undefined)
      .filter((b): b is Record<string, unknown> => b !== undefined && ('content' in b || 'embeds' in b));
    expect(bodies.length).toBeGreaterThan(3);
    for (const b of bodies) {
      const allowed = b.allowed_mentions as { parse?: string[]; users?: string[] } | undefined;
      expect(allowed, JSON.stringify(b).slice(0, 200)).toBeDefined();
      expect(allowed!.parse).toEqual([]);
      for (const u of allowed!.users ?? []) expect(u).toBe(OWNER);
    }
    expect(bodies.some((b) => (b.allowed_mentions as { users?: string[] }).users?.includes(OWNER))).toBe(true); // the done message
    const sent = bodies;
    expect(JSON.stringify(sent)).not.toMatch(/@everyone/);
  });

  it('past Discord\'s edit cap (a 429 with code 30046) progress edits stop, nothing storms, and the final state lands once the cap lifts', async () => {
    const w = await setup({
      script: 'chatty',
      fakeOpts: { editCap: { olderThanMs: 0, maxEdits: 1, retryAfterSec: 30 } },
      adapterOpts: { editCapAgeMs: 0, agedProgressEveryMs: 0, editCapRetryMs: 1_000 },
    });
    build(w, OWNER, 'urgent: build the noisy thing');
    await waitFor(async () => (await status(w, 't-1')) === 'done', 15_000, 'done');
    await w.fake.waitFor(() => /is done after/.test(threadText(w, 't-1')), 'done in the thread', 10_000);
    const capAnswers = () => w.fake.calls.filter((c) => c.status === 429 && JSON.stringify(c.response).includes('30046'));
    await w.fake.waitFor(() => capAnswers().length >= 1, 'Discord refusing an edit with 30046');
    // discord.js hands the long wait back instead of retrying it, and the outbox tries a refused
    // final state again only after its delay (1 s here): about one refusal per second, no storm
    const refusals = capAnswers();
    const spanMs = refusals.at(-1)!.at - refusals[0]!.at;
    expect(refusals.length).toBeLessThanOrEqual(Math.ceil(spanMs / 900) + 2);
    // the thread went on regardless, and once Discord lets the message be edited again, the card is right
    w.fake.setEditCap(undefined);
    await w.fake.waitFor(() => embedOf(cardOf(w, 't-1')).includes('✅ done'), 'the final state on the card', 5_000);
  }, 30_000);

  it('closing a question in an archived thread reopens the thread first', async () => {
    const w = await setup();
    build(w, REQUESTER, 'force-push the rewritten history to main --priority high');
    await w.fake.waitFor(() => threadOf(w, 't-1').some((m) => /needs your approval/.test(m.content)), 'the approval request');
    const ask = threadOf(w, 't-1').find((m) => /needs your approval/.test(m.content))!;
    const thread = cardRef(w, 't-1')!.thread!;
    w.fake.archiveThread(thread);
    await w.fake.pressButton({ userId: OWNER, messageId: cardOf(w, 't-1')!.id, customId: 'ns:approve:t-1' }).response();
    await w.fake.waitFor(() => buttonsOf(w.fake.message(ask.id)).length === 0, 'the question closed', 5_000);
    expect(w.fake.calls.some((c) => c.status === 400 && JSON.stringify(c.response).includes('50083'))).toBe(true);
    expect(w.fake.thread(thread)!.archived).toBe(false);
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'built');
  });
});

describe('Discord: the morning post', () => {
  it('posts the morning summary at 07:30 owner time in DISCORD_CHANNEL', async () => {
    const clock = new FakeClock('2026-11-24T20:00:00Z');
    const w = await setup({ clock, runBuilds: false, lastSummaryAt: '2026-11-24T07:30:00.000Z' });
    const told: string[] = []; // when each summary the scheduler handed over was made (fake clock)
    const scheduler = new SummaryScheduler(w.engine, clock, silentLogger, (s) => (told.push(s.generatedAt), w.engine.announceSummary(s)));
    await scheduler.start();
    // A task that waits for the owner: the briefing lists it first, with its buttons.
    await w.engine.submit([{ title: 'Try Bun for the test runner', request: 'someday try Bun', priority: 'low', priorityReason: 'said "someday"', deadline: null, deadlinePhrase: null, estimateMs: null }], { adapter: 'discord', userId: OWNER, channel: CHANNEL });
    const posts = () => w.fake.messages(CHANNEL).filter((m) => /Good morning/.test(embedOf(m)));
    await clock.advance(11 * 3_600_000 + 29 * 60_000); // 07:29 in London
    expect(told).toEqual([]);
    await clock.advance(60_000); // 07:30
    await w.fake.waitFor(() => posts().length > 0, 'the morning post');
    scheduler.stop();
    await w.adapter.drain();
    // one summary, made at 07:30 and none before (a summary made at 07:29 would have been composed,
    // and posted to the same channel, before this one)
    expect(told).toEqual(['2026-11-25T07:30:00.000Z']);
    expect(posts()).toHaveLength(1);
    const post = posts()[0];
    expect(embedOf(post)).toMatch(/Good morning: 1 needs you/);
    expect(embedOf(post)).toMatch(/Since 07:30 Tue 24 Nov \(Europe\/London\)/);
    expect(embedOf(post)).not.toContain('```');
    expect(buttonsOf(post)).toEqual(['ns:approve:t-1', 'ns:reject:t-1']);
    expect(w.engine.getMeta('lastSummaryAt')).toBe('2026-11-25T07:30:00.000Z');
    // the owner approves straight from the briefing
    await w.fake.pressButton({ userId: OWNER, messageId: post!.id, customId: 'ns:approve:t-1' }).response();
    await waitFor(() => w.engine.liveTask('t-1')?.status === 'queued', 5_000, 't-1 approved');
  });
});

describe('Discord: where status messages go, and restarts', () => {
  it('after a restart the same status message is edited and its thread still belongs to the task', async () => {
    const w = await setup({ script: 'hang' });
    build(w, OWNER, 'urgent: build the invoice export');
    await waitFor(() => cardRef(w, 't-1')?.thread !== undefined, 10_000, 'the thread');
    const before = cardRef(w, 't-1')!;
    await w.engine.shutdown(0);
    await w.adapter.stop();
    await w.store.close();
    const store = new LowdbTaskStore({ dir: w.dir });
    await store.open();
    const engine = new Engine({ store, builder: fakeAgentBuilder('succeed', w.dir), policy: defaultPolicy({ timeZone: 'Europe/London', retryBackoffMs: [100], tickMs: 3_600_000 }), clock: systemClock, logger: silentLogger, runBuilds: true });
    const config: DiscordConfig = { token: w.fake.token, guildId: w.fake.guildId, channel: CHANNEL, ownerId: OWNER, approvers: [], allowedUsers: [], apiUrl: w.fake.apiUrl };
    const adapter = new DiscordAdapter({ engine, config, logger: silentLogger, perChannel: { count: 5, windowMs: 500 } });
    await adapter.start();
    await engine.start();
    world = { ...w, engine, adapter, store };
    await waitFor(async () => (await engine.get('t-1'))?.status === 'done', 10_000, 't-1 done after the restart');
    await adapter.drain();
    expect(cardRef(world, 't-1')).toEqual(before);
    expect(w.fake.messages(CHANNEL).filter((m) => m.authorId === w.fake.botUserId && /t-1 ·/.test(embedOf(m)))).toHaveLength(1);
    expect(embedOf(w.fake.message(before.ts))).toContain('✅ done');
    // a reply in the old thread still reaches the task
    await w.fake.sendMessage({ authorId: OWNER, channelId: before.thread!, content: 'status' });
    await w.fake.waitFor(() => w.fake.messages(before.thread!).some((m) => m.authorId === w.fake.botUserId && /t-1 .*done/.test(m.content)), 'the status answer in the thread');
  });

  it('a task created while Discord was not connected gets its status message and thread at start', async () => {
    const fake = await startFakeDiscord();
    const dir = await tempDir();
    const store = new LowdbTaskStore({ dir });
    await store.open();
    const engine = new Engine({ store, builder: fakeAgentBuilder('hang', dir), policy: defaultPolicy({ timeZone: 'Europe/London', tickMs: 3_600_000 }), clock: systemClock, logger: silentLogger, runBuilds: false });
    await engine.start();
    // asked on Discord just before nightshift stopped: the task is on disk, its message was never posted
    await handleText({ engine, actor: { id: OWNER, role: 'owner', adapter: 'discord', channel: CHANNEL } }, 'a hello-world CLI by tonight', { asRequest: true });
    const adapter = new DiscordAdapter({ engine, config: { token: fake.token, guildId: fake.guildId, channel: CHANNEL, ownerId: OWNER, approvers: [], allowedUsers: [], apiUrl: fake.apiUrl }, logger: silentLogger, perChannel: { count: 5, windowMs: 500 } });
    await adapter.start();
    world = { fake, engine, adapter, store, dir };
    await waitFor(() => cardRef(world!, 't-1')?.thread !== undefined, 10_000, 't-1\'s status message and thread');
    expect(embedOf(cardOf(world, 't-1'))).toContain('t-1 · Build a hello-world CLI');
  });

  it('a deleted status message stops being edited, and the thread says so once', async () => {
    const w = await setup({ env: { FAKE_STEP_MS: '300' } });
    w.fake.failNext('PATCH /channels/:id/messages/:id', { status: 404, code: 10008, times: 1 });
    build(w, OWNER, 'urgent: build the invoice export');
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    await w.fake.waitFor(() => /is done after/.test(threadText(w, 't-1')), 'done in the thread');
    await w.adapter.drain();
    expect(threadText(w, 't-1').match(/status message of t-1 was deleted/g)).toHaveLength(1);
    const cardEdits = w.fake.calls.filter((c) => c.route === 'PATCH /channels/:id/messages/:id' && c.path.endsWith(cardRef(w, 't-1')!.ts));
    expect(cardEdits).toHaveLength(1); // the one that found it gone
  });

  it('when the task\'s thread is gone, its messages (the owner\'s ping included) become replies to the status message', async () => {
    const w = await setup();
    build(w, OWNER, 'urgent: build the invoice export');
    await waitFor(() => cardRef(w, 't-1')?.thread !== undefined, 10_000, 'the thread');
    w.fake.failNext('POST /channels/:id/messages', { status: 404, code: 10003, times: 1 });
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    const ref = cardRef(w, 't-1')!;
    await w.fake.waitFor(() => w.fake.messages(CHANNEL).some((m) => /is done after/.test(m.content)), 'done in the channel');
    const done = w.fake.messages(CHANNEL).find((m) => /is done after/.test(m.content))!;
    expect(done.messageReference?.message_id).toBe(ref.ts);
    expect(done.allowedMentions).toEqual({ parse: [], users: [OWNER] });
  });

  it('when the bot cannot post in DISCORD_CHANNEL, the status message goes to a DM with whoever asked, saying why', async () => {
    const w = await setup();
    w.fake.failNext('POST /channels/:id/messages', { status: 403, code: 50001, times: 1 });
    build(w, OWNER, 'urgent: build the invoice export');
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    const dm = w.fake.dmChannelOf(OWNER)!;
    await w.fake.waitFor(() => w.fake.messages(dm).some((m) => /is done after/.test(m.content)), 'the messages in the DM', 10_000);
    expect(w.fake.messages(dm).some((m) => /I could not post in <#/.test(m.content))).toBe(true);
  });
});
