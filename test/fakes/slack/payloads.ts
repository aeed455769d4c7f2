// What Slack sends a bot, built in one place for both transports:
//   Socket Mode: fake.sendEnvelope('slash_commands', slashCommand(...)),
//                fake.sendEnvelope('events_api', eventCallback(appMention(...))),
//                fake.sendEnvelope('interactive', blockAction(...));
//   HTTP mode:   signedPost(url, { body: formBody(slashCommand(...)) }), JSON.stringify(eventCallback(...)),
//                interactiveBody(blockAction(...)).
// Shapes follow Slack's documentation of slash commands, the Events API and block_actions.
// Ids (event ids, trigger ids, message ts) are unique within the test process.
import { FAKE_APP_ID, FAKE_BOT_ID, FAKE_BOT_USER_ID, FAKE_TEAM_DOMAIN, FAKE_TEAM_ID } from './defaults.ts';

/** The deprecated verification token Slack still sends in payloads (Bolt ignores it). */
const VERIFICATION_TOKEN = 'fake-verification-token';
/**
 * Default response_url when a test gives none: a loopback port nothing listens on, so a bot that
 * responds without the test expecting it fails with a connection error, never reaching the network.
 */
export const UNUSED_RESPONSE_URL = 'http://127.0.0.1:1/no-response-url-given';

let seq = 0;
const next = (): number => ++seq;

/** A unique Slack-like trigger id ("<13 digits>.<13 digits>.<32 hex>"). */
export function triggerId(): string {
  const n = next();
  return `${1_700_000_000_000 + n}.${String(1_000_000_000_000 + n)}.${n.toString(16).padStart(32, '0')}`;
}

/** A unique Events API event id ("Ev0000000001"). */
export function eventId(): string {
  return `Ev${String(next()).padStart(10, '0')}`;
}

/** A unique ts for a message a *user* wrote (distinct from the fake's own 1700000000.* range). */
export function userTs(): string {
  const us = next() * 100;
  return `${1_700_100_000 + Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** `<@U123>`: how a mention appears in message text. */
export function mention(userId: string = FAKE_BOT_USER_ID): string {
  return `<@${userId}>`;
}

// ---- Slash commands ------------------------------------------------------------------------

export interface SlashCommandInput {
  text: string;
  userId: string;
  channelId: string;
  command?: string;
  triggerId?: string;
  responseUrl?: string;
  userName?: string;
  channelName?: string;
  teamId?: string;
  appId?: string;
}

/** The fields of a slash command: a form body over HTTP, the envelope payload in Socket Mode. */
export type SlashCommandFields = Record<string, string>;

export function slashCommand(input: SlashCommandInput): SlashCommandFields {
  const teamId = input.teamId ?? FAKE_TEAM_ID;
  return {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: FAKE_TEAM_DOMAIN,
    channel_id: input.channelId,
    channel_name: input.channelName ?? (input.channelId.startsWith('D') ? 'directmessage' : 'general'),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? '/build',
    text: input.text,
    api_app_id: input.appId ?? FAKE_APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl ?? UNUSED_RESPONSE_URL,
    trigger_id: input.triggerId ?? triggerId(),
  };
}

// ---- Events API ----------------------------------------------------------------------------

export interface MessageEventInput {
  text: string;
  user: string;
  channel: string;
  /** Default: a fresh userTs(). */
  ts?: string;
  threadTs?: string;
  team?: string;
}

export type SlackEvent = Record<string, unknown> & { type: string };

function baseMessage(input: MessageEventInput): Record<string, unknown> {
  const ts = input.ts ?? userTs();
  return {
    user: input.user,
    text: input.text,
    ts,
    channel: input.channel,
    event_ts: ts,
    team: input.team ?? FAKE_TEAM_ID,
    client_msg_id: `00000000-0000-4000-8000-${String(next()).padStart(12, '0')}`,
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
  };
}

/** `app_mention`: someone wrote `<@bot> ...` in a channel (or in a thread, with threadTs). */
export function appMention(input: MessageEventInput): SlackEvent {
  return { type: 'app_mention', ...baseMessage(input) };
}

/** A `message` in the bot's DM with `user` (channel defaults to 'D' + user, as the fake's conversations.open). */
export function dmMessage(input: Omit<MessageEventInput, 'channel'> & { channel?: string }): SlackEvent {
  return { type: 'message', channel_type: 'im', ...baseMessage({ ...input, channel: input.channel ?? `D${input.user}` }) };
}

/** A `message` replying in a thread (`threadTs` = the root's ts), in a channel by default. */
export function threadReply(
  input: MessageEventInput & { threadTs: string; channelType?: 'channel' | 'group' | 'im' | 'mpim'; parentUserId?: string },
): SlackEvent {
  return {
    type: 'message',
    channel_type: input.channelType ?? 'channel',
    ...baseMessage(input),
    parent_user_id: input.parentUserId ?? FAKE_BOT_USER_ID,
  };
}

export interface EventCallbackMeta {
  eventId?: string;
  /** Unix seconds (default now). */
  eventTime?: number;
  teamId?: string;
  appId?: string;
}

/** The Events API wrapper: JSON body over HTTP, the `events_api` envelope payload in Socket Mode. */
export function eventCallback(event: SlackEvent, meta: EventCallbackMeta = {}): Record<string, unknown> {
  const teamId = meta.teamId ?? FAKE_TEAM_ID;
  return {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    api_app_id: meta.appId ?? FAKE_APP_ID,
    event,
    type: 'event_callback',
    event_id: meta.eventId ?? eventId(),
    event_time: meta.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: FAKE_BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-fake-${String(next())}`,
  };
}

