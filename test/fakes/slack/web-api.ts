// The Web API methods the fake implements, answering as Slack does (HTTP 200, `{ok:true, ...}` or
// `{ok:false, error}`). Anything else is `unknown_method`, so a gap shows up as an error in a test.
import { blockKitProblems } from './block-kit.ts';
import { FAKE_PERMALINK_HOST } from './defaults.ts';
import type { FakeMessage, MessageStore } from './message-store.ts';

export interface FakeUser {
  name: string;
  real_name?: string;
  tz?: string;
  is_bot?: boolean;
}

export interface Workspace {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  store: MessageStore;
  users: Record<string, FakeUser>;
  /** The ws:// URL `apps.connections.open` hands out (a fresh ticket each call). */
  openConnectionUrl: () => string;
  /** Whether the app is declared as an agent (may call agents.sessions.*); default true. */
  isAgent: boolean;
}

export type ApiResult = { ok: true } & Record<string, unknown> | { ok: false; error: string } & Record<string, unknown>;
type Method = (args: Record<string, unknown>, ws: Workspace) => ApiResult;

/** Methods that take the app-level token (xapp-) instead of the bot token. */
export const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

const fail = (error: string): ApiResult => ({ ok: false, error });

/** Slack refuses a message that breaks Block Kit's limits, saying where (block-kit.ts). */
function invalidBlocks(args: Record<string, unknown>): ApiResult | null {
  const messages = blockKitProblems(args);
  return messages.length ? { ok: false, error: 'invalid_blocks', response_metadata: { messages } } : null;
}

