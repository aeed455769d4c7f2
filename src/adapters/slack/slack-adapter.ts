// The Slack adapter: platform I/O only. Slash commands, mentions, DMs and thread replies become
// command calls; core events become a live status card per task (edited in place), milestone
// replies in its thread, and pings to the owner when they must act. Buttons call the same commands.
import { App, LogLevel, SocketModeReceiver, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import { createHttpReceiver } from './http-receiver.ts';
import type { SlackConfig } from '../../config.ts';
import type { Engine } from '../../core/engine.ts';
import type { Announcer, CoreEvent, Logger } from '../../core/ports.ts';
import { isTerminal, parseTaskId, type Task, type TaskEvent, type TaskId } from '../../core/task.ts';
import { canDecide, refusal } from '../../commands/actor.ts';
import { decisionCommand, type DecisionVerb } from '../../commands/decisions.ts';
import { handleText } from '../../commands/dispatch.ts';
import type { Reply } from '../../commands/reply.ts';
import { threadReply } from '../../commands/thread-reply.ts';
import { makeBriefing } from '../../commands/briefing.ts';
import { briefingMessage, shownTaskIds } from './briefing.ts';
import { ACTION, statusCard, type CardContext, type SlackMessage } from './card.ts';
import { cardContext } from '../shared/card-facts.ts';
import { ChatMemory } from '../shared/chat-memory.ts';
import { CardSequence, closingLine, DECIDED } from '../shared/card-sequence.ts';
import { homeView } from './home.ts';
import { attention, milestone } from './milestones.ts';
import { safeText, who } from './mrkdwn.ts';
import { PRIORITY, SlackOutbox, type AgentSessionStatus, type SlackApi } from './outbox.ts';
import { slackActor } from './roles.ts';

export interface SlackAdapterOptions {
  engine: Engine;
  config: SlackConfig;
  logger: Logger;
  /** Socket Mode: how long the client waits before reconnecting after a drop (Bolt's default 5 s). */
  reconnectDelayMs?: number;
  /** HTTP mode: the clock the receiver checks request timestamps against. */
  now?: () => number;
  /** How often a building task's card is refreshed when nothing else changes it. */
  refreshMs?: number;
  /** Slack's 3 s acknowledgement window, minus a margin for the network. */
  ackBudgetMs?: number;
  /** Passed to the outbox (tests shorten Slack's pacing). */
  postGapMs?: number;
  updatesPerMinute?: number;
}

/** A task's thread as a Slack agent session, by what just happened to the task. */
const SESSION_STATUS: Partial<Record<TaskEvent['type'], AgentSessionStatus>> = {
  started: 'processing',
  retry_scheduled: 'suspended',
  usage_limited: 'suspended',
  interrupted: 'suspended',
  escalated: 'active',
  done: 'closed',
  accepted: 'closed',
  cancelled: 'closed',
  rejected: 'closed',
};

/** Progress alone refreshes an open Home tab at most this often (a change to a task, at once). */
const HOME_PROGRESS_MS = 15_000;

const DECISION_ACTIONS: Record<string, DecisionVerb> = {
  [ACTION.approve]: 'approve',
  [ACTION.reject]: 'reject',
  [ACTION.cancel]: 'cancel',
  [ACTION.retry]: 'retry',
  [ACTION.accept]: 'accept',
};

/** "<@U0BOT> build X" → "build X". */
const stripMention = (text: string): string => text.replace(/^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[:,]?\s*/, '').trim();

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const join = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    debug: (...a: unknown[]) => log.debug(`slack: ${join(a)}`),
    info: (...a: unknown[]) => log.info(`slack: ${join(a)}`),
    warn: (...a: unknown[]) => log.warn(`slack: ${join(a)}`),
    error: (...a: unknown[]) => log.error(`slack: ${join(a)}`),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

export class SlackAdapter implements Announcer {
  readonly app: App;
  private readonly outbox: SlackOutbox;
  private readonly memory: ChatMemory;
  private readonly cards: CardSequence;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: SlackAdapterOptions) {
    const { config } = opts;
    const clientOptions = {
      ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
      // The outbox owns retries and Retry-After: the client must hand a 429 back at once.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    };
    const logger = boltLogger(opts.logger);
    // The receiver gets its own client options: Socket Mode's reconnect (apps.connections.open)
    // must keep the client's default retries, or one failed reconnect would stop it for good.
    const receiver: Receiver =
      config.mode === 'socket'
        ? new SocketModeReceiver({
            appToken: config.appToken as string,
            logger,
            ...(opts.reconnectDelayMs !== undefined ? { clientPingTimeout: opts.reconnectDelayMs } : {}),
            installerOptions: { clientOptions: config.apiUrl ? { slackApiUrl: config.apiUrl } : {} },
          })
        : createHttpReceiver({ signingSecret: config.signingSecret as string, port: config.port, logger, ...(opts.now ? { now: opts.now } : {}) });
    this.app = new App({ token: config.botToken, logger, clientOptions, receiver });
    this.outbox = new SlackOutbox(this.app.client as unknown as SlackApi, {
      logger: opts.logger,
      ...(opts.postGapMs !== undefined ? { postGapMs: opts.postGapMs } : {}),
      ...(opts.updatesPerMinute !== undefined ? { updatesPerMinute: opts.updatesPerMinute } : {}),
    });
    this.cards = new CardSequence(opts.engine, opts.logger, 'Slack');
    this.memory = new ChatMemory(opts.engine, 'slack');
    this.register();
  }

  /** Connects (Socket Mode) or listens (HTTP mode); returns the HTTP server in HTTP mode. */
  async start(): Promise<unknown> {
    this.unsubscribe = this.opts.engine.subscribe(this);
    this.opts.engine.useThreadLink('slack', async (id) => {
      const card = this.memory.card(id);
      return card ? this.outbox.permalink(card.channel, card.ts) : null;
    });
    // A quiet build still ages: its card's elapsed time is refreshed now and then.
    this.refresher = setInterval(() => this.refreshBuildingCards(), this.opts.refreshMs ?? 30_000);
    this.refresher.unref();
    return this.app.start();
  }

  private refresher: NodeJS.Timeout | undefined;

  private refreshBuildingCards(): void {
    for (const task of this.opts.engine.live()) {
      const card = task.status === 'building' ? this.memory.card(task.id) : undefined;
      if (card) this.outbox.edit(task.id, card.channel, card.ts, this.renderCard(task.id, task), PRIORITY.progress);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.refresher);
    this.unsubscribe?.();
    await this.outbox.drain(5_000);
    await this.outbox.stop();
    await this.app.stop();
  }

  /** Resolves when everything queued for Slack has been sent (tests, and a clean shutdown). */
  drain(timeoutMs?: number): Promise<void> {
    return this.outbox.drain(timeoutMs);
  }

  // ---- from Slack --------------------------------------------------------------------------

  private register(): void {
    const { config } = this.opts;
    this.app.command('/build', async ({ command, ack, respond }) => {
      // The budget counts from here: remembering the delivery (a disk write, in the engine's turn) is part of it.
      const arrived = Date.now();
      if (!(await this.memory.firstDelivery(`trigger:${command.trigger_id}`))) return ack();
      const actor = slackActor(command.user_id, config, { channel: command.channel_id });
      const work = handleText({ engine: this.opts.engine, actor }, command.text ?? '', { asRequest: true });
      // Slack wants an answer within 3 s: the reply itself when it is ready in time, else a
      // placeholder now and the reply through response_url.
      const budgetLeft = Math.max(0, (this.opts.ackBudgetMs ?? 2_500) - (Date.now() - arrived));
      const quick = await Promise.race([work, new Promise<null>((r) => setTimeout(() => r(null), budgetLeft).unref?.())]);
      if (quick) return ack({ response_type: 'ephemeral', ...replyMessage(quick) });
      await ack({ response_type: 'ephemeral', text: 'Working on it…' });
      await respond({ response_type: 'ephemeral', ...replyMessage(await work) });
    });

    this.app.event('app_mention', async ({ event, body }) => {
      if (!(await this.memory.firstDelivery(`event:${(body as { event_id?: string }).event_id ?? event.ts}`))) return;
      if (!event.user) return;
      const threadTs = event.thread_ts ?? event.ts;
      const task = event.thread_ts ? this.memory.taskOfThread(event.channel, event.thread_ts) : undefined;
      const text = stripMention(event.text);
      const reply = task ? await this.inTaskThread(task, text, event.user, event.channel, event.thread_ts as string) : await this.say(text, event.user, event.channel, threadTs);
      if (reply) await this.answer(reply, event.channel, event.user, threadTs);
    });

    this.app.message(async ({ message, body, context }) => {
      const m = message as { subtype?: string; bot_id?: string; user?: string; text?: string; channel: string; channel_type?: string; ts: string; thread_ts?: string };
      if (m.subtype || m.bot_id || !m.user) return; // edits, joins, and our own messages
      const text = m.text ?? '';
      const task = m.thread_ts ? this.memory.taskOfThread(m.channel, m.thread_ts) : undefined;
      // In channels only replies in a task's thread are ours; a message that mentions the bot
      // arrives as app_mention too, and is handled there once.
      const mentionsBot = context.botUserId ? text.includes(`<@${context.botUserId}>`) : false;
      if (m.channel_type !== 'im' && (!task || mentionsBot)) return;
      if (!(await this.memory.firstDelivery(`event:${(body as { event_id?: string }).event_id ?? m.ts}`))) return;
      const reply = task ? await this.inTaskThread(task, stripMention(text), m.user, m.channel, m.thread_ts as string) : await this.say(stripMention(text), m.user, m.channel, m.thread_ts);
      if (reply) await this.answer(reply, m.channel, m.user, m.thread_ts, m.channel_type === 'im');
    });

    // Slack's own Stop on a working thread (agent sessions): a cancel, for the owner and approvers.
    this.app.event('agent_session_stopped', async ({ event, body }) => {
      const e = event as { channel: string; thread_ts?: string; user: string };
      if (!(await this.memory.firstDelivery(`event:${(body as { event_id?: string }).event_id ?? `${e.channel}:${e.thread_ts}`}`))) return;
      const id = e.thread_ts ? this.memory.taskOfThread(e.channel, e.thread_ts) : undefined;
      if (!id || !e.thread_ts) return;
      const actor = slackActor(e.user, config, { channel: e.channel, thread: e.thread_ts });
      if (!canDecide(actor)) {
        await this.outbox.ephemeral(e.channel, e.user, plain(refusal(actor, 'stop builds')), e.thread_ts);
        return; // the session stays "processing": Slack does not change it by itself
      }
      const reply = await decisionCommand({ engine: this.opts.engine, actor }, 'cancel', id);
      if (!reply.ok) {
        await this.outbox.ephemeral(e.channel, e.user, replyMessage(reply), e.thread_ts);
        // Nothing was running to stop (it had just ended): the session says where the task is.
        await this.outbox.agentSession(e.channel, e.thread_ts, 'active');
      }
    });

    // The Home tab: published when someone opens it, and again (coalesced) whenever a task changes.
    this.app.event('app_home_opened', async ({ event }) => {
      const e = event as { user: string; tab?: string };
      if (e.tab !== undefined && e.tab !== 'home') return;
      this.homeViewers.add(e.user);
      await this.refreshHome([e.user]);
    });

    this.app.action(/^ns_(approve|reject|cancel|retry|accept)$/, async ({ ack, body, action }) => {
      await ack();
      const b = body as { user: { id: string }; channel?: { id: string }; container?: { type?: string; channel_id?: string; message_ts?: string; thread_ts?: string } };
      const a = action as { action_id: string; value?: string };
      const channel = b.channel?.id ?? b.container?.channel_id ?? '';
      const verb = DECISION_ACTIONS[a.action_id];
      const id = parseTaskId(a.value ?? '');
      if (!verb || !id) return;
      const actor = slackActor(b.user.id, config, { channel });
      const threadTs = this.memory.card(id)?.ts;
      // A button on the Home tab has no channel: a refusal or an error is said in a DM instead.
      const tell = async (msg: SlackMessage) => {
        if (channel) return this.outbox.ephemeral(channel, b.user.id, msg, threadTs);
        const dm = await this.outbox.dmChannel(b.user.id);
        if (dm) await this.outbox.post(dm, msg, { priority: PRIORITY.urgent });
      };
      if (!canDecide(actor)) {
        await tell(plain(refusal(actor, `${verb} tasks`)));
        return;
      }
      const reply = await decisionCommand({ engine: this.opts.engine, actor }, verb, id);
      if (!reply.ok) await tell(replyMessage(reply));
      // On success the card and the thread are updated from the core's event, like any change.
    });
  }

  /** A request or command said outside any task thread. */
  private say(text: string, user: string, channel: string, threadTs?: string): Promise<Reply> {
    const actor = slackActor(user, this.opts.config, { channel, ...(threadTs ? { thread: threadTs } : {}) });
    return handleText({ engine: this.opts.engine, actor }, text);
  }

  /** Said in a task's thread: see threadReply for what it means. */
  private inTaskThread(id: TaskId, text: string, user: string, channel: string, threadTs: string): Promise<Reply | null> {
    const actor = slackActor(user, this.opts.config, { channel, thread: threadTs });
    return threadReply({ engine: this.opts.engine, actor }, id, text);
  }

  /**
   * Answers where the person spoke. Refusals, errors and hints are private in channels (an
   * ephemeral message), so a stranger's attempt never becomes public noise.
   */
  private async answer(reply: Reply, channel: string, user: string, threadTs?: string, isDm = false): Promise<void> {
    const msg = replyMessage(reply);
    if (reply.ephemeral && !isDm) await this.outbox.ephemeral(channel, user, msg, threadTs);
    else await this.outbox.post(channel, msg, { ...(threadTs ? { threadTs } : {}), priority: PRIORITY.urgent });
  }

  // ---- to Slack ----------------------------------------------------------------------------

  announce(event: CoreEvent): void {
    const log = (what: string) => (e: unknown) => this.opts.logger.warn(`Slack: could not ${what}`, { error: String(e) });
    this.homeChanged(event.type === 'progress');
    if (event.type === 'summary_due') {
      this.postSummary(event).catch(log('post the morning summary'));
      return;
    }
    const task = event.task;
    if (task.origin.adapter !== 'slack' || !task.origin.channel) return;
    if (event.type === 'task_created') {
      const ready = this.createCard(task).catch(log(`post ${task.id}'s card`));
      this.cards.creating(task.id, ready);
      return;
    }
    this.cards.after(task.id, () => this.onTaskEvent(event)).catch(log(`update ${task.id}`));
  }

  // ---- the Home tab ------------------------------------------------------------------------

  /** Who has opened the Home tab since nightshift started: their view is kept current. */
  private readonly homeViewers = new Set<string>();
  private lastProgressHome = 0;

  /** Every open Home tab again: at once for a change, at most every HOME_PROGRESS_MS for progress alone. */
  private homeChanged(progressOnly: boolean): void {
    if (this.homeViewers.size === 0) return;
    if (progressOnly) {
      const now = Date.now();
      if (now - this.lastProgressHome < HOME_PROGRESS_MS) return;
      this.lastProgressHome = now;
    }
    void this.refreshHome([...this.homeViewers]).catch((e: unknown) => this.opts.logger.warn('Slack: could not publish the Home tab', { error: String(e) }));
  }

  /** Publishes these people's Home tabs; the last day's history is read once for all of them. */
  private async refreshHome(users: string[]): Promise<void> {
    const { engine, config } = this.opts;
    const recent = await engine.history({ since: new Date(engine.now().getTime() - 24 * 3_600_000), limit: 50 });
    for (const user of users) {
      const decides = canDecide(slackActor(user, config, {}));
      this.outbox.publishHome(user, () =>
        homeView({ live: engine.live(), recent, decision: engine.latestSchedule(), policy: engine.policy, now: engine.now(), progressOf: (id) => engine.progressOf(id), links: engine.links, viewer: { userId: user, decides } }) as unknown as Record<string, unknown>,
      );
    }
  }

  private cardContext(): CardContext {
    return cardContext(this.opts.engine);
  }

  /** The newest state of a task, rendered when its edit's turn comes (not when it was asked for). */
  private renderCard(id: TaskId, fallback: Task): () => SlackMessage {
    return () => {
      const task = this.cards.newest(id, fallback);
      return statusCard(task, this.opts.engine.progressOf(id), this.cardContext());
    };
  }

  /**
   * Posts the card where the task was asked for; when Slack refuses (the bot is not in that
   * channel), in a DM to whoever asked instead, so the task never goes unreported.
   */
  private async createCard(task: Task): Promise<void> {
    if (this.memory.card(task.id)) return;
    const asked = task.origin.channel as string;
    const card = () => statusCard(this.cards.newest(task.id, task), null, this.cardContext());
    let channel = asked;
    let ts = await this.outbox.post(channel, card(), { priority: PRIORITY.urgent });
    if (!ts) {
      const dm = await this.outbox.dmChannel(task.origin.userId);
      if (dm && dm !== asked) {
        channel = dm;
        ts = await this.outbox.post(dm, card(), { priority: PRIORITY.urgent });
        if (ts) await this.outbox.post(dm, plain(`I could not post in <#${asked}> (invite me there with /invite), so ${task.id} is followed here.`), { threadTs: ts });
      }
    }
    if (ts) await this.memory.saveCard(task.id, { channel, ts });
    else this.opts.logger.warn(`Slack: ${task.id} has no card: Slack refused both the channel and a DM`);
  }

  private async onTaskEvent(event: Exclude<CoreEvent, { type: 'task_created' } | { type: 'summary_due' }>): Promise<void> {
    const task = event.task;
    const card = this.memory.card(task.id);
    if (!card) return;
    this.cards.remember(task);
    const { ownerId } = this.opts.config;
    if (event.type === 'progress') {
      this.outbox.edit(task.id, card.channel, card.ts, this.renderCard(task.id, task), PRIORITY.progress);
      return;
    }
    this.outbox.edit(task.id, card.channel, card.ts, this.renderCard(task.id, task), PRIORITY.urgent);
    if (event.type === 'owner_attention') {
      const tail = event.reason === 'escalated' ? event.message.split('\n').slice(1, -1).join('\n') : undefined;
      const ask = attention(task, event.reason, event.message, ownerId, tail);
      const ts = await this.outbox.post(card.channel, ask, { threadTs: card.ts, priority: PRIORITY.urgent });
      if (ts && ask.blocks.some((b) => b.type === 'actions')) await this.memory.saveAsk(task.id, { channel: card.channel, ts, text: ask.text });
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
    if (msg) await this.outbox.post(card.channel, msg, { threadTs: card.ts, priority: PRIORITY.milestone });
    // The thread as an agent session: working while it builds (Slack shows its Stop), then said done.
    const session = SESSION_STATUS[event.event.type];
    if (session) await this.outbox.agentSession(card.channel, card.ts, session, `${task.id} · ${task.title}`);
    if (isTerminal(task.status)) this.cards.forget(task.id);
  }

  private async postSummary(event: Extract<CoreEvent, { type: 'summary_due' }>): Promise<void> {
    const { config } = this.opts;
    const channel = config.summaryChannel ?? (await this.outbox.dmChannel(config.ownerId));
    if (!channel) return;
    const briefing = makeBriefing(event.summary, this.opts.engine.links);
    // Each task's title links to its thread, where its card and every milestone are.
    const links = new Map<TaskId, string>();
    for (const id of new Set(shownTaskIds(briefing))) {
      const card = this.memory.card(id);
      const url = card ? await this.outbox.permalink(card.channel, card.ts) : null;
      if (url) links.set(id, url);
    }
    await this.outbox.post(channel, briefingMessage(briefing, links), { priority: PRIORITY.urgent });
  }
}


/** A question that has been answered: its text kept, its buttons replaced by the answer. */
function closedAsk(text: string, decided: string): SlackMessage {
  return {
    text: `${text} (${decided.replace(/<@([UW][A-Z0-9]+)>/g, '@$1')})`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: safeText(text, 2900) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `:ballot_box_with_check: ${decided}` }] },
    ],
  };
}

/** A command's reply as a Slack message: escaped, cut to Slack's limits. */
export function replyMessage(reply: Reply): SlackMessage {
  const text = safeText(reply.text, 2900, '`status`');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

const plain = (text: string): SlackMessage => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: safeText(text, 2900) } }] });
