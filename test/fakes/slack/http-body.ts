// Reading request bodies the way Slack's servers see them. @slack/web-api sends
// `application/x-www-form-urlencoded` bodies in which every object argument (`blocks`,
// `attachments`, `metadata`, `view`, ...) is a JSON string; some callers send JSON instead.
import type { IncomingMessage } from 'node:http';

/** Form fields that carry JSON; they are parsed so tests can inspect blocks as objects. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'view', 'user_auth_blocks']);

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Arguments of a Web API call. Form values stay strings (`'true'`, `'10'`), as Slack receives them,
 * except the JSON fields above; a JSON body is taken as is. Unparseable JSON is kept as the raw string.
 */
export function parseApiArgs(contentType: string | undefined, raw: string): Record<string, unknown> {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    if (raw.trim() === '') return {};
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) ? parseJsonOr(value) : value;
  }
  return args;
}

/** The body POSTed to a `response_url` (Bolt's `respond()` sends JSON; some clients send a form). */
export function parseResponseBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  try {
    return parseApiArgs(contentType, raw);
  } catch {
    return { raw };
  }
}

function parseJsonOr(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
