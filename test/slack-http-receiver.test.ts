// HTTP mode against the real Bolt App on loopback: requests signed the way Slack signs them, and
// the ones a replay or a forgery would produce. Nothing leaves 127.0.0.1: the Web API points at a
// closed port, and the /build handler only acks.
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type Logger } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkSlackTimestamp,
  createHttpReceiver,
  MAX_CLOCK_SKEW_SEC,
  type SlackHttpReceiverOptions,
  type SlackRequestRefusal,
} from '../src/adapters/slack/http-receiver.ts';

const SECRET = 'test-signing-secret-8f14e45fceea167a';
const nowSec = (): number => Math.floor(Date.now() / 1000);

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  let level = LogLevel.DEBUG;
  return {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (...msg: unknown[]) => void warnings.push(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => void warnings.push(msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

/** Slack's signature: `v0=` + hex HMAC-SHA256 of `v0:{ts}:{body}` with the signing secret. */
function sign(body: string, ts: number | string, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

function slashCommandBody(text: string, triggerId = `T${Math.random().toString(36).slice(2)}`): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'nightshift-test',
    channel_id: 'C0BUILDS',
    channel_name: 'builds',
    user_id: 'U0OWNER',
    user_name: 'owner',
    command: '/build',
    text,
    api_app_id: 'A0NIGHTSHIFT',
    is_enterprise_install: 'false',
    response_url: 'http://127.0.0.1:1/commands/T0TEAM/1/xyz',
    trigger_id: triggerId,
  }).toString();
}

interface Harness {
  url: string;
  handled: string[];
  refusals: SlackRequestRefusal[];
  logger: Logger & { warnings: string[] };
  stop: () => Promise<void>;
}

async function startApp(extra: Partial<SlackHttpReceiverOptions> = {}): Promise<Harness> {
  const handled: string[] = [];
  const refusals: SlackRequestRefusal[] = [];
  const logger = recordingLogger();
  const receiver = createHttpReceiver({
    signingSecret: SECRET,
    processBeforeResponse: true, // the handler has run when the response arrives
    logger,
    onRefused: (r) => refusals.push(r),
    ...extra,
  });
  const app = new App({
    receiver,
    token: 'xoxb-test-token',
    botId: 'B0NIGHTSHIFT', // with both ids Bolt needs no auth.test
    botUserId: 'U0NIGHTSHIFT',
    logger,
    clientOptions: { slackApiUrl: 'http://127.0.0.1:1/api/', retryConfig: { retries: 0 } },
  });
  app.command('/build', async ({ command, ack }) => {
    handled.push(command.text);
    await ack('ok');
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/slack/events`, handled, refusals, logger, stop: async () => void (await app.stop()) };
}

/** POSTs a form body exactly as Slack does (Bolt matches the content type exactly, no charset). */
async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  return { status: res.status, text: await res.text() };
}

function signedHeaders(body: string, ts: number | string, secret = SECRET): Record<string, string> {
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(body, ts, secret) };
}

describe('checkSlackTimestamp', () => {
  const now = 1_760_000_000;

  it('accepts a stamp up to five minutes away on either side', () => {
    expect(checkSlackTimestamp(String(now), now)).toEqual({ ok: true, timestampSec: now, skewSec: 0 });
    expect(checkSlackTimestamp(String(now - MAX_CLOCK_SKEW_SEC), now)).toMatchObject({ ok: true, skewSec: -300 });
    expect(checkSlackTimestamp(String(now + MAX_CLOCK_SKEW_SEC), now)).toMatchObject({ ok: true, skewSec: 300 });
    expect(checkSlackTimestamp(String(now), now + 0.999)).toMatchObject({ ok: true });
  });

  it('refuses a stamp more than five minutes old or ahead', () => {
    expect(checkSlackTimestamp(String(now - 301), now)).toEqual({ ok: false, reason: 'too_old' });
    expect(checkSlackTimestamp(String(now + 301), now)).toEqual({ ok: false, reason: 'too_new' });
    expect(checkSlackTimestamp(String(now + 360), now)).toEqual({ ok: false, reason: 'too_new' });
    expect(checkSlackTimestamp('0', now)).toEqual({ ok: false, reason: 'too_old' });
  });

  it('refuses a missing or malformed header', () => {
    expect(checkSlackTimestamp(undefined, now)).toEqual({ ok: false, reason: 'missing' });
    expect(checkSlackTimestamp('', now)).toEqual({ ok: false, reason: 'missing' });
    for (const bad of ['abc', '1.76e9', ` ${now}`, `${now}.5`, '-1', `${now}, ${now}`, '9999999999999']) {
      expect(checkSlackTimestamp(bad, now), bad).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(checkSlackTimestamp([String(now), String(now)], now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('takes another window when asked', () => {
    expect(checkSlackTimestamp(String(now + 61), now, 60)).toEqual({ ok: false, reason: 'too_new' });
    expect(checkSlackTimestamp(String(now - 60), now, 60)).toMatchObject({ ok: true });
  });
});

describe('HTTP receiver with the real Bolt app', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp();
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(() => {
    h.handled.length = 0;
    h.refusals.length = 0;
  });

  it('a correctly signed /build reaches the handler: 200 and its ack', async () => {
    const body = slashCommandBody('a hello-world CLI by tonight');
    const res = await post(h.url, body, signedHeaders(body, nowSec()));
    expect(res).toEqual({ status: 200, text: 'ok' });
    expect(h.handled).toEqual(['a hello-world CLI by tonight']);
    expect(h.refusals).toEqual([]);
  });

  it('a timestamp 4 minutes ahead (clock skew) is still inside the window', async () => {
    const body = slashCommandBody('status');
    const res = await post(h.url, body, signedHeaders(body, nowSec() + 240));
    expect(res.status).toBe(200);
    expect(h.handled).toEqual(['status']);
  });

  it('a timestamp 6 minutes old is refused: 401, handler not run', async () => {
    const body = slashCommandBody('replayed');
    const res = await post(h.url, body, signedHeaders(body, nowSec() - 360));
    expect(res.status).toBe(401);
    expect(h.handled).toEqual([]);
    expect(h.refusals.map((r) => r.reason)).toEqual(['too_old']);
  });

  it('a timestamp 6 minutes in the future is refused: 401, handler not run (Bolt alone lets it through)', async () => {
    const body = slashCommandBody('from the future');
    const ts = nowSec() + 360;
    const res = await post(h.url, body, signedHeaders(body, ts));
    expect(res.status).toBe(401);
    expect(h.handled).toEqual([]);
    expect(h.refusals).toEqual([{ reason: 'too_new', timestampHeader: String(ts), method: 'POST', path: '/slack/events' }]);
    expect(h.logger.warnings.some((w) => /too new/.test(w))).toBe(true);
  });

  it('a bad signature is refused by Bolt: 401, handler not run', async () => {
    const body = slashCommandBody('forged');
    const res = await post(h.url, body, signedHeaders(body, nowSec(), 'not-the-secret'));
    expect(res.status).toBe(401);
    expect(h.handled).toEqual([]);
    expect(h.refusals).toEqual([]); // the timestamp was fine: this one is Bolt's refusal
  });

  it('a body changed after signing is refused: 401', async () => {
    const body = slashCommandBody('harmless');
    const res = await post(h.url, body.replace('harmless', 'rm+-rf'), signedHeaders(body, nowSec()));
    expect(res.status).toBe(401);
    expect(h.handled).toEqual([]);
  });

  it('missing headers are refused: 401, handler not run', async () => {
    const body = slashCommandBody('unsigned');
    expect((await post(h.url, body, {})).status).toBe(401);
    expect((await post(h.url, body, { 'x-slack-signature': sign(body, nowSec()) })).status).toBe(401);
    expect((await post(h.url, body, { 'x-slack-request-timestamp': String(nowSec()) })).status).toBe(401);
    expect(h.handled).toEqual([]);
  });

  it('a malformed timestamp is refused even when the signature matches it', async () => {
    const body = slashCommandBody('odd stamp');
    const ts = `${nowSec()}.0`;
    const res = await post(h.url, body, signedHeaders(body, ts));
    expect(res.status).toBe(401);
    expect(h.handled).toEqual([]);
    expect(h.refusals.map((r) => r.reason)).toEqual(['malformed']);
  });

  it("Slack's unsigned ssl_check is still answered 200 by Bolt, and dispatches nothing", async () => {
    const res = await post(h.url, 'ssl_check=1&token=legacy-verification-token', {});
    expect(res.status).toBe(200);
    expect(h.handled).toEqual([]);
  });

  it('other paths are left to Bolt (404)', async () => {
    const body = slashCommandBody('elsewhere');
    const res = await post(h.url.replace('/slack/events', '/elsewhere'), body, signedHeaders(body, nowSec() + 3600));
    expect(res.status).toBe(404);
    expect(h.handled).toEqual([]);
  });
});

describe('HTTP receiver clock', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("judges the window by the injected clock (here 10 minutes ahead of the request's)", async () => {
    h = await startApp({ now: () => Date.now() + 600_000 });
    const body = slashCommandBody('late');
    const res = await post(h.url, body, signedHeaders(body, nowSec()));
    expect(res.status).toBe(401);
    expect(h.handled).toEqual([]);
    expect(h.refusals.map((r) => r.reason)).toEqual(['too_old']);
  });

  it('honours processBeforeResponse: false (the ack is the response, the handler still runs)', async () => {
    h = await startApp({ processBeforeResponse: false });
    const body = slashCommandBody('quick');
    const res = await post(h.url, body, signedHeaders(body, nowSec()));
    expect(res).toEqual({ status: 200, text: 'ok' });
    expect(h.handled).toEqual(['quick']);
  });
});
