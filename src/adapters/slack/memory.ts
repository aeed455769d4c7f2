// What the Slack adapter must remember across restarts, kept in the store's meta (on disk, written
// through the engine like every other change):
// - where each task's card lives (channel and message ts), and which thread belongs to which task;
// - which deliveries it has already handled (event_id, trigger_id), so a redelivered event or a
//   retried HTTP request never creates a second task, even after a restart.
import type { Engine } from '../../core/engine.ts';
import type { TaskId } from '../../core/task.ts';

export interface CardRef {
  channel: string;
  ts: string;
}

const CARDS = 'slack.cards';
const ASKS = 'slack.asks';
const SEEN = 'slack.seen';
/** Slack redelivers within minutes; a day is far beyond any retry. */
const SEEN_TTL_MS = 24 * 3_600_000;
const SEEN_MAX = 5_000;

/** A thread message that asked the owner to act (with buttons), to be closed once someone has. */
export interface AskRef extends CardRef {
  text: string;
}

export class SlackMemory {
  private readonly cards: Map<TaskId, CardRef>;
  private readonly asks: Map<TaskId, AskRef[]>;
  private readonly seen: Map<string, number>;

  constructor(private readonly engine: Engine) {
    this.cards = new Map(Object.entries(engine.getMeta<Record<string, CardRef>>(CARDS) ?? {}) as [TaskId, CardRef][]);
    this.seen = new Map(Object.entries(engine.getMeta<Record<string, number>>(SEEN) ?? {}));
    this.asks = new Map(Object.entries(engine.getMeta<Record<string, AskRef[]>>(ASKS) ?? {}) as [TaskId, AskRef[]][]);
  }

  openAsks(id: TaskId): AskRef[] {
    return this.asks.get(id) ?? [];
  }

  async saveAsk(id: TaskId, ref: AskRef): Promise<void> {
    this.asks.set(id, [...this.openAsks(id), ref]);
    await this.engine.setMeta(ASKS, Object.fromEntries(this.asks));
  }

  async closeAsks(id: TaskId): Promise<AskRef[]> {
    const open = this.openAsks(id);
    if (open.length === 0) return [];
    this.asks.delete(id);
    await this.engine.setMeta(ASKS, Object.fromEntries(this.asks));
    return open;
  }

  card(id: TaskId): CardRef | undefined {
    return this.cards.get(id);
  }

  /** The task whose card roots this thread, if any. */
  taskOfThread(channel: string, threadTs: string): TaskId | undefined {
    for (const [id, ref] of this.cards) if (ref.channel === channel && ref.ts === threadTs) return id;
    return undefined;
  }

  async saveCard(id: TaskId, ref: CardRef): Promise<void> {
    this.cards.set(id, ref);
    await this.engine.setMeta(CARDS, Object.fromEntries(this.cards));
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
    await this.engine.setMeta(SEEN, Object.fromEntries(this.seen));
    return true;
  }
}
