// Slack's rate limits, as the fake enforces them, plus scripted failures.
// Slack: chat.postMessage about 1 message per second per channel; chat.update Tier 3, about 50 per
// minute per workspace (shared by every message the app edits). Over the limit: HTTP 429 with
// `Retry-After: <seconds>`. Windows here are sliding, so a test's burst is judged strictly.

export interface RateLimits {
  /** chat.postMessage calls accepted per channel in any 1 s window (Slack: ~1). Unset: unlimited. */
  postMessagePerChannelPerSec?: number;
  /** chat.update calls accepted per workspace in any 60 s window (Slack Tier 3: ~50). Unset: unlimited. */
  updatePerMinute?: number;
}

export interface ScriptedFailure {
  /** HTTP status (default 429). 200 answers `{ok:false, error}`: Slack's body-level rate limiting. */
  status?: number;
  /** `Retry-After` seconds, sent with a 429 (default 1), or with a 200 when given. */
  retryAfterSec?: number;
  /** `error` in the JSON body (default `ratelimited` for 429/200, `internal_error` otherwise). */
  error?: string;
  /** How many consecutive calls of the method fail this way (default 1). */
  times?: number;
}

export type Verdict =
  | { pass: true }
  | { pass: false; reason: 'rate_limit' | 'scripted'; status: number; retryAfterSec: number | undefined; error: string };

interface ScriptedEntry {
  status: number;
  retryAfterSec: number | undefined;
  error: string;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly scripted = new Map<string, ScriptedEntry[]>();

  constructor(
    private limits: RateLimits,
    private readonly now: () => number,
  ) {}

  setLimits(limits: RateLimits): void {
    this.limits = { ...limits };
    this.windows.clear();
  }

  failNext(method: string, failure: ScriptedFailure = {}): void {
    const status = failure.status ?? 429;
    const entry: ScriptedEntry = {
      status,
      retryAfterSec: failure.retryAfterSec ?? (status === 429 ? 1 : undefined),
      error: failure.error ?? (status === 429 || status === 200 ? 'ratelimited' : 'internal_error'),
    };
    const queue = this.scripted.get(method) ?? [];
    for (let i = 0; i < (failure.times ?? 1); i++) queue.push(entry);
    this.scripted.set(method, queue);
  }

  /** Judges one call; a call that passes counts against its window. */
  check(method: string, args: Record<string, unknown>): Verdict {
    const forced = this.scripted.get(method)?.shift();
    if (forced) return { pass: false, reason: 'scripted', ...forced };
    const window = this.windowFor(method, args);
    if (!window) return { pass: true };
    const stamps = this.windows.get(window.key) ?? [];
    const now = this.now();
    while (stamps.length > 0 && (stamps[0] ?? 0) <= now - window.ms) stamps.shift();
    if (stamps.length >= window.limit) {
      const freeAt = (stamps[0] ?? now) + window.ms;
      const retryAfterSec = Math.max(1, Math.ceil((freeAt - now) / SECOND_MS));
      return { pass: false, reason: 'rate_limit', status: 429, retryAfterSec, error: 'ratelimited' };
    }
    stamps.push(now);
    this.windows.set(window.key, stamps);
    return { pass: true };
  }

  private windowFor(method: string, args: Record<string, unknown>): { key: string; limit: number; ms: number } | undefined {
    if (method === 'chat.postMessage' && this.limits.postMessagePerChannelPerSec !== undefined) {
      return { key: `chat.postMessage:${String(args['channel'])}`, limit: this.limits.postMessagePerChannelPerSec, ms: SECOND_MS };
    }
    if (method === 'chat.update' && this.limits.updatePerMinute !== undefined) {
      return { key: 'chat.update', limit: this.limits.updatePerMinute, ms: MINUTE_MS };
    }
    return undefined;
  }
}
