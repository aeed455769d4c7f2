// The Discord outbox against a recording API: messages paced per channel and never dropped, status
// edits coalesced to the newest state, and Discord's special refusals (the 1-hour edit cap,
// archived threads, permanent errors, outages) each handled the way a user would want.
//
// The outbox's pacing is Bottleneck's timers and Date.now; they run here on vitest's fake clock, so
// what is measured is the pace the outbox chose, not how late a loaded machine ran its callbacks.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CODE, DiscordOutbox, PRIORITY, type DiscordApi } from '../src/adapters/discord/outbox.ts';
import type { DiscordMessage } from '../src/adapters/discord/card.ts';
import { silentLogger } from '../src/core/ports.ts';

interface Call { what: 'post' | 'edit' | 'thread' | 'dm' | 'unarchive'; channel: string; id?: string; body?: DiscordMessage; at: number }

/** Records every call; `fail` scripts errors (Discord's JSON codes) for the next calls of a kind. */
function recordingApi() {
  const calls: Call[] = [];
  const fail: Partial<Record<Call['what'], { code?: number; status?: number; name?: string; retryAfter?: number }[]>> = {};
  let n = 0;
  const maybeFail = (what: Call['what']) => {
    const f = fail[what]?.shift();
    if (f) throw Object.assign(new Error(`scripted ${f.code ?? f.status ?? f.name}`), f);
  };
  const api: DiscordApi = {
    async post(channel, body) { calls.push({ what: 'post', channel, body, at: Date.now() }); maybeFail('post'); return String(++n); },
    async edit(channel, id, body) { calls.push({ what: 'edit', channel, id, body, at: Date.now() }); maybeFail('edit'); },
    async startThread(channel, id) { calls.push({ what: 'thread', channel, id, at: Date.now() }); maybeFail('thread'); return id; },
    async dmChannel(user) { calls.push({ what: 'dm', channel: user, at: Date.now() }); maybeFail('dm'); return `dm-${user}`; },
    async unarchive(thread) { calls.push({ what: 'unarchive', channel: thread, at: Date.now() }); maybeFail('unarchive'); },
  };
  return { api, calls, fail };
}

