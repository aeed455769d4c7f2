// What a chat adapter must remember across restarts, kept in the store's meta under its own prefix
// ("slack.cards", "discord.cards"; on disk, written through the engine like every other change):
// - where each task's card lives (channel and message id), and which thread belongs to which task;
// - the open questions to the owner, to be closed once someone has answered;
// - which deliveries it has already handled (Slack's event_id and trigger_id; Discord does not
//   redeliver), so a redelivered event or a retried request never creates a second task, even
//   after a restart.
// The meta is rewritten with every change, so each list is bounded: deliveries expire after a day,
// and only the newest cards of finished tasks are kept (an old thread then reads as a plain thread).
import type { Engine } from '../../core/engine.ts';
import type { TaskId } from '../../core/task.ts';

export interface CardRef {
  channel: string;
  /** The message's id on its platform: Slack's ts, Discord's snowflake. */
  ts: string;
  /** Where the task's thread messages go, when not a thread of `ts` in `channel` (Discord: a thread channel, or a DM). */
  thread?: string;
  /** When the card was posted (epoch ms): Discord caps edits of messages older than an hour. */
  postedAt?: number;
}
/** Slack redelivers within minutes; a day is far beyond any retry. */
const SEEN_TTL_MS = 24 * 3_600_000;
const SEEN_MAX = 5_000;
/** Cards of finished tasks kept beyond the live ones: months of a busy night shift. */
const FINISHED_CARDS_KEPT = 500;

/** What the memory needs from the engine: its meta on disk, and which tasks are still live. */
export type MemoryHost = Pick<Engine, 'getMeta' | 'setMeta' | 'liveTask'>;

/** A thread message that asked the owner to act (with buttons), to be closed once someone has. */
export interface AskRef extends CardRef {
  text: string;
}

export class ChatMemory {
  private readonly cards: Map<TaskId, CardRef>;
  private readonly asks: Map<TaskId, AskRef[]>;
  private readonly seen: Map<string, number>;

  private readonly CARDS: string;
  private readonly ASKS: string;
  private readonly SEEN: string;

  constructor(
    private readonly engine: MemoryHost,
    prefix: 'slack' | 'discord',
    private readonly finishedCardsKept = FINISHED_CARDS_KEPT,
  ) {
    this.CARDS = `${prefix}.cards`;
    this.ASKS = `${prefix}.asks`;
    this.SEEN = `${prefix}.seen`;
    const { CARDS, SEEN, ASKS } = this;
    this.cards = new Map(Object.entries(engine.getMeta<Record<string, CardRef>>(CARDS) ?? {}) as [TaskId, CardRef][]);
    this.seen = new Map(Object.entries(engine.getMeta<Record<string, number>>(SEEN) ?? {}));
    this.asks = new Map(Object.entries(engine.getMeta<Record<string, AskRef[]>>(ASKS) ?? {}) as [TaskId, AskRef[]][]);
  }

  openAsks(id: TaskId): AskRef[] {
    return this.asks.get(id) ?? [];
  }

  async saveAsk(id: TaskId, ref: AskRef): Promise<void> {
    this.asks.set(id, [...this.openAsks(id), ref]);
    await this.engine.setMeta(this.ASKS, Object.fromEntries(this.asks));
  }

  async closeAsks(id: TaskId): Promise<AskRef[]> {
    const open = this.openAsks(id);
    if (open.length === 0) return [];
    this.asks.delete(id);
    await this.engine.setMeta(this.ASKS, Object.fromEntries(this.asks));
    return open;
  }

  card(id: TaskId): CardRef | undefined {
    return this.cards.get(id);
  }

  /** The task whose card roots this thread (Slack: channel + thread ts; Discord: the thread channel), if any. */
  taskOfThread(channel: string, threadTs?: string): TaskId | undefined {
    for (const [id, ref] of this.cards) {
      if (threadTs !== undefined ? ref.channel === channel && ref.ts === threadTs : ref.thread === channel && ref.thread !== ref.channel) return id;
    }
    return undefined;
  }

  async saveCard(id: TaskId, ref: CardRef): Promise<void> {
    this.cards.set(id, ref);
    const isLive = (k: TaskId) => this.engine.liveTask(k) !== null;
    let finished = 0;
    for (const k of this.cards.keys()) if (!isLive(k)) finished++;
    let asksDropped = false;
    // Oldest first (the map keeps creation order); a live task's card is never forgotten.
    for (const key of this.cards.keys()) {
      if (finished <= this.finishedCardsKept) break;
      if (isLive(key)) continue;
      this.cards.delete(key);
      asksDropped = this.asks.delete(key) || asksDropped;
      finished--;
    }
    await this.engine.setMeta(this.CARDS, Object.fromEntries(this.cards));
    if (asksDropped) await this.engine.setMeta(this.ASKS, Object.fromEntries(this.asks));
  }

  /**
   * True the first time a delivery key is seen; false for a repeat. The in-memory check is
   * synchronous, so two copies arriving together cannot both pass; the key is on disk before the
   * caller acts on it.
   */
  async firstDelivery(key: string, now = Date.now()): Promise<boolean> {
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, now + SEEN_TTL_MS);
    for (const [k, exp] of this.seen) if (exp <= now) this.seen.delete(k);
    while (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.keys().next().value as string);
    await this.engine.setMeta(this.SEEN, Object.fromEntries(this.seen));
    return true;
  }
}
