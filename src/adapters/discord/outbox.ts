// Everything nightshift sends to Discord goes through here, under Discord's limits:
// - about 5 messages per 5 s per channel (a Bottleneck group keyed by channel, with a reservoir);
// - 50 requests per second for the whole bot (one limiter every channel's limiter is chained to).
// Status-message edits are coalesced: many progress lines become one edit with the newest state,
// and only superseded intermediate states are ever dropped. Posts (milestones, questions) are
// never dropped. discord.js's REST client already waits out a 429 and retries a 5xx a few times;
// what it gives up on is retried here with back-off, except errors that retrying cannot fix.
// Urgent work (a decision, a final state, a question to the owner) goes ahead of progress.
import Bottleneck from 'bottleneck';
import type { Logger } from '../../core/ports.ts';
import type { DiscordMessage } from './card.ts';
import { groupLimiters, limitersBusy } from '../shared/limiter-busy.ts';

/** The REST calls the outbox makes (implemented over discord.js's REST client; tests count them). */
export interface DiscordApi {
  post(channel: string, body: DiscordMessage): Promise<string>;
  edit(channel: string, messageId: string, body: DiscordMessage): Promise<void>;
  startThread(channel: string, messageId: string, name: string): Promise<string>;
  dmChannel(userId: string): Promise<string>;
  unarchive(threadId: string): Promise<void>;
}

export const PRIORITY = { urgent: 1, milestone: 3, progress: 7 } as const;

/** Discord's JSON error codes the outbox treats specially. */
export const CODE = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  unknownUser: 10013,
  missingAccess: 50001,
  cannotDm: 50007,
  missingPermissions: 50013,
  invalidBody: 50035,
  threadArchived: 50083,
  editCap: 30046,
  threadExists: 160004,
} as const;

/** Retrying will not fix these: the call is logged and given up. */
const PERMANENT = new Set<number>([CODE.unknownChannel, CODE.unknownMessage, CODE.unknownUser, CODE.missingAccess, CODE.cannotDm, CODE.missingPermissions, CODE.invalidBody, CODE.threadExists, 50008, 40001]);

export interface OutboxOptions {
  logger: Logger;
  /** Messages per channel per window (Discord: ~5 per 5 s). */
  perChannel?: { count: number; windowMs: number };
  /** Requests per second for the whole bot (Discord: 50). */
  globalPerSecond?: number;
  /** Longest wait between two tries while Discord is unreachable. */
  maxBackoffMs?: number;
  /** After Discord's edit cap (30046), how long until an urgent edit is tried again. */
  editCapRetryMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when a message can no longer be edited for now (the 1-hour edit cap). */
  onEditCapped?: (key: string) => void;
  /** Told when an edit went through (a capped message is editable again). */
  onEdited?: (key: string) => void;
  /** Told when the message to edit no longer exists (someone deleted it, or its channel). */
  onGone?: (key: string) => void;
}

interface DiscordError {
  code?: number | string;
  status?: number;
  message?: string;
}

/**
 * A rate limit discord.js handed back instead of waiting it out (the client rejects long waits on
 * message edits: that is how Discord's edit cap arrives, as a 429 with a long Retry-After).
 * Its wait in ms, or null when `e` is something else.
 */
export function longRateLimit(e: unknown): number | null {
  // discord.js names it "RateLimitError[/channels/…/messages/:id]".
  const err = e as { name?: unknown; retryAfter?: unknown };
  return String(err.name).startsWith('RateLimitError') && typeof err.retryAfter === 'number' ? err.retryAfter : null;
}

export const errorCode = (e: unknown): number | undefined => (typeof (e as DiscordError).code === 'number' ? ((e as DiscordError).code as number) : undefined);

