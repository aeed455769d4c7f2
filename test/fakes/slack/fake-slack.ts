// A fake Slack on loopback for end-to-end tests with the real @slack/bolt: one HTTP server on
// 127.0.0.1:<random port> serving the Web API (/api/<method>), response_url endpoints
// (/respond/<id>) and Socket Mode (WebSocket at /link/). Point Bolt at it with
// `clientOptions: { slackApiUrl: fake.apiUrl }`; apps.connections.open then hands out the socket.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FAKE_APP_ID,
  FAKE_APP_TOKEN,
  FAKE_BOT_ID,
  FAKE_BOT_TOKEN,
  FAKE_BOT_USER_ID,
  FAKE_TEAM_DOMAIN,
  FAKE_TEAM_ID,
} from './defaults.ts';
import { parseApiArgs, parseResponseBody, readBody } from './http-body.ts';
import { MessageStore, type FakeEphemeral, type FakeMessage } from './message-store.ts';
import { RateLimiter, type RateLimits, type ScriptedFailure, type Verdict } from './rate-limits.ts';
import { ResponseUrls, type FakeResponse, type ResponseTarget } from './response-urls.ts';
import { SocketLink, type AckRecord, type AckResult, type Envelope, type EnvelopeOptions, type EnvelopeType } from './socket-link.ts';
import { Waiters } from '../shared/waiters.ts';
import { APP_TOKEN_METHODS, callMethod, isKnownMethod, type FakeUser, type Workspace } from './web-api.ts';

export type { AckRecord, AckResult, Envelope, EnvelopeOptions, EnvelopeType } from './socket-link.ts';
export type { FakeEphemeral, FakeMessage } from './message-store.ts';
export type { RateLimits, ScriptedFailure } from './rate-limits.ts';
export type { FakeResponse, ResponseTarget } from './response-urls.ts';
export type { FakeUser } from './web-api.ts';

export interface FakeSlackOptions {
  /** Token the Web API accepts as `Authorization: Bearer` (default FAKE_BOT_TOKEN). */
  botToken?: string;
  /** Token apps.connections.open accepts (default FAKE_APP_TOKEN). */
  appToken?: string;
  teamId?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  /** users.info answers; an id not listed gets a made-up user named after it. */
  users?: Record<string, FakeUser>;
  /** Enforced rate limits (default: none). Change later with `setRateLimits`. */
  rateLimits?: RateLimits;
  /** How long `sendEnvelope` waits for the ack, in ms (default 3000: Slack's own deadline). */
  ackTimeoutMs?: number;
  /**
   * Interval of the server's WebSocket pings, in ms (default 10000). @slack/socket-mode drops a
   * connection that goes `serverPingTimeout` (default 30000) without a ping once it has seen one.
   */
  pingIntervalMs?: number;
  /** Clock for call times and rate-limit windows, in epoch ms (default Date.now). */
  now?: () => number;
  /** False: the app is not declared as an agent, and agents.sessions.* answer missing_scope (default true). */
  isAgent?: boolean;
}

export interface FakeCall {
  method: string;
  args: Record<string, unknown>;
  /** When the call arrived (epoch ms, from the fake's clock). */
  at: number;
  /** From `Authorization: Bearer <token>`; undefined when absent. */
  token: string | undefined;
  /** HTTP status answered. */
  status: number;
  /** JSON body answered. */
  response: Record<string, unknown>;
  /** Set when a rate limit or `failNext` refused the call. */
  rejected?: { reason: 'rate_limit' | 'scripted'; retryAfterSec: number | undefined };
}

const DEFAULT_WAIT_MS = 3000;

export class FakeSlack {
  readonly botToken: string;
  readonly appToken: string;
  readonly teamId: string;
  readonly appId: string;
  readonly botUserId: string;
  readonly botId: string;
  /** Every Web API call, refused ones included, in arrival order. */
  readonly calls: FakeCall[] = [];

  private readonly now: () => number;
  private readonly waiters = new Waiters('fake Slack');
  private readonly store: MessageStore;
  private readonly limiter: RateLimiter;
  private readonly responseUrls: ResponseUrls;
  private readonly link: SocketLink;
  private readonly workspace: Workspace;
  private readonly server: Server;
  private portNumber = 0;
  private stopped = false;

