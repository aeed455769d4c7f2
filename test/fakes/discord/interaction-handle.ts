// The test's view of one interaction it sent: the bot's callback (when it came, how late), the
// original response as it is now, and follow-ups. All waits re-check on every change to the fake.
import { FLAG_LOADING } from './defaults.ts';
import type { FakeCallback, InteractionRecord, Interactions } from './interactions.ts';
import { messageJson, type DiscordJson } from './message-json.ts';
import type { Waiters } from '../shared/waiters.ts';
import type { World } from './world.ts';

export interface FakeInteraction {
  id: string;
  token: string;
  /** The bot's first callback (accepted or not: a late one has `lateMs` and was answered 10062). */
  response(timeoutMs?: number): Promise<FakeCallback>;
  /** The original response message now (Discord's JSON, `flags` 64 when ephemeral), if there is one. */
  original(): DiscordJson | undefined;
  /**
   * Waits until the original response has content, embeds or components and is no longer a deferral's
   * "thinking" placeholder, i.e. the bot's reply or its edit after deferReply has arrived.
   */
  finalOriginal(what?: string, timeoutMs?: number): Promise<DiscordJson>;
  /** Follow-up messages (POST /webhooks/:app/:token), as they are now. */
  readonly followups: DiscordJson[];
  /** Every callback POST, in order (a second one got 40060). */
  readonly callbacks: FakeCallback[];
}

const DEFAULT_WAIT_MS = 5000;

export class InteractionHandle implements FakeInteraction {
  constructor(
    private readonly rec: InteractionRecord,
    private readonly interactions: Interactions,
    private readonly w: World,
    private readonly waiters: Waiters,
  ) {}

  get id(): string {
    return this.rec.id;
  }

  get token(): string {
    return this.rec.token;
  }

  get callbacks(): FakeCallback[] {
    return [...this.rec.callbacks];
  }

  async response(timeoutMs = DEFAULT_WAIT_MS): Promise<FakeCallback> {
    await this.waiters.until(() => this.rec.callbacks.length > 0, timeoutMs, `a callback to interaction ${this.rec.id} (${this.describe()})`);
    return this.rec.callbacks[0] as FakeCallback;
  }

  original(): DiscordJson | undefined {
    const message = this.interactions.original(this.rec);
    return message ? messageJson(message, this.w) : undefined;
  }

  async finalOriginal(what = `the final reply to ${this.describe()}`, timeoutMs = DEFAULT_WAIT_MS): Promise<DiscordJson> {
    const done = (): boolean => {
      const m = this.interactions.original(this.rec);
      return m !== undefined && (m.flags & FLAG_LOADING) === 0 && (m.content !== '' || m.embeds.length > 0 || m.components.length > 0);
    };
    await this.waiters.until(done, timeoutMs, what);
    return this.original();
  }

  get followups(): DiscordJson[] {
    return this.rec.followupIds.flatMap((id) => {
      const m = this.w.store.find(id);
      return m ? [messageJson(m, this.w)] : [];
    });
  }

  private describe(): string {
    return this.rec.name ? `/${this.rec.name}` : this.rec.sourceMessageId ? `a button on message ${this.rec.sourceMessageId}` : `interaction ${this.rec.id}`;
  }
}
