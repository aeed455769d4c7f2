// What the fake workspace holds: messages per channel (current state, after updates), ephemeral
// messages, reactions. Message timestamps are Slack-shaped ("1700000000.000100") and strictly
// increasing, so a test can order them and use them as thread ids.

export interface FakeMessage {
  channel: string;
  ts: string;
  /** Set on thread replies (and equal to `ts` on nothing: a root message has no thread_ts). */
  thread_ts?: string;
  /** The text (fallback) field; '' when the message was posted with blocks only. */
  text: string;
  blocks?: unknown;
  attachments?: unknown;
  /** Who posted it: the bot user for Web API posts. */
  user: string;
  /** Reaction names added with reactions.add, in order. */
  reactions: string[];
  /** How many times chat.update (or a `replace_original` response) changed it. */
  edits: number;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown;
}

export interface MessageContent {
  text?: unknown;
  blocks?: unknown;
  attachments?: unknown;
}

const TS_BASE_SEC = 1_700_000_000;
const TS_STEP_US = 100;

export class MessageStore {
  private readonly byChannel = new Map<string, FakeMessage[]>();
  readonly ephemerals: FakeEphemeral[] = [];
  /** agents.sessions.setStatus: each thread's session ("C1/1700.1" → status and title). */
  readonly agentSessions = new Map<string, { status: string; title: string }>();
  /** views.publish: the Home tab each user was last given. */
  readonly homeViews = new Map<string, Record<string, unknown>>();
  private seq = 0;

  constructor(private readonly botUserId: string) {}

  /** The next message timestamp: 1700000000.000100, 1700000000.000200, ... */
  nextTs(): string {
    this.seq += 1;
    const us = this.seq * TS_STEP_US;
    const sec = TS_BASE_SEC + Math.floor(us / 1_000_000);
    return `${sec}.${String(us % 1_000_000).padStart(6, '0')}`;
  }

  post(channel: string, content: MessageContent, threadTs?: string): FakeMessage {
    const message: FakeMessage = { channel, ts: this.nextTs(), text: '', user: this.botUserId, reactions: [], edits: 0 };
    if (threadTs) message.thread_ts = threadTs;
    applyContent(message, content);
    const list = this.byChannel.get(channel) ?? [];
    list.push(message);
    this.byChannel.set(channel, list);
    return message;
  }

  find(channel: string, ts: string): FakeMessage | undefined {
    return this.byChannel.get(channel)?.find((m) => m.ts === ts);
  }

  update(channel: string, ts: string, content: MessageContent): FakeMessage | undefined {
    const message = this.find(channel, ts);
    if (!message) return undefined;
    applyContent(message, content);
    message.edits += 1;
    return message;
  }

  delete(channel: string, ts: string): boolean {
    const list = this.byChannel.get(channel);
    const index = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || index < 0) return false;
    list.splice(index, 1);
    return true;
  }

  postEphemeral(channel: string, user: string, content: MessageContent, threadTs?: string): FakeEphemeral {
    const ephemeral: FakeEphemeral = { channel, user, message_ts: this.nextTs(), text: typeof content.text === 'string' ? content.text : '' };
    if (threadTs) ephemeral.thread_ts = threadTs;
    if (content.blocks !== undefined) ephemeral.blocks = content.blocks;
    this.ephemerals.push(ephemeral);
    return ephemeral;
  }

  /** Every message of a channel (roots and thread replies), oldest first, as they are now. */
  messages(channel: string): FakeMessage[] {
    return [...(this.byChannel.get(channel) ?? [])];
  }

  channels(): string[] {
    return [...this.byChannel.keys()];
  }
}

/** Fields present in `content` replace the message's; absent ones are kept (as chat.update does). */
function applyContent(message: FakeMessage, content: MessageContent): void {
  if (typeof content.text === 'string') message.text = content.text;
  if (content.blocks !== undefined) message.blocks = content.blocks;
  if (content.attachments !== undefined) message.attachments = content.attachments;
}
