// Everything nightshift sends to Slack goes through here, under Slack's rate limits:
// - chat.postMessage: about 1 message per second per channel (a Bottleneck group keyed by channel);
// - chat.update: Tier 3, about 50 a minute for the whole workspace: one steady pace for every card,
//   each turn given to the most urgent card that changed (a decision before a progress line).
// Card edits are coalesced: many progress lines become one edit carrying the newest state, and
// only superseded intermediate states are ever dropped. Messages (milestones, approvals) are never
// dropped: a 429 waits for Retry-After, an outage is retried with back-off until Slack answers.
// Approvals and final states jump the queue ahead of progress edits.
import Bottleneck from 'bottleneck';
import type { Logger } from '../../core/ports.ts';
import type { SlackMessage } from './card.ts';
import { groupLimiters, limitersBusy } from '../shared/limiter-busy.ts';

/** The part of @slack/web-api's WebClient the outbox uses (so tests can count calls). */
export interface SlackApi {
  chat: {
    postMessage(args: Record<string, unknown>): Promise<{ ok?: boolean; ts?: string; channel?: string }>;
    update(args: Record<string, unknown>): Promise<{ ok?: boolean }>;
    postEphemeral(args: Record<string, unknown>): Promise<{ ok?: boolean }>;
    getPermalink(args: { channel: string; message_ts: string }): Promise<{ ok?: boolean; permalink?: string }>;
  };
  conversations: { open(args: Record<string, unknown>): Promise<{ ok?: boolean; channel?: { id?: string } }> };
  views: { publish(args: Record<string, unknown>): Promise<{ ok?: boolean }> };
  /** Methods the client does not wrap (agents.sessions.setStatus). */
  apiCall(method: string, args: Record<string, unknown>): Promise<{ ok?: boolean; warning?: string }>;
}

export type AgentSessionStatus = 'processing' | 'active' | 'suspended' | 'closed';

/** Answers that mean this app may not use agent sessions (not declared as an agent, or an old manifest). */
const NO_AGENT_SESSIONS = new Set(['missing_scope', 'not_allowed_token_type', 'unknown_method', 'not_an_agent', 'invalid_auth', 'feature_not_enabled', 'access_denied']);

/** The least time between two Home tab publishes for one person: changes in between are folded into the next. */
const HOME_GAP_MS = 2_000;

interface PendingHome {
  render: () => Record<string, unknown>;
  busy: boolean;
  again: boolean;
}

export interface OutboxOptions {
  logger: Logger;
  /** chat.update calls allowed per minute across all cards (Slack's Tier 3 is ~50; keep a margin). */
  updatesPerMinute?: number;
  /** Minimum gap between two messages in one channel. */
  postGapMs?: number;
  /** Longest wait between two tries while Slack is unreachable. */
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const PRIORITY = { urgent: 1, milestone: 3, progress: 7 } as const;

/** Errors that retrying will not fix: the message is logged and given up. */
const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'token_revoked',
  'no_permission', 'missing_scope', 'msg_too_long', 'invalid_blocks', 'message_not_found', 'cant_update_message',
  'user_not_found', 'user_not_in_channel', 'unknown_method', 'not_authed', 'edit_window_closed', 'invalid_arguments',
]);

interface SlackError {
  code?: string;
  retryAfter?: number;
  data?: { error?: string };
  message?: string;
}

/** How long to wait before trying again, or null when it will never work. */
export function retryDelay(e: unknown, attempt: number, maxBackoffMs: number): number | null {
  const err = e as SlackError;
  if (err.code === 'slack_webapi_rate_limited_error') return Math.max(1, err.retryAfter ?? 1) * 1000;
  const platform = err.data?.error;
  if (platform === 'ratelimited') return 1_000;
  if (platform && PERMANENT.has(platform)) return null;
  return Math.min(maxBackoffMs, 500 * 2 ** Math.min(attempt, 12));
}

