// The Discord adapter: platform I/O only. Slash commands, mentions, DMs and replies in a task's
// thread become command calls; core events become a status message per task (an embed edited in
// place, starting the task's thread), milestone messages in that thread, and pings to the owner
// when they must act. Buttons call the same commands as every other way of asking.
import {
  ChannelType,
  Client,
  Events,
  MessageFlags,
  Partials,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
} from 'discord.js';
import { ConfigError, type DiscordConfig } from '../../config.ts';
import type { Engine } from '../../core/engine.ts';
import type { Announcer, CoreEvent, Logger } from '../../core/ports.ts';
import { isTerminal, type Task, type TaskId } from '../../core/task.ts';
import { canDecide, refusal, type Actor } from '../../commands/actor.ts';
import { decisionCommand } from '../../commands/decisions.ts';
import { handleText } from '../../commands/dispatch.ts';
import { errorReply, type Reply } from '../../commands/reply.ts';
import { makeBriefing } from '../../commands/briefing.ts';
import { briefingMessage } from './briefing.ts';
import { threadReply } from '../../commands/thread-reply.ts';
import { cardContext } from '../shared/card-facts.ts';
import { ChatMemory, type CardRef } from '../shared/chat-memory.ts';
import { CardSequence, closingLine, DECIDED } from '../shared/card-sequence.ts';
import { roleOf } from '../shared/roles.ts';
import { parseCustomId, statusCard, type CardContext, type DiscordMessage } from './card.ts';
import { INTENTS, inviteUrl } from './invite.ts';
import { attention, closedAsk, milestone } from './milestones.ts';
import { DiscordOutbox, PRIORITY } from './outbox.ts';
import { restApi } from './rest-api.ts';
import { commandDefinitions, commandText, taskChoices } from './slash-commands.ts';
import { LIMIT, plain, safeText, who } from './text.ts';

export interface DiscordAdapterOptions {
  engine: Engine;
  config: DiscordConfig;
  logger: Logger;
  /** Discord's 3 s to answer an interaction, minus a margin for the network and a loaded machine (default 2 s). */
  ackBudgetMs?: number;
  /** How often a building task's status message is refreshed when nothing else changes it. */
  refreshMs?: number;
  /** Passed to the outbox (tests shorten Discord's pacing). */
  perChannel?: { count: number; windowMs: number };
  /** Age after which Discord caps a message's edits (an hour); progress edits then slow down. */
  editCapAgeMs?: number;
  /** Once past that age, at most one progress edit per this long (milestones are always sent). */
  agedProgressEveryMs?: number;
  editCapRetryMs?: number;
  /** How long start() waits for the gateway's READY. */
  readyTimeoutMs?: number;
}

/** Waits longer than this on a message edit are treated as the edit cap. */
const LONG_EDIT_WAIT_MS = 10_000;

/** "<@123> build X" → "build X". */
const stripMention = (text: string, botId: string): string => text.replace(new RegExp(`^\\s*<@!?${botId}>[:,]?\\s*`), '').trim();


export class DiscordAdapter implements Announcer {
  readonly client: Client;
  private readonly outbox: DiscordOutbox;
  private readonly memory: ChatMemory;
  private readonly cards: CardSequence;
  /** Status messages Discord has stopped letting us edit for now (error 30046). */
  private readonly capped = new Set<string>();
  private readonly lastProgressEdit = new Map<TaskId, number>();
  private unsubscribe: (() => void) | null = null;
  private refresher: NodeJS.Timeout | undefined;
  /** The server DISCORD_CHANNEL is in (found at start): thread links in the morning briefing need it. */
  private guildId: string | null = null;

