// Where messages live: the guild's text channels, the threads the bot starts from messages, and DM
// channels between the bot and a user. Also the channel and guild objects Discord sends for them,
// GUILD_CREATE included (discord.js waits up to 15 s for it after READY before it emits `ready`, and
// fills `client.channels.cache` from its `channels`).
import { FAKE_GUILD_NAME, FAKE_GUILD_OWNER_ID, FAKE_PERMISSIONS } from './defaults.ts';
import type { Snowflakes } from './snowflakes.ts';
import type { Users } from './users.ts';

export interface FakeThread {
  id: string;
  parentId: string;
  /** The message the thread was started from (a thread started from a message shares its id). */
  starterMessageId?: string;
  name: string;
  archived: boolean;
  /** Minutes: 60, 1440, 4320 or 10080. */
  autoArchiveDuration: number;
  locked: boolean;
  createdAt: number;
  /** When `archived` last changed (epoch ms). */
  archiveChangedAt: number;
  messageCount: number;
}

interface TextChannel {
  id: string;
  name: string;
  position: number;
}

export const CHANNEL_TYPE = { GuildText: 0, DM: 1, PublicThread: 11 } as const;

type Json = Record<string, unknown>;
const iso = (ms: number): string => new Date(ms).toISOString();

export class Channels {
  private readonly text = new Map<string, TextChannel>();
  private readonly threadMap = new Map<string, FakeThread>();
  /** DM channel id → user id, and back. */
  private readonly dmUser = new Map<string, string>();
  private readonly dmByUser = new Map<string, string>();
  private readonly lastMessage = new Map<string, string>();

  constructor(
    readonly guildId: string,
    textChannels: Array<{ id: string; name: string }>,
    private readonly users: Users,
    private readonly ids: Snowflakes,
  ) {
    textChannels.forEach((c, position) => this.text.set(c.id, { ...c, position }));
  }

  /** 0 guild text, 11 thread, 1 DM; undefined for an unknown id. */
  typeOf(id: string): number | undefined {
    if (this.text.has(id)) return CHANNEL_TYPE.GuildText;
    if (this.threadMap.has(id)) return CHANNEL_TYPE.PublicThread;
    if (this.dmUser.has(id)) return CHANNEL_TYPE.DM;
    return undefined;
  }

  /** The guild a channel belongs to; undefined for DMs (and unknown channels). */
  guildOf(id: string): string | undefined {
    const type = this.typeOf(id);
    return type === CHANNEL_TYPE.GuildText || type === CHANNEL_TYPE.PublicThread ? this.guildId : undefined;
  }

  thread(id: string): FakeThread | undefined {
    return this.threadMap.get(id);
  }

  threads(): FakeThread[] {
    return [...this.threadMap.values()];
  }

  dmChannelOf(userId: string): string | undefined {
    return this.dmByUser.get(userId);
  }

  /** The DM channel between the bot and `userId`, opened on first use (POST /users/@me/channels does the same). */
  dmChannel(userId: string): string {
    const existing = this.dmByUser.get(userId);
    if (existing) return existing;
    const id = this.ids.next();
    this.dmByUser.set(userId, id);
    this.dmUser.set(id, userId);
    return id;
  }

  dmRecipient(channelId: string): string | undefined {
    return this.dmUser.get(channelId);
  }

  startThread(starter: { id: string; channelId: string }, name: string, autoArchiveDuration: number, now: number): FakeThread {
    const thread: FakeThread = {
      id: starter.id,
      parentId: starter.channelId,
      starterMessageId: starter.id,
      name,
      archived: false,
      autoArchiveDuration,
      locked: false,
      createdAt: now,
      archiveChangedAt: now,
      messageCount: 0,
    };
    this.threadMap.set(thread.id, thread);
    return thread;
  }

  /** Returns true when the flag changed. */
  setArchived(id: string, archived: boolean, now: number): boolean {
    const thread = this.threadMap.get(id);
    if (!thread || thread.archived === archived) return false;
    thread.archived = archived;
    thread.archiveChangedAt = now;
    return true;
  }

  noteMessage(channelId: string, messageId: string): void {
    this.lastMessage.set(channelId, messageId);
    const thread = this.threadMap.get(channelId);
    if (thread) thread.messageCount += 1;
  }

  /** The channel object of GET /channels/:id (and of interactions' `channel`). */
  json(id: string): Json | undefined {
    const text = this.text.get(id);
    if (text) return this.textJson(text);
    const thread = this.threadMap.get(id);
    if (thread) return this.threadJson(thread);
    const userId = this.dmUser.get(id);
    if (userId) return { id, type: CHANNEL_TYPE.DM, last_message_id: this.lastMessage.get(id) ?? null, flags: 0, recipients: [this.users.json(userId)] };
    return undefined;
  }

  threadJson(thread: FakeThread): Json {
    return {
      id: thread.id,
      type: CHANNEL_TYPE.PublicThread,
      guild_id: this.guildId,
      parent_id: thread.parentId,
      owner_id: this.users.botUserId,
      name: thread.name,
      last_message_id: this.lastMessage.get(thread.id) ?? null,
      message_count: thread.messageCount,
      total_message_sent: thread.messageCount,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: {
        archived: thread.archived,
        auto_archive_duration: thread.autoArchiveDuration,
        archive_timestamp: iso(thread.archiveChangedAt),
        locked: thread.locked,
        create_timestamp: iso(thread.createdAt),
      },
    };
  }

  private textJson(c: TextChannel): Json {
    return {
      id: c.id,
      type: CHANNEL_TYPE.GuildText,
      guild_id: this.guildId,
      name: c.name,
      position: c.position,
      permission_overwrites: [],
      parent_id: null,
      topic: null,
      nsfw: false,
      rate_limit_per_user: 0,
      last_message_id: this.lastMessage.get(c.id) ?? null,
      flags: 0,
    };
  }

  /** GUILD_CREATE's payload: the whole guild, as Discord sends it after READY. */
  guildCreate(): Json {
    return {
      id: this.guildId,
      name: FAKE_GUILD_NAME,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: FAKE_GUILD_OWNER_ID,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: 'en-US',
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      application_id: null,
      max_members: 500_000,
      features: [],
      roles: [
        { id: this.guildId, name: '@everyone', permissions: FAKE_PERMISSIONS, position: 0, color: 0, hoist: false, managed: false, mentionable: false, icon: null, unicode_emoji: null, flags: 0 },
      ],
      emojis: [],
      stickers: [],
      joined_at: this.users.joinedAt,
      large: false,
      unavailable: false,
      lazy: true,
      member_count: 2,
      // Discord includes the bot's own member, which `guild.members.me` (and permission checks) rely on.
      members: [this.users.memberJson(this.users.botUserId, true)],
      channels: [...this.text.values()].map((c) => this.textJson(c)),
      threads: this.threads().filter((t) => !t.archived).map((t) => this.threadJson(t)),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}
