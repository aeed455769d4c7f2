// A fake Discord on loopback for end-to-end tests with the real discord.js: one HTTP server on
// 127.0.0.1:<random port> serving the REST API (/api/v10/...) and the gateway (WebSocket, any path).
// Point discord.js at it with `new Client({ rest: { api: fake.apiUrl } })`: login asks
// GET /gateway/bot, whose `url` sends the client to this server's gateway.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Channels, type FakeThread } from './channels.ts';
import { Commands, type CommandWrite } from './commands.ts';
import {
  FAKE_APP_ID,
  FAKE_BOT_USER_ID,
  FAKE_CHANNEL_ID,
  FAKE_CHANNEL_NAME,
  FAKE_DISCORD_TOKEN,
  FAKE_GUILD_ID,
  HEARTBEAT_INTERVAL_MS,
  INTERACTION_DEADLINE_MS,
} from './defaults.ts';
import type { EditCap } from './edit-rules.ts';
import { Gateway } from './gateway.ts';
import { InteractionHandle, type FakeInteraction } from './interaction-handle.ts';
import { INTERACTION_TYPE, Interactions, type InteractionRecord } from './interactions.ts';
import type { DiscordJson } from './message-json.ts';
import { MessageStore, type FakeDiscordMessage } from './message-store.ts';
import { RateLimiter, type RateLimits, type ScriptedFailure } from './rate-limits.ts';
import { ROUTES, type RestContext } from './rest-routes.ts';
import { serveRest, type FakeDiscordCall } from './rest-api.ts';
import { RouteTable, normalizeRoute } from './route-table.ts';
import { Snowflakes, opaqueToken } from './snowflakes.ts';
import { findButton, interactionPayload, postUserMessage, resolveChannel, type UserMessageInput } from './user-events.ts';
import { Users, type FakeUserInfo } from './users.ts';
import { Waiters } from '../shared/waiters.ts';
import type { World } from './world.ts';

export type { FakeThread } from './channels.ts';
export type { CommandWrite } from './commands.ts';
export type { EditCap } from './edit-rules.ts';
export type { FakeInteraction } from './interaction-handle.ts';
export type { FakeCallback } from './interactions.ts';
export type { DiscordJson } from './message-json.ts';
export type { FakeDiscordEdit, FakeDiscordMessage } from './message-store.ts';
export type { RateLimits, ScriptedFailure } from './rate-limits.ts';
export type { FakeDiscordCall } from './rest-api.ts';
export type { FakeUserInfo } from './users.ts';

export interface FakeDiscordOptions {
  /** Bot token accepted as `Authorization: Bot <token>` and in IDENTIFY (default FAKE_DISCORD_TOKEN). */
  token?: string;
  appId?: string;
  botUserId?: string;
  guildId?: string;
  /** The guild's text channels (default: one, FAKE_CHANNEL_ID '#builds'). */
  channels?: Array<{ id: string; name: string }>;
  /** Known users; any other id is a user with a made-up username. */
  users?: Record<string, FakeUserInfo>;
  /** Enforced rate limits (default: none). Change later with `setRateLimits`. */
  rateLimits?: RateLimits;
  /** An interaction callback later than this (ms after the interaction) gets 404 10062 (default 3000). */
  interactionDeadlineMs?: number;
  /** Emulates error 30046: once a message is `olderThanMs` old, at most `maxEdits` more edits. Default: off. */
  editCap?: EditCap;
  /** Privileged intents not enabled for the app in the Developer Portal: IDENTIFY with one is closed with 4014. Default: none. */
  deniedIntents?: number;
  /** `heartbeat_interval` in HELLO, ms (default 41250, Discord's). */
  heartbeatIntervalMs?: number;
  /** Clock (epoch ms) for timestamps, ids, rate-limit windows, deadlines and message ages (default Date.now). */
  now?: () => number;
}

// Generous: under CI load a chain of disk writes and paced calls can take seconds; a wait only
// costs its full length when the test is failing anyway.
const DEFAULT_WAIT_MS = 10_000;
const READY_WAIT_MS = 10_000;

export class FakeDiscord {
  readonly token: string;
  readonly appId: string;
  readonly botUserId: string;
  readonly guildId: string;
  /** Every REST call, refused ones included, in arrival order. */
  readonly calls: FakeDiscordCall[] = [];