  constructor(opts: FakeSlackOptions = {}) {
    this.botToken = opts.botToken ?? FAKE_BOT_TOKEN;
    this.appToken = opts.appToken ?? FAKE_APP_TOKEN;
    this.teamId = opts.teamId ?? FAKE_TEAM_ID;
    this.appId = opts.appId ?? FAKE_APP_ID;
    this.botUserId = opts.botUserId ?? FAKE_BOT_USER_ID;
    this.botId = opts.botId ?? FAKE_BOT_ID;
    this.now = opts.now ?? Date.now;
    this.store = new MessageStore(this.botUserId);
    this.limiter = new RateLimiter(opts.rateLimits ?? {}, this.now);
    this.responseUrls = new ResponseUrls(this.store);
    this.link = new SocketLink(this.appId, opts.ackTimeoutMs ?? 3000, opts.pingIntervalMs ?? 10_000, this.waiters);
    this.workspace = {
      teamId: this.teamId,
      teamDomain: FAKE_TEAM_DOMAIN,
      appId: this.appId,
      botUserId: this.botUserId,
      botId: this.botId,
      store: this.store,
      users: opts.users ?? {},
      openConnectionUrl: () => `ws://127.0.0.1:${this.port}/link/?ticket=${this.link.issueTicket()}&app_id=${this.appId}`,
      isAgent: opts.isAgent ?? true,
    };
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
      if ((req.url ?? '').startsWith('/link')) this.link.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  /** Binds 127.0.0.1 on a random port. Use `startFakeSlack()` rather than calling this. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.portNumber = (this.server.address() as AddressInfo).port;
  }

  get port(): number {
    return this.portNumber;
  }
  /** http://127.0.0.1:PORT */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** The Web API base with its trailing slash, for `slackApiUrl` (@slack/web-api appends the method). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  // ---- Web API record ----------------------------------------------------------------------

  /** Calls of a method that reached the API (not refused by a rate limit or failNext). */
  callsOf(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method && !c.rejected);
  }

  /** Calls refused with a rate limit or by failNext. */
  get rejected(): FakeCall[] {
    return this.calls.filter((c) => c.rejected);
  }

  /** The first call of `method` that reached the API and matches `predicate`, past or future. */
  async waitForCall(method: string, predicate: (call: FakeCall) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<FakeCall> {
    const find = () => this.callsOf(method).find(predicate);
    await this.waiters.until(() => find() !== undefined, timeoutMs, `a ${method} call${predicate.length > 0 ? ' matching the predicate' : ''}`);
    return find() as FakeCall;
  }

  /** Resolves when `check()` holds (re-checked after every call, response, ack or socket change). */
  waitFor(check: () => boolean, timeoutMs = DEFAULT_WAIT_MS, what = 'a condition'): Promise<void> {
    return this.waiters.until(check, timeoutMs, what);
  }

  // ---- Workspace state ---------------------------------------------------------------------

  /** A channel's messages as they are now (after updates), roots and replies, oldest first. */
  messages(channel: string): FakeMessage[] {
    return this.store.messages(channel);
  }
  message(channel: string, ts: string): FakeMessage | undefined {
    return this.store.find(channel, ts);
  }
  /** A thread: its root then its replies. */
  thread(channel: string, threadTs: string): FakeMessage[] {
    return this.store.messages(channel).filter((m) => m.ts === threadTs || m.thread_ts === threadTs);
  }
  /** A thread's agent session, as agents.sessions.setStatus last left it. */
  agentSession(channel: string, threadTs: string): { status: string; title: string } | undefined {
    return this.store.agentSessions.get(`${channel}/${threadTs}`);
  }

  /** The Home tab views.publish last gave this user, if any. */
  homeView(user: string): { type: string; blocks: Record<string, unknown>[] } | undefined {
    return this.store.homeViews.get(user) as { type: string; blocks: Record<string, unknown>[] } | undefined;
  }

  get ephemerals(): FakeEphemeral[] {
    return [...this.store.ephemerals];
  }
  /** Channels that hold at least one message. */
  channels(): string[] {
    return this.store.channels();
  }

  // ---- Rate limits and scripted failures ---------------------------------------------------

  setRateLimits(limits: RateLimits): void {
    this.limiter.setLimits(limits);
  }
  /** Makes the next call(s) of `method` fail: by default one HTTP 429 with `Retry-After: 1`. */
  failNext(method: string, failure?: ScriptedFailure): void {
    this.limiter.failNext(method, failure);
  }

  // ---- response_url ------------------------------------------------------------------------

  /** A response_url served by the fake; with a target, replace/delete_original act on that message. */
  responseUrl(id: string = randomUUID(), target?: ResponseTarget): string {
    if (target) this.responseUrls.setTarget(id, target);
    return `${this.url}/respond/${encodeURIComponent(id)}`;
  }
  get responses(): FakeResponse[] {
    return [...this.responseUrls.responses];
  }
  async waitForResponse(id?: string, timeoutMs = DEFAULT_WAIT_MS): Promise<FakeResponse> {
    const find = () => this.responseUrls.responses.find((r) => id === undefined || r.id === id);
    await this.waiters.until(() => find() !== undefined, timeoutMs, `a POST to response_url ${id ?? '(any)'}`);
    return find() as FakeResponse;
  }

  // ---- Socket Mode -------------------------------------------------------------------------

  /** Sends an envelope on the newest open socket; resolves with the bot's ack (rejects on timeout). */
  sendEnvelope(type: EnvelopeType, payload: unknown, opts?: EnvelopeOptions): Promise<AckResult> {
    return this.link.sendEnvelope(type, payload, opts);
  }
  /** Sends an already-sent envelope again with `retry_attempt` + 1 and `retry_reason: 'timeout'`. */
  redeliver(envelopeId: string, opts?: Omit<EnvelopeOptions, 'envelopeId'>): Promise<AckResult> {
    return this.link.redeliver(envelopeId, opts);
  }
  /** Sends `{type:'disconnect', reason}`; resolves once the client has closed those sockets. */
  disconnect(reason?: string, timeoutMs?: number): Promise<void> {
    return this.link.disconnect(reason, timeoutMs);
  }
  /** Cuts the sockets without a close frame (a network failure). */
  dropConnections(): void {
    this.link.dropConnections();
  }
  /**
   * Resolves when a connection is ready (its client processed `hello`). `{count}`: connection number
   * `count` or later since start, e.g. `const n = fake.connectionCount; ...; waitForConnection({ count: n + 1 })`.
   */
  waitForConnection(opts?: { count?: number; timeoutMs?: number }): Promise<void> {
    return this.link.waitForConnection(opts);
  }
  waitForSocketsClosed(timeoutMs?: number): Promise<void> {
    return this.link.waitForSocketsClosed(timeoutMs);
  }
  get envelopes(): Envelope[] {
    return [...this.link.envelopes];
  }
  get acks(): AckRecord[] {
    return [...this.link.acks];
  }
  /** Connections accepted since start. */
  get connectionCount(): number {
    return this.link.connectionCount;
  }
  get openConnections(): number {
    return this.link.openConnections;
  }

  /** Waits up to `graceMs` (default 1000) for the client's sockets to close, then shuts everything. */
  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.link.close(opts.graceMs ?? 1000);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    const raw = await readBody(req);
    if (path.startsWith('/api/')) return this.api(decodeURIComponent(path.slice('/api/'.length)), req, raw, res);
    if (path.startsWith('/respond/') && req.method === 'POST') {
      const id = decodeURIComponent(path.slice('/respond/'.length));
      const answer = this.responseUrls.receive(id, parseResponseBody(req.headers['content-type'], raw));
      this.waiters.notify();
      return send(res, answer.status, answer.body);
    }
    send(res, 404, JSON.stringify({ ok: false, error: 'not_found' }));
  }

