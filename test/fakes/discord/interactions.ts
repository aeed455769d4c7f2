// Interactions the fake sent the bot (slash commands, autocomplete, button presses) and everything the
// bot answers to them: the one callback (POST /interactions/:id/:token/callback, within the deadline,
// only once), then the interaction webhook (/webhooks/:app/:token...): the original response and
// follow-ups. Deadlines and token lifetimes are measured on the fake's clock.
import {
  alreadyAcknowledged,
  invalidFormBody,
  invalidWebhookToken,
  ok,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
  type ApiAnswer,
} from './api-errors.ts';
import { FLAG_EPHEMERAL, FLAG_LOADING, INTERACTION_TOKEN_TTL_MS } from './defaults.ts';
import { asObj, createMessage, deleteMessage, editMessage, type Written } from './message-actions.ts';
import { messageJson, type DiscordJson } from './message-json.ts';
import type { FakeDiscordMessage } from './message-store.ts';
import type { World } from './world.ts';

export const INTERACTION_TYPE = { ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4 } as const;
export const CALLBACK_TYPE = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

/** Callback types each interaction type accepts. */
const ALLOWED_CALLBACKS: Record<number, number[]> = {
  [INTERACTION_TYPE.ApplicationCommand]: [4, 5, 9],
  [INTERACTION_TYPE.MessageComponent]: [4, 5, 6, 7, 9],
  [INTERACTION_TYPE.Autocomplete]: [8],
};

/** One POST to the callback route, accepted or not. */
export interface FakeCallback {
  type: number;
  data?: DiscordJson;
  /** When it arrived (fake clock). */
  at: number;
  /** How far past the deadline it arrived, when it did (it was then refused with 10062). */
  lateMs?: number;
  /** HTTP status the fake answered. */
  status: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  /** Command name (slash commands, autocomplete). */
  name?: string;
  channelId: string;
  userId: string;
  createdAt: number;
  /** The message whose component was used. */
  sourceMessageId?: string;
  callbacks: FakeCallback[];
  acknowledged: boolean;
  /** The original response: a new message (callback 4/5) or the component's message (6/7). */
  originalId?: string;
  followupIds: string[];
}

export class Interactions {
  private readonly byId = new Map<string, InteractionRecord>();
  private readonly byToken = new Map<string, InteractionRecord>();

  constructor(
    private readonly w: World,
    private readonly deadlineMs: number,
  ) {}

  add(record: InteractionRecord): void {
    this.byId.set(record.id, record);
    this.byToken.set(record.token, record);
  }

  // ---- POST /interactions/:id/:token/callback ----------------------------------------------

  callback(id: string, token: string, rawBody: unknown, withResponse: boolean): ApiAnswer {
    const rec = this.byId.get(id);
    if (!rec || rec.token !== token) return unknownInteraction();
    const body = asObj(rawBody);
    const type = Number(body['type']);
    const entry: FakeCallback = { type, data: body['data'], at: this.w.now(), status: 0 };
    rec.callbacks.push(entry);
    const acknowledged = this.acknowledge(rec, entry);
    // discord.js 14.28 sends ?with_response=false unless asked for the response: Discord then answers 204.
    const answer = acknowledged.status < 300 && !withResponse ? ok() : acknowledged;
    entry.status = answer.status;
    return answer;
  }

