// manifest.yml must create a working app in one step: valid against Slack's own manifest schema
// (test/fixtures/slack-manifest.schema.json, Slack's, MIT), Socket Mode on, and every scope and
// event the Slack adapter relies on declared.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';

const manifestText = readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8');
const schema = JSON.parse(readFileSync(new URL('./fixtures/slack-manifest.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** Bot scopes the adapter needs, and why. */
const REQUIRED_BOT_SCOPES = {
  commands: '/build',
  'app_mentions:read': '@nightshift in a channel',
  'chat:write': 'status cards, thread replies, chat.update, ephemeral answers',
  'im:history': 'requests in a DM',
  'im:read': 'DM channel info',
  'im:write': 'conversations.open to DM the owner',
  'channels:history': 'thread replies that clarify a task, public channels',
  'groups:history': 'thread replies that clarify a task, private channels',
} as const;

/** Bot events the adapter listens to, with the scope each one needs. */
const REQUIRED_BOT_EVENTS = {
  app_mention: 'app_mentions:read',
  'message.im': 'im:history',
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
} as const;

interface Manifest {
  display_information: { name: string; description?: string };
  features?: {
    app_home?: { messages_tab_enabled?: boolean; messages_tab_read_only_enabled?: boolean };
    bot_user?: { display_name: string; always_online?: boolean };
    slash_commands?: { command: string; description: string; usage_hint?: string; should_escape?: boolean; url?: string }[];
  };
  oauth_config?: { scopes?: { bot?: string[] } };
  settings?: {
    event_subscriptions?: { bot_events?: string[]; request_url?: string };
    interactivity?: { is_enabled: boolean; request_url?: string };
    org_deploy_enabled?: boolean;
    socket_mode_enabled?: boolean;
  };
}

function manifestValidator(): ValidateFunction {
  // The schema declares draft-07, Ajv 8's default draft. It also uses two keywords of Slack's own:
  // `_note` (a comment) and `regex` (background_color's pattern, enforced here as Slack means it),
  // and the `uri` format, which Ajv only knows with ajv-formats.
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  ajv.addKeyword({ keyword: '_note', schemaType: 'string' });
  ajv.addKeyword({
    keyword: 'regex',
    type: 'string',
    schemaType: 'string',
    validate: (pattern: string, data: string) => new RegExp(pattern).test(data),
    errors: false,
  });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  return ajv.compile(schema);
}

const validate = manifestValidator();
const manifest = parse(manifestText) as Manifest;

describe('manifest.yml', () => {
  it("is valid against Slack's manifest schema", () => {
    const ok = validate(manifest);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator is not vacuous: it refuses an unknown key, a bad colour and a bad command', () => {
    expect(validate({ ...manifest, setings: {} })).toBe(false);
    expect(validate({ ...manifest, display_information: { ...manifest.display_information, background_color: 'navy' } })).toBe(false);
    expect(validate({ ...manifest, features: { ...manifest.features, slash_commands: [{ command: 'build', description: 'x' }] } })).toBe(false);
  });

  it('declares the /build slash command, unescaped, with a usage hint', () => {
    const commands = manifest.features?.slash_commands ?? [];
    expect(commands.map((c) => c.command)).toEqual(['/build']);
    const build = commands[0];
    expect(build?.should_escape).toBe(false);
    expect(build?.description).toBeTruthy();
    expect(build?.usage_hint).toMatch(/status/);
  });

  it('uses Socket Mode with interactivity on, and no request URLs', () => {
    expect(manifest.settings?.socket_mode_enabled).toBe(true);
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
    expect(manifest.settings?.org_deploy_enabled).toBe(false);
    expect(manifestText).not.toMatch(/^\s*(url|request_url|message_menu_options_url|redirect_urls)\s*:/m);
  });

  it('has an always-online bot user that people can DM', () => {
    expect(manifest.features?.bot_user?.display_name).toBe('nightshift');
    expect(manifest.features?.bot_user?.always_online).toBe(true);
    expect(manifest.features?.app_home?.messages_tab_enabled).toBe(true);
    expect(manifest.features?.app_home?.messages_tab_read_only_enabled).toBe(false);
  });

  it('asks for every bot scope the adapter needs', () => {
    const scopes = manifest.oauth_config?.scopes?.bot ?? [];
    const missing = Object.keys(REQUIRED_BOT_SCOPES).filter((s) => !scopes.includes(s));
    expect(missing).toEqual([]);
    expect(new Set(scopes).size).toBe(scopes.length);
  });

  it('subscribes to every bot event the adapter handles, each with its scope', () => {
    const events = manifest.settings?.event_subscriptions?.bot_events ?? [];
    const scopes = manifest.oauth_config?.scopes?.bot ?? [];
    for (const [event, scope] of Object.entries(REQUIRED_BOT_EVENTS)) {
      expect(events, event).toContain(event);
      expect(scopes, `${event} needs ${scope}`).toContain(scope);
    }
  });
});