/** How long to wait before trying again, or null when it will never work. */
export function retryDelay(e: unknown, attempt: number, maxBackoffMs: number): number | null {
  const code = errorCode(e);
  const status = (e as DiscordError).status;
  if (code !== undefined && PERMANENT.has(code)) return null;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408) return null;
  return Math.min(maxBackoffMs, 500 * 2 ** Math.min(attempt, 12));
}

interface PendingEdit {
  channel: string;
  messageId: string;
  render: () => DiscordMessage;
  priority: number;
  /** The newest state has not been sent yet. */
  dirty: boolean;
  /** A job for this key waits in its channel's queue. */
  queued: boolean;
}

export class DiscordOutbox {
  private readonly channels: Bottleneck.Group;
  private readonly global: Bottleneck;
  private readonly edits = new Map<string, PendingEdit>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxBackoffMs: number;
  private stopped = false;
  private inFlight = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly api: DiscordApi,
    private readonly opts: OutboxOptions,
  ) {
    const { count, windowMs } = opts.perChannel ?? { count: 5, windowMs: 5_000 };
    const perSecond = opts.globalPerSecond ?? 50;
    this.global = new Bottleneck({ reservoir: perSecond, reservoirRefreshAmount: perSecond, reservoirRefreshInterval: 1_000 });
    // A steady pace within the window rather than a burst, so the window's budget is never spent
    // on progress and a final state never waits a whole window.
    this.channels = new Bottleneck.Group({ maxConcurrent: 1, minTime: Math.ceil(windowMs / count), reservoir: count, reservoirRefreshAmount: count, reservoirRefreshInterval: windowMs });
    this.channels.on('created', (limiter: Bottleneck) => limiter.chain(this.global));
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref?.()));
    this.maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
  }

  /** Posts a message, in order per channel, never dropped; resolves to its id (null if Discord refused for good). */
  post(channel: string, body: DiscordMessage, priority: number = PRIORITY.milestone): Promise<string | null> {
    return this.run(channel, priority, `post in ${channel}`, () => this.api.post(channel, body), channel);
  }

  /** Starts the thread of a message; resolves to the thread's id. */
  startThread(channel: string, messageId: string, name: string): Promise<string | null> {
    return this.run(channel, PRIORITY.urgent, 'start a thread', () => this.api.startThread(channel, messageId, name));
  }

  /** The DM channel with a user (not rate limited per channel: it is one call per user). */
  dmChannel(userId: string): Promise<string | null> {
    return this.persist('open a DM', () => this.api.dmChannel(userId));
  }

  /**
   * Asks for a message to show `render()`'s state. Edits coalesce: however many calls arrive, the
   * message is edited with the newest state when its turn comes; the most urgent change goes first.
   * A message in an archived thread is edited after reopening the thread.
   */
  edit(key: string, channel: string, messageId: string, render: () => DiscordMessage, priority: number = PRIORITY.progress): void {
    if (this.stopped) return;
    const pending = this.edits.get(key);
    if (pending) {
      pending.render = render;
      pending.priority = pending.dirty ? Math.min(pending.priority, priority) : priority;
      pending.dirty = true;
      if (!pending.queued) this.queueEdit(key, pending);
      return;
    }
    const fresh: PendingEdit = { channel, messageId, render, priority, dirty: true, queued: false };
    this.edits.set(key, fresh);
    this.queueEdit(key, fresh);
  }

  private queueEdit(key: string, edit: PendingEdit): void {
    edit.queued = true;
    void this.channels
      .key(edit.channel)
      .schedule({ priority: edit.priority }, async () => {
        edit.queued = false;
        if (!edit.dirty) return;
        edit.dirty = false;
        // The priority this state was asked with: a progress edit arriving while it is in flight
        // must not make a final state's retry look like progress.
        const priority = edit.priority;
        await this.sendEdit(key, edit, edit.render(), priority);
      })
      .catch((e: unknown) => this.opts.logger.warn('a Discord status edit failed', { error: describe(e) }))
      .finally(() => {
        if (edit.dirty && !edit.queued && !this.stopped) this.queueEdit(key, edit);
        else if (!edit.dirty && !edit.queued) this.edits.delete(key);
      });
  }

  private async sendEdit(key: string, edit: PendingEdit, body: DiscordMessage, priority: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.inFlight++;
        await this.api.edit(edit.channel, edit.messageId, body);
        this.opts.onEdited?.(key);
        return;
      } catch (e) {
        const code = errorCode(e);
        if (code === CODE.threadArchived && attempt === 0) {
          // A message inside an archived thread cannot be edited: reopen the thread, then edit.
          await this.persist('unarchive a thread', () => this.api.unarchive(edit.channel));
          continue;
        }
        const capWait = longRateLimit(e);
        if (code === CODE.editCap || capWait !== null) {
          // Discord caps edits of messages older than an hour. Progress can wait for the next
          // milestone; an urgent state (a decision, the final result) is tried again later,
          // off the channel's queue so nothing else waits for it.
          this.opts.onEditCapped?.(key);
          if (priority <= PRIORITY.urgent && !this.stopped) {
            const later = this.opts.editCapRetryMs ?? Math.max(capWait ?? 0, 10 * 60_000);
            this.opts.logger.info(`Discord will not let the status message be edited yet; trying again in ${Math.round(later / 1000)}s`, { key });
            const retry = setTimeout(() => {
              this.timers.delete(retry);
              this.edit(key, edit.channel, edit.messageId, edit.render, priority);
            }, later);
            retry.unref?.();
            this.timers.add(retry);
          }
          return;
        }
        if (code === CODE.unknownMessage || code === CODE.unknownChannel) {
          this.opts.onGone?.(key);
          this.opts.logger.warn('Discord: a message to edit is gone', { key, error: describe(e) });
          return;
        }
        const wait = retryDelay(e, attempt, this.maxBackoffMs);
        if (wait === null || this.stopped) {
          this.opts.logger.warn('Discord refused a status edit', { key, error: describe(e) });
          return;
        }
        await this.sleep(wait);
        if (edit.dirty) return;
      } finally {
        this.inFlight--;
      }
    }
  }

  private run<T>(channel: string, priority: number, what: string, call: () => Promise<T>, thread?: string): Promise<T | null> {
    return this.channels.key(channel).schedule({ priority }, () => this.persist(what, call, thread));
  }

  /** Resolves once every queued post and edit has been sent (or given up). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const busy = this.inFlight > 0 || limitersBusy(groupLimiters(this.channels));
      if (!busy && [...this.edits.values()].every((e) => !e.dirty)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const k of this.channels.keys()) await this.channels.key(k).stop({ dropWaitingJobs: false }).catch(() => undefined);
    await this.global.stop({ dropWaitingJobs: false }).catch(() => undefined);
  }

  /** Calls Discord until it answers: outages backed off, archived threads reopened, permanent errors logged. */
  private async persist<T>(what: string, call: () => Promise<T>, thread?: string): Promise<T | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.inFlight++;
        return await call();
      } catch (e) {
        if (errorCode(e) === CODE.threadArchived && thread && attempt === 0) {
          await this.persist('unarchive a thread', () => this.api.unarchive(thread)).catch(() => undefined);
          continue;
        }
        const wait = retryDelay(e, attempt, this.maxBackoffMs);
        if (wait === null || this.stopped) {
          this.opts.logger.warn(`Discord refused to ${what}`, { error: describe(e) });
          return null;
        }
        this.opts.logger.info(`Discord: will try to ${what} again in ${Math.round(wait / 1000)}s`, { error: describe(e) });
        await this.sleep(wait);
      } finally {
        this.inFlight--;
      }
    }
  }
}

function describe(e: unknown): string {
  const err = e as DiscordError & { name?: string };
  return `${err.code ?? err.status ?? err.name ?? ''} ${err.message ?? String(e)}`.trim();
}