interface PendingEdit {
  channel: string;
  ts: string;
  render: () => SlackMessage;
  priority: number;
  /** The newest state has not been sent yet. */
  dirty: boolean;
}

export class SlackOutbox {
  private readonly posts: Bottleneck.Group;
  /** One slot per allowed chat.update: each slot edits the most urgent card that has changed. */
  private readonly editSlots: Bottleneck;
  private readonly edits = new Map<string, PendingEdit>();
  private readonly homes = new Map<string, PendingHome>();
  private slotQueued = false;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxBackoffMs: number;
  private stopped = false;

  constructor(
    private readonly api: SlackApi,
    private readonly opts: OutboxOptions,
  ) {
    const perMinute = opts.updatesPerMinute ?? 45;
    this.posts = new Bottleneck.Group({ maxConcurrent: 1, minTime: opts.postGapMs ?? 1_100 });
    // A steady pace rather than a burst: a chatty build must never spend the minute's budget in
    // seconds and leave the final state waiting for the next minute.
    this.editSlots = new Bottleneck({ maxConcurrent: 1, minTime: Math.ceil(60_000 / perMinute) });
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref?.()));
    this.maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
  }

  /** Posts a message (a card root or a thread reply), in order per channel, never dropped. */
  post(channel: string, msg: SlackMessage, opts: { threadTs?: string; priority?: number } = {}): Promise<string | null> {
    return this.posts.key(channel).schedule({ priority: opts.priority ?? PRIORITY.milestone }, () =>
      this.persist('chat.postMessage', async () => {
        const r = await this.api.chat.postMessage({
          channel,
          text: msg.text,
          blocks: msg.blocks,
          unfurl_links: false,
          unfurl_media: false,
          ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
        });
        return r.ts ?? null;
      }),
    );
  }

  /** Shown only to one person (a refusal, an error): best effort, never retried for long. */
  async ephemeral(channel: string, user: string, msg: SlackMessage, threadTs?: string): Promise<void> {
    try {
      await this.api.chat.postEphemeral({ channel, user, text: msg.text, blocks: msg.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) });
    } catch (e) {
      this.opts.logger.warn('could not send a private reply on Slack', { error: describe(e) });
    }
  }

  /** A link to a message (a task's card, which roots its thread); null when Slack will not say. Best effort. */
  async permalink(channel: string, ts: string): Promise<string | null> {
    try {
      return (await this.api.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
    } catch (e) {
      this.opts.logger.warn('could not get a link to a Slack message', { error: describe(e) });
      return null;
    }
  }

  /** A direct-message channel with a user, for summaries and owner pings outside any thread. */
  async dmChannel(user: string): Promise<string | null> {
    return this.persist('conversations.open', async () => (await this.api.conversations.open({ users: user })).channel?.id ?? null);
  }

  /**
   * Asks for a message to show `render()`'s state. Edits coalesce: however many calls arrive, the
   * message is edited with the newest state when its turn comes; the most urgent change goes first.
   */
  edit(key: string, channel: string, ts: string, render: () => SlackMessage, priority: number = PRIORITY.progress): void {
    if (this.stopped) return;
    const pending = this.edits.get(key);
    if (pending) {
      pending.render = render;
      pending.priority = pending.dirty ? Math.min(pending.priority, priority) : priority;
      pending.dirty = true;
    } else {
      this.edits.set(key, { channel, ts, render, priority, dirty: true });
    }
    this.queueSlot();
  }

  private queueSlot(): void {
    if (this.slotQueued || this.stopped) return;
    this.slotQueued = true;
    void this.editSlots
      .schedule(async () => {
        this.slotQueued = false;
        const next = [...this.edits.entries()].filter(([, e]) => e.dirty).sort((a, b) => a[1].priority - b[1].priority)[0];
        if (!next) return;
        const [key, edit] = next;
        edit.dirty = false;
        const msg = edit.render();
        await this.persist('chat.update', () => this.api.chat.update({ channel: edit.channel, ts: edit.ts, text: msg.text, blocks: msg.blocks }));
        if (!edit.dirty) this.edits.delete(key);
      })
      .catch((e: unknown) => this.opts.logger.warn('a card edit failed', { error: describe(e) }))
      .finally(() => {
        if ([...this.edits.values()].some((e) => e.dirty)) this.queueSlot();
      });
  }

  /** Null until the first answer: whether Slack lets this app show its own Stop on a working thread. */
  private agentSessions: boolean | null = null;

  /**
   * A task's thread as a Slack agent session (agents.sessions.setStatus): "processing" shows
   * Slack's own Stop button there. Best effort and paced with the other edits; the first refusal
   * that says this app may not (not declared as an agent) turns it off, and the card's Cancel button
   * is the way to stop, as before. Returns whether sessions are in use.
   */
  async agentSession(channel: string, threadTs: string, status: AgentSessionStatus, title?: string): Promise<boolean> {
    if (this.stopped || this.agentSessions === false) return false;
    try {
      await this.api.apiCall('agents.sessions.setStatus', { channel_id: channel, thread_ts: threadTs, status, ...(title ? { title: title.slice(0, 200) } : {}) });
      this.agentSessions = true;
    } catch (e) {
      const code = (e as { data?: { error?: string } }).data?.error;
      if (code && NO_AGENT_SESSIONS.has(code)) {
        this.opts.logger.info('Slack: this app is not declared as an agent (agent_view in manifest.yml), so threads show the Cancel button, not Slack\'s own Stop', { error: code });
        this.agentSessions = false;
      } else this.opts.logger.warn('Slack: could not set an agent session\'s status', { error: describe(e) });
    }
    return this.agentSessions === true;
  }

  /**
   * Publishes a person's Home tab (views.publish, Tier 4). Coalesced like card edits: however many
   * changes arrive, the newest view goes out, at most once per HOME_GAP_MS for that person.
   */
  publishHome(user: string, render: () => Record<string, unknown>): void {
    if (this.stopped) return;
    const pending = this.homes.get(user);
    if (pending) {
      pending.render = render;
      if (pending.busy) pending.again = true;
      else void this.sendHome(pending, user);
      return;
    }
    const fresh: PendingHome = { render, busy: false, again: false };
    this.homes.set(user, fresh);
    void this.sendHome(fresh, user);
  }

  private async sendHome(h: PendingHome, user: string): Promise<void> {
    h.busy = true;
    try {
      do {
        h.again = false;
        await this.persist('views.publish', () => this.api.views.publish({ user_id: user, view: h.render() }));
        if (h.again) await this.sleep(HOME_GAP_MS);
      } while (h.again && !this.stopped);
    } finally {
      h.busy = false;
    }
  }

  /** Resolves once every queued post and edit has been sent (or given up). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const busy = limitersBusy([this.editSlots, ...groupLimiters(this.posts)]);
      if (!busy && [...this.edits.values()].every((e) => !e.dirty) && [...this.homes.values()].every((h) => !h.busy)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.editSlots.stop({ dropWaitingJobs: true }).catch(() => undefined);
    for (const k of this.posts.keys()) await this.posts.key(k).stop({ dropWaitingJobs: false }).catch(() => undefined);
  }

  /** Calls Slack until it answers: Retry-After honoured, outages backed off, permanent errors logged. */
  private async persist<T>(what: string, call: () => Promise<T>): Promise<T | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        const wait = retryDelay(e, attempt, this.maxBackoffMs);
        if (wait === null || this.stopped) {
          this.opts.logger.warn(`Slack refused ${what}`, { error: describe(e) });
          return null;
        }
        if (attempt === 0 || (e as SlackError).code !== 'slack_webapi_rate_limited_error') {
          this.opts.logger.info(`Slack ${what} will be retried in ${Math.round(wait / 1000)}s`, { error: describe(e) });
        }
        await this.sleep(wait);
      }
    }
  }
}

function describe(e: unknown): string {
  const err = e as SlackError;
  return err.data?.error ?? err.code ?? err.message ?? String(e);
}
