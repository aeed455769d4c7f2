// The Slack adapter end to end: the real Bolt app in Socket Mode against a local fake Slack (Web API
// + Socket Mode), a real engine and store, and a fake agent as the builder.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../src/adapters/slack/slack-adapter.ts';
import type { SlackConfig } from '../src/config.ts';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { silentLogger, systemClock } from '../src/core/ports.ts';
import { LowdbTaskStore } from '../src/store/index.ts';
import { waitFor } from './helpers/agents.ts';
import { FAKE_ACK_GIVE_UP_MS, slashAnswer, timeBotAcks, type BotAcks } from './helpers/slack-acks.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { mrkdwnTexts } from './helpers/slack-text.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { chatEngine, failingChecks, type ChatEngineOptions } from './helpers/chat-engine.ts';
import { startFakeSlack, type FakeSlack } from './fakes/slack/fake-slack.ts';
import { appMention, blockAction, dmMessage, eventCallback, homeBlockAction, mention, slashCommand, threadReply } from './fakes/slack/payloads.ts';
import { formBody, signedPost } from './fakes/slack/signed-http.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { SummaryScheduler } from '../src/core/summary-scheduler.ts';

const OWNER = 'U0OWNER';
const STRANGER = 'U0STRANGER';
const REQUESTER = 'U0REQUESTER';
const CHANNEL = 'C0BUILDS';

interface World {
  fake: FakeSlack;
  engine: Engine;
  adapter: SlackAdapter;
  store: LowdbTaskStore;
  dir: string;
  /** Socket Mode: the bot's time to ack each envelope, timed inside the bot. */
  acks?: BotAcks;
}

let world: World | null = null;
afterEach(async () => {
  if (!world) return;
  const w = world;
  world = null;
  try {
    // Slack's contract, for every envelope of every test: acked within 3 s (timed by the bot).
    w.acks?.expectAllInWindow();
  } finally {
    await w.engine.shutdown(0);
    await w.adapter.stop();
    await w.store.close();
    await w.fake.stop();
  }
});

async function setup(opts: {
  script?: 'succeed' | 'hang' | 'fail' | 'chatty' | 'planner';
  fakeOpts?: Parameters<typeof startFakeSlack>[0];
  env?: Record<string, string>;
  summaryChannel?: string;
  allowedUsers?: string[];
  /** Slack's real pace between messages in a channel (tests default to a fast one). */
  postGapMs?: number;
  /** More of the engine than the script and its environment (a project check, a policy). */
  engine?: ChatEngineOptions;
} = {}): Promise<World> {
  const fake = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test', ackTimeoutMs: FAKE_ACK_GIVE_UP_MS, ...opts.fakeOpts });
  const dir = await tempDir();
  const { store, engine } = await chatEngine(dir, { ...(opts.script ? { script: opts.script } : {}), ...(opts.env ? { env: opts.env } : {}), ...opts.engine });
  const config: SlackConfig = {
    mode: 'socket',
    botToken: 'xoxb-test',
    appToken: 'xapp-test',
    port: 0,
    apiUrl: fake.apiUrl,
    ownerId: OWNER,
    approvers: [],
    allowedUsers: opts.allowedUsers ?? [REQUESTER],
    ...(opts.summaryChannel ? { summaryChannel: opts.summaryChannel } : {}),
  };
  // No reconnectDelayMs: @slack/socket-mode also takes it as the pong deadline (a ping every third of
  // it), so a short one drops the socket whenever a loaded machine stalls this process that long, and
  // an envelope sent meanwhile is lost (the fake, unlike Slack, does not redeliver it). No test here
  // needs a quick reconnect (test/fake-slack.test.ts tests those).
  const adapter = new SlackAdapter({ engine, config, logger: silentLogger, postGapMs: opts.postGapMs ?? 50 });
  const acks = timeBotAcks(adapter.app);
  await adapter.start();
  await engine.start();
  world = { fake, engine, adapter, store, dir, acks };
  return world;
}

const cardOf = (w: World, id: string) => {
  const ref = w.engine.getMeta<Record<string, { channel: string; ts: string }>>('slack.cards')?.[id];
  return ref ? w.fake.messages(ref.channel).find((m) => m.ts === ref.ts) : undefined;
};
const threadOf = (w: World, id: string) => {
  const ref = w.engine.getMeta<Record<string, { channel: string; ts: string }>>('slack.cards')?.[id];
  return ref ? w.fake.messages(ref.channel).filter((m) => m.thread_ts === ref.ts) : [];
};
const status = async (w: World, id: string) => (await w.engine.get(id))?.status;

