// The fake Slack (test/fakes/slack) against the real libraries: @slack/web-api's WebClient, and
// Bolt in Socket Mode and in HTTP mode. Only the network is fake; everything stays on 127.0.0.1.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { ErrorCode, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient, WebClientEvent, type WebClientOptions } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_SIGNING_SECRET } from './fakes/slack/defaults.ts';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from './fakes/slack/fake-slack.ts';
import { appMention, blockAction, eventCallback, mention, slashCommand } from './fakes/slack/payloads.ts';
import { eventBody, formBody, interactiveBody, JSON_CONTENT_TYPE, signedPost } from './fakes/slack/signed-http.ts';
import { rejection as rejectionOf } from './helpers/rejection.ts';

const rejection = (p: Promise<unknown>) => rejectionOf<Error & { code?: string; data?: Record<string, unknown> }>(p);

const CHANNEL = 'C0BUILDS';
const OWNER = 'U0OWNER';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeSlack(opts?: FakeSlackOptions): Promise<FakeSlack> {
  const fake = await startFakeSlack(opts);
  cleanups.push(() => fake.stop());
  return fake;
}

function webClient(fake: FakeSlack, opts: WebClientOptions = {}, token = fake.botToken): WebClient {
  return new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR, ...opts });
}

describe('fake Slack Web API with the real @slack/web-api WebClient', () => {
  it('posts, replies in the thread and updates: the state reflects the update, blocks arrive parsed', async () => {
    const fake = await fakeSlack();
    const client = webClient(fake);
    const card = [{ type: 'section', text: { type: 'mrkdwn', text: '*Building*' } }];
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'Building', blocks: card });
    expect(posted.ts).toBe('1700000000.000100');
    const reply = await client.chat.postMessage({ channel: CHANNEL, text: 'Started attempt 1/3', thread_ts: posted.ts });
    expect(reply.ts).toBe('1700000000.000200');

    const done = [{ type: 'section', text: { type: 'mrkdwn', text: '*Done*' } }];
    await client.chat.update({ channel: CHANNEL, ts: posted.ts as string, text: 'Done', blocks: done });

    expect(fake.messages(CHANNEL)).toMatchObject([
      { ts: posted.ts, text: 'Done', blocks: done, edits: 1 },
      { ts: reply.ts, thread_ts: posted.ts, text: 'Started attempt 1/3', edits: 0 },
    ]);
    expect(fake.thread(CHANNEL, posted.ts as string)).toHaveLength(2);
    expect(fake.callsOf('chat.postMessage')[0]?.args['blocks']).toEqual(card); // JSON string on the wire, parsed by the fake
    expect(fake.callsOf('chat.update')[0]?.token).toBe(fake.botToken);
    await expect(fake.waitForCall('chat.update', (c) => c.args['text'] === 'Done', 100)).resolves.toMatchObject({ status: 200 });
  });

  it('answers the other methods the adapter uses', async () => {
    const fake = await fakeSlack({ users: { [OWNER]: { name: 'ada', real_name: 'Ada Lovelace', tz: 'Europe/London' } } });
    const client = webClient(fake);
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, user_id: fake.botUserId, bot_id: fake.botId, team_id: fake.teamId });
    const { ts } = await client.chat.postMessage({ channel: CHANNEL, text: 'card' });
    await expect(client.chat.getPermalink({ channel: CHANNEL, message_ts: ts as string })).resolves.toMatchObject({
      permalink: `https://nightshift-test.slack.com/archives/${CHANNEL}/p1700000000000100`,
    });
    await expect(client.chat.postEphemeral({ channel: CHANNEL, user: OWNER, text: 'only you' })).resolves.toMatchObject({ ok: true });
    expect(fake.ephemerals).toMatchObject([{ channel: CHANNEL, user: OWNER, text: 'only you' }]);
    await expect(client.conversations.open({ users: OWNER })).resolves.toMatchObject({ channel: { id: `D${OWNER}` } });
    await expect(client.users.info({ user: OWNER })).resolves.toMatchObject({ user: { name: 'ada', real_name: 'Ada Lovelace', tz: 'Europe/London' } });
    await client.reactions.add({ channel: CHANNEL, timestamp: ts as string, name: 'white_check_mark' });
    expect(fake.message(CHANNEL, ts as string)?.reactions).toEqual(['white_check_mark']);
  });

  it('refuses a wrong token with invalid_auth and an unimplemented method with unknown_method', async () => {
    const fake = await fakeSlack();
    const wrong = await rejection(webClient(fake, {}, 'xoxb-wrong').chat.postMessage({ channel: CHANNEL, text: 'x' }));
    expect(wrong).toBeInstanceOf(WebAPIPlatformError);
    expect(wrong.code).toBe(ErrorCode.PlatformError);
    expect(wrong.data?.['error']).toBe('invalid_auth');
    const unknown = await rejection(webClient(fake).apiCall('pins.add', { channel: CHANNEL }));
    expect(unknown.data?.['error']).toBe('unknown_method');
    expect(fake.messages(CHANNEL)).toEqual([]);
  });
});

