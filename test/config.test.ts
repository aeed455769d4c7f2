import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.ts';
import { agent } from './helpers/agents.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('config: one schema, clear errors at start', () => {
  it('dashboard: on by default on loopback; off, any free port, a token beyond loopback, clear errors otherwise', () => {
    const base = { HOME: '/home/x' };
    expect(loadConfig(base).dashboard).toEqual({ port: 7431, host: '127.0.0.1' });
    expect(loadConfig({ ...base, DASHBOARD_PORT: 'off' }).dashboard).toBeUndefined();
    expect(loadConfig({ ...base, DASHBOARD_PORT: '0', DASHBOARD_URL: 'https://ns.example.com/' }).dashboard).toEqual({ port: 0, host: '127.0.0.1', publicUrl: 'https://ns.example.com' });
    expect(problems({ ...base, DASHBOARD_PORT: 'eighty' })).toEqual(['DASHBOARD_PORT: expected a port number (0 picks a free one) or off (got "eighty")']);
    expect(problems({ ...base, DASHBOARD_HOST: '0.0.0.0' })[0]).toMatch(/^DASHBOARD_HOST: "0\.0\.0\.0" reaches beyond this machine; set DASHBOARD_TOKEN too/);
    expect(problems({ ...base, DASHBOARD_HOST: '0.0.0.0', DASHBOARD_TOKEN: 'short' })[0]).toMatch(/^DASHBOARD_TOKEN: expected at least 16 printable characters/);
    expect(loadConfig({ ...base, DASHBOARD_HOST: '0.0.0.0', DASHBOARD_TOKEN: 'a-long-enough-token-1234' }).dashboard?.token).toBe('a-long-enough-token-1234');
    expect(problems({ ...base, DASHBOARD_URL: 'ns.example.com' })[0]).toMatch(/^DASHBOARD_URL: expected the address people open the dashboard at/);
    // the token is nightshift's own: never given to a builder, even when allow-listed
    expect(problems({ ...base, BUILDER_ENV_ALLOW: 'DASHBOARD_TOKEN' })[0]).toMatch(/BUILDER_ENV_ALLOW: DASHBOARD_TOKEN cannot be passed/);
  });

  it('runs on defaults with nothing set', () => {
    const c = loadConfig({ HOME: '/home/x' });
    expect(c.home).toBe('/home/x/.nightshift');
    expect(c.policy.quietHours).toEqual({ start: 22 * 60, end: 6 * 60 });
    expect(c.policy.summaryTime).toBe(7 * 60 + 30);
    expect(c.policy.maxParallelBuilds).toBe(1);
    expect(c.policy.buildTimeoutMs).toBe(2 * 3_600_000);
    expect(c.policy.retryBackoffMs).toEqual([60_000, 300_000]);
    expect(c.builder).toEqual({ kind: 'demo', why: 'BUILDER=auto found no coding agent on PATH (looked for claude, codex, gemini, opencode, aider)' });
    expect(c).toMatchObject({ openPr: false, stallTimeoutMs: 15 * 60_000, workspaceKeep: 20 });
  });

  it('NIGHTSHIFT_HOME: blank means the default, relative is taken from the current directory', () => {
    expect(loadConfig({ HOME: '/home/x', NIGHTSHIFT_HOME: '  ' }).home).toBe('/home/x/.nightshift');
    expect(loadConfig({ HOME: '/home/x', NIGHTSHIFT_HOME: 'state' }).home).toBe(resolve('state'));
    expect(loadConfig({ HOME: '/home/x', NIGHTSHIFT_HOME: '/srv/nightshift' }).home).toBe('/srv/nightshift');
  });

  it.each([
    ['OWNER_TZ', 'Mars/Olympus', /OWNER_TZ: expected an IANA time zone .* \(got "Mars\/Olympus"\)/],
    ['QUIET_HOURS', '10pm-6am', /QUIET_HOURS: .*expected HH:MM-HH:MM, like 22:00-06:00/],
    ['SUMMARY_TIME', '25:00', /SUMMARY_TIME: .*expected HH:MM/],
    ['MAX_PARALLEL_BUILDS', '0', /MAX_PARALLEL_BUILDS: expected a whole number from 1 to 32 \(got "0"\)/],
    ['MAX_ATTEMPTS', 'three', /MAX_ATTEMPTS: expected a whole number/],
    ['BUILD_TIMEOUT', 'forever', /BUILD_TIMEOUT: expected a duration like 90s, 15m or 2h \(got "forever"\)/],
    ['RETRY_BACKOFF', '1m,soon', /RETRY_BACKOFF: expected durations separated by commas/],
    ['BUILD_TIMEOUT', '30d', /BUILD_TIMEOUT: at most 24 days \(got "30d"\)/],
    ['BUILDER', 'claude-ish', /BUILDER: expected auto, demo, claude, codex, gemini, opencode, aider, custom, or the path of an executable \(got "claude-ish"\)/],
    ['BUILDER', 'claude', /BUILDER=claude: "claude" is not on PATH; install it, or set BUILDER to another agent/],
    ['BUILDER', 'custom', /BUILDER=custom needs BUILDER_COMMAND, a JSON array/],
    ['BUILDER_COMMAND', 'my-agent --fast', /BUILDER_COMMAND: expected a JSON array of strings/],
    ['OPEN_PR', 'maybe', /OPEN_PR: expected true or false \(got "maybe"\)/],
    ['PROMPT_TEMPLATE', '/no/such/template.md', /PROMPT_TEMPLATE: cannot read "\/no\/such\/template.md"/],
    ['STALL_TIMEOUT', 'never', /STALL_TIMEOUT: expected a duration/],
    ['BUILDER', '/no/such/agent', /BUILDER: "\/no\/such\/agent" is not an executable file/],
    ['BUILDER_ENV_ALLOW', 'SLACK_BOT_TOKEN', /BUILDER_ENV_ALLOW: SLACK_BOT_TOKEN cannot be passed to builders/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of debug, info, warn, error/],
  ])('%s=%s fails naming the variable and what it expects', (name, value, message) => {
    const found = problems({ [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('refuses an agent that will not run as root, unless the machine is declared a sandbox', () => {
    const fakes = new URL('./fixtures/fake-clis', import.meta.url).pathname;
    const env = { PATH: fakes, BUILDER: 'claude' };
    expect(() => loadConfig(env, 0)).toThrow(/BUILDER=claude: Claude Code will not run unattended as root .* set AGENT_SANDBOXED=true/);
    expect(() => loadConfig({ ...env, BUILDER: 'auto' }, 0)).toThrow(/BUILDER=auto chose claude/);
    const sandboxed = loadConfig({ ...env, AGENT_SANDBOXED: 'true' }, 0);
    expect(sandboxed.builderEnv.IS_SANDBOX).toBe('1');
    expect(loadConfig(env, 1000).builderEnv.IS_SANDBOX).toBeUndefined();
  });

  it('checks the model name the agent needs at start', () => {
    const fakes = new URL('./fixtures/fake-clis', import.meta.url).pathname;
    expect(() => loadConfig({ PATH: fakes, BUILDER: 'opencode', BUILDER_MODEL: 'sonnet' }, 1000)).toThrow(/BUILDER_MODEL: .*provider\/model/);
    expect(loadConfig({ PATH: fakes, BUILDER: 'opencode', BUILDER_MODEL: 'anthropic/claude-sonnet-4-5' }, 1000).builderModel).toBe('anthropic/claude-sonnet-4-5');
  });

  it('Slack: Socket Mode with both tokens, HTTP mode with a signing secret, clear errors otherwise', () => {
    const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_OWNER_ID: 'U0OWNER' };
    expect(loadConfig({}).slack).toBeUndefined();
    expect(loadConfig({ ...base, SLACK_APP_TOKEN: 'xapp-1' }).slack).toMatchObject({ mode: 'socket', ownerId: 'U0OWNER', port: 3000 });
    expect(loadConfig({ ...base, SLACK_SIGNING_SECRET: 'shh', SLACK_PORT: '3999' }).slack).toMatchObject({ mode: 'http', port: 3999 });
    expect(problems(base)).toEqual(['SLACK_APP_TOKEN: set it for Socket Mode (recommended), or SLACK_SIGNING_SECRET for HTTP mode']);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })[0]).toMatch(/^SLACK_OWNER_ID: expected the owner's Slack member id/);
    expect(problems({ ...base, SLACK_APP_TOKEN: 'xoxb-wrong' })[0]).toMatch(/^SLACK_APP_TOKEN: expected an app-level token \(xapp-/);
    expect(problems({ ...base, SLACK_APP_TOKEN: 'xapp-1', SLACK_APPROVERS: 'alice' })[0]).toMatch(/alice are not Slack member ids/);
    expect(problems({ ...base, SLACK_APP_TOKEN: 'xapp-1', SLACK_API_URL: 'http://127.0.0.1:9/api' })[0]).toMatch(/SLACK_API_URL: expected a URL ending in \//);
  });

  it('Discord: token, channel and owner required; ids and the API URL checked, each error naming its variable', () => {
    const token = 'MTAwMDAwMDAwMDAwMDAwMDAy.GabcdE.abcdefghijklmnopqrstuvwxyz0123456789AB';
    const base = { DISCORD_TOKEN: token, DISCORD_CHANNEL: '300000000000000001', DISCORD_OWNER_ID: '400000000000000001' };
    expect(loadConfig({}).discord).toBeUndefined();
    expect(loadConfig({ ...base, DISCORD_GUILD_ID: '200000000000000001', DISCORD_APPROVERS: '400000000000000002', DISCORD_API_URL: 'http://127.0.0.1:9/api' }).discord).toEqual({
      token, guildId: '200000000000000001', channel: '300000000000000001', ownerId: '400000000000000001', approvers: ['400000000000000002'], allowedUsers: [], apiUrl: 'http://127.0.0.1:9/api',
    });
    expect(problems({ DISCORD_TOKEN: token })).toEqual([
      expect.stringMatching(/^DISCORD_CHANNEL: expected the id of the text channel/),
      expect.stringMatching(/^DISCORD_OWNER_ID: expected the owner's user id/),
    ]);
    expect(problems({ ...base, DISCORD_TOKEN: `Bot ${token}` })[0]).toMatch(/^DISCORD_TOKEN: expected the bot token .*without "Bot "/);
    expect(problems({ ...base, DISCORD_OWNER_ID: '@alice' })[0]).toMatch(/^DISCORD_OWNER_ID: .*\(got "@alice"\)/);
    expect(problems({ ...base, DISCORD_ALLOWED_USERS: '*,bob' })[0]).toMatch(/bob are not Discord user ids/);
    expect(problems({ ...base, DISCORD_API_URL: 'https://discord.com/api/v10' })[0]).toMatch(/^DISCORD_API_URL: expected the API base without a version/);
    expect(problems({ DISCORD_CHANNEL: '300000000000000001' })[0]).toMatch(/^DISCORD_TOKEN: expected the bot token .* because DISCORD_CHANNEL is set/);
  });

  it('team mode: where builds run, each choice but local needing DATABASE_URL; the worker settings checked', () => {
    const base = { HOME: '/home/x' };
    const db = 'postgres://ns:pw@db.internal/ns';
    expect(loadConfig(base).team.buildOn).toBe('local');
    expect(loadConfig({ ...base, DATABASE_URL: db, BUILD_ON: 'both', WORKER_SLOTS: '3', WORKER_LABELS: 'linux, gpu' }).team).toEqual({ buildOn: 'both', workerSlots: 3, workerLabels: ['linux', 'gpu'], workerTimeoutMs: 30_000 });
    expect(problems({ ...base, BUILD_ON: 'both' })).toEqual(['BUILD_ON=both: the workers take builds from the database; set DATABASE_URL (postgres://…) too']);
    expect(problems({ ...base, BUILD_ON: 'workers' })).toEqual(['BUILD_ON=workers: the workers take builds from the database; set DATABASE_URL (postgres://…) too']);
    expect(problems({ ...base, BUILD_ON: 'cloud' })[0]).toMatch(/^BUILD_ON: expected local \(builds run here\), workers .* or both \(this machine is one of the workers too\)/);
  });

  it('reports every wrong value at once', () => {
    expect(problems({ OWNER_TZ: 'nowhere', MAX_ATTEMPTS: '0' })).toHaveLength(2);
  });

  it('accepts an executable as the builder, and passes only allow-listed variables to it', () => {
    const c = loadConfig({ BUILDER: agent('succeed'), PATH: '/bin', ANTHROPIC_API_KEY: 'sk-1', BUILDER_ENV_ALLOW: 'ANTHROPIC_API_KEY', SLACK_BOT_TOKEN: 'xoxb-secret-value', SLACK_APP_TOKEN: 'xapp-1-secret', SLACK_OWNER_ID: 'U0OWNER' });
    expect(c.builder).toEqual({ kind: 'custom', argv: [agent('succeed')] });
    expect(c.builderEnv).toEqual({ PATH: '/bin', ANTHROPIC_API_KEY: 'sk-1' });
    expect(c.secrets).toContain('xoxb-secret-value');
  });

  it('.env.example documents every variable, each with a comment', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const lines = example.split('\n');
    for (const name of CONFIG_VARIABLES) {
      const i = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(i, `${name} is missing from .env.example`).toBeGreaterThan(0);
      expect(lines.slice(0, i).reverse().find((l) => !/^[A-Z_]+=/.test(l))?.startsWith('#'), `${name} needs a comment`).toBe(true);
    }
  });
});
