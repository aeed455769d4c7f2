// How long the bot took to acknowledge each Socket Mode envelope, timed inside the bot: from
// @slack/socket-mode handing the parsed envelope to Bolt ('slack_event') to the ack leaving on the
// socket ('outgoing_message'). That is what the adapter answers for (the reply within its 2.5 s
// budget, or a placeholder), and what Slack's 3 s window asks of it. The fake's own `ackedAfterMs`
// also counts the time the fake, in the same process, takes to get round to reading the ack, which
// on a loaded machine says more about the machine than about the bot.
import { randomUUID } from 'node:crypto';
import type { App, SocketModeReceiver } from '@slack/bolt';
import { expect } from 'vitest';
import type { AckResult, FakeSlack } from '../fakes/slack/fake-slack.ts';
import { slashCommand, type SlashCommandInput } from '../fakes/slack/payloads.ts';

/** Slack retries (and shows the user an error for) an envelope not acked within this. */
export const SLACK_ACK_WINDOW_MS = 3_000;

export interface BotAck {
  envelopeId: string;
  type: string;
  /** From the envelope reaching Bolt to the ack being written to the socket. */
  ms: number;
}

export interface BotAcks {
  readonly acks: BotAck[];
  /** The bot's time to ack an envelope (its first delivery; undefined while it has not acked). */
  ackedAfterMs(envelopeId: string): number | undefined;
  /** Every envelope the bot was handed was acked, each inside Slack's window. */
  expectAllInWindow(): void;
}

type SocketClient = SocketModeReceiver['client'];

/** Starts timing the acks of a Socket Mode app (the adapter's `app`); call before the envelopes are sent. */
export function timeBotAcks(app: App): BotAcks {
  // Bolt keeps its receiver private; the Socket Mode client on it is where envelopes come and go.
  const client = (app as unknown as { receiver: { client?: SocketClient } }).receiver.client;
  if (!client) throw new Error('timeBotAcks needs an app in Socket Mode');
  // in arrival order; a redelivery reuses its envelope's id, and its ack is timed on its own
  const waiting: { envelopeId: string; type: string; at: number }[] = [];
  const acks: BotAck[] = [];
  client.on('slack_event', (e: { envelope_id?: string; type: string }) => {
    if (e.envelope_id) waiting.push({ envelopeId: e.envelope_id, type: e.type, at: performance.now() });
  });
  client.on('outgoing_message', (m: { envelope_id?: string }) => {
    const i = waiting.findIndex((w) => w.envelopeId === m.envelope_id);
    if (i < 0) return;
    const [got] = waiting.splice(i, 1);
    acks.push({ envelopeId: got!.envelopeId, type: got!.type, ms: performance.now() - got!.at });
  });
  return {
    acks,
    ackedAfterMs: (id) => acks.find((a) => a.envelopeId === id)?.ms,
    expectAllInWindow() {
      expect(waiting.map((w) => `${w.type} ${w.envelopeId}`), 'envelopes the bot never acked').toEqual([]);
      for (const a of acks) expect(a.ms, `the bot's ack of a ${a.type} envelope`).toBeLessThan(SLACK_ACK_WINDOW_MS);
    },
  };
}

/**
 * How long the fake waits for the bot's ack before giving up on it (a handler that never acks).
 * Not Slack's window: that is checked inside the bot (timeBotAcks), where the process reading the
 * ack late cannot fail it.
 */
export const FAKE_ACK_GIVE_UP_MS = 20_000;

export interface SlashAnswer {
  /** What the person sees, as JSON: the reply the ack carried, or the one sent to response_url after a placeholder. */
  json: string;
  /** The ack: the reply itself when it was ready within the adapter's budget, else the placeholder. */
  ack: AckResult;
}

/**
 * Sends a slash command and resolves with the answer the person sees. The adapter acks with the
 * reply when it is ready within its budget, else with a placeholder and then the reply through
 * response_url: on a loaded machine either is right.
 */
export async function slashAnswer(fake: FakeSlack, input: Omit<SlashCommandInput, 'responseUrl'>): Promise<SlashAnswer> {
  const id = randomUUID();
  const ack = await fake.sendEnvelope('slash_commands', slashCommand({ ...input, responseUrl: fake.responseUrl(id) }));
  if (ack.ackPayload?.['text'] !== PLACEHOLDER) return { json: JSON.stringify(ack.ackPayload ?? {}), ack };
  const reply = await fake.waitForResponse(id, FAKE_ACK_GIVE_UP_MS);
  return { json: JSON.stringify(reply.body), ack };
}

/** The adapter's ack while the reply is still being worked out (src/adapters/slack/slack-adapter.ts). */
const PLACEHOLDER = 'Working on it…';
