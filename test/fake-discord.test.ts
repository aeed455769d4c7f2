// The fake Discord (test/fakes/discord) against the real discord.js 14 client: REST through
// @discordjs/rest, the gateway through @discordjs/ws. Only the network is fake; everything stays on
// 127.0.0.1. One fresh client per test (destroyed after it) and one fake per test.
import {
  ButtonStyle,
  ChannelType,
  Client,
  ComponentType,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  RESTEvents,
  Routes,
  type ClientEvents,
  type Interaction,
  type Message,
  type RateLimitData,
  type TextChannel,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_BOT_USER_ID, FAKE_CHANNEL_ID, FAKE_GUILD_ID, Intents } from './fakes/discord/defaults.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from './fakes/discord/fake-discord.ts';
import { rejection as rejectionOf } from './helpers/rejection.ts';

const rejection = (p: Promise<unknown>) => rejectionOf(p, DiscordAPIError);

const USER = '400000000000000042';
const ALL_INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent | GatewayIntentBits.DirectMessages;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeDiscord(opts?: FakeDiscordOptions): Promise<FakeDiscord> {
  const fake = await startFakeDiscord({ users: { [USER]: { username: 'ada', globalName: 'Ada' } }, ...opts });
  cleanups.push(() => fake.stop());
  return fake;
}