describe('fake Slack checks Block Kit limits as Slack does', () => {
  it('refuses blocks that break a limit with invalid_blocks, naming where; accepts them within it', async () => {
    const fake = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test' });
    try {
      const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
      const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: quiet });
      const header = (n: number) => [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(n) } }];
      await expect(client.chat.postMessage({ channel: 'C1', text: 'ok', blocks: header(150) })).resolves.toMatchObject({ ok: true });
      await expect(client.chat.postMessage({ channel: 'C1', text: 'too long', blocks: header(151) })).rejects.toMatchObject({
        data: { ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]'] } },
      });
      const fifty = Array.from({ length: 51 }, () => ({ type: 'divider' }));
      await expect(client.chat.postMessage({ channel: 'C1', text: 'many', blocks: fifty })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
      const twice = [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' } }, { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'B' } }] }];
      await expect(client.chat.postMessage({ channel: 'C1', text: 'dup', blocks: twice })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    } finally {
      await fake.stop();
    }
  });
});

describe('fake Slack rate limits (HTTP 429 with Retry-After)', () => {
  it('rejectRateLimitedCalls: true → WebAPIRateLimitedError at once, with retryAfter from the header', async () => {
    const fake = await fakeSlack();
    fake.failNext('chat.update', { status: 429, retryAfterSec: 7 });
    const client = webClient(fake, { rejectRateLimitedCalls: true });
    const { ts } = await client.chat.postMessage({ channel: CHANNEL, text: 'card' });
    const started = Date.now();
    const err = await rejection(client.chat.update({ channel: CHANNEL, ts: ts as string, text: 'new' }));
    expect(Date.now() - started).toBeLessThan(7_000); // at once: it did not wait out the 7 s Retry-After
    expect(err).toBeInstanceOf(WebAPIRateLimitedError);
    expect(err.code).toBe(ErrorCode.RateLimitedError); // 'slack_webapi_rate_limited_error'
    expect((err as WebAPIRateLimitedError).retryAfter).toBe(7);
    expect(fake.rejected).toMatchObject([{ method: 'chat.update', status: 429, rejected: { reason: 'scripted', retryAfterSec: 7 } }]);
    expect(fake.message(CHANNEL, ts as string)?.text).toBe('card');
    // the next call goes through
    await client.chat.update({ channel: CHANNEL, ts: ts as string, text: 'new' });
    expect(fake.message(CHANNEL, ts as string)?.text).toBe('new');
  });

  it('rejectRateLimitedCalls: false, retries: 0 → sleeps Retry-After with its queue paused, then throws WebAPIRequestError', async () => {
    const fake = await fakeSlack();
    const client = webClient(fake); // rejectRateLimitedCalls defaults to false
    const { ts } = await client.chat.postMessage({ channel: CHANNEL, text: 'card' });
    const rateLimitedEvents: number[] = [];
    const rateLimited = new Promise<void>((resolve) =>
      client.on(WebClientEvent.RATE_LIMITED, (sec: number) => {
        rateLimitedEvents.push(sec);
        resolve();
      }),
    );
    fake.failNext('chat.update', { retryAfterSec: 1 });

    const started = Date.now();
    const update = rejection(client.chat.update({ channel: CHANNEL, ts: ts as string, text: 'new' }));
    await rateLimited; // emitted just before the client pauses its request queue
    // another call on the same client, made while it waits: held until the pause ends
    const post = client.chat.postMessage({ channel: CHANNEL, text: 'approval needed' }).then(() => Date.now() - started);
    const err = await update;
    const failedAfter = Date.now() - started;

    expect(failedAfter).toBeGreaterThanOrEqual(950);
    // not WebAPIRateLimitedError: the client's own "retry me" Error, wrapped as a request error
    expect(err).toBeInstanceOf(WebAPIRequestError);
    expect(err.code).toBe(ErrorCode.RequestError); // 'slack_webapi_request_error'
    expect((err as WebAPIRequestError).original.message).toMatch(/^A rate limit was exceeded \(url: .*chat\.update, retry-after: 1\)$/);
    expect(rateLimitedEvents).toEqual([1]);
    expect(await post).toBeGreaterThanOrEqual(950);
    expect(fake.callsOf('chat.update')).toHaveLength(0); // retries: 0 → never re-sent
  });

  it('a body-level {ok:false, error:"ratelimited"} (HTTP 200) is a platform error carrying retryAfter', async () => {
    const fake = await fakeSlack();
    fake.failNext('chat.postMessage', { status: 200, error: 'ratelimited', retryAfterSec: 2 });
    const err = await rejection(webClient(fake).chat.postMessage({ channel: CHANNEL, text: 'x' }));
    expect(err).toBeInstanceOf(WebAPIPlatformError);
    expect(err.data).toMatchObject({ ok: false, error: 'ratelimited', response_metadata: { retryAfter: 2 } });
  });

  it('enforces ~1 postMessage per second per channel and a chat.update budget per minute', async () => {
    let now = 1_000_000;
    const fake = await fakeSlack({ rateLimits: { postMessagePerChannelPerSec: 1, updatePerMinute: 2 }, now: () => now });
    const client = webClient(fake, { rejectRateLimitedCalls: true });
    const { ts } = await client.chat.postMessage({ channel: CHANNEL, text: 'one' });
    const second = await rejection(client.chat.postMessage({ channel: CHANNEL, text: 'two' }));
    expect((second as WebAPIRateLimitedError).retryAfter).toBe(1);
    await client.chat.postMessage({ channel: 'C0OTHER', text: 'elsewhere' }); // another channel has its own budget
    now += 1000;
    await client.chat.postMessage({ channel: CHANNEL, text: 'two, later' });

    await client.chat.update({ channel: CHANNEL, ts: ts as string, text: 'u1' });
    now += 10_000;
    await client.chat.update({ channel: CHANNEL, ts: ts as string, text: 'u2' });
    const third = await rejection(client.chat.update({ channel: CHANNEL, ts: ts as string, text: 'u3' }));
    expect((third as WebAPIRateLimitedError).retryAfter).toBe(50); // the first update leaves the window in 50 s
    expect(fake.rejected.map((c) => c.rejected?.reason)).toEqual(['rate_limit', 'rate_limit']);
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['u2', 'two, later']);

    fake.setRateLimits({});
    await client.chat.update({ channel: CHANNEL, ts: ts as string, text: 'u3' });
  });
});