  constructor(private readonly opts: DiscordAdapterOptions) {
    const { config } = opts;
    this.client = new Client({
      intents: INTENTS,
      // DMs arrive for channels discord.js has not cached; without this they are dropped silently.
      partials: [Partials.Channel],
      // Nobody is pinged unless a message names them explicitly (the owner, at milestones).
      allowedMentions: { parse: [], repliedUser: false },
      rest: {
        ...(config.apiUrl ? { api: config.apiUrl } : {}),
        // A long wait on a message edit is Discord's 1-hour edit cap (a 429 with code 30046), not
        // a passing limit: hand it to the outbox, which stops progress edits for that message,
        // instead of retrying it forever while the channel's queue waits behind it.
        rejectOnRateLimit: (limit) => limit.method.toUpperCase() === 'PATCH' && limit.route.includes('/messages') && limit.retryAfter > LONG_EDIT_WAIT_MS,
      },
    });
    this.outbox = new DiscordOutbox(restApi(this.client.rest), {
      logger: opts.logger,
      ...(opts.perChannel ? { perChannel: opts.perChannel } : {}),
      ...(opts.editCapRetryMs !== undefined ? { editCapRetryMs: opts.editCapRetryMs } : {}),
      onEditCapped: (key) => this.capped.add(key),
      onEdited: (key) => this.capped.delete(key),
      onGone: (key) => {
        if (key.startsWith('card:')) this.statusMessageGone(key);
      },
    });
    this.cards = new CardSequence(opts.engine, opts.logger, 'Discord');
    this.memory = new ChatMemory(opts.engine, 'discord');
    this.client.on(Events.InteractionCreate, (i) => this.track(this.onInteraction(i), 'an interaction failed'));
    this.client.on(Events.MessageCreate, (m) => this.track(this.onMessage(m), 'a message could not be handled'));
    this.client.on(Events.Error, (e) => this.opts.logger.warn('Discord client error', { error: e.message }));
    this.client.on(Events.ShardDisconnect, (e) => this.opts.logger.info('Discord gateway closed; reconnecting', { code: e.code }));
    this.client.on(Events.ShardResume, () => this.opts.logger.info('Discord gateway resumed'));
  }

  /** Requests being handled: a shutdown lets them finish (and answer) before the client goes. */
  private readonly inFlight = new Set<Promise<void>>();

  private track(work: Promise<void>, failure: string): void {
    const handled = work.catch((e: unknown) => this.opts.logger.warn(`Discord: ${failure}`, { error: String(e) }));
    this.inFlight.add(handled);
    void handled.finally(() => this.inFlight.delete(handled));
  }