describe('Slack: /build → ack → status thread → live updates → done card', () => {
  it('acks at once with what was understood, posts a card, edits it live, and reports done in the thread', async () => {
    const w = await setup({ env: { FAKE_STEP_MS: '900' } });
    // the reply comes with the ack, or (when the work outran the adapter's 2.5 s budget on a loaded
    // machine) a placeholder acks and the reply follows through response_url
    const answer = await slashAnswer(w.fake, { text: 'a hello-world CLI by tonight', userId: OWNER, channelId: CHANNEL });
    expect(answer.json).toMatch(/t-1 \\"Build a hello-world CLI\\" · high priority/);
    expect(w.acks!.ackedAfterMs(answer.ack.envelope_id)).toBeLessThan(3_000); // Slack's window, timed by the bot
    await waitFor(async () => (await status(w, 't-1')) === 'done', 15_000, 't-1 done');
    await w.adapter.drain();
    const card = cardOf(w, 't-1')!;
    expect(JSON.stringify(card.blocks)).toContain('done');
    // the card was edited while the build ran: a progress bar with a percentage and the latest line
    expect(w.fake.callsOf('chat.update').some((c) => /\d+%` (reading the spec|editing src\/hello\.ts|running tests)/.test(JSON.stringify(c.args.blocks)))).toBe(true);
    const thread = threadOf(w, 't-1').map((m) => m.text);
    expect(thread.some((t) => /Started attempt 1\/3/.test(t))).toBe(true);
    expect(thread.some((t) => /is done after/.test(t))).toBe(true);
    expect(JSON.stringify(threadOf(w, 't-1').at(-1)?.blocks)).toContain(`<@${OWNER}>`);
  });
});

const event = (w: World, ev: Parameters<typeof eventCallback>[0], meta: Parameters<typeof eventCallback>[1] = {}) =>
  w.fake.sendEnvelope('events_api', eventCallback(ev, meta));
/**
 * A barrier for "nothing happened": the owner asks about a task in a DM and waits for the answer.
 * Envelopes reach the adapter in order and each first records its delivery through the engine, so
 * once this one is answered every event sent before it has been taken up; the schedule pass asked
 * for afterwards begins only once whatever those events changed has been committed.
 */
const barrier = async (w: World, id: string) => {
  const dm = `D${OWNER}`;
  const before = w.fake.messages(dm).length;
  await event(w, dmMessage({ text: `status ${id}`, user: OWNER }));
  await w.fake.waitFor(() => w.fake.messages(dm).length > before, 10_000, 'the answer to the barrier');
  await w.engine.kick();
  await w.adapter.drain(); // and what the adapter queued meanwhile (other channels are paced apart) is sent
};
const press = async (w: World, user: string, action: string, id: string) => {
  const card = w.engine.getMeta<Record<string, { channel: string; ts: string }>>('slack.cards')?.[id];
  await w.fake.sendEnvelope('interactive', blockAction({ userId: user, channelId: card!.channel, messageTs: card!.ts, actionId: action, value: id }));
};

describe("Slack: Stop where people expect it (agent sessions)", () => {
  it("a building task's thread is an agent session: Slack's Stop cancels for the owner, is refused for a stranger, and the session closes", async () => {
    const w = await setup({ script: 'hang' });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice CSV export', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'building' && cardOf(w, 't-1') !== undefined, 10_000, 'building, with its card');
    const card = cardOf(w, 't-1')!;
    await w.fake.waitFor(() => w.fake.agentSession(CHANNEL, card.ts)?.status === 'processing', 10_000, 'the thread shown as working (Slack shows its Stop)');
    expect(w.fake.agentSession(CHANNEL, card.ts)!.title).toBe('t-1 · Build the invoice CSV export');

    const stop = (user: string) => event(w, { type: 'agent_session_stopped', channel: CHANNEL, thread_ts: card.ts, user, streaming_message_ts: [], event_ts: `${Date.now() / 1000}` });
    await stop(STRANGER);
    await w.fake.waitFor(() => w.fake.ephemerals.some((m) => m.user === STRANGER && /only the owner or an approver can stop builds/.test(m.text)), 5_000, 'the refusal');
    expect(await status(w, 't-1')).toBe('building');
    expect(w.fake.agentSession(CHANNEL, card.ts)!.status).toBe('processing');

    await stop(OWNER);
    await waitFor(async () => (await status(w, 't-1')) === 'cancelled', 10_000, 'cancelled by Stop');
    await w.fake.waitFor(() => w.fake.agentSession(CHANNEL, card.ts)?.status === 'closed', 10_000, 'the session closed');
    expect((await w.engine.get('t-1'))!.events.some((e) => e.type === 'cancelled' && e.by === OWNER)).toBe(true);
  });

  it('an app not declared as an agent asks Slack once, then keeps to the Cancel button', async () => {
    const w = await setup({ script: 'hang', fakeOpts: { isAgent: false } });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice CSV export', userId: OWNER, channelId: CHANNEL }));
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the refund report', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'building' && cardOf(w, 't-1') !== undefined, 10_000, 't-1 building');
    await w.fake.waitFor(() => w.fake.callsOf('agents.sessions.setStatus').length >= 1, 10_000, 'the one try');
    await press(w, OWNER, 'ns_cancel', 't-1'); // the Cancel button still stops it
    await waitFor(async () => (await status(w, 't-1')) === 'cancelled' && (await status(w, 't-2')) === 'building', 10_000, 't-1 cancelled, t-2 building');
    await w.adapter.drain();
    expect(w.fake.callsOf('agents.sessions.setStatus')).toHaveLength(1); // refused once (missing_scope), never asked again
    expect(JSON.stringify(cardOf(w, 't-2')!.blocks)).toContain('ns_cancel');
  });
});

describe('Slack: the Home tab', () => {
  it('the owner sees everything with the buttons; a requester only their own; a Home button acts for the owner and is refused for a stranger', async () => {
    const w = await setup({ script: 'hang' });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice CSV export', userId: OWNER, channelId: CHANNEL }));
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'low priority: tidy up the README', userId: REQUESTER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'building' && (await status(w, 't-2')) === 'awaiting_approval', 10_000, 't-1 building, t-2 waiting');
    const home = (user: string) => JSON.stringify(w.fake.homeView(user)?.blocks ?? []);

    await event(w, { type: 'app_home_opened', user: OWNER, channel: `D${OWNER}`, tab: 'home', event_ts: '1800000000.000100' });
    await w.fake.waitFor(() => /Needs you/.test(home(OWNER)) && /Building now/.test(home(OWNER)), 10_000, "the owner's Home tab");
    expect(home(OWNER)).toContain('t-1 · Build the invoice CSV export');
    expect(home(OWNER)).toContain('t-2 · Tidy up the README');
    expect(home(OWNER)).toContain('ns_approve'); // t-2 waits for the owner: its buttons are there
    expect(home(OWNER)).toContain('ns_cancel'); // and t-1 can be stopped from here

    await event(w, { type: 'app_home_opened', user: REQUESTER, channel: `D${REQUESTER}`, tab: 'home', event_ts: '1800000000.000200' });
    await w.fake.waitFor(() => home(REQUESTER).includes('t-2'), 10_000, "the requester's Home tab");
    expect(home(REQUESTER)).toContain('Your requests');
    expect(home(REQUESTER)).not.toContain('t-1 ·'); // not theirs
    expect(home(REQUESTER)).not.toMatch(/ns_(approve|reject|cancel|retry)/); // they decide nothing

    // A stranger's press (forged: they have no such button) is refused in a DM, and nothing changes.
    await w.fake.sendEnvelope('interactive', homeBlockAction({ userId: STRANGER, actionId: 'ns_approve', value: 't-2' }));
    await w.fake.waitFor(() => w.fake.messages(`D${STRANGER}`).some((m) => /only the owner or an approver can approve/.test(m.text)), 5_000, 'the refusal in a DM');
    expect(await status(w, 't-2')).toBe('awaiting_approval');

    await w.fake.sendEnvelope('interactive', homeBlockAction({ userId: OWNER, actionId: 'ns_approve', value: 't-2' }));
    await waitFor(async () => (await status(w, 't-2')) !== 'awaiting_approval', 10_000, 't-2 approved');
    expect((await w.engine.get('t-2'))!.events.some((e) => e.type === 'approved' && e.by === OWNER)).toBe(true);
    // Both open Home tabs follow the change, without being opened again.
    await w.fake.waitFor(() => !home(OWNER).includes('ns_approve'), 10_000, "the owner's Home tab without the approval");
    await w.fake.waitFor(() => !/waiting for your approval|waits for your approval/.test(home(REQUESTER)), 10_000, "the requester's Home tab updated");
    expect(w.fake.rejected).toEqual([]); // every view passed the fake's Block Kit checks (100 blocks, plan blocks…)
  }, 60_000);
});

describe('Slack: approvals, clarifications, escalations', () => {
  it('the owner approves with the button; a stranger pressing it is refused privately and nothing changes', async () => {
    const w = await setup();
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'force-push the rewritten history to main --priority high', userId: REQUESTER, channelId: CHANNEL }));
    await waitFor(() => threadOf(w, 't-1').some((m) => /needs your approval/.test(m.text)), 5_000, 'the approval request');
    const ask = threadOf(w, 't-1').find((m) => /needs your approval/.test(m.text))!;
    expect(JSON.stringify(ask.blocks)).toContain(`<@${OWNER}>`);
    expect(JSON.stringify(ask.blocks)).toContain('ns_approve');

    await press(w, STRANGER, 'ns_approve', 't-1');
    await w.fake.waitFor(() => w.fake.ephemerals.some((m) => m.user === STRANGER), 3_000, 'the refusal');
    expect(w.fake.ephemerals.find((m) => m.user === STRANGER)?.text).toMatch(/only the owner or an approver can approve/);
    expect(await status(w, 't-1')).toBe('awaiting_approval');

    await press(w, OWNER, 'ns_approve', 't-1');
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 't-1 approved and built');
    await w.adapter.drain();
    const card = JSON.stringify(cardOf(w, 't-1')!.blocks);
    expect(card).toMatch(/Approved by <@U0OWNER> at \d\d:\d\d/);
    expect(card).not.toContain('ns_approve'); // the buttons are gone once decided
    // and so are those of the message in the thread that asked for the approval
    const asked = w.fake.messages(CHANNEL).find((m) => m.ts === ask.ts)!;
    expect(JSON.stringify(asked.blocks)).not.toContain('ns_approve');
    expect(JSON.stringify(asked.blocks)).toMatch(/Approved by <@U0OWNER> at \d\d:\d\d/);
  });

  it('replies in a task thread: a stranger is left alone, a mention clarifies once, chatter on a running task is ignored', async () => {
    const w = await setup({ script: 'hang' });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build it', userId: OWNER, channelId: CHANNEL }));
    await waitFor(() => threadOf(w, 't-1').some((m) => /needs your approval/.test(m.text)), 5_000, 'the approval request');
    const card = cardOf(w, 't-1')!;
    const before = w.fake.calls.length;
    await event(w, threadReply({ text: 'lol what is this', user: STRANGER, channel: CHANNEL, threadTs: card.ts }));
    await barrier(w, 't-1');
    expect((await w.engine.get('t-1'))!.clarifications).toHaveLength(0);
    // nothing said to the stranger, in the thread or privately (the barrier's answer went to the owner's DM)
    const said = w.fake.calls.slice(before).filter((c) => (c.method === 'chat.postMessage' && c.args['channel'] !== `D${OWNER}`) || c.method === 'chat.postEphemeral');
    expect(said).toHaveLength(0);
    // the owner mentions the bot in the thread: Slack sends app_mention and message; it counts once
    const ts = '1800000999.000001';
    await event(w, appMention({ text: `${mention()} a CLI that prints hello world`, user: OWNER, channel: CHANNEL, threadTs: card.ts, ts }));
    await event(w, threadReply({ text: `${mention()} a CLI that prints hello world`, user: OWNER, channel: CHANNEL, threadTs: card.ts, ts }));
    await waitFor(async () => (await status(w, 't-1')) === 'building', 5_000, 'the clarified task to start');
    expect((await w.engine.get('t-1'))!.clarifications).toHaveLength(1);
    await event(w, threadReply({ text: 'nice, looking forward to it', user: OWNER, channel: CHANNEL, threadTs: card.ts }));
    await barrier(w, 't-1');
    expect((await w.engine.get('t-1'))!.clarifications).toHaveLength(1);
  });

  it('a reply in the thread while it waits clarifies the task, and the checks run again', async () => {
    const w = await setup();
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build it', userId: OWNER, channelId: CHANNEL }));
    await waitFor(() => cardOf(w, 't-1') !== undefined, 5_000, 'the card');
    expect(await status(w, 't-1')).toBe('awaiting_approval');
    const card = cardOf(w, 't-1')!;
    await event(w, threadReply({ text: 'a CLI that prints hello world, in TypeScript', user: OWNER, channel: CHANNEL, threadTs: card.ts }));
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'the clarified task to be built');
    expect((await w.engine.get('t-1'))!.spec).toContain('a CLI that prints hello world');
  });

  it('an escalated task carries Retry / Cancel, and Retry by the owner runs it again', async () => {
    const w = await setup({ script: 'fail' });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice export', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'escalated', 10_000, 'escalation');
    await w.adapter.drain();
    const esc = threadOf(w, 't-1').find((m) => /needs you|failed 3 times/.test(m.text));
    expect(esc).toBeDefined();
    expect(JSON.stringify(esc!.blocks)).toContain('could not compile src/index.ts'); // the log tail
    expect(JSON.stringify(cardOf(w, 't-1')!.blocks)).toMatch(/ns_retry[\s\S]*ns_cancel/);
    await press(w, OWNER, 'ns_retry', 't-1');
    await waitFor(async () => ((await w.engine.get('t-1'))?.attempts.length ?? 0) >= 4, 10_000, 'a new attempt');
  });

  it('built work failing its checks offers Retry / Accept anyway / Cancel; Accept anyway by the owner makes it done, said as accepted with checks failing', async () => {
    const w = await setup({ engine: failingChecks });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the answer module', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'escalated', 15_000, 'escalation on failing checks');
    await w.adapter.drain();
    const esc = threadOf(w, 't-1').find((m) => /needs you/.test(m.text))!;
    expect(esc.text).toMatch(/Last error: built, checks failing \(node \S*answer-check\.mjs exited with code 1/);
    const buttons = (blocks: unknown) => (JSON.stringify(blocks).match(/"action_id":"ns_[a-z]+"/g) ?? []).join(' ');
    const threeButtons = '"action_id":"ns_retry" "action_id":"ns_accept" "action_id":"ns_cancel"';
    expect(buttons(esc.blocks)).toBe(threeButtons);
    expect(JSON.stringify(esc.blocks)).toContain('"text":"Accept anyway"');
    expect(buttons(cardOf(w, 't-1')!.blocks)).toBe(threeButtons);

    // Pressed on the escalation message: a stranger is refused privately and nothing changes.
    const pressOnEsc = (user: string) => w.fake.sendEnvelope('interactive', blockAction({ userId: user, channelId: CHANNEL, messageTs: esc.ts, message: esc, actionId: 'ns_accept', value: 't-1' }));
    await pressOnEsc(STRANGER);
    await w.fake.waitFor(() => w.fake.ephemerals.some((m) => m.user === STRANGER && /only the owner or an approver can accept tasks/.test(m.text)), 5_000, 'the refusal');
    expect(await status(w, 't-1')).toBe('escalated');

    await pressOnEsc(OWNER);
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 't-1 accepted');
    await w.adapter.drain();
    const done = threadOf(w, 't-1').find((m) => /is done after/.test(m.text))!;
    expect(done.text).toMatch(/Accepted by @U0OWNER with checks failing \(node \S*answer-check\.mjs exited with code 1 after \d+(ms|s)\)/);
    expect(JSON.stringify(threadOf(w, 't-1'))).not.toMatch(/checks passed/i);
    // The escalation's buttons are gone, replaced by who decided; so are the card's.
    const asked = w.fake.messages(CHANNEL).find((m) => m.ts === esc.ts)!;
    expect(buttons(asked.blocks)).toBe('');
    expect(JSON.stringify(asked.blocks)).toMatch(/Accepted with checks failing by <@U0OWNER> at \d\d:\d\d/);
    expect(buttons(cardOf(w, 't-1')!.blocks)).toBe('');
    expect(w.fake.rejected).toEqual([]); // every message passed the fake's Block Kit checks
  });
});

describe('Slack: mentions, DMs, and the same event twice', () => {
  it('a mention in a channel and a DM are understood like /build; chit-chat gets a hint', async () => {
    const w = await setup();
    await event(w, appMention({ text: `${mention()} build the Spotify integration by tonight`, user: OWNER, channel: CHANNEL }));
    await event(w, dmMessage({ text: 'urgent: build the CSV export for invoices', user: OWNER }));
    await waitFor(async () => (await w.engine.get('t-2')) !== null, 5_000, 'two tasks');
    expect((await w.engine.get('t-1'))!.title).toBe('Build the Spotify integration');
    expect((await w.engine.get('t-2'))!.title).toBe('Build the CSV export for invoices');
    await event(w, dmMessage({ text: 'thanks!', user: OWNER }));
    await w.fake.waitFor(() => w.fake.messages(`D${OWNER}`).some((m) => /build &lt;what&gt;/.test(m.text) || /build <what>/.test(m.text)), 3_000, 'the hint');
    expect(await w.engine.get('t-3')).toBeNull();
  });

  it('a redelivered event and a repeated slash command create one task', async () => {
    const w = await setup({ script: 'hang' });
    const sent = await event(w, appMention({ text: `${mention()} build the Spotify integration by tonight`, user: OWNER, channel: CHANNEL }));
    await waitFor(async () => (await w.engine.get('t-1')) !== null, 5_000, 't-1');
    await w.fake.redeliver(sent.envelope_id);
    const cmd = slashCommand({ text: 'the billing page by tonight', userId: OWNER, channelId: CHANNEL, responseUrl: w.fake.responseUrl() });
    await w.fake.sendEnvelope('slash_commands', cmd);
    const again = await w.fake.sendEnvelope('slash_commands', cmd); // same trigger_id
    expect(again.ackPayload).toEqual({}); // known at once: acked with nothing, and no work done
    // the slash commands went through the engine after the redelivered event was taken up
    await w.engine.kick();
    expect(w.engine.live().map((t) => t.id).sort()).toEqual(['t-1', 't-2']);
  });
});

describe('Slack: behaving well on the platform', () => {
  it('a build printing lines fast gives a few card edits, not one per line', async () => {
    const w = await setup({ script: 'chatty' });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the noisy thing', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    await w.adapter.drain();
    expect(w.fake.callsOf('chat.update').length).toBeLessThan(20); // 2000 lines printed
    expect(JSON.stringify(cardOf(w, 't-1')!.blocks)).toContain(':white_check_mark: done');
  });

  it('a 429 with Retry-After is honoured and the final card is right', async () => {
    const w = await setup({ fakeOpts: { rateLimits: { updatePerMinute: 3 } } });
    w.fake.failNext('chat.update', { retryAfterSec: 1, times: 2 });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice export', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    await w.adapter.drain(20_000);
    expect(w.fake.rejected.length).toBeGreaterThan(0);
    // after each 429 the bot waited at least Retry-After before calling again
    const updates = w.fake.calls.filter((c) => c.method === 'chat.update');
    const first429 = updates.findIndex((c) => c.status === 429);
    expect(updates[first429 + 1]!.at - updates[first429]!.at).toBeGreaterThanOrEqual(950);
    expect(JSON.stringify(cardOf(w, 't-1')!.blocks)).toContain(':white_check_mark: done');
  }, 30_000);

  it("at Slack's real pace nothing is ever refused: messages 1/s per channel, edits within Tier 3", async () => {
    const w = await setup({ script: 'chatty', postGapMs: 1_100, fakeOpts: { rateLimits: { postMessagePerChannelPerSec: 1, updatePerMinute: 50 } } });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the noisy thing', userId: OWNER, channelId: CHANNEL }));
    await waitFor(() => threadOf(w, 't-1').some((m) => /is done after/.test(m.text)), 15_000, 'done in the thread');
    await w.adapter.drain();
    expect(w.fake.rejected).toEqual([]);
    expect(JSON.stringify(cardOf(w, 't-1')!.blocks)).toContain(':white_check_mark: done');
  }, 30_000);

  it("the agent's plan is a native checklist on the card (a plan block of task cards), its steps advancing edit by edit, within Tier 3", async () => {
    const gates = await tempDir();
    const w = await setup({ script: 'planner', env: { FAKE_PLAN_GATE_DIR: gates }, fakeOpts: { rateLimits: { updatePerMinute: 50 } } });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice CSV export', userId: OWNER, channelId: CHANNEL }));
    const planOnCard = () => (cardOf(w, 't-1')?.blocks as { type: string; title?: string; tasks?: { title: string; status: string }[] }[] | undefined)?.find((b) => b.type === 'plan');
    const statuses = () => planOnCard()?.tasks?.map((t) => t.status).join(' ') ?? '';
    // Each step waits for the test: every state of the plan reaches the card before the next begins.
    const seen: string[] = [];
    for (let step = 1; step <= 4; step++) {
      const want = ['complete', 'complete', 'complete', 'complete'].map((s, i) => (i < step - 1 ? s : i === step - 1 ? 'in_progress' : 'pending')).join(' ');
      await waitFor(() => statuses() === want, 15_000, `the card showing step ${step} under way (it shows "${statuses()}")`);
      seen.push(statuses());
      await writeFile(join(gates, `step-${step}`), '');
    }
    await waitFor(async () => (await status(w, 't-1')) === 'done', 15_000, 't-1 done');
    await w.adapter.drain();
    const plan = planOnCard()!;
    expect(plan.title).toBe("The agent's plan: 4 of 4 done");
    expect(plan.tasks!.map((t) => [t.title, t.status])).toEqual([
      ['Read the invoice model', 'complete'],
      ['Write the CSV exporter', 'complete'],
      ['Add the tests', 'complete'],
      ['Run the tests', 'complete'],
    ]);
    expect(seen).toHaveLength(4);
    // Every payload passed the fake's Block Kit checks (it refuses what Slack would), and the edits
    // kept the outbox's steady Tier 3 pace: never two within 60 s / 45 of each other as sent. They
    // are timed here as they arrive, so a loaded machine's delay of one send (a few hundred ms at
    // most) may bring the next closer; unpaced, they would come milliseconds apart.
    expect(w.fake.rejected, JSON.stringify(w.fake.rejected)).toEqual([]);
    const edits = w.fake.calls.filter((c) => c.method === 'chat.update').map((c) => c.at);
    for (let i = 1; i < edits.length; i++) expect(edits[i]! - edits[i - 1]!).toBeGreaterThanOrEqual(Math.floor(60_000 / 45) - 400);
    // The plain-text fallback is still there for clients that cannot draw the checklist.
    expect(cardOf(w, 't-1')!.text).toMatch(/t-1 Build the invoice CSV export: done/);
  }, 90_000);

  it('the Cancel button on a running build ends it', async () => {
    const w = await setup({ script: 'hang' });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice export', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'building', 5_000, 'building');
    await waitFor(() => cardOf(w, 't-1') !== undefined, 5_000, 'the card');
    await press(w, OWNER, 'ns_cancel', 't-1');
    await waitFor(async () => (await status(w, 't-1')) === 'cancelled', 10_000, 'cancelled');
    await waitFor(() => threadOf(w, 't-1').some((m) => /Cancelled by <@U0OWNER>/.test(JSON.stringify(m.blocks))), 5_000, 'the cancel reply');
  });

  it('anyone not allowed to request builds is refused politely and nothing is queued', async () => {
    const w = await setup({ allowedUsers: ['U0FRIEND'] });
    const answer = await slashAnswer(w.fake, { text: 'a hello-world CLI by tonight', userId: STRANGER, channelId: CHANNEL });
    expect(answer.json).toMatch(/not on the list of people who can request builds/);
    expect(w.engine.live()).toHaveLength(0);
  });

  it('task text cannot ping the channel', async () => {
    const w = await setup();
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the <!channel> announcement banner', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    await w.adapter.drain();
    const parsed = mrkdwnTexts(w.fake.calls.filter((c) => c.method.startsWith('chat.')).map((c) => c.args)).join('\n');
    expect(parsed).toContain('&lt;!channel&gt;');
    expect(parsed).not.toContain('<!channel>');
  });
});

describe('Slack: HTTP mode', () => {
  async function httpSetup() {
    const fake = await startFakeSlack({ botToken: 'xoxb-test' });
    const dir = await tempDir();
    const store = new LowdbTaskStore({ dir });
    await store.open();
    const engine = new Engine({
      store,
      builder: fakeAgentBuilder('hang', dir),
      policy: defaultPolicy({ timeZone: 'Europe/London', tickMs: 3_600_000 }),
      clock: systemClock,
      logger: silentLogger,
      runBuilds: true,
    });
    const config: SlackConfig = { mode: 'http', botToken: 'xoxb-test', signingSecret: 'shh-its-a-secret', port: 0, apiUrl: fake.apiUrl, ownerId: OWNER, approvers: [], allowedUsers: [] };
    const adapter = new SlackAdapter({ engine, config, logger: silentLogger, postGapMs: 50 });
    const server = (await adapter.start()) as import('node:http').Server;
    await engine.start();
    world = { fake, engine, adapter, store, dir };
    const port = (server.address() as import('node:net').AddressInfo).port;
    return { w: world, url: `http://127.0.0.1:${port}/slack/events` };
  }
  const secret = 'shh-its-a-secret';

  it('a correctly signed slash command creates the task; forged, stale or future-dated requests get 401 and nothing', async () => {
    const { w, url } = await httpSetup();
    const body = (text: string) => formBody(slashCommand({ text, userId: OWNER, channelId: CHANNEL }));
    const now = Math.floor(Date.now() / 1000);
    expect((await signedPost(url, { signingSecret: secret, body: body('a forged CLI by tonight'), badSignature: true })).status).toBe(401);
    expect((await signedPost(url, { signingSecret: secret, body: body('a stale CLI by tonight'), timestamp: now - 6 * 60 })).status).toBe(401);
    expect((await signedPost(url, { signingSecret: secret, body: body('a future CLI by tonight'), timestamp: now + 6 * 60 })).status).toBe(401);
    expect((await signedPost(url, { signingSecret: secret, body: body('an unsigned CLI by tonight'), omit: ['signature'] })).status).toBe(401);
    expect(w.engine.live()).toHaveLength(0);
    const ok = await signedPost(url, { signingSecret: secret, body: body('a hello-world CLI by tonight') });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/t-1 .*Build a hello-world CLI/);
    expect(w.engine.live().map((t) => t.title)).toEqual(['Build a hello-world CLI']);
  });

  it('an event retried by Slack over HTTP (X-Slack-Retry-Num) creates one task', async () => {
    const { w, url } = await httpSetup();
    const callback = eventCallback(appMention({ text: `${mention()} build the Spotify integration by tonight`, user: OWNER, channel: CHANNEL }));
    const send = (retryNum?: number) =>
      signedPost(url, { signingSecret: secret, body: JSON.stringify(callback), contentType: 'application/json', ...(retryNum ? { retryNum } : {}) });
    expect((await send()).status).toBe(200);
    expect((await send(1)).status).toBe(200);
    await waitFor(async () => (await w.engine.get('t-1')) !== null, 5_000, 't-1');
    // Bolt answers an event before handling it: a later request, answered, is the barrier. Its
    // delivery is recorded through the engine after the retry's was looked at, and the pass asked
    // for after it begins once whatever the retry changed is committed.
    const status = await signedPost(url, { signingSecret: secret, body: formBody(slashCommand({ text: 'status t-1', userId: OWNER, channelId: CHANNEL })) });
    expect(status.status).toBe(200); // the reply, or a placeholder: either way its delivery was recorded first
    await w.engine.kick();
    expect(w.engine.live()).toHaveLength(1);
  });
});

describe('Slack: outages and the morning post', () => {
  it('when Slack fails for a while, builds go on and the messages catch up', async () => {
    const w = await setup();
    w.fake.failNext('chat.postMessage', { status: 500, times: 3 });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice export', userId: OWNER, channelId: CHANNEL }));
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'the build, unaffected');
    await waitFor(() => threadOf(w, 't-1').some((m) => /is done after/.test(m.text)), 20_000, 'the messages to catch up');
    expect(w.fake.rejected.filter((c) => c.method === 'chat.postMessage')).toHaveLength(3);
    expect(cardOf(w, 't-1')).toBeDefined();
  }, 30_000);

  it('posts the morning summary at 07:30 owner time to the summary channel', async () => {
    const fake = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test' });
    const dir = await tempDir();
    const store = new LowdbTaskStore({ dir });
    await store.open();
    await store.setMeta('lastSummaryAt', '2026-11-24T07:30:00.000Z');
    const clock = new FakeClock('2026-11-24T20:00:00Z');
    const engine = new Engine({ store, builder: fakeAgentBuilder('succeed', dir), policy: defaultPolicy({ timeZone: 'Europe/London' }), clock, logger: silentLogger, runBuilds: false });
    const config: SlackConfig = { mode: 'socket', botToken: 'xoxb-test', appToken: 'xapp-test', port: 0, apiUrl: fake.apiUrl, ownerId: OWNER, approvers: [], allowedUsers: [], summaryChannel: 'C0MORNING' };
    const adapter = new SlackAdapter({ engine, config, logger: silentLogger, postGapMs: 50 });
    const acks = timeBotAcks(adapter.app);
    await adapter.start();
    await engine.start();
    world = { fake, engine, adapter, store, dir, acks };
    const told: string[] = []; // when each summary the scheduler handed over was made (fake clock)
    const scheduler = new SummaryScheduler(engine, clock, silentLogger, (s) => (told.push(s.generatedAt), engine.announceSummary(s)));
    await scheduler.start();
    // A task that waits for the owner: the briefing lists it first, with its buttons.
    await engine.submit([{ title: 'Try Bun for the test runner', request: 'someday try Bun', priority: 'low', priorityReason: 'said "someday"', deadline: null, deadlinePhrase: null, estimateMs: null }], { adapter: 'slack', userId: OWNER, channel: 'C0MORNING' });
    await clock.advance(11 * 3_600_000 + 29 * 60_000); // 07:29 in London
    expect(told).toEqual([]);
    await clock.advance(60_000); // 07:30
    await fake.waitFor(() => fake.messages('C0MORNING').some((m) => /Good morning/.test(m.text)), 5_000, 'the morning post');
    scheduler.stop();
    await adapter.drain();
    // one summary, made at 07:30 and none before (a summary made at 07:29 would have been composed,
    // and posted to the same channel, before this one)
    expect(told).toEqual(['2026-11-25T07:30:00.000Z']);
    const posted = fake.messages('C0MORNING').filter((m) => /Good morning/.test(m.text));
    expect(posted).toHaveLength(1);
    const post = posted[0]!;
    expect(post.text).toBe('Good morning: 1 needs you');
    expect(JSON.stringify(post.blocks)).toContain('Since 07:30 Tue 24 Nov (Europe/London)');
    expect(JSON.stringify(post.blocks)).not.toContain('```');
    // the title links to the task's thread, and the owner approves straight from the briefing
    expect(JSON.stringify(post.blocks)).toMatch(/<https?:[^|]+\/archives\/C0MORNING\/p\d+\|t-1 · Try Bun for the test runner>/);
    await fake.sendEnvelope('interactive', blockAction({ userId: OWNER, channelId: 'C0MORNING', messageTs: post.ts, actionId: 'ns_approve', value: 't-1' }));
    await waitFor(() => engine.liveTask('t-1')?.status === 'queued', 5_000, 't-1 approved');
    expect(engine.getMeta('lastSummaryAt')).toBe('2026-11-25T07:30:00.000Z');
  });
});

describe('Slack: where cards go, and restarts', () => {
  it('when the bot is not in the channel, the card goes to a DM with whoever asked, saying why', async () => {
    const w = await setup();
    w.fake.failNext('chat.postMessage', { status: 200, error: 'not_in_channel' });
    await w.fake.sendEnvelope('slash_commands', slashCommand({ text: 'urgent: build the invoice export', userId: OWNER, channelId: 'C0ELSEWHERE' }));
    await waitFor(async () => (await status(w, 't-1')) === 'done', 10_000, 'done');
    await waitFor(() => w.fake.messages(`D${OWNER}`).some((m) => /is done after/.test(m.text)), 10_000, 'the thread in the DM');
    expect(w.fake.messages(`D${OWNER}`).some((m) => /could not post in/.test(m.text))).toBe(true);
  });

  it('after a restart, cards and seen deliveries are remembered: no second task, the same card edited', async () => {
    const w = await setup({ script: 'hang' });
    const first = await event(w, appMention({ text: `${mention()} build the Spotify integration by tonight`, user: OWNER, channel: CHANNEL }));
    await waitFor(() => cardOf(w, 't-1') !== undefined, 5_000, 'the card');
    const cardTs = cardOf(w, 't-1')!.ts;
    // restart the adapter and engine on the same store and the same fake Slack
    await w.engine.shutdown(0);
    await w.adapter.stop();
    await w.store.close();
    const store = new LowdbTaskStore({ dir: w.dir });
    await store.open();
    const engine = new Engine({ store, builder: fakeAgentBuilder('succeed', w.dir), policy: defaultPolicy({ timeZone: 'Europe/London', retryBackoffMs: [100], tickMs: 3_600_000 }), clock: systemClock, logger: silentLogger, runBuilds: true });
    const config: SlackConfig = { mode: 'socket', botToken: 'xoxb-test', appToken: 'xapp-test', port: 0, apiUrl: w.fake.apiUrl, ownerId: OWNER, approvers: [], allowedUsers: [] };
    const adapter = new SlackAdapter({ engine, config, logger: silentLogger, postGapMs: 50 });
    w.acks?.expectAllInWindow(); // the first adapter's; the second is timed from here
    const acks = timeBotAcks(adapter.app);
    await adapter.start();
    await engine.start();
    world = { ...w, engine, adapter, store, acks };
    await w.fake.redeliver(first.envelope_id);
    await waitFor(async () => (await engine.get('t-1'))?.status === 'done', 10_000, 't-1 done after the restart');
    await adapter.drain();
    expect(engine.live().map((t) => t.id)).toEqual([]);
    expect(await engine.get('t-2')).toBeNull();
    const cards = w.fake.messages(CHANNEL).filter((m) => !m.thread_ts);
    expect(cards.map((m) => m.ts)).toEqual([cardTs]);
    expect(JSON.stringify(cards[0]!.blocks)).toContain(':white_check_mark: done');
  });
});
