// Messages as Discord's API and gateway spell them. REST answers carry the plain message object; gateway
// MESSAGE_CREATE/UPDATE add `guild_id`, the author's `member` and `channel_type` (discord.js needs
// `channel_type: 1` to build a DM channel it has never seen, with Partials.Channel).
import type { Channels } from './channels.ts';
import type { FakeDiscordMessage, MessageStore } from './message-store.ts';
import type { Users } from './users.ts';

type Json = Record<string, unknown>;

/**
 * A payload as Discord spells it (message objects, callback data), handed to tests. `any` on purpose:
 * tests reach into these (`original().embeds[0].title`) and compare them with toMatchObject.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DiscordJson = any;

export interface JsonContext {
  users: Users;
  channels: Channels;
  store: MessageStore;
  appId: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function messageJson(m: FakeDiscordMessage, ctx: JsonContext, withReferenced = true): Json {
  const last = m.edits.at(-1);
  const json: Json = {
    id: m.id,
    channel_id: m.channelId,
    author: ctx.users.json(m.authorId),
    content: m.content,
    timestamp: iso(m.createdAt),
    edited_timestamp: last ? iso(last.at) : null,
    tts: false,
    mention_everyone: false,
    mentions: m.mentionIds.map((id) => ctx.users.json(id)),
    mention_roles: [],
    attachments: m.attachments,
    embeds: m.embeds,
    components: m.components,
    pinned: false,
    type: m.type,
    flags: m.flags,
  };
  if (m.messageReference) {
    json['message_reference'] = { type: 0, ...m.messageReference };
    const referenced = ctx.store.find(m.messageReference.message_id);
    if (withReferenced) json['referenced_message'] = referenced ? messageJson(referenced, ctx, false) : null;
  }
  if (m.webhookId) {
    json['webhook_id'] = m.webhookId;
    json['application_id'] = ctx.appId;
  }
  if (m.interaction) {
    json['interaction_metadata'] = {
      id: m.interaction.id,
      type: m.interaction.type,
      user: ctx.users.json(m.interaction.userId),
      authorizing_integration_owners: {},
      ...(m.interaction.name ? { name: m.interaction.name } : {}),
    };
  }
  const thread = ctx.channels.thread(m.id);
  if (thread && thread.parentId === m.channelId) json['thread'] = ctx.channels.threadJson(thread);
  return json;
}

/** MESSAGE_CREATE / MESSAGE_UPDATE `d`: the message plus where it is and who wrote it there. */
export function gatewayMessageJson(m: FakeDiscordMessage, ctx: JsonContext): Json {
  const json = messageJson(m, ctx);
  const guildId = ctx.channels.guildOf(m.channelId);
  json['channel_type'] = ctx.channels.typeOf(m.channelId);
  if (guildId) {
    json['guild_id'] = guildId;
    if (!m.webhookId) json['member'] = ctx.users.memberJson(m.authorId, false);
    json['mentions'] = m.mentionIds.map((id) => ({ ...ctx.users.json(id), member: ctx.users.memberJson(id, false) }));
  }
  return json;
}