function str(args: Record<string, unknown>, key: string): string | undefined {
  const v = args[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function messageJson(m: FakeMessage, ws: Workspace): Record<string, unknown> {
  return {
    type: 'message',
    user: m.user,
    bot_id: ws.botId,
    app_id: ws.appId,
    team: ws.teamId,
    ts: m.ts,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    text: m.text,
    ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
    ...(m.attachments !== undefined ? { attachments: m.attachments } : {}),
  };
}

/** Slack accepts a user id as `channel` for chat.postMessage and posts into the bot's DM with them. */
function resolveChannel(channel: string): string {
  return /^[UW][A-Z0-9]+$/.test(channel) ? `D${channel}` : channel;
}

const METHODS: Record<string, Method> = {
  'auth.test': (_args, ws) => ({
    ok: true,
    url: `${FAKE_PERMALINK_HOST}/`,
    team: 'Nightshift Test',
    user: 'nightshift',
    team_id: ws.teamId,
    user_id: ws.botUserId,
    bot_id: ws.botId,
    is_enterprise_install: false,
  }),

  'apps.connections.open': (_args, ws) => ({ ok: true, url: ws.openConnectionUrl() }),

  'chat.postMessage': (args, ws) => {
    const channel = str(args, 'channel');
    if (!channel) return fail('channel_not_found');
    if (args['text'] === undefined && args['blocks'] === undefined && args['attachments'] === undefined) return fail('no_text');
    const invalid = invalidBlocks(args);
    if (invalid) return invalid;
    const m = ws.store.post(resolveChannel(channel), args, str(args, 'thread_ts'));
    return { ok: true, channel: m.channel, ts: m.ts, message: messageJson(m, ws) };
  },

  'chat.update': (args, ws) => {
    const channel = str(args, 'channel');
    const ts = str(args, 'ts');
    if (!channel) return fail('channel_not_found');
    if (!ts) return fail('message_not_found');
    if (args['text'] === undefined && args['blocks'] === undefined && args['attachments'] === undefined) return fail('no_text');
    const invalid = invalidBlocks(args);
    if (invalid) return invalid;
    const m = ws.store.update(channel, ts, args);
    if (!m) return fail('message_not_found');
    return { ok: true, channel, ts, text: m.text, message: messageJson(m, ws) };
  },

  'chat.postEphemeral': (args, ws) => {
    const channel = str(args, 'channel');
    const user = str(args, 'user');
    if (!channel) return fail('channel_not_found');
    if (!user) return fail('user_not_found');
    if (args['text'] === undefined && args['blocks'] === undefined && args['attachments'] === undefined) return fail('no_text');
    const invalid = invalidBlocks(args);
    if (invalid) return invalid;
    const e = ws.store.postEphemeral(channel, user, args, str(args, 'thread_ts'));
    return { ok: true, message_ts: e.message_ts };
  },

  'chat.getPermalink': (args, ws) => {
    const channel = str(args, 'channel');
    const ts = str(args, 'message_ts');
    if (!channel) return fail('channel_not_found');
    const m = ts ? ws.store.find(channel, ts) : undefined;
    if (!m) return fail('message_not_found');
    const base = `${FAKE_PERMALINK_HOST}/archives/${channel}/p${m.ts.replace('.', '')}`;
    const permalink = m.thread_ts ? `${base}?thread_ts=${m.thread_ts}&cid=${channel}` : base;
    return { ok: true, channel, permalink };
  },

  'conversations.open': (args) => {
    const users = (str(args, 'users') ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    const channel = str(args, 'channel');
    if (channel) return { ok: true, channel: { id: channel } };
    if (users.length === 0) return fail('users_list_not_supplied');
    const id = users.length === 1 ? `D${users[0]}` : `G${[...users].sort().join('')}`;
    return { ok: true, channel: { id } };
  },

  'users.info': (args, ws) => {
    const id = str(args, 'user');
    if (!id) return fail('user_not_found');
    const known = ws.users[id] ?? (id === ws.botUserId ? { name: 'nightshift', is_bot: true } : { name: id.toLowerCase() });
    const realName = known.real_name ?? known.name;
    return {
      ok: true,
      user: {
        id,
        team_id: ws.teamId,
        name: known.name,
        real_name: realName,
        tz: known.tz ?? 'UTC',
        is_bot: known.is_bot ?? false,
        deleted: false,
        profile: { real_name: realName, display_name: known.name },
      },
    };
  },

  // Agent sessions: a thread's status ("processing" shows Slack's own Stop button). Only apps
  // declared as agents may call it (it needs assistant:write): others get missing_scope.
  'agents.sessions.setStatus': (args, ws) => {
    if (!ws.isAgent) return { ok: false, error: 'missing_scope', needed: 'assistant:write', provided: 'chat:write,commands' };
    const channel = str(args, 'channel_id');
    const thread = str(args, 'thread_ts');
    const status = str(args, 'status');
    if (!channel || !thread) return fail('invalid_arguments');
    if (!status || !['processing', 'active', 'suspended', 'closed'].includes(status)) return fail('invalid_status');
    const title = str(args, 'title');
    if (title !== undefined && title.length > 200) return fail('invalid_title');
    if (!ws.store.find(channel, thread)) return fail('thread_not_found');
    const key = `${channel}/${thread}`;
    const known = ws.store.agentSessions.get(key);
    ws.store.agentSessions.set(key, { status, title: known?.title ?? title ?? '' });
    return { ok: true, status, title: known?.title ?? title ?? '' };
  },

  // App Home: the view each user sees on the bot's Home tab (a home view of at most 100 blocks).
  'views.publish': (args, ws) => {
    const user = str(args, 'user_id');
    if (!user) return fail('invalid_arguments');
    const view = (typeof args['view'] === 'string' ? JSON.parse(args['view']) : args['view']) as Record<string, unknown> | undefined;
    if (!view || view['type'] !== 'home') return fail('invalid_arguments');
    const messages = blockKitProblems({ blocks: view['blocks'] }, { maxBlocks: 100 });
    if (messages.length) return { ok: false, error: 'invalid_arguments', response_metadata: { messages } };
    ws.store.homeViews.set(user, view);
    return { ok: true, view: { id: `V${user}`, type: 'home', ...view } };
  },

  'reactions.add': (args, ws) => {
    const channel = str(args, 'channel');
    const ts = str(args, 'timestamp');
    const name = str(args, 'name');
    if (!name) return fail('invalid_name');
    const m = channel && ts ? ws.store.find(channel, ts) : undefined;
    if (!m) return fail('message_not_found');
    if (m.reactions.includes(name)) return fail('already_reacted');
    m.reactions.push(name);
    return { ok: true };
  },
};

export function isKnownMethod(method: string): boolean {
  return Object.hasOwn(METHODS, method);
}

export function callMethod(method: string, args: Record<string, unknown>, ws: Workspace): ApiResult {
  const impl = METHODS[method];
  return impl ? impl(args, ws) : fail('unknown_method');
}
