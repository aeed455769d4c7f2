// Every message the fake holds, in guild channels, threads and DMs alike, as it is now (after edits),
// with the history of its edits. Ephemeral interaction replies are kept too (only their user sees them),
// but a channel's list leaves them out, as the channel itself does.

export interface FakeDiscordEdit {
  at: number;
  content: string;
  embeds: unknown[];
  components: unknown[];
}

export interface FakeDiscordMessage {
  id: string;
  channelId: string;
  /** Discord message type: 0 default, 19 reply, 20 chat-input command response. */
  type: number;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: unknown[];
  authorId: string;
  /** Epoch ms, from the fake's clock. */
  createdAt: number;
  /** Each accepted edit, with the state it left the message in. */
  edits: FakeDiscordEdit[];
  allowedMentions: unknown;
  flags: number;
  messageReference?: { message_id: string; channel_id?: string; guild_id?: string };
  /** Users the message mentions (a user's message that mentions the bot lists it). */
  mentionIds: string[];
  /** Posted through an interaction's webhook (replies and follow-ups): the application id. */
  webhookId?: string;
  /** For interaction replies: the interaction that produced the message. */
  interaction?: { id: string; type: number; userId: string; name?: string };
  ephemeral: boolean;
}

export type NewMessage = Omit<FakeDiscordMessage, 'id' | 'edits'>;

/** The parts of a request body that change a message (absent fields are left as they are). */
export interface MessagePatch {
  content?: unknown;
  embeds?: unknown;
  components?: unknown;
  attachments?: unknown;
  flags?: unknown;
  allowed_mentions?: unknown;
}

export class MessageStore {
  private readonly byId = new Map<string, FakeDiscordMessage>();
  private readonly order: FakeDiscordMessage[] = [];

  add(id: string, fields: NewMessage): FakeDiscordMessage {
    const message: FakeDiscordMessage = { id, edits: [], ...fields };
    this.byId.set(id, message);
    this.order.push(message);
    return message;
  }

  find(id: string): FakeDiscordMessage | undefined {
    return this.byId.get(id);
  }

  /** A channel's messages, oldest first, without ephemeral ones. */
  inChannel(channelId: string): FakeDiscordMessage[] {
    return this.order.filter((m) => m.channelId === channelId && !m.ephemeral);
  }

  /** Applies the fields present in `patch` and records the edit. */
  edit(message: FakeDiscordMessage, patch: MessagePatch, at: number): void {
    Object.assign(message, contentOf(patch, message));
    if (patch.flags !== undefined && patch.flags !== null) message.flags = Number(patch.flags);
    if (patch.allowed_mentions !== undefined) message.allowedMentions = patch.allowed_mentions;
    message.edits.push({ at, content: message.content, embeds: message.embeds, components: message.components });
  }

  remove(id: string): boolean {
    const message = this.byId.get(id);
    if (!message) return false;
    this.byId.delete(id);
    this.order.splice(this.order.indexOf(message), 1);
    return true;
  }
}

/**
 * The content a body gives a message: a field the body leaves out keeps `base`'s value (an edit) or is
 * empty (a new message); `null` clears it, as Discord treats it.
 */
export function contentOf(body: MessagePatch, base?: Pick<FakeDiscordMessage, 'content' | 'embeds' | 'components' | 'attachments'>): Pick<FakeDiscordMessage, 'content' | 'embeds' | 'components' | 'attachments'> {
  const list = (v: unknown, old: unknown[] | undefined): unknown[] => (v === undefined ? (old ?? []) : Array.isArray(v) ? v : []);
  return {
    content: body.content === undefined ? (base?.content ?? '') : typeof body.content === 'string' ? body.content : '',
    embeds: list(body.embeds, base?.embeds),
    components: list(body.components, base?.components),
    attachments: list(body.attachments, base?.attachments),
  };
}