/** A logged-in client that has emitted `clientReady` (destroyed after the test, before the fake stops). */
async function connect(fake: FakeDiscord, intents: number = ALL_INTENTS, rest: { rejectOnRateLimit?: (d: { retryAfter: number }) => boolean } = {}): Promise<Client<true>> {
  const client = new Client({ intents, partials: [Partials.Channel], rest: { api: fake.apiUrl, ...rest } });
  cleanups.push(() => client.destroy());
  const ready = nextEvent(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return client as Client<true>;
}

/** The next `event` whose arguments pass `pred`. */
function nextEvent<K extends keyof ClientEvents>(client: Client, event: K, pred: (...args: ClientEvents[K]) => boolean = () => true, timeoutMs = 10_000): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`no ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: ClientEvents[K]): void => {
      if (!pred(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    client.on(event, listener);
  });
}

/** Runs `handler` on each interaction; resolves with what the first run threw (undefined if nothing). */
function onInteraction(client: Client, handler: (i: Interaction) => Promise<unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    client.on(Events.InteractionCreate, (i) => {
      handler(i).then(
        () => resolve(undefined),
        (err: unknown) => resolve(err),
      );
    });
  });
}

function buildChannel(client: Client): TextChannel {
  const channel = client.channels.cache.get(FAKE_CHANNEL_ID);
  if (channel?.type !== ChannelType.GuildText) throw new Error('#builds is not cached');
  return channel;
}

const button = (customId: string) => ({ type: ComponentType.Button as const, style: ButtonStyle.Success as const, label: 'Approve', custom_id: customId });
const approveRow = (customId = 'ns:approve:t-1') => ({ type: ComponentType.ActionRow as const, components: [button(customId)] });

describe('fake Discord gateway with the real discord.js client', () => {
  it('logs in promptly: READY and GUILD_CREATE fill the cache, IDENTIFY intents are recorded', async () => {
    const fake = await fakeDiscord();
    const started = Date.now();
    const client = await connect(fake);
    expect(Date.now() - started).toBeLessThan(10_000); // without GUILD_CREATE discord.js would wait 15 s

    expect(client.user.id).toBe(FAKE_BOT_USER_ID);
    expect(client.user.bot).toBe(true);
    expect(buildChannel(client).name).toBe('builds');
    expect(client.guilds.cache.get(FAKE_GUILD_ID)?.members.me?.id).toBe(FAKE_BOT_USER_ID);
    expect(fake.identifies).toMatchObject([{ intents: ALL_INTENTS }]);
    expect(fake.connected).toBe(true);
    await expect(fake.waitForReady()).resolves.toBeUndefined();
    expect(fake.callsOf('GET /gateway/bot')).toMatchObject([{ status: 200, auth: `Bot ${fake.token}` }]);
  });

  it("delivers a user's message with its content, a mention of the bot, and the bot's own messages", async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);

    const plain = nextEvent(client, Events.MessageCreate);
    const sent = await fake.sendMessage({ authorId: USER, channelId: FAKE_CHANNEL_ID, content: 'build the invoice export' });
    const [message] = await plain;
    expect(message).toMatchObject({ id: sent.id, content: 'build the invoice export', guildId: FAKE_GUILD_ID, channelId: FAKE_CHANNEL_ID });
    expect(message.author).toMatchObject({ id: USER, username: 'ada', globalName: 'Ada', bot: false });

    const mention = nextEvent(client, Events.MessageCreate);
    await fake.sendMessage({ authorId: USER, channelId: FAKE_CHANNEL_ID, content: 'status?', mentionsBot: true });
    const [mentioned] = await mention;
    expect(mentioned.content).toBe(`<@${FAKE_BOT_USER_ID}> status?`);
    expect(mentioned.mentions.users.has(FAKE_BOT_USER_ID)).toBe(true);

    // Discord echoes the bot's own messages on the gateway: a bot must ignore them.
    const own = nextEvent(client, Events.MessageCreate, (m) => m.author.id === FAKE_BOT_USER_ID);
    const posted = await buildChannel(client).send('Queued t-1');
    const [echo] = await own;
    expect(echo.id).toBe(posted.id);
    expect(fake.messages(FAKE_CHANNEL_ID).map((m) => m.content)).toEqual([`build the invoice export`, `<@${FAKE_BOT_USER_ID}> status?`, 'Queued t-1']);
  });

  it('honours intents: no MessageContent empties guild messages unless they mention the bot; no DirectMessages, no DMs', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake, GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages);
    expect(fake.identifies[0]?.intents).toBe(Intents.Guilds | Intents.GuildMessages);
    const received: Message[] = [];
    client.on(Events.MessageCreate, (m) => received.push(m));
    const three = nextEvent(client, Events.MessageCreate, () => received.length >= 3);

    await fake.sendMessage({ authorId: USER, channelId: FAKE_CHANNEL_ID, content: 'secret plans' });
    await fake.sendMessage({ authorId: USER, channelId: FAKE_CHANNEL_ID, content: 'hello bot', mentionsBot: true });
    await fake.sendMessage({ authorId: USER, channelId: '', dm: true, content: 'a DM the bot cannot see' });
    await fake.sendMessage({ authorId: USER, channelId: FAKE_CHANNEL_ID, content: 'last' });
    await three; // the DM, had it been dispatched, would have arrived before 'last'

    expect(received.map((m) => m.content)).toEqual(['', `<@${FAKE_BOT_USER_ID}> hello bot`, '']);
  });

  it('delivers a DM (Partials.Channel, channel_type 1) and takes the answer in the same DM channel', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);

    const dm = nextEvent(client, Events.MessageCreate);
    await fake.sendMessage({ authorId: USER, channelId: '', dm: true, content: 'what is queued?' });
    const [message] = await dm;
    expect(message.channel.type).toBe(ChannelType.DM);
    expect(message.guildId).toBeNull();
    expect(message.channelId).toBe(fake.dmChannelOf(USER));
    await message.reply('Nothing queued.');

    // Opening a DM from the bot's side (POST /users/@me/channels) finds the same channel.
    await client.users.send(USER, 'Your build is done.');
    expect(fake.messages(fake.dmChannel(USER)).map((m) => [m.authorId, m.content, m.type])).toEqual([
      [USER, 'what is queued?', 0],
      [FAKE_BOT_USER_ID, 'Nothing queued.', 19],
      [FAKE_BOT_USER_ID, 'Your build is done.', 0],
    ]);
  });

  it('survives dropGateway(4000): the client RESUMEs and receives the message sent while it was away', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const resumed = nextEvent(client, Events.ShardResume);

    await fake.dropGateway(4000);
    expect(fake.connected).toBe(false);
    const away = nextEvent(client, Events.MessageCreate);
    await fake.sendMessage({ authorId: USER, channelId: FAKE_CHANNEL_ID, content: 'sent while you were away' });

    const [message] = await away;
    expect(message.content).toBe('sent while you were away');
    const [, replayed] = await resumed;
    expect(replayed).toBe(2); // the missed MESSAGE_CREATE, and RESUMED itself (it carries a sequence number too)
    expect(fake.resumes).toBe(1);
    expect(fake.identifies).toHaveLength(1);
    expect(fake.connected).toBe(true);
  });
});

describe('fake Discord interactions with the real discord.js client', () => {
  it('registers guild commands, delivers a slash command, and takes interaction.reply as the response', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const [registered] = await client.application.commands.set(
      [{ name: 'build', description: 'Queue a build', options: [{ name: 'request', description: 'What to build', type: 3, required: true }] }],
      FAKE_GUILD_ID,
    ).then((c) => [...c.values()]);
    expect(fake.commands).toMatchObject([{ scope: FAKE_GUILD_ID, body: [{ name: 'build' }] }]);

    const handled = onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      expect(i.commandId).toBe(registered?.id);
      await i.reply({ content: `Queued: ${i.options.getString('request', true)}`, flags: MessageFlags.Ephemeral });
    });
    const interaction = fake.slashCommand({ userId: USER, channelId: FAKE_CHANNEL_ID, name: 'build', options: [{ name: 'request', type: 3, value: 'build X' }] });

    const response = await interaction.response();
    expect(response).toMatchObject({ type: 4, status: 204, data: { content: 'Queued: build X', flags: MessageFlags.Ephemeral } });
    expect(response.lateMs).toBeUndefined();
    expect(interaction.original()).toMatchObject({ content: 'Queued: build X', flags: MessageFlags.Ephemeral });
    expect(fake.messages(FAKE_CHANNEL_ID)).toEqual([]); // ephemeral: not in the channel
    await expect(handled).resolves.toBeUndefined();

    // A second callback is refused, as Discord does (discord.js itself would refuse before sending).
    const again = await rejection(client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), { body: { type: 4, data: { content: 'twice' } }, auth: false }));
    expect(again.code).toBe(40060);
  });

  it('delivers a slash command in a DM (user, no guild); reply withResponse gets the callback resource', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const handled = onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      expect(i.channel?.type).toBe(ChannelType.DM);
      expect([i.guildId, i.user.id, i.context]).toEqual([null, USER, 1]);
      const callback = await i.reply({ content: 'Nothing queued.', withResponse: true });
      expect(callback.resource?.message?.content).toBe('Nothing queued.');
    });

    const interaction = fake.slashCommand({ userId: USER, channelId: '', dm: true, name: 'status', options: [{ name: 'all', type: 5, value: true }] });
    await expect(interaction.response()).resolves.toMatchObject({ type: 4, status: 200 });
    await expect(handled).resolves.toBeUndefined();
    expect(fake.messages(fake.dmChannel(USER))).toMatchObject([{ content: 'Nothing queued.', type: 20, interaction: { id: interaction.id } }]);
  });

  it('delivers autocomplete with the focused option and takes the choices', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const handled = onInteraction(client, async (i) => {
      if (!i.isAutocomplete()) return;
      expect(i.options.getSubcommand()).toBe('cancel');
      expect(i.options.getFocused(true)).toMatchObject({ name: 'task', value: 't-' });
      await i.respond([{ name: 't-1 invoice export', value: 't-1' }]);
    });

    const typing = fake.autocomplete({
      userId: USER,
      channelId: FAKE_CHANNEL_ID,
      name: 'nightshift',
      options: [{ name: 'cancel', type: 1, options: [{ name: 'task', type: 3, value: 't-', focused: true }] }],
    });
    await expect(typing.response()).resolves.toMatchObject({ type: 8, data: { choices: [{ name: 't-1 invoice export', value: 't-1' }] } });
    await expect(handled).resolves.toBeUndefined();
  });

  it('deferReply then editReply: the deferral, then the final original, then a follow-up', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    let thinking: unknown;
    const handled = onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply();
      thinking = fake.message((await i.fetchReply()).id)?.flags;
      await i.editReply({ embeds: [{ title: 'Status', description: '2 building, 1 queued' }] });
      await i.followUp({ content: 'only for you', flags: MessageFlags.Ephemeral });
    });
    const interaction = fake.slashCommand({ userId: USER, channelId: FAKE_CHANNEL_ID, name: 'status' });

    await expect(interaction.response()).resolves.toMatchObject({ type: 5 });
    const final = await interaction.finalOriginal();
    expect(final).toMatchObject({ content: '', embeds: [{ title: 'Status', description: '2 building, 1 queued' }], flags: 0, interaction_metadata: { user: { id: USER } } });
    expect(thinking).toBe(MessageFlags.Loading);
    await fake.waitFor(() => interaction.followups.length === 1, 'the follow-up');
    expect(interaction.followups[0]).toMatchObject({ content: 'only for you', flags: MessageFlags.Ephemeral });
    await expect(handled).resolves.toBeUndefined();
    expect(fake.messages(FAKE_CHANNEL_ID).map((m) => m.embeds)).toEqual([[{ title: 'Status', description: '2 building, 1 queued' }]]);
  });

  it('delivers a button press on a stored message; interaction.update edits that message', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const card = await buildChannel(client).send({ content: 'Approve t-1?', components: [approveRow()] });
    const handled = onInteraction(client, async (i) => {
      if (!i.isButton()) return;
      expect(i.message.id).toBe(card.id);
      await i.update({ content: `Approved by <@${i.user.id}>`, components: [] });
    });

    const press = fake.pressButton({ userId: USER, messageId: card.id, customId: 'ns:approve:t-1' });
    await expect(press.response()).resolves.toMatchObject({ type: 7 });
    expect(fake.message(card.id)).toMatchObject({ content: `Approved by <@${USER}>`, components: [] });
    await expect(handled).resolves.toBeUndefined();
    expect(fake.message(card.id)?.edits).toHaveLength(1);
    expect(press.original()).toMatchObject({ id: card.id, content: `Approved by <@${USER}>` });
    expect(() => fake.pressButton({ userId: USER, messageId: card.id, customId: 'ns:approve:t-1' })).toThrow(/no button/);
  });

  it('answers a reply after the deadline with 10062 Unknown interaction', async () => {
    // The fake's clock (its deadlines) moves on 3.5 s while the handler works: late by Discord's 3 s.
    let handlerTookMs = 0;
    const fake = await fakeDiscord({ now: () => Date.now() + handlerTookMs });
    const client = await connect(fake);
    const handled = onInteraction(client, async (i) => {
      if (!i.isChatInputCommand()) return;
      handlerTookMs = 3_500;
      await i.reply('too late');
    });

    const response = await fake.slashCommand({ userId: USER, channelId: FAKE_CHANNEL_ID, name: 'status' }).response();
    expect(response).toMatchObject({ type: 4, status: 404 });
    expect(response.lateMs).toBeGreaterThanOrEqual(500);
    const error = await handled;
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(10062);
  });
});

describe('fake Discord messages and threads with the real discord.js client', () => {
  it('starts a thread from a message (same id, THREAD_CREATE), once only', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const card = await buildChannel(client).send('Building t-1');
    const created = nextEvent(client, Events.ThreadCreate);

    const thread = await card.startThread({ name: 't-1 invoice export', autoArchiveDuration: 60 });
    expect(thread.id).toBe(card.id);
    expect(thread.parentId).toBe(FAKE_CHANNEL_ID);
    await created;
    expect(fake.thread(card.id)).toMatchObject({ parentId: FAKE_CHANNEL_ID, starterMessageId: card.id, name: 't-1 invoice export', archived: false, autoArchiveDuration: 60 });
    await thread.send('Attempt 1/3 started');
    expect(fake.messages(thread.id).map((m) => m.content)).toEqual(['Attempt 1/3 started']);

    const second = await rejection(card.startThread({ name: 'again' }));
    expect(second.code).toBe(160004);
  });

  it('refuses edits inside an archived thread with 50083; posting unarchives it; the starter stays editable', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const card = await buildChannel(client).send('Building t-1');
    const thread = await card.startThread({ name: 't-1' });
    const progress = await thread.send('Attempt 1/3');

    fake.archiveThread(thread.id);
    const refused = await rejection(progress.edit('Attempt 1/3: done'));
    expect(refused.code).toBe(50083);
    expect(refused.status).toBe(400);
    await expect(card.edit('Built t-1')).resolves.toBeDefined(); // the starter lives in the parent channel

    await thread.send('Done.');
    expect(fake.thread(thread.id)?.archived).toBe(false);
    await expect(progress.edit('Attempt 1/3: done')).resolves.toBeDefined();

    fake.archiveThread(thread.id);
    await thread.setArchived(false);
    expect(fake.thread(thread.id)?.archived).toBe(false);
  });

  it('refuses edits of an old message past the cap with a 429 carrying 30046 and a long Retry-After (fake clock)', async () => {
    let now = Date.now();
    const fake = await fakeDiscord({ now: () => now, editCap: { olderThanMs: 60 * 60 * 1000, maxEdits: 2, retryAfterSec: 120 } });
    // Without rejectOnRateLimit discord.js would wait the 120 s and try again, for ever.
    const client = await connect(fake, ALL_INTENTS, { rejectOnRateLimit: (d) => d.retryAfter > 10_000 });
    const card = await buildChannel(client).send('Building t-1');
    await card.edit('Building t-1: 10%'); // young: does not count

    now += 60 * 60 * 1000;
    await card.edit('Building t-1: 50%');
    await card.edit('Building t-1: 90%');
    const refused = (await card.edit('Building t-1: 95%').then(() => null, (e: unknown) => e)) as { name: string; retryAfter: number };
    expect(refused.name).toMatch(/^RateLimitError/);
    expect(refused.retryAfter).toBeGreaterThanOrEqual(120_000);
    const answer = fake.calls.at(-1)!;
    expect(answer.status).toBe(429);
    expect(answer.response).toMatchObject({ code: 30046, message: 'Maximum number of edits to messages older than 1 hour reached. Try again later', retry_after: 120 });
    expect(fake.message(card.id)?.content).toBe('Building t-1: 90%');
    expect(fake.message(card.id)?.edits.map((e) => e.at - (fake.message(card.id)?.createdAt ?? 0))).toEqual([0, 3_600_000, 3_600_000]);
  });

  it('refuses invalid bodies as Discord does: 50035 with the failing fields, 50006 when empty', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const channel = buildChannel(client);

    const long = await rejection(channel.send('x'.repeat(2001)));
    expect(long.code).toBe(50035);
    expect(long.rawError).toMatchObject({ errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
    const rows = await rejection(channel.send({ components: Array.from({ length: 6 }, (_, i) => approveRow(`b${i}`)) }));
    expect(rows.rawError).toMatchObject({ errors: { components: { _errors: [{ message: 'Must be 5 or fewer in length.' }] } } });
    const embed = await rejection(channel.send({ embeds: [{ title: 't'.repeat(257), description: 'd'.repeat(4096), fields: [{ name: 'n', value: 'v'.repeat(1025) }], footer: { text: 'f'.repeat(1000) } }] }));
    expect(embed.rawError).toMatchObject({
      errors: { embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED' }], 0: { title: { _errors: [{}] }, fields: { 0: { value: { _errors: [{}] } } } } } },
    });
    const duplicate = await rejection(channel.send({ content: 'two', components: [{ type: ComponentType.ActionRow, components: [button('same'), button('same')] }] }));
    expect(duplicate.rawError).toMatchObject({ errors: { components: { 0: { components: { 1: { custom_id: { _errors: [{ code: 'COMPONENT_CUSTOM_ID_DUPLICATED' }] } } } } } } });
    expect((await rejection(channel.send({ content: '' }))).code).toBe(50006);

    expect(fake.messages(FAKE_CHANNEL_ID)).toEqual([]);
    expect(fake.rejected.map((c) => c.rejected?.reason)).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
  });

  it('answers an unknown route with 404 (recorded) and a missing bot token with 401', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    const unknown = await rejection(client.rest.get(Routes.guildAuditLog(FAKE_GUILD_ID)));
    expect(unknown.status).toBe(404);
    expect(fake.calls.at(-1)).toMatchObject({ route: 'GET /guilds/:id/audit-logs', status: 404 });

    const anonymous = await fetch(`${fake.apiUrl}/v10/users/@me`);
    expect(anonymous.status).toBe(401);
    await expect(anonymous.json()).resolves.toEqual({ code: 0, message: '401: Unauthorized' });
  });
});

describe('fake Discord rate limits with the real discord.js REST client', () => {
  it('retries a scripted 429 after retry_after, by itself', async () => {
    const fake = await fakeDiscord();
    const client = await connect(fake);
    fake.failNext('POST /channels/:cid/messages', { retryAfterSec: 0.2 });

    await buildChannel(client).send('after the 429');
    const posts = fake.calls.filter((c) => c.route === 'POST /channels/:id/messages');
    expect(posts.map((c) => [c.status, c.rejected?.reason])).toEqual([[429, 'scripted'], [200, undefined]]);
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(200);
  });

  it('a burst of 8 messages at 5 per 5 s: all arrive in order, none before the window allows', async () => {
    const fake = await fakeDiscord({ rateLimits: { messagesPerChannelPer5s: 5 } });
    const client = await connect(fake);
    const limited: RateLimitData[] = [];
    client.rest.on(RESTEvents.RateLimited, (info) => limited.push(info));

    const channel = buildChannel(client);
    await Promise.all(Array.from({ length: 8 }, (_, i) => channel.send(`progress ${i}`)));

    const accepted = fake.callsOf('POST /channels/:id/messages');
    expect(accepted.map((c) => c.body.content)).toEqual(Array.from({ length: 8 }, (_, i) => `progress ${i}`));
    const first = accepted[0]?.at ?? 0;
    expect(accepted.slice(0, 5).every((c) => c.at - first < 5000)).toBe(true);
    expect(accepted.slice(5).every((c) => c.at - first >= 5000)).toBe(true);
    // discord.js reads X-RateLimit-Remaining/Reset-After and waits before the 6th: no 429 at all.
    expect(fake.rejected).toEqual([]);
    expect(limited.length).toBeGreaterThan(0);
    expect(accepted[4]?.status).toBe(200);
  }, 15_000);
});