/** Bolt's Logger, silent (a dropped socket is logged as an error by @slack/socket-mode). */
const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function socketApp(fake: FakeSlack, opts: { clientPingTimeout?: number } = {}): App {
  const clientOptions = { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } };
  // App takes no clientPingTimeout; it also sets the reconnect delay, so tests build the receiver
  const receiver =
    opts.clientPingTimeout === undefined
      ? undefined
      : new SocketModeReceiver({ appToken: fake.appToken, clientPingTimeout: opts.clientPingTimeout, logger: quietLogger, installerOptions: { clientOptions } });
  const app = new App({
    token: fake.botToken,
    ...(receiver ? { receiver } : { appToken: fake.appToken, socketMode: true }),
    logLevel: LogLevel.ERROR,
    clientOptions,
  });
  cleanups.push(async () => {
    await app.stop();
    await fake.waitForSocketsClosed(2000);
  });
  return app;
}

describe('fake Slack Socket Mode with a real Bolt App', () => {
  it('connects, delivers a slash command, gets the ack payload, and sees the socket close after app.stop()', async () => {
    const fake = await fakeSlack();
    const app = socketApp(fake);
    const seen: string[] = [];
    app.command('/build', async ({ command, ack }) => {
      seen.push(command.text);
      await ack('got it');
    });
    await app.start(); // resolves after the fake's hello
    await fake.waitForConnection({ timeoutMs: 1000 });
    expect(fake.callsOf('apps.connections.open')[0]?.token).toBe(fake.appToken);
    expect(fake.openConnections).toBe(1);

    const result = await fake.sendEnvelope('slash_commands', slashCommand({ text: 'a CLI by tonight', userId: OWNER, channelId: CHANNEL }));
    expect(result.ackPayload).toEqual({ text: 'got it' });
    expect(result.ackedAfterMs).toBeLessThan(3000);
    expect(seen).toEqual(['a CLI by tonight']);

    await app.stop();
    await fake.waitForSocketsClosed(2000);
    expect(fake.openConnections).toBe(0);
  });

  it('redelivers an event with retry_attempt + 1 (same event_id), and respond() reaches the response_url', async () => {
    const fake = await fakeSlack();
    const app = socketApp(fake);
    const mentions: Array<{ eventId: unknown; retryNum: unknown; text: string }> = [];
    app.event('app_mention', async ({ event, body, context }) => {
      mentions.push({ eventId: body.event_id, retryNum: context.retryNum, text: event.text });
    });
    app.command('/build', async ({ ack, respond }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: 'queued as t-1' });
    });
    await app.start();

    const callback = eventCallback(appMention({ text: `${mention(fake.botUserId)} build it`, user: OWNER, channel: CHANNEL }));
    const first = await fake.sendEnvelope('events_api', callback);
    expect(first.envelope.retry_attempt).toBe(0);
    const again = await fake.redeliver(first.envelope_id);
    expect(again.envelope.retry_attempt).toBe(1);
    await fake.waitFor(() => mentions.length === 2);
    expect(mentions).toEqual([
      { eventId: callback['event_id'], retryNum: 0, text: `<@${fake.botUserId}> build it` },
      { eventId: callback['event_id'], retryNum: 1, text: `<@${fake.botUserId}> build it` },
    ]);

    const responseUrl = fake.responseUrl('cmd-1');
    await fake.sendEnvelope('slash_commands', slashCommand({ text: 'x', userId: OWNER, channelId: CHANNEL, responseUrl }));
    expect((await fake.waitForResponse('cmd-1')).body).toEqual({ response_type: 'ephemeral', text: 'queued as t-1' });
  });

  it('a button press acked, and respond({replace_original}) replaces the message it came from', async () => {
    const fake = await fakeSlack();
    const app = socketApp(fake);
    app.action('approve', async ({ ack, respond, body }) => {
      await ack();
      await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
    });
    await app.start();
    const { ts } = await app.client.chat.postMessage({ channel: CHANNEL, text: 'Needs approval' });
    const responseUrl = fake.responseUrl(undefined, { channel: CHANNEL, messageTs: ts as string });
    const press = blockAction({ userId: OWNER, channelId: CHANNEL, messageTs: ts as string, actionId: 'approve', value: 't-1', responseUrl, message: fake.message(CHANNEL, ts as string) });
    await fake.sendEnvelope('interactive', press);
    await fake.waitForResponse();
    expect(fake.message(CHANNEL, ts as string)).toMatchObject({ text: `Approved by <@${OWNER}>`, edits: 1 });
  });

  it('reconnects after {type:"disconnect"} in clientPingTimeout ms (a hand-built SocketModeReceiver)', async () => {
    const fake = await fakeSlack();
    const app = socketApp(fake, { clientPingTimeout: 300 });
    app.command('/build', async ({ ack }) => ack('still here'));
    await app.start();
    const started = Date.now();
    await fake.disconnect('refresh_requested');
    await fake.waitForConnection({ count: 2, timeoutMs: 10_000 });
    const reconnectMs = Date.now() - started;
    expect(reconnectMs).toBeGreaterThanOrEqual(250); // it waited clientPingTimeout...
    expect(reconnectMs).toBeLessThan(5_000); // ...not Bolt's default 5 s
    expect(fake.callsOf('apps.connections.open')).toHaveLength(2);
    const result = await fake.sendEnvelope('slash_commands', slashCommand({ text: 'x', userId: OWNER, channelId: CHANNEL }));
    expect(result.ackPayload).toEqual({ text: 'still here' });
  });

  it('reconnects after the socket is cut without a close frame, and can stop right after (no stray rejection)', async () => {
    const fake = await fakeSlack();
    const app = socketApp(fake, { clientPingTimeout: 300 });
    await app.start();
    fake.dropConnections();
    await fake.waitForConnection({ count: 2, timeoutMs: 3000 });
    // waitForConnection waits for the pong to the ping sent after hello: the client has processed
    // hello, so stopping now does not leave @slack/socket-mode's reconnect promise to reject unhandled
    await app.stop();
    await fake.waitForSocketsClosed(2000);
  });
});

