// HTTP mode: Bolt's own HTTPReceiver with one more check in front of it. Slack signs
// `v0:{timestamp}:{body}`, and asks apps to refuse a timestamp more than five minutes from their
// clock, so a captured request cannot be replayed. Bolt 5 refuses only the old side (its check is
// `timestamp < now - 5 min`): a request stamped in the future passes, and stays replayable for as
// long as that future lasts. This receiver refuses both sides before Bolt sees the request, then
// lets Bolt do everything else as usual: signature (HMAC, constant-time compare), missing headers,
// body limit, ssl_check, url_verification, acks, processBeforeResponse.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver, type HTTPReceiverOptions, type Logger } from '@slack/bolt';

/** Slack's window: five minutes either side of now. */
export const MAX_CLOCK_SKEW_SEC = 300;

export type TimestampRefusal = 'missing' | 'malformed' | 'too_old' | 'too_new';

export type TimestampCheck =
  | { ok: true; timestampSec: number; skewSec: number }
  | { ok: false; reason: TimestampRefusal };

/**
 * Checks an `X-Slack-Request-Timestamp` header value (unix seconds) against `nowSec`: ok when it
 * is at most `maxSkewSec` away in either direction. `skewSec` is positive for a future stamp.
 */
export function checkSlackTimestamp(
  headerValue: string | readonly string[] | undefined,
  nowSec: number,
  maxSkewSec: number = MAX_CLOCK_SKEW_SEC,
): TimestampCheck {
  if (headerValue === undefined || headerValue === '') return { ok: false, reason: 'missing' };
  // A repeated header arrives as an array (or joined with ", "): never one clean timestamp.
  if (typeof headerValue !== 'string' || !/^\d{1,12}$/.test(headerValue)) return { ok: false, reason: 'malformed' };
  const timestampSec = Number(headerValue);
  const skewSec = timestampSec - Math.floor(nowSec);
  if (skewSec < -maxSkewSec) return { ok: false, reason: 'too_old' };
  if (skewSec > maxSkewSec) return { ok: false, reason: 'too_new' };
  return { ok: true, timestampSec, skewSec };
}

export interface SlackRequestRefusal {
  reason: TimestampRefusal;
  /** The header as received (first value if repeated), for logs. */
  timestampHeader: string | undefined;
  method: string | undefined;
  path: string;
}

export interface SlackHttpReceiverOptions extends Omit<HTTPReceiverOptions, 'signatureVerification'> {
  /** Clock in milliseconds (default `Date.now`). Bolt's own staleness check always uses `Date.now`. */
  now?: () => number;
  /** Window either side of now, in seconds (default 300, Slack's). */
  maxClockSkewSec?: number;
  /** Called for each request this receiver refuses (after the 401 is written). */
  onRefused?: (refusal: SlackRequestRefusal) => void;
}

/**
 * A Bolt HTTP receiver (pass it as `new App({ receiver })`) that answers 401, without dispatching,
 * to a request on its endpoints whose `X-Slack-Request-Timestamp` is malformed or more than five
 * minutes from now in either direction; Bolt then refuses bad or missing signatures and missing
 * headers (401) as it always does. Signature verification cannot be turned off here.
 */
export function createHttpReceiver(options: SlackHttpReceiverOptions): HTTPReceiver {
  return new TimestampCheckingReceiver(options);
}

class TimestampCheckingReceiver extends HTTPReceiver {
  constructor(options: SlackHttpReceiverOptions) {
    const { now = Date.now, maxClockSkewSec = MAX_CLOCK_SKEW_SEC, onRefused, ...boltOptions } = options;
    super({ ...boltOptions, signatureVerification: true });

    const endpoints = new Set(
      options.endpoints === undefined ? ['/slack/events'] : Array.isArray(options.endpoints) ? options.endpoints : [options.endpoints],
    );
    const logger: Pick<Logger, 'warn'> = options.logger ?? console;
    // Bolt's listener, as `start()` and anyone mounting `receiver.requestListener` call it.
    const bolt = this.requestListener;

    this.requestListener = (req: IncomingMessage, res: ServerResponse): void => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const header = req.headers['x-slack-request-timestamp'];
      // Only Bolt's event endpoints are signed. A request without the header goes on to Bolt,
      // which refuses it (401), except Slack's unsigned `ssl_check`, which it answers with no dispatch.
      if (req.method?.toUpperCase() !== 'POST' || !endpoints.has(path) || header === undefined) {
        bolt(req, res);
        return;
      }
      const check = checkSlackTimestamp(header, now() / 1000, maxClockSkewSec);
      if (check.ok) {
        bolt(req, res);
        return;
      }
      const refusal: SlackRequestRefusal = {
        reason: check.reason,
        timestampHeader: Array.isArray(header) ? header[0] : header,
        method: req.method,
        path,
      };
      req.resume(); // discard the unread body
      res.writeHead(401);
      res.end();
      logger.warn(`Refused a Slack request to ${path}: X-Slack-Request-Timestamp ${refusal.reason.replace('_', ' ')} (${String(refusal.timestampHeader)})`);
      try {
        onRefused?.(refusal);
      } catch (error) {
        logger.warn(`onRefused failed: ${String(error)}`); // the 401 is already on its way
      }
    };
  }
}
