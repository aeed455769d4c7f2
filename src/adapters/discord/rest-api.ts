// The outbox's calls, made with discord.js's REST client (which honours Discord's rate-limit
// headers and 429s itself). Plain REST rather than cached channel objects: a status message is
// edited by its ids after a restart without fetching anything first.
import { Routes, type REST } from 'discord.js';
import type { DiscordMessage } from './card.ts';
import type { DiscordApi } from './outbox.ts';

const THREAD_ALREADY_CREATED = 160004;

/** Threads close after a week of quiet (Discord's longest), so an overnight task's stays open. */
const AUTO_ARCHIVE_MINUTES = 10_080;

export function restApi(rest: REST): DiscordApi {
  return {
    async post(channel, body: DiscordMessage) {
      const m = (await rest.post(Routes.channelMessages(channel), { body: { allowed_mentions: { parse: [] }, ...body } })) as { id: string };
      return m.id;
    },
    async edit(channel, messageId, body: DiscordMessage) {
      await rest.patch(Routes.channelMessage(channel, messageId), { body: { allowed_mentions: { parse: [] }, ...body } });
    },
    async startThread(channel, messageId, name) {
      try {
        const t = (await rest.post(Routes.threads(channel, messageId), { body: { name, auto_archive_duration: AUTO_ARCHIVE_MINUTES } })) as { id: string };
        return t.id;
      } catch (e) {
        // A retried call whose first try did go through: the thread exists, and shares the message's id.
        if ((e as { code?: unknown }).code === THREAD_ALREADY_CREATED) return messageId;
        throw e;
      }
    },
    async dmChannel(userId) {
      const c = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
      return c.id;
    },
    async unarchive(threadId) {
      await rest.patch(Routes.channel(threadId), { body: { archived: false } });
    },
  };
}
