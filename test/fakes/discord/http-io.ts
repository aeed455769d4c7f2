// Reading requests and writing answers the way Discord's HTTP API does. @discordjs/rest sends JSON,
// or multipart/form-data with the JSON in a `payload_json` part when files are attached; answers are
// JSON, or an empty 204.
import type { IncomingMessage, ServerResponse } from 'node:http';

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class InvalidJsonError extends Error {}

/** The request's JSON payload, or null for an empty body. Throws InvalidJsonError when it does not parse. */
export function parseBody(contentType: string | undefined, raw: string): unknown {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const json = type === 'multipart/form-data' ? payloadJsonPart(contentType ?? '', raw) : raw;
  if (json === undefined || json.trim() === '') return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new InvalidJsonError('invalid JSON');
  }
}

/** The `payload_json` field of a multipart body (attached files themselves are not kept). */
function payloadJsonPart(contentType: string, raw: string): string | undefined {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
  if (!boundary) return undefined;
  for (const part of raw.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    if (/name="payload_json"/i.test(head)) return part.slice(split + 4).replace(/\r\n$/, '');
  }
  return undefined;
}

/** Writes a JSON answer, or an empty one for 204. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
