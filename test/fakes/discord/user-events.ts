// What users do, as the gateway tells the bot: a message in a channel, thread or DM (MESSAGE_CREATE),
// and interactions (INTERACTION_CREATE): slash commands, autocomplete, button presses. Shapes follow
// Discord's documentation of the gateway events; guild interactions carry `member` (with the user and
// permissions), DM ones `user`, and both carry the channel, which discord.js caches from there.
import { CHANNEL_TYPE } from './channels.ts';
import { FAKE_PERMISSIONS } from './defaults.ts';
import { reopenThread } from './message-actions.ts';
import { gatewayMessageJson, messageJson } from './message-json.ts';
import type { FakeDiscordMessage } from './message-store.ts';
import type { InteractionRecord } from './interactions.ts';
import type { World } from './world.ts';

type Json = Record<string, unknown>;

export interface UserMessageInput {
  authorId: string;
  channelId: string;
  content: string;
  /** Mention the bot: `<@bot>` is put in front of the content unless it already holds it. */
  mentionsBot?: boolean;
  /** Write in the DM channel between the author and the bot (opened if needed), whatever `channelId` says. */
  dm?: boolean;
}

/** The channel a user acts in: their DM with the bot when asked (or when `channelId` is that DM). */
export function resolveChannel(w: World, userId: string, channelId: string, dm: boolean | undefined): string {
  if (dm || w.channels.typeOf(channelId) === CHANNEL_TYPE.DM) {
    const own = w.channels.dmChannelOf(userId);
    return own === channelId ? channelId : w.channels.dmChannel(userId);
  }
  if (w.channels.typeOf(channelId) === undefined) throw new Error(`fake Discord: unknown channel ${channelId} (not a guild channel, thread or DM the fake knows)`);
  return channelId;
}

/** Stores the user's message and dispatches MESSAGE_CREATE (intents decide what the bot sees). */
export function postUserMessage(w: World, input: UserMessageInput): { message: FakeDiscordMessage; delivered: Promise<void> } {
  const channelId = resolveChannel(w, input.authorId, input.channelId, input.dm);
  const tag = `<@${w.botUserId}>`;
  const mentioned = input.mentionsBot === true || input.content.includes(tag) || input.content.includes(`<@!${w.botUserId}>`);
  const content = input.mentionsBot && !input.content.includes(tag) ? `${tag} ${input.content}` : input.content;
  // A member writing in an archived thread brings it back, as in Discord.
  reopenThread(w, channelId);
  const message = w.store.add(w.ids.next(), {
    channelId,
    type: 0,
    content,
    embeds: [],
    components: [],
    attachments: [],
    authorId: input.authorId,
    createdAt: w.now(),
    allowedMentions: undefined,
    flags: 0,
    mentionIds: mentioned ? [w.botUserId] : [],
    ephemeral: false,
  });
  w.channels.noteMessage(channelId, message.id);
  return { message, delivered: w.dispatch('MESSAGE_CREATE', gatewayMessageJson(message, w)) };
}

/** INTERACTION_CREATE's `d` for an interaction record and its `data`. */
export function interactionPayload(w: World, rec: InteractionRecord, data: Json, message?: FakeDiscordMessage): Json {
  const guildId = w.channels.guildOf(rec.channelId);
  const channel = w.channels.json(rec.channelId) ?? { id: rec.channelId };
  return {
    id: rec.id,
    application_id: w.appId,
    type: rec.type,
    token: rec.token,
    version: 1,
    data,
    channel_id: rec.channelId,
    channel: guildId ? { ...channel, permissions: FAKE_PERMISSIONS } : channel,
    ...(guildId
      ? { guild_id: guildId, guild: { id: guildId, locale: 'en-US', features: [] }, guild_locale: 'en-US', member: w.users.memberJson(rec.userId, true, FAKE_PERMISSIONS) }
      : { user: w.users.json(rec.userId) }),
    app_permissions: FAKE_PERMISSIONS,
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: {},
    // 0: in a guild, 1: in the bot's DM.
    context: guildId ? 0 : 1,
    attachment_size_limit: 10 * 1024 * 1024,
    ...(message ? { message: messageJson(message, w) } : {}),
  };
}

/** The button with `customId` anywhere in a message's components (rows, sections, containers). */
export function findButton(components: unknown[], customId: string): Json | undefined {
  for (const c of components) {
    if (typeof c !== 'object' || c === null) continue;
    const comp = c as Json;
    if (comp['type'] === 2 && comp['custom_id'] === customId) return comp;
    const nested = [...(Array.isArray(comp['components']) ? (comp['components'] as unknown[]) : []), ...(comp['accessory'] ? [comp['accessory']] : [])];
    const found = findButton(nested, customId);
    if (found) return found;
  }
  return undefined;
}
