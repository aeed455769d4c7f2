// Hostile input (test/fixtures/hostile-inputs.ts: 188 texts, 26 bad command lines) through every
// way in: the console adapter, the real Bolt app against the fake Slack, the real discord.js client
// against the fake Discord, and the `nightshift` binary. Each input gets an answer a person can act
// on; nothing crashes; no control character, bidi override, stack trace or broadcast mention comes
// back out; and the surface still takes a normal request afterwards.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleAdapter } from '../src/adapters/console/console-adapter.ts';
import { DiscordAdapter } from '../src/adapters/discord/discord-adapter.ts';
import { SlackAdapter } from '../src/adapters/slack/slack-adapter.ts';
import { silentLogger } from '../src/core/ports.ts';
import { chatEngine } from './helpers/chat-engine.ts';
import { cliEnv, runCli } from './helpers/cli.ts';
import { FAKE_ACK_GIVE_UP_MS, slashAnswer } from './helpers/slack-acks.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { startFakeDiscord } from './fakes/discord/fake-discord.ts';
import { FAKE_CHANNEL_ID } from './fakes/discord/defaults.ts';
import { startFakeSlack } from './fakes/slack/fake-slack.ts';
import { HOSTILE_ARGS, HOSTILE_TEXTS, type HostileText } from './fixtures/hostile-inputs.ts';

/** Characters that must never come back out: C0 controls but tab and newline, DEL, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARS = /[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]/u;
/** What a crash, or code that lost track of a value, looks like in an answer. */
const BROKEN = /\n\s+at \S+ \(|TypeError|ReferenceError|SyntaxError|Cannot read propert|\bundefined\b|\bNaN\b|\[object Object\]/;
/** An answer is for a person: a few screens at most, whatever was sent. */
const MAX_ANSWER_CHARS = 8_000;

/** Every string inside a JSON value (a Slack or Discord message). */
function stringsIn(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringsIn);
  return [];
}

/** The strings of a Slack message that Slack parses for mentions: all but plain_text objects. */
function parsedBySlack(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(parsedBySlack);
  if (v && typeof v === 'object') return (v as { type?: unknown }).type === 'plain_text' ? [] : Object.values(v).flatMap(parsedBySlack);
  return typeof v === 'string' ? [v] : [];
}

/** What is wrong with an answer to `input` (`messages`: how many messages it was taken as), or null. */
function faultOf(input: HostileText, answer: string, messages = 1): string | null {
  if (answer.trim() === '') return 'no answer';
  if (answer.length > MAX_ANSWER_CHARS * messages) return `an answer of ${answer.length} characters`;
  const unsafe = UNSAFE_CHARS.exec(answer);
  if (unsafe) return `U+${unsafe[0].codePointAt(0)!.toString(16).padStart(4, '0')} in the answer`;
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(answer)) return 'half a character (a lone surrogate) in the answer';
  const broken = BROKEN.exec(answer);
  if (broken && !input.text.includes(broken[0])) return `"${broken[0]}" in the answer`;
  return null;
}

const label = (i: HostileText, n: number) => `#${n} ${i.kind} ${JSON.stringify(i.text.slice(0, 60))}`;

/** Runs `fn` over `items`, `width` at a time, in order of start. */
async function inBatches<T>(items: T[], width: number, fn: (item: T, n: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const n = next++;
        await fn(items[n]!, n);
      }
    }),
  );
}

