// Application commands the bot registers: global (PUT/POST /applications/:app/commands) or for the
// guild (/applications/:app/guilds/:guild/commands). Each write is recorded as received; the registry
// answers with what Discord echoes (ids, application_id, version) and keeps command ids stable by name,
// so a re-registration does not change the id a slash command carries. Bodies are checked against the
// rules that most often break a registration: name shape, description length, option counts and order.
import type { FormErrors } from './api-errors.ts';
import type { Snowflakes } from './snowflakes.ts';

type Obj = Record<string, unknown>;

export interface CommandWrite {
  /** 'global', or the guild id. */
  scope: string;
  /** The commands as received (a POST of one command is recorded as a one-element body). */
  body: unknown[];
  method: 'PUT' | 'POST';
}

const CHAT_INPUT = 1;
const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;
const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

export class Commands {
  readonly writes: CommandWrite[] = [];
  private readonly registered = new Map<string, Obj[]>();
  private readonly idsByName = new Map<string, string>();

  constructor(
    private readonly appId: string,
    private readonly ids: Snowflakes,
  ) {}

  list(scope: string): Obj[] {
    return this.registered.get(scope) ?? [];
  }

  /** The registered command called `name` (the guild's first, then global). */
  find(name: string, guildId: string | undefined): Obj | undefined {
    const inGuild = guildId ? this.list(guildId).find((c) => c['name'] === name) : undefined;
    return inGuild ?? this.list('global').find((c) => c['name'] === name);
  }

  /** Bulk overwrite: the list replaces the scope's commands. Returns 50035 errors, or the echoed list. */
  overwrite(scope: string, body: unknown): { errors: FormErrors } | { commands: Obj[] } {
    const list = Array.isArray(body) ? (body as unknown[]) : [];
    this.writes.push({ scope, body: list, method: 'PUT' });
    const errors: FormErrors = {};
    list.forEach((c, i) => {
      const e = commandErrors(c);
      if (e) errors[String(i)] = e;
    });
    if (Object.keys(errors).length > 0) return { errors };
    const commands = list.map((c) => this.echo(scope, c as Obj));
    this.registered.set(scope, commands);
    return { commands };
  }

  /** Create (or replace, by name) one command. */
  create(scope: string, body: unknown): { errors: FormErrors } | { command: Obj } {
    this.writes.push({ scope, body: [body], method: 'POST' });
    const errors = commandErrors(body);
    if (errors) return { errors };
    const command = this.echo(scope, body as Obj);
    this.registered.set(scope, [...this.list(scope).filter((c) => c['name'] !== command['name']), command]);
    return { command };
  }

  private echo(scope: string, c: Obj): Obj {
    const type = typeof c['type'] === 'number' ? c['type'] : CHAT_INPUT;
    const key = `${scope}:${type}:${String(c['name'])}`;
    const id = this.idsByName.get(key) ?? this.ids.next();
    this.idsByName.set(key, id);
    return {
      default_member_permissions: null,
      name_localizations: null,
      description: '',
      description_localizations: null,
      options: [],
      dm_permission: true,
      contexts: null,
      integration_types: [0],
      nsfw: false,
      ...c,
      // Discord's own fields win over whatever the body says.
      id,
      application_id: this.appId,
      version: this.ids.next(),
      type,
      ...(scope === 'global' ? {} : { guild_id: scope }),
    };
  }
}

function commandErrors(raw: unknown): FormErrors | undefined {
  const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Obj;
  const errors: FormErrors = {};
  const chatInput = (c['type'] ?? CHAT_INPUT) === CHAT_INPUT;
  checkName(errors, c['name'], chatInput);
  if (chatInput) checkDescription(errors, c['description']);
  const options = checkOptions(c['options']);
  if (options) errors['options'] = options;
  return Object.keys(errors).length > 0 ? errors : undefined;
}

function checkName(errors: FormErrors, name: unknown, lowercase: boolean): void {
  const s = typeof name === 'string' ? name : '';
  if (!NAME.test(s) || (lowercase && s !== s.toLowerCase())) {
    errors['name'] = { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }] };
  }
}

function checkDescription(errors: FormErrors, description: unknown): void {
  const n = typeof description === 'string' ? description.length : 0;
  if (n < 1 || n > 100) errors['description'] = { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] };
}

function checkOptions(raw: unknown): FormErrors | undefined {
  if (raw === undefined || raw === null) return undefined;
  const options = Array.isArray(raw) ? (raw as Obj[]) : [];
  const errors: FormErrors = {};
  if (options.length > 25) errors['_errors'] = [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }];
  let seenOptional = false;
  options.forEach((o, i) => {
    const e: FormErrors = {};
    checkName(e, o['name'], true);
    checkDescription(e, o['description']);
    const nested = o['type'] === SUBCOMMAND || o['type'] === SUBCOMMAND_GROUP;
    if (nested) {
      const inner = checkOptions(o['options']);
      if (inner) e['options'] = inner;
    } else if (o['required'] === true && seenOptional) {
      e['required'] = { _errors: [{ code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' }] };
    }
    if (!nested && o['required'] !== true) seenOptional = true;
    if (Array.isArray(o['choices']) && o['choices'].length > 25) {
      e['choices'] = { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }] };
    }
    if (Object.keys(e).length > 0) errors[String(i)] = e;
  });
  return Object.keys(errors).length > 0 ? errors : undefined;
}
