// One REST request, from arrival to answer: decode the path (`@original` arrives as `%40original`),
// parse the body, match the route, check the bot token, apply failNext and rate limits, run the route,
// and record the call, refused ones included, so a test sees everything the bot asked.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidJson, notFound, unauthorized, type ApiAnswer } from './api-errors.ts';
import { parseBody, readBody, sendJson } from './http-io.ts';
import type { DiscordJson } from './message-json.ts';
import type { RateLimiter } from './rate-limits.ts';
import type { RestContext } from './rest-routes.ts';
import { unknownRouteName, type RouteTable } from './route-table.ts';

export interface FakeDiscordCall {
  method: string;
  /** Decoded path without /api/v10 ('/webhooks/1/tok/messages/@original'). */
  path: string;
  /** The route it matched ('PATCH /channels/:id/messages/:id'); numeric segments become `:id` when none did. */
  route: string;
  /** Parsed JSON body (the `payload_json` part of a multipart one), or null. */
  body: DiscordJson;
  status: number;
  /** JSON answered, or null (204). */
  response: DiscordJson;
  /** When it arrived (fake clock). */
  at: number;
  /** The Authorization header, if any. */
  auth: string | undefined;
  /** Set when a rate limit or failNext refused it, or the fake found its body invalid (400 50035/50006/50109). */
  rejected?: { reason: 'rate_limit' | 'scripted' | 'invalid'; retryAfterSec?: number };
}

export interface RestApiDeps {
  token: string;
  now: () => number;
  routes: RouteTable<RestContext>;
  limiter: RateLimiter;
  ctx: RestContext;
  /** Where calls are recorded (the fake's public `calls`). */
  calls: FakeDiscordCall[];
  /** A call was answered: waiters re-check. */
  changed: () => void;
}

export async function serveRest(req: IncomingMessage, res: ServerResponse, deps: RestApiDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const raw = await readBody(req);
  const api = /^\/api(?:\/v\d+)?(\/.*)?$/.exec(url.pathname);
  if (!api) return sendJson(res, 404, notFound().body);
  const path = safeDecode(api[1] ?? '/');
  const method = (req.method ?? 'GET').toUpperCase();
  const auth = req.headers.authorization;
  const call: FakeDiscordCall = { method, path, route: unknownRouteName(method, path), body: null, status: 0, response: null, at: deps.now(), auth };
  deps.calls.push(call);
  const finish = (answer: ApiAnswer): void => answerCall(res, call, answer, deps);
  let body: unknown;
  try {
    body = parseBody(req.headers['content-type'], raw);
  } catch {
    return finish(invalidJson());
  }
  call.body = body;
  const match = deps.routes.match(method, path);
  if (!match) return finish(notFound());
  call.route = match.name;
  if (match.def.auth && auth !== `Bot ${deps.token}`) return finish(unauthorized());
  // The major parameter of channel routes: rate-limit buckets are per channel.
  const channelId = path.startsWith('/channels/') ? match.params[0] : undefined;
  const verdict = deps.limiter.check(match.name, channelId, match.def.auth);
  if (!verdict.pass) {
    call.rejected = { reason: verdict.reason, ...(verdict.retryAfterSec !== undefined ? { retryAfterSec: verdict.retryAfterSec } : {}) };
    return finish({ status: verdict.status, body: verdict.body, headers: verdict.headers });
  }
  const answer = match.def.handle({ params: match.params, body, query: url.searchParams }, deps.ctx);
  finish({ ...answer, headers: { ...verdict.headers, ...answer.headers } });
}

function answerCall(res: ServerResponse, call: FakeDiscordCall, answer: ApiAnswer, deps: RestApiDeps): void {
  call.status = answer.status;
  call.response = answer.body ?? null;
  if (answer.invalid) call.rejected = { reason: 'invalid' };
  // FAKE_DISCORD_LOG=1 traces every call on stderr: the quickest way to see why a bot's test hangs.
  if (process.env['FAKE_DISCORD_LOG']) {
    console.error(`fake Discord: ${call.method} ${call.path} → ${call.status}${call.status >= 400 ? ` ${JSON.stringify(call.response)}` : ''}`);
  }
  deps.changed();
  sendJson(res, answer.status, answer.body, answer.headers);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
