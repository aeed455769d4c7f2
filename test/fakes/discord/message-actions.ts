// What happens when the bot writes, whichever route it used (channel messages, interaction replies,
// follow-ups, webhook edits): the body is validated as Discord does, the message is stored, the thread
// it lands in is unarchived, and the bot's own gateway hears MESSAGE_CREATE / MESSAGE_UPDATE /
// MESSAGE_DELETE as it does from Discord (a bot must ignore its own messages).
import { emptyMessage, invalidFormBody, ok, type ApiAnswer } from './api-errors.ts';
import { FLAG_EPHEMERAL } from './defaults.ts';
import { editRefusal } from './edit-rules.ts';
import { gatewayMessageJson, messageJson } from './message-json.ts';
import { contentOf, type FakeDiscordMessage, type MessagePatch } from './message-store.ts';
import { isEmptyMessage, validateMessageBody } from './validation.ts';
import type { World } from './world.ts';

type Obj = Record<string, unknown>;

export const MESSAGE_TYPE = { Default: 0, Reply: 19, ChatInputCommand: 20 } as const;
/** Interaction type of an application command. */
const SLASH_COMMAND = 2;

export interface CreateOptions {
  /** Flags Discord keeps; others (e.g. EPHEMERAL outside interactions) are dropped. Default: all but EPHEMERAL. */
  allowEphemeral?: boolean;
  /** Set for messages posted through an interaction's webhook. */
  interaction?: FakeDiscordMessage['interaction'];
  /** Skip the empty-message check (a deferred reply's "thinking" placeholder). */
  placeholder?: { flags: number };
}

export type Written = { answer: ApiAnswer; message?: FakeDiscordMessage };

export const asObj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

export function createMessage(w: World, channelId: string, rawBody: unknown, opts: CreateOptions = {}): Written {
  const body = asObj(rawBody) as Obj & MessagePatch;
  let flags = opts.placeholder?.flags ?? Number(body.flags ?? 0);
  if (!opts.allowEphemeral) flags &= ~FLAG_EPHEMERAL;
  if (!opts.placeholder) {
    const errors = validateMessageBody(body, flags);
    if (errors) return { answer: invalidFormBody(errors) };
  }
  const content = contentOf(body);
  if (!opts.placeholder && isEmptyMessage(content)) return { answer: emptyMessage() };
  const ref = asObj(body['message_reference']);
  const refId = typeof ref['message_id'] === 'string' ? ref['message_id'] : undefined;
  if (refId && w.store.find(refId)?.channelId !== channelId) {
    return { answer: invalidFormBody({ message_reference: { _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }] } }) };
  }
  reopenThread(w, channelId);
  const ephemeral = (flags & FLAG_EPHEMERAL) !== 0;
  const message = w.store.add(w.ids.next(), {
    channelId,
    // Replies to slash commands are CHAT_INPUT_COMMAND messages; to buttons, plain ones.
    type: opts.interaction?.type === SLASH_COMMAND ? MESSAGE_TYPE.ChatInputCommand : refId ? MESSAGE_TYPE.Reply : MESSAGE_TYPE.Default,
    ...content,
    authorId: w.botUserId,
    createdAt: w.now(),
    allowedMentions: body.allowed_mentions,
    flags,
    ...(refId ? { messageReference: { message_id: refId, channel_id: channelId, ...guildRef(w, channelId) } } : {}),
    mentionIds: [],
    ...(opts.interaction ? { webhookId: w.appId, interaction: opts.interaction } : {}),
    ephemeral,
  });
  if (!ephemeral) {
    w.channels.noteMessage(channelId, message.id);
    void w.dispatch('MESSAGE_CREATE', gatewayMessageJson(message, w));
  }
  return { answer: ok(messageJson(message, w)), message };
}

export function editMessage(w: World, message: FakeDiscordMessage, rawBody: unknown, opts: { clearFlags?: number } = {}): Written {
  const body = asObj(rawBody) as Obj & MessagePatch;
  const flags = (body.flags === undefined || body.flags === null ? message.flags : Number(body.flags)) & ~(opts.clearFlags ?? 0);
  const errors = validateMessageBody(body, flags);
  if (errors) return { answer: invalidFormBody(errors) };
  if (isEmptyMessage(contentOf(body, message))) return { answer: emptyMessage() };
  const refusal = editRefusal(message, { botUserId: w.botUserId, now: w.now(), thread: w.channels.thread(message.channelId), editCap: w.editCap });
  if (refusal) return { answer: refusal };
  w.store.edit(message, { ...body, flags: flags | (message.flags & FLAG_EPHEMERAL) }, w.now());
  if (!message.ephemeral) void w.dispatch('MESSAGE_UPDATE', gatewayMessageJson(message, w));
  return { answer: ok(messageJson(message, w)), message };
}

export function deleteMessage(w: World, message: FakeDiscordMessage): ApiAnswer {
  w.store.remove(message.id);
  if (!message.ephemeral) {
    void w.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: message.channelId, ...guildRef(w, message.channelId) });
  }
  return ok();
}

/**
 * Posting into an archived (unlocked) thread unarchives it, as Discord does for a member allowed to
 * send there; the bot hears THREAD_UPDATE.
 */
export function reopenThread(w: World, channelId: string): void {
  const thread = w.channels.thread(channelId);
  if (!thread?.archived || thread.locked) return;
  w.channels.setArchived(channelId, false, w.now());
  void w.dispatch('THREAD_UPDATE', w.channels.threadJson(thread));
}

function guildRef(w: World, channelId: string): { guild_id?: string } {
  const guildId = w.channels.guildOf(channelId);
  return guildId ? { guild_id: guildId } : {};
}
