// A status message fed a chatty build's progress: what reaches Discord, against Discord's real
// message limit (5 per 5 s per channel), for nightshift's outbox and for the two obvious ways of
// doing without one, measured in the same run against the same limit-enforcing recorder.
import Bottleneck from 'bottleneck';
import { DiscordOutbox, type DiscordApi } from '../src/adapters/discord/outbox.ts';
import type { DiscordMessage } from '../src/adapters/discord/card.ts';
import { silentLogger } from '../src/core/ports.ts';

export const name = 'discord-edits';
export const description = 'a status message under 100 progress updates/s for 10 s, against 5 edits per 5 s';

const UPDATES_PER_SECOND = 100;
const SECONDS = 10;
const LIMIT = { count: 5, windowMs: 5_000 };

/** Accepts at most LIMIT.count calls in any window; records what it saw and what it refused. */
function limitedApi() {
  const accepted: { at: number; content: string }[] = [];
  let refused = 0;
  const edit = async (_c: string, _m: string, body: DiscordMessage) => {
    const now = Date.now();
    const recent = accepted.filter((a) => now - a.at < LIMIT.windowMs).length;
    if (recent >= LIMIT.count) {
      refused++;
      throw Object.assign(new Error('429'), { status: 429 });
    }
    accepted.push({ at: now, content: body.content ?? '' });
  };
  const api: DiscordApi = { post: async () => 'm', edit, startThread: async () => 't', dmChannel: async () => 'd', unarchive: async () => undefined };
  return { api, accepted, refused: () => refused };
}

interface Row {
  strategy: string;
  edits: number;
  refused: number;
  /** From the last update until the message showed it; null when it never did within the wait. */
  finalShownAfterMs: number | null;
  note: string;
}

/** Feeds the updates; resolves to when the last one was given. */
async function feed(onUpdate: (n: number) => void): Promise<number> {
  const total = UPDATES_PER_SECOND * SECONDS;
  for (let n = 1; n <= total; n++) {
    onUpdate(n);
    if (n === total) return Date.now();
    if (n % 10 === 0) await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now();
}

async function finalShown(accepted: { at: number; content: string }[], last: string, lastAt: number, waitMs: number): Promise<number | null> {
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    const hit = accepted.find((a) => a.content === last);
    if (hit) return hit.at - lastAt;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

async function outbox(): Promise<Row> {
  const { api, accepted, refused } = limitedApi();
  const box = new DiscordOutbox(api, { logger: silentLogger, perChannel: LIMIT });
  let state = '';
  const lastAt = await feed((n) => {
    state = `progress ${n}`;
    box.edit('card:t-1', 'C', 'M', () => ({ content: state }));
  });
  const shown = await finalShown(accepted, state, lastAt, 6_000);
  await box.stop();
  return { strategy: 'nightshift outbox (coalesced, paced)', edits: accepted.length, refused: refused(), finalShownAfterMs: shown, note: 'every edit carries the newest state' };
}

async function unpaced(): Promise<Row> {
  const { api, accepted, refused } = limitedApi();
  let last = '';
  const lastAt = await feed((n) => {
    last = `progress ${n}`;
    api.edit('C', 'M', { content: last }).catch(() => undefined);
  });
  const shown = await finalShown(accepted, last, lastAt, 1_000);
  return { strategy: 'one edit per update, unpaced', edits: accepted.length, refused: refused(), finalShownAfterMs: shown, note: 'a 429 storm; the final state is refused' };
}

async function pacedQueue(): Promise<Row> {
  const { api, accepted, refused } = limitedApi();
  const limiter = new Bottleneck({ maxConcurrent: 1, minTime: LIMIT.windowMs / LIMIT.count });
  let last = '';
  const lastAt = await feed((n) => {
    last = `progress ${n}`;
    const body = { content: last };
    limiter.schedule(() => api.edit('C', 'M', body)).catch(() => undefined);
  });
  const shown = await finalShown(accepted, last, lastAt, 1_000);
  const queued = limiter.counts().QUEUED;
  await limiter.stop({ dropWaitingJobs: true });
  const projectedS = Math.round((queued * LIMIT.windowMs) / LIMIT.count / 1000);
  return { strategy: 'one edit per update, paced (no coalescing)', edits: accepted.length, refused: refused(), finalShownAfterMs: shown, note: `${queued} edits still queued: the final state would show ~${projectedS} s later` };
}

export async function run(): Promise<void> {
  const rows = [await outbox(), await unpaced(), await pacedQueue()];
  console.log(`${UPDATES_PER_SECOND * SECONDS} progress updates over ${SECONDS} s; Discord allows ${LIMIT.count} edits per ${LIMIT.windowMs / 1000} s per channel.\n`);
  console.log('| strategy | edits accepted | refused (429) | final state shown after | note |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.strategy} | ${r.edits} | ${r.refused} | ${r.finalShownAfterMs === null ? 'not within the wait' : `${r.finalShownAfterMs} ms`} | ${r.note} |`);
}