describe('hostile input', () => {
  it('has at least 150 texts of every kind the issue names', () => {
    expect(HOSTILE_TEXTS.length).toBeGreaterThanOrEqual(150);
    const kinds = new Set(HOSTILE_TEXTS.map((t) => t.kind));
    for (const k of ['empty', 'huge', 'binary', 'control', 'bidi', 'shell', 'mention', 'date', 'verb', 'flag']) expect(kinds).toContain(k);
  });

  it('through the console: every message is answered, and nothing it prints carries a control character', async () => {
    const { store, engine } = await chatEngine(await tempDir(), { runBuilds: false });
    await engine.start();
    const input = new PassThrough();
    const out = new PassThrough();
    let seen = '';
    out.on('data', (c: Buffer) => (seen += c.toString('utf8')));
    const adapter = new ConsoleAdapter({ engine, out, input, prompt: '' });
    await adapter.start();
    const faults: string[] = [];
    try {
      for (const [n, h] of HOSTILE_TEXTS.entries()) {
        const before = seen.length;
        // An empty line after each: a line ending in ":" starts a message that an empty line sends.
        input.write(`${h.text}\n\n`);
        await new Promise((r) => setImmediate(r));
        await adapter.idle();
        const answer = seen.slice(before);
        // An empty line at a prompt is answered by nothing, as in a shell; piped in, each line is a message.
        const lines = h.text.split('\n');
        const blank = lines.every((l) => l.trim() === '');
        const fault = blank && answer.trim() === '' ? null : faultOf(h, answer, lines.length);
        if (fault) faults.push(`${label(h, n)}: ${fault}`);
      }
      const before = seen.length;
      input.write('build a hello-world CLI by tonight\n');
      await new Promise((r) => setImmediate(r));
      await adapter.idle();
      expect(seen.slice(before)).toMatch(/t-\d+ "Build a hello-world CLI"/);
    } finally {
      adapter.stop();
      await engine.shutdown(0);
      await store.close();
    }
    expect(faults).toEqual([]);
  }, 60_000);

  it('through Slack (the real Bolt app): every /build is answered, nothing posted carries a raw broadcast mention', async () => {
    const fake = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test', ackTimeoutMs: FAKE_ACK_GIVE_UP_MS });
    const { store, engine } = await chatEngine(await tempDir(), { runBuilds: false });
    const adapter = new SlackAdapter({
      engine,
      config: { mode: 'socket', botToken: 'xoxb-test', appToken: 'xapp-test', port: 0, apiUrl: fake.apiUrl, ownerId: 'U0OWNER', approvers: [], allowedUsers: [] },
      logger: silentLogger,
      postGapMs: 5,
    });
    await adapter.start();
    await engine.start();
    const faults: string[] = [];
    try {
      await inBatches(HOSTILE_TEXTS, 4, async (h, n) => {
        const { json } = await slashAnswer(fake, { text: h.text, userId: 'U0OWNER', channelId: 'C0BUILDS' });
        const fault = faultOf(h, stringsIn(JSON.parse(json)).join('\n'));
        if (fault) faults.push(`${label(h, n)}: ${fault}`);
      });
      const { json } = await slashAnswer(fake, { text: 'a hello-world CLI by tonight', userId: 'U0OWNER', channelId: 'C0BUILDS' });
      expect(json).toMatch(/Build a hello-world CLI/);
      // What was posted besides the answers (cards, thread messages): no @channel, @here, @everyone or group ping.
      const broadcast = fake.calls.flatMap((c) => parsedBySlack(c.args)).filter((s) => /<!(?:channel|here|everyone|subteam)/.test(s));
      expect(broadcast).toEqual([]);
    } finally {
      await engine.shutdown(0);
      await adapter.stop();
      await store.close();
      await fake.stop();
    }
    expect(faults).toEqual([]);
  }, 90_000);

  it('through Discord (the real discord.js client): every /build is answered, and every message it sends pings no one', async () => {
    const fake = await startFakeDiscord();
    const { store, engine } = await chatEngine(await tempDir(), { runBuilds: false });
    const owner = '400000000000000001';
    const adapter = new DiscordAdapter({
      engine,
      config: { token: fake.token, guildId: fake.guildId, channel: FAKE_CHANNEL_ID, ownerId: owner, approvers: [], allowedUsers: [], apiUrl: fake.apiUrl },
      logger: silentLogger,
      perChannel: { count: 50, windowMs: 100 },
    });
    await adapter.start();
    await engine.start();
    const faults: string[] = [];
    try {
      await inBatches(HOSTILE_TEXTS, 4, async (h, n) => {
        // Discord's own client refuses a /build option over its max_length (1500); an empty one is not sent at all.
        const value = h.text.slice(0, 1500);
        const options = value === '' ? [] : [{ name: 'request', type: 3, value }];
        const answer = await fake.slashCommand({ userId: owner, channelId: FAKE_CHANNEL_ID, name: 'build', options }).finalOriginal(`the answer to ${label(h, n)}`, 15_000);
        const fault = faultOf(h, stringsIn({ content: answer.content, embeds: answer.embeds }).join('\n'));
        if (fault) faults.push(`${label(h, n)}: ${fault}`);
      });
      const last = await fake.slashCommand({ userId: owner, channelId: FAKE_CHANNEL_ID, name: 'build', options: [{ name: 'request', type: 3, value: 'a hello-world CLI by tonight' }] }).finalOriginal();
      expect(JSON.stringify(last)).toMatch(/Build a hello-world CLI/);
      // Every message the bot wrote (answers, status messages, thread posts) says it may ping no one.
      const written = fake.calls.filter((c) => c.method !== 'GET' && c.body && typeof c.body === 'object' && ('content' in c.body || 'embeds' in c.body || 'data' in c.body));
      const pinging = written.filter((c) => {
        const body = (('data' in c.body! && c.body.data && typeof c.body.data === 'object' ? c.body.data : c.body) ?? {}) as { content?: string; embeds?: unknown; allowed_mentions?: { parse?: unknown[] } };
        if (body.content === undefined && body.embeds === undefined) return false;
        return !(Array.isArray(body.allowed_mentions?.parse) && body.allowed_mentions.parse.length === 0);
      });
      expect(pinging.map((c) => `${c.method} ${c.route}`)).toEqual([]);
    } finally {
      await engine.shutdown(0);
      await adapter.stop();
      await store.close();
      await fake.stop();
    }
    expect(faults).toEqual([]);
  }, 90_000);

  it('through the CLI: bad flags and ids exit non-zero saying what is wrong; texts of every kind get an answer and an honest exit code', async () => {
    const run = (args: string[], home: string) => runCli(args, cliEnv(home));
    const homes = [await tempDir(), await tempDir(), await tempDir()];
    const faults: string[] = [];
    await inBatches(HOSTILE_ARGS, homes.length, async ({ args, says }, n) => {
      const r = await run(args, homes[n % homes.length]!);
      const said = `${r.stdout}${r.stderr}`;
      if (r.code === 0 || r.code === null) faults.push(`${JSON.stringify(args)}: exit ${r.code}`);
      else if (!says.test(said)) faults.push(`${JSON.stringify(args)}: said ${JSON.stringify(said.slice(0, 200))}, not ${says}`);
      else if (BROKEN.test(said) || UNSAFE_CHARS.test(said)) faults.push(`${JSON.stringify(args)}: ${JSON.stringify(said.slice(0, 200))}`);
    });
    // One text of each kind through `nightshift add` (the same intake as every surface above): an
    // exit of 0 names the task it queued; any other says why on stderr. argv cannot carry NUL.
    const sample = [...new Map(HOSTILE_TEXTS.map((h) => [h.kind, h])).values()].map((h) => ({ ...h, text: h.text.replaceAll('\0', '') }));
    await inBatches(sample, homes.length, async (h, n) => {
      const r = await run(['add', h.text], homes[n % homes.length]!);
      const said = `${r.stdout}${r.stderr}`;
      const fault =
        r.code === 0 ? (/\bt-\d+\b/.test(r.stdout) ? null : 'exit 0 without naming a task') : r.code === null ? 'killed' : r.stderr.trim() === '' ? `exit ${r.code} with nothing on stderr` : null;
      const shown = fault ?? faultOf(h, said);
      if (shown) faults.push(`add ${label(h, n)}: ${shown}`);
    });
    expect(faults).toEqual([]);
  }, 90_000);
});