/** A button pressed on the app's Home tab: the container is the view, and there is no channel. */
export function homeBlockAction(input: { userId: string; actionId: string; value: string }): Record<string, unknown> {
  const viewId = `V${input.userId}`;
  return {
    type: 'block_actions',
    user: { id: input.userId, username: input.userId.toLowerCase(), name: input.userId.toLowerCase(), team_id: FAKE_TEAM_ID },
    api_app_id: FAKE_APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'view', view_id: viewId },
    trigger_id: triggerId(),
    team: { id: FAKE_TEAM_ID, domain: FAKE_TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    view: { id: viewId, type: 'home', team_id: FAKE_TEAM_ID, app_id: FAKE_APP_ID, bot_id: FAKE_BOT_ID, blocks: [], state: { values: {} }, hash: '1', callback_id: '', private_metadata: '' },
    state: { values: {} },
    actions: [{ action_id: input.actionId, block_id: `ns_home_${input.value}`, text: { type: 'plain_text', text: input.actionId, emoji: true }, value: input.value, type: 'button', action_ts: String(Date.now() / 1000) }],
  };
}

// ---- Interactivity -------------------------------------------------------------------------

export interface BlockActionInput {
  userId: string;
  channelId: string;
  /** The ts of the message holding the button. */
  messageTs: string;
  actionId: string;
  value: string;
  responseUrl?: string;
  triggerId?: string;
  blockId?: string;
  /** The button's label. */
  label?: string;
  userName?: string;
  /** The message as the user saw it (pass `fake.message(channel, ts)`): its text, blocks, thread_ts. */
  message?: { text?: string; blocks?: unknown; thread_ts?: string };
}

/** A button press: form field `payload=<json>` over HTTP, the `interactive` envelope payload in Socket Mode. */
export function blockAction(input: BlockActionInput): Record<string, unknown> {
  const threadTs = input.message?.thread_ts;
  return {
    type: 'block_actions',
    user: { id: input.userId, username: input.userName ?? input.userId.toLowerCase(), name: input.userName ?? input.userId.toLowerCase(), team_id: FAKE_TEAM_ID },
    api_app_id: FAKE_APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: false, ...(threadTs ? { thread_ts: threadTs } : {}) },
    trigger_id: input.triggerId ?? triggerId(),
    team: { id: FAKE_TEAM_ID, domain: FAKE_TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: input.channelId.startsWith('D') ? 'directmessage' : 'general' },
    message: {
      type: 'message',
      user: FAKE_BOT_USER_ID,
      bot_id: FAKE_BOT_ID,
      ts: input.messageTs,
      text: input.message?.text ?? '',
      blocks: input.message?.blocks ?? [],
      ...(threadTs ? { thread_ts: threadTs } : {}),
    },
    state: { values: {} },
    response_url: input.responseUrl ?? UNUSED_RESPONSE_URL,
    actions: [
      {
        action_id: input.actionId,
        block_id: input.blockId ?? `blk-${input.actionId}`,
        text: { type: 'plain_text', text: input.label ?? input.actionId, emoji: true },
        value: input.value,
        type: 'button',
        action_ts: `${Math.floor(Date.now() / 1000)}.${String(next()).padStart(6, '0')}`,
      },
    ],
  };
}