describe('Bolt in HTTP mode with signed requests', () => {
  async function httpApp(fake: FakeSlack): Promise<{ app: App; url: string; handled: string[] }> {
    const app = new App({
      token: fake.botToken,
      signingSecret: FAKE_SIGNING_SECRET,
      processBeforeResponse: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    const handled: string[] = [];
    app.command('/build', async ({ command, ack }) => {
      handled.push(`command:${command.text}`);
      await ack('got it');
    });
    app.event('app_mention', async ({ event }) => {
      handled.push(`mention:${event.text}`);
    });
    app.action('approve', async ({ ack }) => {
      handled.push('action:approve');
      await ack();
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    cleanups.push(() => app.stop());
    return { app, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, handled };
  }

  it('answers 200 to a correctly signed slash command; 401 to a bad signature, a missing header, a 6-minute-old timestamp', async () => {
    const fake = await fakeSlack();
    const { url, handled } = await httpApp(fake);
    const body = formBody(slashCommand({ text: 'a CLI', userId: OWNER, channelId: CHANNEL }));
    const signingSecret = FAKE_SIGNING_SECRET;

    const ok = await signedPost(url, { signingSecret, body });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('got it');

    expect((await signedPost(url, { signingSecret, body, badSignature: true })).status).toBe(401);
    expect((await signedPost(url, { signingSecret, body, omit: ['signature'] })).status).toBe(401);
    expect((await signedPost(url, { signingSecret, body, omit: ['timestamp'] })).status).toBe(401);
    expect((await signedPost(url, { signingSecret, body, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect(handled).toEqual(['command:a CLI']);
  });

  it('takes the same payload builders over HTTP: an event (JSON) and a button press (payload=...)', async () => {
    const fake = await fakeSlack();
    const { url, handled } = await httpApp(fake);
    const signingSecret = FAKE_SIGNING_SECRET;
    const event = eventCallback(appMention({ text: `${mention(fake.botUserId)} hi`, user: OWNER, channel: CHANNEL }));
    expect((await signedPost(url, { signingSecret, body: eventBody(event), contentType: JSON_CONTENT_TYPE })).status).toBe(200);
    const press = blockAction({ userId: OWNER, channelId: CHANNEL, messageTs: '1700000000.000100', actionId: 'approve', value: 't-1' });
    expect((await signedPost(url, { signingSecret, body: interactiveBody(press) })).status).toBe(200);
    expect(handled).toEqual([`mention:<@${fake.botUserId}> hi`, 'action:approve']);
  });
});
