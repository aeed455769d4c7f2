// `response_url` endpoints (http://127.0.0.1:PORT/respond/<id>). Every POST is recorded. When the
// URL was given a target message (the message whose button was pressed), `replace_original` and
// `delete_original` change that message in the store, and `response_type: 'in_channel'` posts into
// its channel, as Slack does. Slack allows 5 uses of a response_url: the 6th is refused.
import type { MessageStore } from './message-store.ts';

export interface ResponseTarget {
  channel: string;
  /** The message a `replace_original` / `delete_original` response acts on. */
  messageTs?: string;
}

export interface FakeResponse {
  id: string;
  body: Record<string, unknown>;
  at: number;
  /** HTTP status the fake answered (404 once the URL is used up). */
  status: number;
}

/** Slack: "You can use a response_url up to five times within 30 minutes." */
export const RESPONSE_URL_MAX_USES = 5;

export class ResponseUrls {
  readonly responses: FakeResponse[] = [];
  private readonly targets = new Map<string, ResponseTarget>();

  constructor(private readonly store: MessageStore) {}

  setTarget(id: string, target: ResponseTarget): void {
    this.targets.set(id, target);
  }

  /** Records the POST and applies it; returns the HTTP status and body to answer. */
  receive(id: string, body: Record<string, unknown>): { status: number; body: string } {
    const uses = this.responses.filter((r) => r.id === id && r.status === 200).length;
    const status = uses >= RESPONSE_URL_MAX_USES ? 404 : 200;
    this.responses.push({ id, body, at: Date.now(), status });
    if (status !== 200) return { status, body: JSON.stringify({ ok: false, error: 'used_url' }) };
    this.apply(this.targets.get(id), body);
    return { status, body: JSON.stringify({ ok: true }) };
  }

  private apply(target: ResponseTarget | undefined, body: Record<string, unknown>): void {
    if (!target) return;
    if (isTrue(body['delete_original']) && target.messageTs) {
      this.store.delete(target.channel, target.messageTs);
    } else if (isTrue(body['replace_original']) && target.messageTs) {
      this.store.update(target.channel, target.messageTs, body);
    } else if (body['response_type'] === 'in_channel') {
      const threadTs = typeof body['thread_ts'] === 'string' ? body['thread_ts'] : undefined;
      this.store.post(target.channel, body, threadTs);
    }
  }
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}
