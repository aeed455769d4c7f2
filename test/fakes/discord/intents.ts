// What a gateway session sees, given the intents it sent in IDENTIFY: Discord does not send events of
// an intent the bot did not ask for, and without the privileged Message Content intent a guild message
// arrives with empty content, embeds, attachments and components, unless the bot wrote it, or it
// mentions the bot. DMs always carry their content. So a bot missing an intent fails its tests here.
import { INTENT_DIRECT_MESSAGES, INTENT_GUILD_MESSAGES, INTENT_GUILDS, INTENT_MESSAGE_CONTENT } from './defaults.ts';

type Json = Record<string, unknown>;

const GUILDS_EVENTS = new Set(['GUILD_CREATE', 'GUILD_UPDATE', 'CHANNEL_CREATE', 'CHANNEL_UPDATE', 'CHANNEL_DELETE', 'THREAD_CREATE', 'THREAD_UPDATE', 'THREAD_DELETE']);
const MESSAGE_EVENTS = new Set(['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE']);
const CONTENT_EVENTS = new Set(['MESSAGE_CREATE', 'MESSAGE_UPDATE']);

const has = (intents: number, bit: number): boolean => (intents & bit) === bit;

/** The payload as this session receives it, or undefined when the session does not get the event at all. */
export function visibleTo(t: string, d: Json, intents: number, botUserId: string): Json | undefined {
  if (GUILDS_EVENTS.has(t)) return has(intents, INTENT_GUILDS) ? d : undefined;
  if (!MESSAGE_EVENTS.has(t)) return d;
  const inGuild = typeof d['guild_id'] === 'string';
  if (!has(intents, inGuild ? INTENT_GUILD_MESSAGES : INTENT_DIRECT_MESSAGES)) return undefined;
  if (!inGuild || !CONTENT_EVENTS.has(t) || has(intents, INTENT_MESSAGE_CONTENT)) return d;
  const author = d['author'] as Json | undefined;
  const mentions = Array.isArray(d['mentions']) ? (d['mentions'] as Json[]) : [];
  if (author?.['id'] === botUserId || mentions.some((u) => u['id'] === botUserId)) return d;
  const { poll: _poll, ...rest } = d;
  return { ...rest, content: '', embeds: [], attachments: [], components: [] };
}