const FAST = { count: 5, windowMs: 250 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the fake clock on, 10 ms at a time, until `done()` holds. */
async function fakeTimeUntil(done: () => boolean, what: string, limitMs = 10 * 60_000): Promise<void> {
  for (let t = 0; !done(); t += 10) {
    if (t > limitMs) throw new Error(`${what}: not after ${limitMs} ms of fake time`);
    await vi.advanceTimersByTimeAsync(10);
  }
}

/** Moves the fake clock on until `work` settles; its result. */
async function onFakeTime<T>(work: Promise<T>): Promise<T> {
  let settled = false;
  const watched = work.finally(() => (settled = true));
  await fakeTimeUntil(() => settled, 'the outbox');
  return watched;
}

const text = (s: string): DiscordMessage => ({ content: s });

describe('Discord outbox', () => {
  it('paces messages to a channel within its window and delivers every one, in order', async () => {
    const { api, calls } = recordingApi();
    const outbox = new DiscordOutbox(api, { logger: silentLogger, perChannel: { count: 5, windowMs: 500 } });
    const ids = await onFakeTime(Promise.all(Array.from({ length: 12 }, (_, i) => outbox.post('C1', text(`m${i}`)))));
    expect(ids.every((id) => id !== null)).toBe(true);
    const posts = calls.filter((c) => c.what === 'post');
    expect(posts.map((c) => c.body?.content)).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
    for (let i = 5; i < posts.length; i++) expect(posts[i]!.at - posts[i - 5]!.at).toBeGreaterThanOrEqual(500); // never 6 in one window
    await onFakeTime(outbox.stop());
  });

  it('a hundred progress updates become a few edits, and the last one carries the newest state', async () => {
    const { api, calls } = recordingApi();
    const outbox = new DiscordOutbox(api, { logger: silentLogger, perChannel: { count: 5, windowMs: 500 } });
    let state = 0;
    const started = Date.now();
    for (let i = 1; i <= 100; i++) {
      state = i;
      outbox.edit('card:t-1', 'C1', 'M1', () => text(`progress ${state}`));
      await vi.advanceTimersByTimeAsync(5); // an update every 5 ms (of the fake clock)
    }
    const fedForMs = Date.now() - started;
    await onFakeTime(outbox.drain());
    const edits = calls.filter((c) => c.what === 'edit');
    // At most one edit per pacing slot (100 ms) while updates kept coming, plus the last: never one
    // edit per update.
    expect(edits.length).toBeLessThanOrEqual(Math.ceil(fedForMs / 100) + 2);
    expect(edits.length).toBeLessThan(50);
    expect(edits.at(-1)?.body?.content).toBe('progress 100');
    await onFakeTime(outbox.stop());
  });

  it('the edit cap (30046): progress is dropped and reported; an urgent state is tried again later', async () => {
    const { api, calls, fail } = recordingApi();
    const capped: string[] = [];
    const outbox = new DiscordOutbox(api, { logger: silentLogger, perChannel: FAST, editCapRetryMs: 300, onEditCapped: (k) => capped.push(k) });
    fail.edit = [{ code: CODE.editCap }];
    outbox.edit('card:t-1', 'C1', 'M1', () => text('progress'), PRIORITY.progress);
    await onFakeTime(outbox.drain());
    expect(capped).toEqual(['card:t-1']);
    expect(calls.filter((c) => c.what === 'edit')).toHaveLength(1); // not retried
    fail.edit = [{ code: CODE.editCap }];
    outbox.edit('card:t-1', 'C1', 'M1', () => text('done'), PRIORITY.urgent);
    await onFakeTime(outbox.drain());
    expect(calls.filter((c) => c.what === 'edit')).toHaveLength(2);
    // editCapRetryMs later (300 ms of the fake clock) the final state is tried again, and goes through
    await fakeTimeUntil(() => calls.filter((c) => c.what === 'edit').length === 3, 'the final state tried again');
    await onFakeTime(outbox.drain());
    expect(calls.filter((c) => c.what === 'edit').map((c) => c.body?.content)).toEqual(['progress', 'done', 'done']);
    await onFakeTime(outbox.stop());
  });

  it('the edit cap arriving as a long rate limit is handled the same, and a final state keeps its urgency', async () => {
    const { api, calls, fail } = recordingApi();
    const capped: string[] = [];
    const outbox = new DiscordOutbox(api, { logger: silentLogger, perChannel: FAST, editCapRetryMs: 300, onEditCapped: (k) => capped.push(k), onEdited: (k) => capped.splice(capped.indexOf(k), 1) });
    // what discord.js throws when it rejects a long wait (rejectOnRateLimit): a RateLimitError
    fail.edit = [{ name: 'RateLimitError', retryAfter: 60_000 }];
    outbox.edit('card:t-1', 'C1', 'M1', () => text('done'), PRIORITY.urgent);
    outbox.edit('card:t-1', 'C1', 'M1', () => text('done'), PRIORITY.progress); // a refresh arriving meanwhile
    await onFakeTime(outbox.drain());
    expect(capped).toEqual(['card:t-1']);
    // editCapRetryMs later (300 ms of the fake clock) the final state is tried again and goes through
    await fakeTimeUntil(() => capped.length === 0, 'the capped edit to go through');
    await onFakeTime(outbox.drain());
    expect(calls.filter((c) => c.what === 'edit').length).toBeGreaterThanOrEqual(2); // tried again after the cap
    expect(capped).toEqual([]); // and editable again once it went through
    await onFakeTime(outbox.stop());
  });

  it('an archived thread (50083) is reopened, then the edit goes through', async () => {
    const { api, calls, fail } = recordingApi();
    const outbox = new DiscordOutbox(api, { logger: silentLogger, perChannel: FAST });
    fail.edit = [{ code: CODE.threadArchived }];
    outbox.edit('ask:9', 'T1', 'M9', () => text('Approved'), PRIORITY.urgent);
    await onFakeTime(outbox.drain());
    expect(calls.map((c) => `${c.what} ${c.channel}`)).toEqual(['edit T1', 'unarchive T1', 'edit T1']);
    await onFakeTime(outbox.stop());
  });

  it('a refusal retrying cannot fix (missing permissions) gives up at once; an outage is retried until Discord answers', async () => {
    const { api, calls, fail } = recordingApi();
    const outbox = new DiscordOutbox(api, { logger: silentLogger, perChannel: FAST, maxBackoffMs: 50 });
    fail.post = [{ code: CODE.missingPermissions, status: 403 }];
    expect(await onFakeTime(outbox.post('C1', text('a')))).toBeNull();
    expect(calls).toHaveLength(1);
    fail.post = [{ status: 502 }, { status: 503 }, { status: 500 }];
    expect(await onFakeTime(outbox.post('C1', text('b')))).not.toBeNull();
    expect(calls.filter((c) => c.body?.content === 'b')).toHaveLength(4);
    await onFakeTime(outbox.stop());
  });
});