  private api(method: string, req: IncomingMessage, raw: string, res: ServerResponse): void {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    let args: Record<string, unknown>;
    try {
      args = parseApiArgs(req.headers['content-type'], raw);
    } catch {
      return this.answer(res, { method, args: { raw }, at: this.now(), token, status: 200, response: { ok: false, error: 'invalid_json' } });
    }
    const call: FakeCall = { method, args, at: this.now(), token, status: 200, response: {} };
    const authError = this.authError(method, token);
    if (!isKnownMethod(method)) call.response = { ok: false, error: 'unknown_method' };
    else if (authError) call.response = { ok: false, error: authError };
    else {
      const verdict = this.limiter.check(method, args);
      if (!verdict.pass) return this.refuse(res, call, verdict);
      call.response = callMethod(method, args, this.workspace);
    }
    this.answer(res, call);
  }

  private authError(method: string, token: string | undefined): string | undefined {
    if (!token) return 'not_authed';
    const expected = APP_TOKEN_METHODS.has(method) ? this.appToken : this.botToken;
    if (token === expected) return undefined;
    return token === this.appToken || token === this.botToken ? 'not_allowed_token_type' : 'invalid_auth';
  }

  private refuse(res: ServerResponse, call: FakeCall, verdict: Exclude<Verdict, { pass: true }>): void {
    call.status = verdict.status;
    call.response = { ok: false, error: verdict.error };
    call.rejected = { reason: verdict.reason, retryAfterSec: verdict.retryAfterSec };
    const headers: Record<string, string> = verdict.retryAfterSec !== undefined ? { 'retry-after': String(verdict.retryAfterSec) } : {};
    this.answer(res, call, headers);
  }

  private answer(res: ServerResponse, call: FakeCall, headers: Record<string, string> = {}): void {
    this.calls.push(call);
    this.waiters.notify();
    send(res, call.status, JSON.stringify(call.response), headers);
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body);
}

/** Starts a fake Slack on 127.0.0.1 (random port). Stop it with `await fake.stop()` after the bot. */
export async function startFakeSlack(opts?: FakeSlackOptions): Promise<FakeSlack> {
  const fake = new FakeSlack(opts);
  await fake.listen();
  return fake;
}
