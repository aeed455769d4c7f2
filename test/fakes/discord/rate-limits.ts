// Discord's rate limits, as the fake enforces them, plus scripted failures.
// Discord: about 5 message creates per 5 s per channel, and 50 requests per second per bot across all
// routes (interaction callbacks and webhooks with a token are exempt). Buckets are fixed windows that
// start with their first request, as Discord's do, and every answer of a limited route carries the
// X-RateLimit-* headers describing its bucket: @discordjs/rest reads them and waits *before* a request
// that would exceed the limit. Over the limit: 429 `{message, retry_after (s, float), global, code: 0}`
// with `Retry-After` and `X-RateLimit-Scope`.

export interface RateLimits {
  /** POST /channels/:id/messages per channel in each 5 s window (Discord: 5). Unset: unlimited. */
  messagesPerChannelPer5s?: number;
  /** PATCH /channels/:id/messages/:id per channel in each 5 s window (Discord: about 5). Unset: unlimited. */
  editsPerChannelPer5s?: number;
  /** Bot-authenticated requests per second over all routes (Discord: 50). Unset: unlimited. */
  globalPerSec?: number;
}

export interface ScriptedFailure {
  /** HTTP status (default 429). */
  status?: number;
  /** `retry_after` of a 429, in seconds, fractions allowed (default 0.5). Sent as `Retry-After` too. */
  retryAfterSec?: number;
  /** A 429 of the global limit (`X-RateLimit-Global: true`, scope 'global'). */
  global?: boolean;
  /** Discord error `code` in the body (default 0). */
  code?: number;
  /** `message` in the body (default: Discord's text for the status). */
  message?: string;
  /** How many consecutive calls of the route fail this way (default 1). */
  times?: number;
}

export type Verdict =
  | { pass: true; headers: Record<string, string> }
  | { pass: false; reason: 'rate_limit' | 'scripted'; status: number; body: unknown; headers: Record<string, string>; retryAfterSec?: number };

/** Routes whose buckets the fake tracks, by canonical route name. */
const MESSAGE_CREATE = 'POST /channels/:id/messages';
const MESSAGE_EDIT = 'PATCH /channels/:id/messages/:id';
const WINDOW_5S_MS = 5000;
const SECOND_MS = 1000;
const DEFAULT_RETRY_AFTER_SEC = 0.5;

interface Window {
  count: number;
  resetAt: number;
}

interface BucketSpec {
  key: string;
  hash: string;
  limit: number;
  windowMs: number;
}

const STATUS_TEXT: Record<number, string> = { 400: '400: Bad Request', 403: '403: Forbidden', 404: '404: Not Found', 500: '500: Internal Server Error', 502: '502: Bad Gateway', 503: '503: Service Unavailable' };

/** Three decimals, as Discord writes `retry_after` and `X-RateLimit-Reset-After`. */
const seconds = (ms: number): number => Math.max(0, Math.ceil(ms) / 1000);

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly scripted = new Map<string, ScriptedFailure[]>();

  constructor(
    private limits: RateLimits,
    private readonly now: () => number,
  ) {}

  setLimits(limits: RateLimits = {}): void {
    this.limits = { ...limits };
    this.windows.clear();
  }

  /** `route` must already be canonical (see route-table.ts). */
  failNext(route: string, failure: ScriptedFailure = {}): void {
    const queue = this.scripted.get(route) ?? [];
    for (let i = 0; i < (failure.times ?? 1); i++) queue.push(failure);
    this.scripted.set(route, queue);
  }

  /**
   * Judges one request. `channelId` is the route's major parameter; `global` is false for routes Discord
   * exempts from the global limit. A request that passes counts against its windows.
   */
  check(route: string, channelId: string | undefined, global: boolean): Verdict {
    const forced = this.scripted.get(route)?.shift();
    if (forced) return scriptedVerdict(forced);
    const now = this.now();
    if (global && this.limits.globalPerSec !== undefined) {
      const w = this.window('global', SECOND_MS, now);
      if (w.count >= this.limits.globalPerSec) return tooMany(w.resetAt - now, true, {}, 'rate_limit');
    }
    const spec = this.bucketFor(route, channelId);
    let headers: Record<string, string> = {};
    if (spec) {
      const w = this.window(spec.key, spec.windowMs, now);
      if (w.count >= spec.limit) return tooMany(w.resetAt - now, false, bucketHeaders(spec, w, now), 'rate_limit');
      w.count += 1;
      headers = bucketHeaders(spec, w, now);
    }
    if (global && this.limits.globalPerSec !== undefined) this.window('global', SECOND_MS, now).count += 1;
    return { pass: true, headers };
  }

  private bucketFor(route: string, channelId: string | undefined): BucketSpec | undefined {
    if (route === MESSAGE_CREATE && this.limits.messagesPerChannelPer5s !== undefined) {
      return { key: `create:${channelId ?? ''}`, hash: 'fake-message-create', limit: this.limits.messagesPerChannelPer5s, windowMs: WINDOW_5S_MS };
    }
    if (route === MESSAGE_EDIT && this.limits.editsPerChannelPer5s !== undefined) {
      return { key: `edit:${channelId ?? ''}`, hash: 'fake-message-edit', limit: this.limits.editsPerChannelPer5s, windowMs: WINDOW_5S_MS };
    }
    return undefined;
  }

  /** The current fixed window of a bucket; a new one starts with the first request after the last ended. */
  private window(key: string, windowMs: number, now: number): Window {
    let w = this.windows.get(key);
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    return w;
  }
}

function bucketHeaders(spec: BucketSpec, w: Window, now: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(spec.limit),
    'x-ratelimit-remaining': String(Math.max(0, spec.limit - w.count)),
    'x-ratelimit-reset': (w.resetAt / 1000).toFixed(3),
    'x-ratelimit-reset-after': seconds(w.resetAt - now).toFixed(3),
    'x-ratelimit-bucket': spec.hash,
  };
}

function tooMany(waitMs: number, global: boolean, headers: Record<string, string>, reason: 'rate_limit' | 'scripted'): Verdict {
  const retryAfterSec = seconds(waitMs);
  return {
    pass: false,
    reason,
    status: 429,
    retryAfterSec,
    body: { message: 'You are being rate limited.', retry_after: retryAfterSec, global, code: 0 },
    headers: {
      ...headers,
      // Real Discord rounds this header up to whole seconds; the fake keeps the fraction so tests stay fast.
      'retry-after': String(retryAfterSec),
      'x-ratelimit-scope': global ? 'global' : 'user',
      ...(global ? { 'x-ratelimit-global': 'true' } : {}),
    },
  };
}

function scriptedVerdict(f: ScriptedFailure): Verdict {
  const status = f.status ?? 429;
  if (status === 429) {
    const v = tooMany((f.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC) * 1000, f.global ?? false, {}, 'scripted');
    if (!v.pass && (f.code !== undefined || f.message !== undefined)) {
      v.body = { ...(v.body as object), code: f.code ?? 0, message: f.message ?? 'You are being rate limited.' };
    }
    return v;
  }
  return {
    pass: false,
    reason: 'scripted',
    status,
    body: { message: f.message ?? STATUS_TEXT[status] ?? `${status}: Error`, code: f.code ?? 0 },
    headers: {},
  };
}
