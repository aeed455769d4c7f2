// The REST routes the fake implements (under /api/v10), answering as Discord does. Anything else is
// 404 `{code: 0}` and recorded, so a route the bot needs but the fake lacks shows up in a test.
import {
  invalidFormBody,
  missingPermissions,
  notModelled,
  ok,
  threadAlreadyCreated,
  threadArchived,
  unknownApplication,
  unknownChannel,
  unknownGuild,
  unknownMessage,
  wrongChannelType,
  type ApiAnswer,
} from './api-errors.ts';
import { CHANNEL_TYPE } from './channels.ts';
import type { Commands } from './commands.ts';
import { FAKE_BOT_USERNAME } from './defaults.ts';
import type { InteractionRecord, Interactions } from './interactions.ts';
import { asObj, createMessage, deleteMessage, editMessage } from './message-actions.ts';
import { messageJson } from './message-json.ts';
import type { RouteDef, RouteRequest } from './route-table.ts';
import type { World } from './world.ts';

export interface RestContext extends World {
  interactions: Interactions;
  commands: Commands;
  /** ws://127.0.0.1:PORT, handed out by GET /gateway/bot. */
  gatewayUrl: string;
}

type Handler = (req: RouteRequest, ctx: RestContext) => ApiAnswer;

const THREAD_DURATIONS = new Set([60, 1440, 4320, 10080]);
/** A thread started without `auto_archive_duration` gets the channel default: one day. */
const DEFAULT_THREAD_DURATION = 1440;

const bot = (method: string, pattern: string, handle: Handler): RouteDef<RestContext> => ({ method, pattern, auth: true, handle });
const open = (method: string, pattern: string, handle: Handler): RouteDef<RestContext> => ({ method, pattern, auth: false, handle });
const param = (req: RouteRequest, i: number): string => req.params[i] ?? '';
const fieldError = (field: string, code: string, message: string): ApiAnswer => invalidFormBody({ [field]: { _errors: [{ code, message }] } });

/** Order matters: literal segments ('@me', '@original') before parameters. */
export const ROUTES: Array<RouteDef<RestContext>> = [
  open('GET', '/gateway', (_req, ctx) => ok({ url: ctx.gatewayUrl })),
  bot('GET', '/gateway/bot', (_req, ctx) =>
    ok({ url: ctx.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } }),
  ),

  bot('GET', '/users/@me', (_req, ctx) => ok(ctx.users.selfJson())),
  bot('POST', '/users/@me/channels', (req, ctx) => {
    const recipient = asObj(req.body)['recipient_id'];
    if (typeof recipient !== 'string' || recipient === '') return fieldError('recipient_id', 'BASE_TYPE_REQUIRED', 'This field is required');
    return ok(ctx.channels.json(ctx.channels.dmChannel(recipient)));
  }),
  bot('GET', '/users/:id', (req, ctx) => ok(ctx.users.json(param(req, 0)))),
  bot('GET', '/applications/@me', (_req, ctx) =>
    ok({ id: ctx.appId, name: FAKE_BOT_USERNAME, icon: null, description: '', bot_public: true, bot_require_code_grant: false, flags: 0, verify_key: '0'.repeat(64), team: null, bot: ctx.users.json(ctx.botUserId) }),
  ),

  bot('GET', '/channels/:id', (req, ctx) => {
    const json = ctx.channels.json(param(req, 0));
    return json ? ok(json) : unknownChannel();
  }),
  bot('PATCH', '/channels/:id', (req, ctx) => patchChannel(param(req, 0), asObj(req.body), ctx)),
  bot('POST', '/channels/:id/typing', (req, ctx) => (ctx.channels.typeOf(param(req, 0)) === undefined ? unknownChannel() : ok())),
  bot('POST', '/channels/:id/messages', (req, ctx) => {
    const channelId = param(req, 0);
    if (ctx.channels.typeOf(channelId) === undefined) return unknownChannel();
    return createMessage(ctx, channelId, req.body).answer;
  }),
  bot('GET', '/channels/:id/messages/:id', (req, ctx) => {
    const message = ctx.store.find(param(req, 1));
    return message && message.channelId === param(req, 0) && !message.ephemeral ? ok(messageJson(message, ctx)) : unknownMessage();
  }),
  bot('PATCH', '/channels/:id/messages/:id', (req, ctx) => {
    const message = ctx.store.find(param(req, 1));
    if (!message || message.channelId !== param(req, 0) || message.ephemeral) return unknownMessage();
    return editMessage(ctx, message, req.body).answer;
  }),
  bot('DELETE', '/channels/:id/messages/:id', (req, ctx) => {
    const message = ctx.store.find(param(req, 1));
    if (!message || message.channelId !== param(req, 0) || message.ephemeral) return unknownMessage();
    // The bot may delete its own messages; deleting others' needs Manage Messages, which it lacks here.
    return message.authorId === ctx.botUserId ? deleteMessage(ctx, message) : missingPermissions();
  }),
  bot('POST', '/channels/:id/messages/:id/threads', (req, ctx) => startThread(param(req, 0), param(req, 1), asObj(req.body), ctx)),

  bot('GET', '/applications/:id/commands', (req, ctx) => withApp(req, ctx, () => ok(ctx.commands.list('global')))),
  bot('PUT', '/applications/:id/commands', (req, ctx) => withApp(req, ctx, () => overwriteCommands('global', req.body, ctx))),
  bot('POST', '/applications/:id/commands', (req, ctx) => withApp(req, ctx, () => createCommand('global', req.body, ctx))),
  bot('GET', '/applications/:id/guilds/:id/commands', (req, ctx) => withGuild(req, ctx, (g) => ok(ctx.commands.list(g)))),
  bot('PUT', '/applications/:id/guilds/:id/commands', (req, ctx) => withGuild(req, ctx, (g) => overwriteCommands(g, req.body, ctx))),
  bot('POST', '/applications/:id/guilds/:id/commands', (req, ctx) => withGuild(req, ctx, (g) => createCommand(g, req.body, ctx))),

  open('POST', '/interactions/:id/:token/callback', (req, ctx) =>
    ctx.interactions.callback(param(req, 0), param(req, 1), req.body, req.query.get('with_response') === 'true'),
  ),
  open('GET', '/webhooks/:id/:token/messages/@original', (req, ctx) => withHook(req, ctx, (rec) => ctx.interactions.getMessage(rec, '@original'))),
  open('PATCH', '/webhooks/:id/:token/messages/@original', (req, ctx) =>
    withHook(req, ctx, (rec) => ctx.interactions.editMessage(rec, '@original', req.body)),
  ),
  open('DELETE', '/webhooks/:id/:token/messages/@original', (req, ctx) => withHook(req, ctx, (rec) => ctx.interactions.deleteMessage(rec, '@original'))),
  open('POST', '/webhooks/:id/:token', (req, ctx) => withHook(req, ctx, (rec) => ctx.interactions.followup(rec, req.body))),
  open('GET', '/webhooks/:id/:token/messages/:id', (req, ctx) => withHook(req, ctx, (rec) => ctx.interactions.getMessage(rec, param(req, 2)))),
  open('PATCH', '/webhooks/:id/:token/messages/:id', (req, ctx) =>
    withHook(req, ctx, (rec) => ctx.interactions.editMessage(rec, param(req, 2), req.body)),
  ),
  open('DELETE', '/webhooks/:id/:token/messages/:id', (req, ctx) => withHook(req, ctx, (rec) => ctx.interactions.deleteMessage(rec, param(req, 2)))),
];

