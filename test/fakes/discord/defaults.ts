// Identities shared by the fake Discord and the tests, so a test built with the defaults talks to
// the application, bot user, guild and channel the fake pretends to be. Ids are Discord-shaped
// snowflake strings, fixed (and far below the ids the fake mints from the clock) so they never collide.

/** Bot token the fake accepts as `Authorization: Bot <token>` (and in IDENTIFY / RESUME). */
export const FAKE_DISCORD_TOKEN = 'fake-bot-token';
/** The application (client id). Interaction webhooks live under /webhooks/<app id>/<token>. */
export const FAKE_APP_ID = '100000000000000001';
/** The bot user the application acts as. */
export const FAKE_BOT_USER_ID = '100000000000000002';
export const FAKE_BOT_USERNAME = 'nightshift';
/** The one guild (server) the bot is in. */
export const FAKE_GUILD_ID = '200000000000000001';
export const FAKE_GUILD_NAME = 'Nightshift Test';
/** Owner of the guild: a user who exists only so GUILD_CREATE has an `owner_id` (outside the ids tests use for people). */
export const FAKE_GUILD_OWNER_ID = '900000000000000001';
/** The default guild text channel. */
export const FAKE_CHANNEL_ID = '300000000000000001';
export const FAKE_CHANNEL_NAME = 'builds';

/** Discord's own limits the fake applies by default. */
export const INTERACTION_DEADLINE_MS = 3000;
/** An interaction token (its webhook) lasts 15 minutes. */
export const INTERACTION_TOKEN_TTL_MS = 15 * 60 * 1000;
export const HEARTBEAT_INTERVAL_MS = 41_250;

/** Gateway intent bits the fake honours (discord.js: GatewayIntentBits). */
export const INTENT_GUILDS = 1 << 0;
export const INTENT_GUILD_MESSAGES = 1 << 9;
export const INTENT_DIRECT_MESSAGES = 1 << 12;
export const INTENT_MESSAGE_CONTENT = 1 << 15;
export const Intents = {
  Guilds: INTENT_GUILDS,
  GuildMessages: INTENT_GUILD_MESSAGES,
  DirectMessages: INTENT_DIRECT_MESSAGES,
  MessageContent: INTENT_MESSAGE_CONTENT,
} as const;

/** Message flags the fake reads or sets. */
export const FLAG_EPHEMERAL = 1 << 6;
export const FLAG_LOADING = 1 << 7;
export const FLAG_IS_COMPONENTS_V2 = 1 << 15;

/**
 * Permissions of @everyone, and so of the bot and every user (`app_permissions`, `member.permissions`):
 * view, send, send in threads, create public threads, manage threads, read history, embed links, attach
 * files, add reactions, use application commands. Enough that discord.js's `permissionsFor()` checks pass.
 */
export const FAKE_PERMISSIONS = (
  (1n << 6n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 15n) | (1n << 16n) | (1n << 31n) | (1n << 34n) | (1n << 35n) | (1n << 38n)
).toString();