  private readonly now: () => number;
  private readonly waiters = new Waiters('fake Discord');
  private readonly world: World;
  private readonly ctx: RestContext;
  private readonly interactions: Interactions;
  private readonly registry: Commands;
  private readonly limiter: RateLimiter;
  private readonly gateway: Gateway;
  private readonly routes = new RouteTable(ROUTES);
  private readonly server: Server;
  private portNumber = 0;
  private stopped = false;

  constructor(opts: FakeDiscordOptions = {}) {
    this.token = opts.token ?? FAKE_DISCORD_TOKEN;
    this.appId = opts.appId ?? FAKE_APP_ID;
    this.botUserId = opts.botUserId ?? FAKE_BOT_USER_ID;
    this.guildId = opts.guildId ?? FAKE_GUILD_ID;
    this.now = opts.now ?? Date.now;
    const ids = new Snowflakes(this.now);
    const users = new Users(opts.users ?? {}, this.botUserId, new Date(this.now()).toISOString());
    const channels = new Channels(this.guildId, opts.channels ?? [{ id: FAKE_CHANNEL_ID, name: FAKE_CHANNEL_NAME }], users, ids);
    this.gateway = new Gateway({
      token: this.token,
      botUserId: this.botUserId,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      deniedIntents: opts.deniedIntents ?? 0,
      ready: (sessionId, shard) => ({
        v: 10,
        user: users.selfJson(),
        guilds: [{ id: this.guildId, unavailable: true }],
        session_id: sessionId,
        session_type: 'normal',
        resume_gateway_url: this.gatewayUrl,
        shard: Array.isArray(shard) ? shard : [0, 1],
        application: { id: this.appId, flags: 0 },
        private_channels: [],
        relationships: [],
        presences: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
        user_settings: {},
      }),
      guildCreate: () => channels.guildCreate(),
      changed: () => this.waiters.notify(),
      now: this.now,
    });
    this.world = {
      appId: this.appId,
      botUserId: this.botUserId,
      guildId: this.guildId,
      users,
      channels,
      store: new MessageStore(),
      ids,
      now: this.now,
      editCap: opts.editCap,
      dispatch: (t, d) => this.gateway.dispatch(t, d),
    };
    this.interactions = new Interactions(this.world, opts.interactionDeadlineMs ?? INTERACTION_DEADLINE_MS);
    this.registry = new Commands(this.appId, ids);
    this.ctx = { ...this.world, interactions: this.interactions, commands: this.registry, gatewayUrl: '' };
    this.limiter = new RateLimiter(opts.rateLimits ?? {}, this.now);
    const rest = { token: this.token, now: this.now, routes: this.routes, limiter: this.limiter, ctx: this.ctx, calls: this.calls, changed: () => this.waiters.notify() };
    this.server = createServer((req, res) => {
      serveRest(req, res, rest).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => this.gateway.handleUpgrade(req, socket, head));
  }

  /** Binds 127.0.0.1 on a random port. Use `startFakeDiscord()` rather than calling this. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.portNumber = (this.server.address() as AddressInfo).port;
    this.ctx.gatewayUrl = this.gatewayUrl;
  }

  get port(): number {
    return this.portNumber;
  }
  /** http://127.0.0.1:PORT */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** For `new Client({ rest: { api } })`: without /v10, which @discordjs/rest appends. */
  get apiUrl(): string {
    return `${this.url}/api`;
  }
  /** What GET /gateway/bot hands out, and READY's `resume_gateway_url`. */
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  // ---- REST record -------------------------------------------------------------------------

  /** Calls of a route (any `:param` spelling) that were not refused (rate limit, failNext, invalid body). */
  callsOf(route: string): FakeDiscordCall[] {
    const wanted = normalizeRoute(route);
    return this.calls.filter((c) => normalizeRoute(c.route) === wanted && !c.rejected);
  }

  /** Calls refused by a rate limit, failNext, or as an invalid body. */
  get rejected(): FakeDiscordCall[] {
    return this.calls.filter((c) => c.rejected);
  }

  /** The first call of `route` that was not refused and matches `pred`, past or future. */
  async waitForCall(route: string, pred: (c: FakeDiscordCall) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<FakeDiscordCall> {
    const find = () => this.callsOf(route).find(pred);
    await this.waiters.until(() => find() !== undefined, timeoutMs, `a ${route} call${pred.length > 0 ? ' matching the predicate' : ''}`);
    return find() as FakeDiscordCall;
  }

  /**
   * Resolves when `check()` holds. It is re-checked after every REST call, gateway change and user
   * action, not on a timer: a check of state outside the fake (the bot's own store) needs a wait of its own.
   */
  waitFor(check: () => boolean, what = 'a condition', timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waiters.until(check, timeoutMs, what);
  }

  // ---- What the bot registered, and its gateway --------------------------------------------

  /** Each write of application commands (bulk PUT, or a POST of one), in order. */
  get commands(): CommandWrite[] {
    return this.registry.writes;
  }
  /** The commands registered now in a scope ('global' or a guild id), as Discord echoed them. */
  registeredCommands(scope = 'global'): DiscordJson[] {
    return this.registry.list(scope);
  }
  get identifies(): Array<{ intents: number; at: number }> {
    return this.gateway.identifies;
  }
  get resumes(): number {
    return this.gateway.resumes;
  }
  /** A gateway session is live: READY or RESUMED sent and its socket open. */
  get connected(): boolean {
    return this.gateway.connected;
  }
  /** Resolves once the bot has identified (READY and GUILD_CREATE sent) or resumed. */
  waitForReady(timeoutMs = READY_WAIT_MS): Promise<void> {
    return this.waiters.until(() => this.gateway.connected, timeoutMs, 'the bot to IDENTIFY or RESUME on the gateway');
  }
  /**
   * Closes the bot's gateway socket with `code` (default 4000, resumable) and resolves once it is closed.
   * Events dispatched meanwhile are replayed on RESUME; a client that re-IDENTIFYs gets READY instead.
   */
  dropGateway(code = 4000): Promise<void> {
    return this.gateway.drop(code);
  }

  // ---- State -------------------------------------------------------------------------------

  /** A channel's (or thread's, or DM's) messages as they are now, oldest first; ephemeral ones left out. */
  messages(channelId: string): FakeDiscordMessage[] {
    return this.world.store.inChannel(channelId);
  }
  /** Any message by id, ephemeral ones included. */
  message(id: string): FakeDiscordMessage | undefined {
    return this.world.store.find(id);
  }
  threads(): FakeThread[] {
    return this.world.channels.threads();
  }
  thread(id: string): FakeThread | undefined {
    return this.world.channels.thread(id);
  }
  /** Archives a thread, as Discord does after its auto-archive duration (the bot hears THREAD_UPDATE). */
  archiveThread(id: string): void {
    const thread = this.world.channels.thread(id);
    if (!thread) throw new Error(`fake Discord: archiveThread(${id}): no such thread`);
    if (this.world.channels.setArchived(id, true, this.now())) void this.gateway.dispatch('THREAD_UPDATE', this.world.channels.threadJson(thread));
    this.waiters.notify();
  }
  dmChannelOf(userId: string): string | undefined {
    return this.world.channels.dmChannelOf(userId);
  }
  /** The DM channel between the bot and `userId`, opened if needed. */
  dmChannel(userId: string): string {
    return this.world.channels.dmChannel(userId);
  }

  // ---- Driving the bot ---------------------------------------------------------------------

  /**
   * A user writes a message (MESSAGE_CREATE). Resolves with the stored message once the event is on the
   * wire (or kept for the bot's RESUME while it is disconnected). Intents decide what the bot sees.
   */
  async sendMessage(m: UserMessageInput): Promise<FakeDiscordMessage> {
    this.requireSession('sendMessage');
    const { message, delivered } = postUserMessage(this.world, m);
    this.waiters.notify();
    await delivered;
    return message;
  }

  /** A user runs a slash command (INTERACTION_CREATE type 2). `options` in Discord's shape. */
  slashCommand(i: { userId: string; channelId: string; name: string; options?: unknown[]; dm?: boolean }): FakeInteraction {
    const channelId = resolveChannel(this.world, i.userId, i.channelId, i.dm);
    const guildId = this.world.channels.guildOf(channelId);
    const registered = this.registry.find(i.name, guildId);
    const data = {
      id: typeof registered?.['id'] === 'string' ? registered['id'] : this.world.ids.next(),
      name: i.name,
      type: 1,
      ...(i.options ? { options: i.options } : {}),
      ...(typeof registered?.['guild_id'] === 'string' ? { guild_id: registered['guild_id'] } : {}),
    };
    return this.interact(INTERACTION_TYPE.ApplicationCommand, i.userId, channelId, data, { name: i.name });
  }

  /** A user types into an autocompleted option (INTERACTION_CREATE type 4); mark it `focused: true`. */
  autocomplete(i: { userId: string; channelId: string; name: string; options: unknown[] }): FakeInteraction {
    const channelId = resolveChannel(this.world, i.userId, i.channelId, undefined);
    const registered = this.registry.find(i.name, this.world.channels.guildOf(channelId));
    const data = { id: typeof registered?.['id'] === 'string' ? registered['id'] : this.world.ids.next(), name: i.name, type: 1, options: i.options };
    return this.interact(INTERACTION_TYPE.Autocomplete, i.userId, channelId, data, { name: i.name });
  }

  /** A user presses a button on a stored message (INTERACTION_CREATE type 3). The button must exist and be enabled. */
  pressButton(i: { userId: string; messageId: string; customId: string }): FakeInteraction {
    const message = this.world.store.find(i.messageId);
    if (!message) throw new Error(`fake Discord: pressButton: no message ${i.messageId}`);
    const button = findButton(message.components, i.customId);
    if (!button) throw new Error(`fake Discord: pressButton: message ${i.messageId} has no button with custom_id ${i.customId}`);
    if (button['disabled'] === true) throw new Error(`fake Discord: pressButton: button ${i.customId} is disabled`);
    return this.interact(INTERACTION_TYPE.MessageComponent, i.userId, message.channelId, { custom_id: i.customId, component_type: 2 }, { message });
  }

  private interact(type: number, userId: string, channelId: string, data: Record<string, unknown>, extra: { name?: string; message?: FakeDiscordMessage }): FakeInteraction {
    this.requireSession('an interaction');
    const rec: InteractionRecord = {
      id: this.world.ids.next(),
      token: opaqueToken('aW50ZXJhY3Rpb24'),
      type,
      ...(extra.name ? { name: extra.name } : {}),
      channelId,
      userId,
      createdAt: this.now(),
      ...(extra.message ? { sourceMessageId: extra.message.id } : {}),
      callbacks: [],
      acknowledged: false,
      followupIds: [],
    };
    this.interactions.add(rec);
    void this.gateway.dispatch('INTERACTION_CREATE', interactionPayload(this.world, rec, data, extra.message));
    this.waiters.notify();
    return new InteractionHandle(rec, this.interactions, this.world, this.waiters);
  }

  /** Driving a bot that never connected loses the event silently in Discord; in a test it is a mistake. */
  private requireSession(what: string): void {
    if (!this.gateway.hasSession) throw new Error(`fake Discord: ${what} with no gateway session to receive it (await fake.waitForReady() first)`);
  }

  // ---- Rate limits and scripted failures ---------------------------------------------------

  /** Changes (or lifts, with undefined) the 30046 edit cap, as time passing would on Discord. */
  setEditCap(cap: EditCap | undefined): void {
    this.world.editCap = cap;
    this.ctx.editCap = cap;
  }

  setRateLimits(r: RateLimits = {}): void {
    this.limiter.setLimits(r);
  }
  /**
   * Makes the next call(s) of `route` ('PATCH /channels/:id/messages/:id', any `:param` names) fail:
   * by default one 429 with retry_after 0.5 s. Throws for a route the fake does not serve.
   * discord.js retries a 429 after retry_after, and a 5xx up to 3 times (its `rest.retries`): to make a
   * call fail for good with a 500, script `times: 4`.
   */
  failNext(route: string, f?: ScriptedFailure): void {
    const canonical = this.routes.canonical(route);
    if (!canonical) throw new Error(`fake Discord: failNext(${route}): the fake serves no such route`);
    this.limiter.failNext(canonical, f);
  }

  /** Closes the gateway's sockets and the server. Destroy the discord.js client first. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.gateway.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/** Starts a fake Discord on 127.0.0.1 (random port). Stop it with `await fake.stop()` after destroying the client. */
export async function startFakeDiscord(opts?: FakeDiscordOptions): Promise<FakeDiscord> {
  const fake = new FakeDiscord(opts);
  await fake.listen();
  return fake;
}