/** PATCH /channels/:id: threads only (archive, unarchive, rename, lock, auto-archive duration). */
function patchChannel(channelId: string, body: Record<string, unknown>, ctx: RestContext): ApiAnswer {
  const thread = ctx.channels.thread(channelId);
  if (!thread) return ctx.channels.typeOf(channelId) === undefined ? unknownChannel() : notModelled('PATCH of a non-thread channel');
  // An archived thread accepts only being unarchived (possibly with other changes in the same request).
  if (thread.archived && body['archived'] !== false) return threadArchived();
  const duration = body['auto_archive_duration'];
  if (duration !== undefined && !THREAD_DURATIONS.has(Number(duration))) {
    return fieldError('auto_archive_duration', 'BASE_TYPE_CHOICES', 'Value must be one of {60, 1440, 4320, 10080}.');
  }
  if (typeof body['name'] === 'string') thread.name = body['name'];
  if (typeof body['locked'] === 'boolean') thread.locked = body['locked'];
  if (duration !== undefined) thread.autoArchiveDuration = Number(duration);
  if (typeof body['archived'] === 'boolean') ctx.channels.setArchived(channelId, body['archived'], ctx.now());
  const json = ctx.channels.threadJson(thread);
  void ctx.dispatch('THREAD_UPDATE', json);
  return ok(json);
}

/** POST /channels/:cid/messages/:mid/threads: the thread takes the message's id; one per message. */
function startThread(channelId: string, messageId: string, body: Record<string, unknown>, ctx: RestContext): ApiAnswer {
  const type = ctx.channels.typeOf(channelId);
  if (type === undefined) return unknownChannel();
  if (type !== CHANNEL_TYPE.GuildText) return wrongChannelType();
  const message = ctx.store.find(messageId);
  if (!message || message.channelId !== channelId) return unknownMessage();
  if (ctx.channels.thread(messageId)) return threadAlreadyCreated();
  const name = body['name'];
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
    return fieldError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
  const duration = body['auto_archive_duration'] ?? DEFAULT_THREAD_DURATION;
  if (!THREAD_DURATIONS.has(Number(duration))) {
    return fieldError('auto_archive_duration', 'BASE_TYPE_CHOICES', 'Value must be one of {60, 1440, 4320, 10080}.');
  }
  const thread = ctx.channels.startThread(message, name, Number(duration), ctx.now());
  const json = ctx.channels.threadJson(thread);
  void ctx.dispatch('THREAD_CREATE', { ...json, newly_created: true });
  return ok(json);
}

function withApp(req: RouteRequest, ctx: RestContext, then: () => ApiAnswer): ApiAnswer {
  return param(req, 0) === ctx.appId ? then() : unknownApplication();
}

function withGuild(req: RouteRequest, ctx: RestContext, then: (guildId: string) => ApiAnswer): ApiAnswer {
  if (param(req, 0) !== ctx.appId) return unknownApplication();
  return param(req, 1) === ctx.guildId ? then(ctx.guildId) : unknownGuild();
}

function withHook(req: RouteRequest, ctx: RestContext, then: (rec: InteractionRecord) => ApiAnswer): ApiAnswer {
  const rec = ctx.interactions.webhook(param(req, 0), param(req, 1));
  return 'status' in rec ? rec : then(rec);
}

function overwriteCommands(scope: string, body: unknown, ctx: RestContext): ApiAnswer {
  const result = ctx.commands.overwrite(scope, body);
  return 'errors' in result ? invalidFormBody(result.errors) : ok(result.commands);
}

function createCommand(scope: string, body: unknown, ctx: RestContext): ApiAnswer {
  const result = ctx.commands.create(scope, body);
  return 'errors' in result ? invalidFormBody(result.errors) : { status: 201, body: result.command };
}
