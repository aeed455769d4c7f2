// Discord's error answers, with the codes and messages the real API uses, so the bot's error handling
// sees exactly what it will meet in production (discord.js turns them into DiscordAPIError with `.code`).

/** What a route answers: HTTP status, JSON body (undefined for 204) and extra headers. */
export interface ApiAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Set when the fake refused the request body itself (400 50035/50006/50109): recorded as `rejected: 'invalid'`. */
  invalid?: boolean;
}

/** Nested `errors` of a 50035 answer: `{ content: { _errors: [{code, message}] } }` and so on. */
export type FormErrors = { [key: string]: FormErrors | Array<{ code: string; message: string }> };

const error = (status: number, code: number, message: string): ApiAnswer => ({ status, body: { message, code } });

export const ok = (body?: unknown): ApiAnswer => (body === undefined ? { status: 204 } : { status: 200, body });

export const unauthorized = (): ApiAnswer => error(401, 0, '401: Unauthorized');
export const notFound = (): ApiAnswer => error(404, 0, '404: Not Found');
export const unknownChannel = (): ApiAnswer => error(404, 10003, 'Unknown Channel');
export const unknownMessage = (): ApiAnswer => error(404, 10008, 'Unknown Message');
export const unknownUser = (): ApiAnswer => error(404, 10013, 'Unknown User');
export const unknownWebhook = (): ApiAnswer => error(404, 10015, 'Unknown Webhook');
export const unknownInteraction = (): ApiAnswer => error(404, 10062, 'Unknown interaction');
export const unknownApplication = (): ApiAnswer => error(404, 10002, 'Unknown Application');
/**
 * Discord answers the edit cap as a rate limit: HTTP 429 with Retry-After, and code 30046 in the
 * body (seen in the wild: "429 Too Many Requests (error code: 30046)"), so a client that retries
 * 429s blindly keeps hammering it.
 */
export const maxEditsReached = (retryAfterSec: number): ApiAnswer => ({
  status: 429,
  body: { message: 'Maximum number of edits to messages older than 1 hour reached. Try again later', code: 30046, retry_after: retryAfterSec, global: false },
  headers: { 'Retry-After': String(retryAfterSec), 'X-RateLimit-Scope': 'user' },
});
export const alreadyAcknowledged = (): ApiAnswer => error(400, 40060, 'Interaction has already been acknowledged.');
export const cannotEditOthers = (): ApiAnswer => error(403, 50005, 'Cannot edit a message authored by another user');
export const invalidWebhookToken = (): ApiAnswer => error(401, 50027, 'Invalid Webhook Token');
export const threadArchived = (): ApiAnswer => error(400, 50083, 'Thread is archived');
export const threadAlreadyCreated = (): ApiAnswer => error(400, 160004, 'A thread has already been created for this message');

export const emptyMessage = (): ApiAnswer => ({ ...error(400, 50006, 'Cannot send an empty message'), invalid: true });
export const invalidJson = (): ApiAnswer => ({ ...error(400, 50109, 'The request body contains invalid JSON.'), invalid: true });
export const invalidFormBody = (errors: FormErrors): ApiAnswer => ({
  status: 400,
  body: { message: 'Invalid Form Body', code: 50035, errors },
  invalid: true,
});
export const unknownGuild = (): ApiAnswer => error(404, 10004, 'Unknown Guild');
export const missingPermissions = (): ApiAnswer => error(403, 50013, 'Missing Permissions');
export const wrongChannelType = (): ApiAnswer => error(400, 50024, 'Cannot execute action on this channel type');
/** A request the fake does not model (say so rather than pretend). */
export const notModelled = (what: string): ApiAnswer => error(400, 0, `fake Discord does not model ${what}`);
