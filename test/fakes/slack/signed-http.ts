// Requests to a bot in HTTP mode, signed as Slack signs them: `X-Slack-Request-Timestamp` is the
// unix time in seconds and `X-Slack-Signature` is `v0=` + hex HMAC-SHA256(signing secret,
// `v0:{timestamp}:{raw body}`). Bolt answers 401 to a bad signature, a missing header or a
// timestamp more than 5 minutes old.
import { createHmac } from 'node:crypto';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
export const JSON_CONTENT_TYPE = 'application/json';

export interface SignedPostOptions {
  signingSecret: string;
  /** The raw body, exactly as sent (the signature covers these bytes). */
  body: string;
  /** Default: form-encoded (slash commands, interactivity); use JSON_CONTENT_TYPE for events. */
  contentType?: string;
  /** Unix seconds (default now). */
  timestamp?: number;
  /** Sign with a wrong secret, so the signature does not match. */
  badSignature?: boolean;
  /** Leave out X-Slack-Signature and/or X-Slack-Request-Timestamp. */
  omit?: Array<'signature' | 'timestamp'>;
  /** Slack's retry headers: X-Slack-Retry-Num (and X-Slack-Retry-Reason, default 'http_timeout'). */
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
}

/** `v0=<hex>`: Slack's request signature. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POSTs `body` to `url` with Slack's signature headers; resolves with the fetch Response. */
export function signedPost(url: string, opts: SignedPostOptions): Promise<Response> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = opts.badSignature ? `${opts.signingSecret}-wrong` : opts.signingSecret;
  const omit = new Set(opts.omit ?? []);
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? FORM_CONTENT_TYPE };
  if (!omit.has('timestamp')) headers['x-slack-request-timestamp'] = String(timestamp);
  if (!omit.has('signature')) headers['x-slack-signature'] = slackSignature(secret, timestamp, opts.body);
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
  }
  return fetch(url, { method: 'POST', headers: { ...headers, ...opts.headers }, body: opts.body });
}

/** A form body (`a=1&b=x%20y`) from fields; undefined values are left out. */
export function formBody(fields: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) params.append(key, String(value));
  return params.toString();
}

/** An interactivity body: the single form field `payload=<JSON>`. */
export function interactiveBody(payload: unknown): string {
  return formBody({ payload: JSON.stringify(payload) });
}

/** An Events API body (send with contentType JSON_CONTENT_TYPE). */
export function eventBody(callback: unknown): string {
  return JSON.stringify(callback);
}
