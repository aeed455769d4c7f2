// What the bot needs from a Discord server, in one place: the gateway intents it asks for, the
// permissions in its invite link, and the link itself (printed at start and in the README).
import { GatewayIntentBits, OAuth2Scopes, PermissionFlagsBits } from 'discord.js';

/**
 * Message Content is privileged (enable it under Bot → Privileged Gateway Intents): without it,
 * replies in a task's thread arrive empty unless they mention the bot. Slash commands, mentions
 * and DMs work without it.
 */
export const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages];

/** See and post in the channel, start threads from status messages and post in them, embeds. */
export const PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.ReadMessageHistory;

export function inviteUrl(appId: string): string {
  const scopes = [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join('+');
  return `https://discord.com/oauth2/authorize?client_id=${appId}&scope=${scopes}&permissions=${PERMISSIONS.toString()}`;
}