  /** Logs in, waits for the gateway, registers the slash commands; returns who the bot is. */
  async start(): Promise<{ tag: string; appId: string; invite: string; commandsIn: string }> {
    const { config, logger } = this.opts;
    this.opts.engine.useThreadLink('discord', async (id) => this.threadUrl(id));
    let readyTimer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      readyTimer = setTimeout(() => reject(new Error('Discord: no READY from the gateway (check DISCORD_TOKEN and the network)')), this.opts.readyTimeoutMs ?? 30_000);
      this.client.once(Events.ClientReady, () => resolve());
    });
    ready.catch(() => undefined); // awaited below; a failed login must not leave it unhandled
    try {
      await this.client.login(config.token);
      await ready;
    } catch (e) {
      await this.client.destroy();
      throw loginProblem(e);
    } finally {
      clearTimeout(readyTimer);
    }
    const app = this.client.application;
    if (!app) throw new Error('Discord: READY did not say which application this bot is');
    if (config.appId && config.appId !== app.id) logger.warn(`DISCORD_APP_ID is ${config.appId} but the token belongs to application ${app.id}; using ${app.id}`);
    await this.checkChannel();
    if (config.guildId) {
      await app.commands.set(commandDefinitions('guild'), config.guildId);
      await app.commands.set(commandDefinitions('dm'));
    } else {
      await app.commands.set(commandDefinitions('global'));
    }
    this.unsubscribe = this.opts.engine.subscribe(this);
    // A task whose status message was never posted (nightshift stopped in between) gets one now.
    for (const task of this.opts.engine.live()) {
      if (task.origin.adapter === 'discord' && !this.memory.card(task.id)) this.cards.creating(task.id, this.createCard(task).catch(() => undefined));
    }
    // A quiet build still ages: its status message's elapsed time is refreshed now and then.
    this.refresher = setInterval(() => this.refreshBuildingCards(), this.opts.refreshMs ?? 30_000);
    this.refresher.unref();
    return { tag: this.client.user?.tag ?? 'nightshift', appId: app.id, invite: inviteUrl(app.id), commandsIn: config.guildId ? `guild ${config.guildId}` : 'every server (global; may take an hour to appear)' };
  }

  /**
   * DISCORD_CHANNEL must be a text (or announcement) channel the bot can see: a forum, a voice
   * channel or a wrong id would otherwise show up only when the first task has nowhere to go.
   */
  private async checkChannel(): Promise<void> {
    const { channel } = this.opts.config;
    const found = await this.client.channels.fetch(channel).catch((e: unknown) => {
      const code = (e as { code?: unknown }).code;
      if (code === 10003 || code === 50001 || code === 404 || code === 403) return null;
      throw e;
    });
    if (found && 'guildId' in found && typeof found.guildId === 'string') this.guildId = found.guildId;
    const problem =
      found === null
        ? `DISCORD_CHANNEL: the bot cannot see channel ${channel}; check the id (right-click the channel → Copy Channel ID) and that the bot was invited to its server with the link nightshift prints`
        : found.type !== ChannelType.GuildText && found.type !== ChannelType.GuildAnnouncement
          ? `DISCORD_CHANNEL: channel ${channel} is a ${ChannelType[found.type]} channel; nightshift needs a text channel, where each task gets a status message and a thread`
          : null;
    if (problem) {
      await this.client.destroy();
      throw new ConfigError([problem]);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.refresher);
    this.unsubscribe?.();
    // Requests already being handled still get their answer.
    await Promise.race([Promise.all(this.inFlight), new Promise((r) => setTimeout(r, 5_000).unref?.())]);
    await this.outbox.drain(5_000);
    await this.outbox.stop();
    await this.client.destroy();
  }

  /** Resolves when everything queued for Discord has been sent (tests, and a clean shutdown). */
  drain(timeoutMs?: number): Promise<void> {
    return this.outbox.drain(timeoutMs);
  }

  // ---- from Discord ------------------------------------------------------------------------

  private actor(user: { id: string }, where: { channel?: string; thread?: string } = {}): Actor {
    return {
      // The user id is what task history records ("approved by 1234…"), as on Slack: Discord
      // renders <@id> as the person's current name.
      id: user.id,
      role: roleOf(user.id, this.opts.config),
      adapter: 'discord',
      ...(where.channel ? { channel: where.channel } : {}),
      ...(where.thread ? { thread: where.thread } : {}),
    };
  }

  private async onInteraction(i: Interaction): Promise<void> {
    if (i.isAutocomplete()) return this.onAutocomplete(i);
    if (i.isChatInputCommand()) return this.onCommand(i);
    if (i.isButton()) return this.onButton(i);
  }

  private async onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    const recent = await this.opts.engine.history({ limit: 100 });
    const tasks = [...this.opts.engine.live(), ...recent];
    await i.respond(focused.name === 'task' ? taskChoices(i.commandName, String(focused.value), tasks) : []);
  }

  private async onCommand(i: ChatInputCommandInteraction): Promise<void> {
    const options = Object.fromEntries(i.options.data.map((o) => [o.name, o.value === undefined ? undefined : String(o.value)]));
    const said = commandText(i.commandName, options);
    if ('problem' in said) return void (await i.reply({ content: said.problem, flags: MessageFlags.Ephemeral }));
    const ctx = { engine: this.opts.engine, actor: this.actor(i.user, { channel: i.channelId }) };
    const work = handleText(ctx, said.text, { asRequest: said.asRequest })
      .then(async (reply) => ({ reply, where: await this.whereToFollow(reply) }))
      .catch((e: unknown) => {
        this.opts.logger.warn('Discord: a command failed', { command: i.commandName, error: String(e) });
        return { reply: errorReply(`That did not work (${String(e)}). Nothing was changed; try /status.`), where: null };
      });
    // Discord wants an answer within 3 s of the interaction: the reply itself when it is ready in
    // time, else a deferral now ("nightshift is thinking…") and the reply as an edit of it. Time
    // the interaction spent reaching us counts against the budget.
    const budget = this.opts.ackBudgetMs ?? 2_000;
    const lag = Math.min(budget, Math.max(0, Date.now() - i.createdTimestamp));
    const quick = await Promise.race([work, new Promise<null>((r) => setTimeout(() => r(null), budget - lag).unref?.())]);
    if (quick) return void (await i.reply({ ...replyMessage(quick.reply, quick.where), flags: MessageFlags.Ephemeral }));
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const done = await work;
    await i.editReply(replyMessage(done.reply, done.where));
  }

  /** For a reply that created tasks: links to their threads, once their status messages exist. */
  private async whereToFollow(reply: Reply): Promise<string | null> {
    if (reply.kind !== 'created' || reply.tasks.length === 0) return null;
    const ids = reply.tasks.map((t) => t.id);
    await Promise.race([Promise.all(ids.map((id) => this.cards.created(id))), new Promise((r) => setTimeout(r, 10_000).unref?.())]);
    const links = ids.flatMap((id) => {
      const card = this.memory.card(id);
      return card ? [`<#${card.thread ?? card.channel}>`] : [];
    });
    if (links.length === 0) return null;
    return links.length === 1 ? `Follow it in ${links[0]}.` : `Follow them in ${links.join(', ')}.`;
  }

  private async onButton(i: ButtonInteraction): Promise<void> {
    const parsed = parseCustomId(i.customId);
    if (!parsed) return void (await i.reply({ content: 'This button is not one I know any more. Use /status to see the task.', flags: MessageFlags.Ephemeral }));
    const actor = this.actor(i.user, { channel: i.channelId });
    if (!canDecide(actor)) {
      await i.reply({ content: refusal(actor, `${parsed.verb} tasks`), flags: MessageFlags.Ephemeral });
      return;
    }
    // Acknowledge at once; the status message and thread change through the core's event.
    await i.deferUpdate();
    const reply = await decisionCommand({ engine: this.opts.engine, actor }, parsed.verb, parsed.taskId);
    if (!reply.ok) await i.followUp({ ...replyMessage(reply, null), flags: MessageFlags.Ephemeral });
  }

  private async onMessage(m: Message): Promise<void> {
    if (m.author.bot || m.webhookId || m.system) return;
    const botId = this.client.user?.id ?? '';
    const isDm = !m.inGuild();
    const task = isDm ? undefined : this.memory.taskOfThread(m.channelId);
    // Said to the bot, not a reply to one of its messages (a reply also lists the bot as mentioned).
    const mentioned = new RegExp(`<@!?${botId}>`).test(m.content);
    if (!isDm && !task && !mentioned) return; // the channel's own conversation
    // No delivery dedupe here, unlike Slack: Discord does not redeliver a message. A resumed
    // gateway replays only what was missed, once.
    const text = stripMention(m.content, botId);
    const ctx = { engine: this.opts.engine, actor: this.actor(m.author, { channel: m.channelId }) };
    const reply = task ? await threadReply(ctx, task, text) : await handleText(ctx, text);
    if (!reply) return;
    const where = await this.whereToFollow(reply);
    const body = replyMessage(reply, where);
    const sent = await this.outbox.post(m.channelId, { ...body, message_reference: { message_id: m.id, fail_if_not_exists: false } }, PRIORITY.urgent);
    // A reply needs Read Message History; without it, answer without pointing at the message.
    if (!sent) await this.outbox.post(m.channelId, body, PRIORITY.urgent);
  }

  // ---- to Discord --------------------------------------------------------------------------

  announce(event: CoreEvent): void {
    const log = (what: string) => (e: unknown) => this.opts.logger.warn(`Discord: could not ${what}`, { error: String(e) });
    if (event.type === 'summary_due') {
      this.postSummary(event).catch(log('post the morning summary'));
      return;
    }
    const task = event.task;
    if (task.origin.adapter !== 'discord') return;
    if (event.type === 'task_created') {
      const ready = this.createCard(task).catch(log(`post ${task.id}'s status message`));
      this.cards.creating(task.id, ready);
      return;
    }
    this.cards.after(task.id, () => this.onTaskEvent(event)).catch(log(`update ${task.id}`));
  }

  private cardContext(): CardContext {
    return cardContext(this.opts.engine);
  }

  /** The newest state of a task, rendered when its edit's turn comes (not when it was asked for). */
  private renderCard(id: TaskId, fallback: Task): () => DiscordMessage {
    return () => {
      const task = this.cards.newest(id, fallback);
      return statusCard(task, this.opts.engine.progressOf(id), this.cardContext());
    };
  }

  /**
   * Posts the status message in DISCORD_CHANNEL and starts the task's thread from it. When
   * Discord refuses the channel (the bot cannot see or post there), the status message goes to a
   * DM with whoever asked instead, so the task never goes unreported.
   */
  private async createCard(task: Task): Promise<void> {
    if (this.memory.card(task.id)) return;
    const card = () => statusCard(this.cards.newest(task.id, task), null, this.cardContext());
    let channel = this.opts.config.channel;
    let id = await this.outbox.post(channel, card(), PRIORITY.urgent);
    let thread: string | null = null;
    if (id) {
      thread = await this.outbox.startThread(channel, id, plain(`${task.id} · ${task.title}`, LIMIT.threadName));
    } else {
      const dm = await this.outbox.dmChannel(task.origin.userId);
      if (dm) {
        channel = dm;
        id = await this.outbox.post(dm, card(), PRIORITY.urgent);
        if (id) await this.outbox.post(dm, { content: `I could not post in <#${this.opts.config.channel}> (check my permissions there), so ${task.id} is followed here.` });
      }
    }
    if (id) await this.memory.saveCard(task.id, { channel, ts: id, thread: thread ?? channel, postedAt: Date.now() });
    else this.opts.logger.warn(`Discord: ${task.id} has no status message: Discord refused both the channel and a DM`);
  }

  /**
   * Discord caps edits of messages older than an hour: after that, progress edits slow to one
   * per agedProgressEveryMs, and stop once Discord has said no (milestones still go through).
   */
  private progressEditAllowed(id: TaskId, postedAt: number | undefined): boolean {
    const key = `card:${id}`;
    if (this.capped.has(key)) return false;
    const now = Date.now();
    if (postedAt === undefined || now - postedAt < (this.opts.editCapAgeMs ?? 55 * 60_000)) return true;
    const last = this.lastProgressEdit.get(id) ?? 0;
    if (now - last < (this.opts.agedProgressEveryMs ?? 15 * 60_000)) return false;
    this.lastProgressEdit.set(id, now);
    return true;
  }

  private refreshBuildingCards(): void {
    for (const task of this.opts.engine.live()) {
      const card = task.status === 'building' ? this.memory.card(task.id) : undefined;
      if (card && this.progressEditAllowed(task.id, card.postedAt)) this.outbox.edit(`card:${task.id}`, card.channel, card.ts, this.renderCard(task.id, task), PRIORITY.progress);
    }
  }

  private async onTaskEvent(event: Exclude<CoreEvent, { type: 'task_created' } | { type: 'summary_due' }>): Promise<void> {
    const task = event.task;
    const card = this.memory.card(task.id);
    if (!card) return;
    this.cards.remember(task);
    const key = `card:${task.id}`;
    const { ownerId } = this.opts.config;
    if (event.type === 'progress') {
      if (!this.gone.has(key) && this.progressEditAllowed(task.id, card.postedAt)) this.outbox.edit(key, card.channel, card.ts, this.renderCard(task.id, task), PRIORITY.progress);
      return;
    }
    if (!this.gone.has(key)) this.outbox.edit(key, card.channel, card.ts, this.renderCard(task.id, task), PRIORITY.urgent);
    if (event.type === 'owner_attention') {
      const tail = event.reason === 'escalated' ? event.message.split('\n').slice(1, -1).join('\n') : undefined;
      const ask = attention(task, event.reason, event.message, ownerId, tail);
      const posted = await this.inThread(task.id, card, ask);
      if (posted && ask.components?.length) await this.memory.saveAsk(task.id, { channel: posted.channel, ts: posted.id, text: ask.content ?? '' });
      return;
    }
    // Someone acted: the messages that asked for it lose their buttons and say who and when.
    if (DECIDED.has(event.event.type)) {
      const decided = closingLine(task, this.cardContext(), who);
      for (const ask of await this.memory.closeAsks(task.id)) {
        this.outbox.edit(`ask:${ask.ts}`, ask.channel, ask.ts, () => closedAsk(ask.text, decided), PRIORITY.urgent);
      }
    }
    const msg = milestone(task, event.event, ownerId, this.cardContext());
    if (msg) await this.inThread(task.id, card, msg);
    if (isTerminal(task.status)) {
      this.cards.forget(task.id);
      this.capped.delete(key);
      this.lastProgressEdit.delete(task.id);
      this.gone.delete(key);
    }
  }

  /** Threads found deleted or locked: their task's messages go to the channel instead. */
  private readonly threadsGone = new Set<string>();

  /**
   * Posts in the task's thread, all at one priority so they stay in the order they happened. If
   * the thread is gone (deleted, locked), the message becomes a reply to the status message in the
   * channel, so nothing meant for the owner is lost.
   */
  private async inThread(id: TaskId, card: CardRef, msg: DiscordMessage): Promise<{ channel: string; id: string } | null> {
    const thread = card.thread ?? card.channel;
    if (!this.threadsGone.has(thread)) {
      const posted = await this.outbox.post(thread, msg, PRIORITY.milestone);
      if (posted || thread === card.channel) return posted ? { channel: thread, id: posted } : null;
      this.threadsGone.add(thread);
      this.opts.logger.warn(`Discord: ${id}'s thread refused a message; its messages go to the channel now`);
    }
    const posted = await this.outbox.post(card.channel, { ...msg, message_reference: { message_id: card.ts, fail_if_not_exists: false } }, PRIORITY.milestone);
    return posted ? { channel: card.channel, id: posted } : null;
  }

  /** Status messages someone deleted: no more edits for them (each would fail), said once in the thread. */
  private readonly gone = new Set<string>();

  private statusMessageGone(key: string): void {
    if (this.gone.has(key)) return;
    this.gone.add(key);
    const id = key.slice('card:'.length) as TaskId;
    const card = this.memory.card(id);
    if (card) void this.inThread(id, card, { content: `The status message of ${id} was deleted; this thread keeps following the task (/status ${id} shows it whole).` });
  }

  /** The task's thread (or its status message's channel) as a link. */
  private threadUrl(id: TaskId): string | null {
    const card = this.memory.card(id);
    const where = card?.thread ?? card?.channel;
    return where ? `https://discord.com/channels/${this.opts.config.guildId ?? this.guildId ?? '@me'}/${where}` : null;
  }

  private async postSummary(event: Extract<CoreEvent, { type: 'summary_due' }>): Promise<void> {
    const { config, engine } = this.opts;
    const briefing = makeBriefing(event.summary, engine.links);
    // Each task links to its thread, where its status message and every milestone are.
    const links = new Map<TaskId, string>();
    for (const x of [...briefing.needsYou, ...briefing.built, ...briefing.building, ...briefing.waited, ...briefing.next, ...briefing.dropped]) {
      const url = this.threadUrl(x.task.id);
      if (url) links.set(x.task.id, url);
    }
    await this.outbox.post(config.channel, briefingMessage(briefing, links, engine.now()), PRIORITY.urgent);
  }
}

/**
 * The two ways a first start usually fails, said as what to change: a token Discord refuses, and
 * the privileged Message Content intent not switched on in the Developer Portal.
 */
export function loginProblem(e: unknown): Error {
  const err = e as { code?: unknown; message?: unknown };
  if (err.code === 'TokenInvalid') return new ConfigError(['DISCORD_TOKEN: Discord refused this token; reset it under Developer Portal → your application → Bot → Reset Token, and paste the new one']);
  if (/disallowed intents/i.test(String(err.message))) {
    return new ConfigError(['DISCORD_TOKEN: Discord refused the Message Content intent for this bot; turn on Developer Portal → your application → Bot → Privileged Gateway Intents → Message Content Intent, then start again']);
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** A command's reply as a Discord message: escaped, cut to Discord's limit, with where to follow the task. */
export function replyMessage(reply: Reply, where: string | null): DiscordMessage {
  const tail = where ? `\n${where}` : '';
  return { content: `${safeText(reply.text, LIMIT.content - tail.length, '/status')}${tail}` };
}