  private acknowledge(rec: InteractionRecord, entry: FakeCallback): ApiAnswer {
    const lateMs = entry.at - rec.createdAt - this.deadlineMs;
    if (lateMs > 0) {
      entry.lateMs = lateMs;
      return unknownInteraction();
    }
    if (rec.acknowledged) return alreadyAcknowledged();
    if (!ALLOWED_CALLBACKS[rec.type]?.includes(entry.type)) {
      return invalidFormBody({ type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Invalid interaction response type' }] } });
    }
    const written = this.respond(rec, entry);
    if (written.answer.status >= 300) return written.answer;
    rec.acknowledged = true;
    const message = written.message;
    return ok({
      interaction: {
        id: rec.id,
        type: rec.type,
        ...(message
          ? { response_message_id: message.id, response_message_loading: (message.flags & FLAG_LOADING) !== 0, response_message_ephemeral: message.ephemeral }
          : {}),
      },
      // Discord describes a resource only for messages the callback wrote (4 new, 7 updated), not for deferrals.
      ...(message && (entry.type === CALLBACK_TYPE.ChannelMessageWithSource || entry.type === CALLBACK_TYPE.UpdateMessage)
        ? { resource: { type: entry.type, message: messageJson(message, this.w) } }
        : {}),
    });
  }

  private respond(rec: InteractionRecord, entry: FakeCallback): Written {
    const data = asObj(entry.data);
    const ephemeralFlag = Number(data['flags'] ?? 0) & FLAG_EPHEMERAL;
    const source = rec.sourceMessageId ? this.w.store.find(rec.sourceMessageId) : undefined;
    switch (entry.type) {
      case CALLBACK_TYPE.ChannelMessageWithSource:
      case CALLBACK_TYPE.DeferredChannelMessageWithSource: {
        const deferred = entry.type === CALLBACK_TYPE.DeferredChannelMessageWithSource;
        const written = createMessage(this.w, rec.channelId, deferred ? {} : data, {
          allowEphemeral: true,
          interaction: { id: rec.id, type: rec.type, userId: rec.userId, ...(rec.name ? { name: rec.name } : {}) },
          // A deferral shows "<bot> is thinking..." until the original is edited.
          ...(deferred ? { placeholder: { flags: FLAG_LOADING | ephemeralFlag } } : {}),
        });
        if (written.message) rec.originalId = written.message.id;
        return written;
      }
      case CALLBACK_TYPE.DeferredUpdateMessage:
      case CALLBACK_TYPE.UpdateMessage: {
        if (!source) return { answer: unknownMessage() };
        rec.originalId = source.id;
        return entry.type === CALLBACK_TYPE.UpdateMessage ? editMessage(this.w, source, data) : { answer: ok(), message: source };
      }
      default:
        // PONG, autocomplete choices, modals: recorded in `callbacks`, nothing to store.
        return { answer: ok() };
    }
  }

  // ---- /webhooks/:app/:token... ------------------------------------------------------------

  /** The interaction behind a webhook, or the answer refusing it. */
  webhook(appId: string, token: string): InteractionRecord | ApiAnswer {
    const rec = this.byToken.get(token);
    if (!rec || appId !== this.w.appId) return unknownWebhook();
    if (this.w.now() - rec.createdAt > INTERACTION_TOKEN_TTL_MS) return invalidWebhookToken();
    return rec;
  }

  getMessage(rec: InteractionRecord, messageId: string): ApiAnswer {
    const message = this.target(rec, messageId);
    return message ? ok(messageJson(message, this.w)) : unknownMessage();
  }

  /** PATCH of the original (which ends a deferral's "thinking" state) or of a follow-up. */
  editMessage(rec: InteractionRecord, messageId: string, body: unknown): ApiAnswer {
    const message = this.target(rec, messageId);
    if (!message) return unknownMessage();
    return editMessage(this.w, message, body, { clearFlags: FLAG_LOADING }).answer;
  }

  deleteMessage(rec: InteractionRecord, messageId: string): ApiAnswer {
    const message = this.target(rec, messageId);
    return message ? deleteMessage(this.w, message) : unknownMessage();
  }

  /** POST /webhooks/:app/:token: a follow-up message (ephemeral with flags 64). */
  followup(rec: InteractionRecord, body: unknown): ApiAnswer {
    if (!rec.acknowledged) return unknownWebhook();
    const written = createMessage(this.w, rec.channelId, body, {
      allowEphemeral: true,
      interaction: { id: rec.id, type: rec.type, userId: rec.userId, ...(rec.name ? { name: rec.name } : {}) },
    });
    if (written.message) rec.followupIds.push(written.message.id);
    return written.answer;
  }

  original(rec: InteractionRecord): FakeDiscordMessage | undefined {
    return rec.originalId ? this.w.store.find(rec.originalId) : undefined;
  }

  private target(rec: InteractionRecord, messageId: string): FakeDiscordMessage | undefined {
    if (messageId === '@original') return this.original(rec);
    return rec.followupIds.includes(messageId) ? this.w.store.find(messageId) : undefined;
  }
}
