// The one reader of the environment. Every setting is validated here, at start, by one zod schema;
// a wrong value fails with a message naming the variable, the value and what was expected.
// Every variable is listed in .env.example with its default and unit.
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration } from './core/durations.ts';
import { dataHome } from './home.ts';
import { secretValues } from './secret-values.ts';
import { AGENT_PRESETS, checkPromptTemplate } from './builders/presets/index.ts';
import { AGENT_NAMES } from './builders/presets/preset.ts';
import { MIN_LOG_MAX_BYTES } from './builders/attempt-log.ts';
import { parseByteSize } from './builders/byte-size.ts';
import { resolveBuilder, type BuilderChoice } from './builders/resolve-builder.ts';
import { defaultPolicy, type Policy } from './core/policy.ts';
import { parseQuietHours, parseTimeOfDay, type ParseResult } from './core/time-of-day.ts';


/** Variables of the builder's environment that pass through by default: nothing secret. */
export const DEFAULT_ENV_ALLOW = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TMPDIR', 'TZ'];
/** nightshift's own secrets: never passed to a builder, even if someone allow-lists them. */
const NEVER_PASS = /^(SLACK_|DISCORD_|NIGHTSHIFT_|DASHBOARD_)/;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Where the dashboard listens unless DASHBOARD_PORT says otherwise. */
export const DEFAULT_DASHBOARD_PORT = 7431;

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Node's timers overflow past 2^31-1 ms (~24.8 days) and fire at once: longer is refused. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A setting that can be switched off: "off" is null, anything else a duration of at least a minute (and at most `max`). */
const durationOrOff = (name: string, fallback: string, expected: string, max = Number.POSITIVE_INFINITY) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      if (v.trim().toLowerCase() === 'off') return null;
      const ms = parseDuration(v);
      if (ms === null || ms < 60_000 || ms > max) {
        ctx.addIssue({ code: 'custom', message: `${name}: expected ${expected}, or "off" (got "${v}")` });
        return z.NEVER;
      }
      return ms;
    });

const duration = (name: string, fallback: string, min = 1) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === null || ms < min) {
        ctx.addIssue({ code: 'custom', message: `${name}: expected a duration like 90s, 15m or 2h (got "${v}")` });
        return z.NEVER;
      }
      if (ms > MAX_TIMER_MS) {
        ctx.addIssue({ code: 'custom', message: `${name}: at most 24 days (got "${v}")` });
        return z.NEVER;
      }
      return ms;
    });

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      const n = Number(v);
      if (!/^\d+$/.test(v.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name}: expected a whole number from ${min} to ${max} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

/** A variable read by one of the core's parsers, whose error already says what was expected. */
const parsedBy = <T>(name: string, fallback: string, parse: (v: string) => ParseResult<T>) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const r = parse(v);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: `${name}: ${r.error}` });
        return z.NEVER;
      }
      return r.value;
    });

const boolean = (name: string, fallback: boolean) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      const t = v.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      ctx.addIssue({ code: 'custom', message: `${name}: expected true or false (got "${v}")` });
      return z.NEVER;
    });

/** An argv as a JSON array of strings: never split by a shell. */
const jsonArgv = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        parsed = null;
      }
      if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
        ctx.addIssue({ code: 'custom', message: `${name}: expected a JSON array of strings, like ["my-agent", "--fast"] (got ${JSON.stringify(v)})` });
        return z.NEVER;
      }
      return parsed as string[];
    });

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}

const EnvSchema = z.object({
  NIGHTSHIFT_HOME: z.string().optional(),
  OWNER_TZ: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const machine = Intl.DateTimeFormat().resolvedOptions().timeZone;
      // A machine with no usable zone (TZ set but empty gives "Etc/Unknown") falls back to UTC.
      const tz = v?.trim() || (machine && isTimeZone(machine) && machine !== 'Etc/Unknown' ? machine : 'UTC');
      if (!isTimeZone(tz)) {
        ctx.addIssue({ code: 'custom', message: `OWNER_TZ: expected an IANA time zone like Europe/London or America/Chicago (got "${tz}")` });
        return z.NEVER;
      }
      return tz;
    }),
  QUIET_HOURS: parsedBy('QUIET_HOURS', '22:00-06:00', parseQuietHours),
  SUMMARY_TIME: parsedBy('SUMMARY_TIME', '07:30', parseTimeOfDay),
  MAX_PARALLEL_BUILDS: integer('MAX_PARALLEL_BUILDS', 1, 1, 32),
  MAX_ATTEMPTS: integer('MAX_ATTEMPTS', 3, 1, 20),
  RETRY_BACKOFF: z
    .string()
    .default('1m,5m')
    .transform((v, ctx) => {
      const parts = list(v).map((part) => parseDuration(part));
      if (parts.length === 0 || parts.some((p) => p === null || p > MAX_TIMER_MS)) {
        ctx.addIssue({ code: 'custom', message: `RETRY_BACKOFF: expected durations separated by commas, like 1m,5m (got "${v}")` });
        return z.NEVER;
      }
      return parts as number[];
    }),
  BUILD_TIMEOUT: duration('BUILD_TIMEOUT', '2h', 1_000),
  TICK_INTERVAL: duration('TICK_INTERVAL', '60s', 100),
  SHUTDOWN_GRACE: duration('SHUTDOWN_GRACE', '30s', 0),
  DEFAULT_ESTIMATE: duration('DEFAULT_ESTIMATE', '1h', 1_000),
  DEMO_BUILD_STEP: duration('DEMO_BUILD_STEP', '600ms', 1),
  BUILDER: z.string().default('auto'),
  FALLBACK_BUILDER: z.string().optional(),
  BUILDER_COMMAND: jsonArgv('BUILDER_COMMAND'),
  BUILDER_ARGS: jsonArgv('BUILDER_ARGS'),
  BUILDER_MODEL: z.string().optional(),
  PROMPT_TEMPLATE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      let text: string;
      try {
        text = readFileSync(resolve(v), 'utf8');
      } catch {
        ctx.addIssue({ code: 'custom', message: `PROMPT_TEMPLATE: cannot read "${v}" (expected the path of a prompt template file)` });
        return z.NEVER;
      }
      try {
        checkPromptTemplate(text);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `PROMPT_TEMPLATE: ${e instanceof Error ? e.message : String(e)}` });
        return z.NEVER;
      }
      return text;
    }),
  BUILD_REPO: z.string().optional().transform((v) => (v === undefined ? undefined : resolve(v))),
  PROJECTS_FILE: z.string().optional().transform((v) => (v === undefined ? undefined : resolve(v))),
  BUILD_ON: z
    .enum(['local', 'workers', 'both'], {
      message: 'expected local (builds run here), workers (builds run on `nightshift worker` machines; needs DATABASE_URL) or both (this machine is one of the workers too)',
    })
    .default('local'),
  WORKER_SLOTS: integer('WORKER_SLOTS', 1, 1, 64),
  WORKER_LABELS: z.string().optional().transform(list),
  WORKER_TIMEOUT: duration('WORKER_TIMEOUT', '30s', 1_000),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (!/^postgres(?:ql)?:\/\/[^\s]+$/.test(v.trim())) {
        // The value may hold a password: it is described, not repeated.
        ctx.addIssue({ code: 'custom', message: `DATABASE_URL: expected a PostgreSQL URL like postgres://user:password@host:5432/nightshift (got a value starting "${v.trim().slice(0, 11).replace(/:[^/]*$/, ':')}…")` });
        return z.NEVER;
      }
      return v.trim();
    }),
  BUILD_CHECK: jsonArgv('BUILD_CHECK'),
  BUILD_CHECK_TIMEOUT: duration('BUILD_CHECK_TIMEOUT', '15m', 1_000),
  OPEN_PR: boolean('OPEN_PR', false),
  AGENT_SANDBOXED: boolean('AGENT_SANDBOXED', false),
  STALL_TIMEOUT: duration('STALL_TIMEOUT', '15m', 1_000),
  RESUME_MAX_AGE: durationOrOff('RESUME_MAX_AGE', '6h', 'a duration of at least 1m like 6h'),
  APPROVAL_REMINDER: durationOrOff('APPROVAL_REMINDER', '2h', 'a duration from 1m to 24 days like 2h', MAX_TIMER_MS),
  WORKSPACE_KEEP: integer('WORKSPACE_KEEP', 20, 0, 10_000),
  LOG_MAX_BYTES: z
    .string()
    .default('8MiB')
    .transform((v, ctx) => {
      const bytes = parseByteSize(v);
      if (bytes === null || bytes < MIN_LOG_MAX_BYTES) {
        ctx.addIssue({ code: 'custom', message: `LOG_MAX_BYTES: expected a size of at least 64KiB, like 8MiB, 512KiB or a number of bytes (got "${v}")` });
        return z.NEVER;
      }
      return bytes;
    }),
  BUILDER_ENV_ALLOW: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const names = list(v);
      const bad = names.filter((n) => NEVER_PASS.test(n) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `BUILDER_ENV_ALLOW: ${bad.join(', ')} cannot be passed to builders (nightshift's own secrets and invalid names are refused)`,
        });
        return z.NEVER;
      }
      return names;
    }),
  SAFETY_EXTRA_DESTRUCTIVE: z.string().optional().transform(list),
  SAFETY_EXTRA_EXTERNAL: z.string().optional().transform(list),
  SAFETY_EXTRA_BLOCKERS: z.string().optional().transform(list),
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_PORT: integer('SLACK_PORT', 3000, 1, 65_535),
  SLACK_API_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (!/^https?:\/\/[^\s]+\/$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `SLACK_API_URL: expected a URL ending in /, like https://slack.com/api/ (got "${v}")` });
        return z.NEVER;
      }
      return v;
    }),
  SLACK_OWNER_ID: z.string().optional(),
  SLACK_APPROVERS: z.string().optional().transform(list),
  SLACK_ALLOWED_USERS: z.string().optional().transform(list),
  SLACK_SUMMARY_CHANNEL: z.string().optional(),
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_APP_ID: z.string().optional(),
  DISCORD_GUILD_ID: z.string().optional(),
  DISCORD_CHANNEL: z.string().optional(),
  DISCORD_OWNER_ID: z.string().optional(),
  DISCORD_APPROVERS: z.string().optional().transform(list),
  DISCORD_ALLOWED_USERS: z.string().optional().transform(list),
  DISCORD_API_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      // discord.js appends /v10 itself: a URL that already has a version would become /v10/v10.
      if (!/^https?:\/\/[^\s]+\/api$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `DISCORD_API_URL: expected the API base without a version or trailing slash, like https://discord.com/api (got "${v}")` });
        return z.NEVER;
      }
      return v;
    }),
  DASHBOARD_PORT: z
    .string()
    .default(String(DEFAULT_DASHBOARD_PORT))
    .transform((v, ctx) => {
      const t = v.trim().toLowerCase();
      if (t === 'off') return null;
      const n = Number(t);
      if (!/^\d+$/.test(t) || n > 65_535) {
        ctx.addIssue({ code: 'custom', message: `DASHBOARD_PORT: expected a port number (0 picks a free one) or off (got "${v}")` });
        return z.NEVER;
      }
      return n;
    }),
  DASHBOARD_HOST: z.string().default('127.0.0.1'),
  DASHBOARD_TOKEN: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^[\x21-\x7e]{16,}$/.test(v), { message: 'DASHBOARD_TOKEN: expected at least 16 printable characters without spaces (e.g. the output of `openssl rand -hex 24`)' }),
  DASHBOARD_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `DASHBOARD_URL: expected the address people open the dashboard at, like https://nightshift.example.com (got "${v}")` });
        return z.NEVER;
      }
      return v.replace(/\/+$/, '');
    }),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: (i) => `LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')} (got "${String(i.input)}")` }).default('info'),
});

export interface DashboardConfig {
  /** 0: a free port, chosen when it starts. */
  port: number;
  host: string;
  /** Required on any host but loopback; with it, every request must carry it. */
  token?: string;
  /** The base of the links in chat (DASHBOARD_URL); unset: the address it listens on. */
  publicUrl?: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function dashboardSettings(e: z.infer<typeof EnvSchema>): DashboardConfig | string[] | undefined {
  if (e.DASHBOARD_PORT === null) return undefined;
  const host = e.DASHBOARD_HOST.trim();
  if (!LOOPBACK.test(host) && !e.DASHBOARD_TOKEN) {
    return [`DASHBOARD_HOST: "${host}" reaches beyond this machine; set DASHBOARD_TOKEN too (every request must then carry it), or keep the default 127.0.0.1`];
  }
  return { port: e.DASHBOARD_PORT, host, ...(e.DASHBOARD_TOKEN ? { token: e.DASHBOARD_TOKEN } : {}), ...(e.DASHBOARD_URL ? { publicUrl: e.DASHBOARD_URL } : {}) };
}

/** Every environment variable nightshift reads. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);

export interface SlackConfig {
  mode: 'socket' | 'http';
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  port: number;
  /** The Web API (and through apps.connections.open, Socket Mode) base URL; Slack's by default. */
  apiUrl?: string;
  ownerId: string;
  approvers: string[];
  /** Who may request builds besides the owner and approvers; `*`: everyone in the workspace. */
  allowedUsers: string[];
  summaryChannel?: string;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** The Slack adapter's settings, or why they do not work; undefined when Slack is not configured. */
function slackSettings(e: z.infer<typeof EnvSchema>): SlackConfig | string[] | undefined {
  const any = e.SLACK_BOT_TOKEN ?? e.SLACK_APP_TOKEN ?? e.SLACK_SIGNING_SECRET;
  if (any === undefined) return undefined;
  const problems: string[] = [];
  if (!e.SLACK_BOT_TOKEN?.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN: expected the bot token (xoxb-...) from OAuth & Permissions');
  if (e.SLACK_APP_TOKEN !== undefined && !e.SLACK_APP_TOKEN.startsWith('xapp-')) problems.push('SLACK_APP_TOKEN: expected an app-level token (xapp-...) with connections:write, for Socket Mode');
  if (e.SLACK_APP_TOKEN === undefined && e.SLACK_SIGNING_SECRET === undefined) {
    problems.push('SLACK_APP_TOKEN: set it for Socket Mode (recommended), or SLACK_SIGNING_SECRET for HTTP mode');
  }
  if (!e.SLACK_OWNER_ID || !SLACK_USER_ID.test(e.SLACK_OWNER_ID)) problems.push('SLACK_OWNER_ID: expected the owner\'s Slack member id, like U012AB3CD (profile → ⋮ → Copy member ID)');
  const badIds = [...e.SLACK_APPROVERS, ...e.SLACK_ALLOWED_USERS].filter((id) => id !== '*' && !SLACK_USER_ID.test(id));
  if (badIds.length) problems.push(`SLACK_APPROVERS / SLACK_ALLOWED_USERS: ${badIds.join(', ')} are not Slack member ids (like U012AB3CD)`);
  if (problems.length) return problems;
  return {
    mode: e.SLACK_APP_TOKEN ? 'socket' : 'http',
    botToken: e.SLACK_BOT_TOKEN as string,
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
    port: e.SLACK_PORT,
    ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
    ownerId: e.SLACK_OWNER_ID as string,
    approvers: e.SLACK_APPROVERS,
    allowedUsers: e.SLACK_ALLOWED_USERS,
    ...(e.SLACK_SUMMARY_CHANNEL ? { summaryChannel: e.SLACK_SUMMARY_CHANNEL } : {}),
  };
}

export interface DiscordConfig {
  token: string;
  /** The application id (for the invite link); checked against the one Discord reports at login. */
  appId?: string;
  /** Commands are registered to this guild at start (instantly visible); unset: globally. */
  guildId?: string;
  /** Where task threads and the morning summary go. */
  channel: string;
  ownerId: string;
  approvers: string[];
  /** Who may request builds besides the owner and approvers; `*`: everyone who can reach the bot. */
  allowedUsers: string[];
  /** REST base without the version (and through /gateway/bot, the gateway); Discord's by default. */
  apiUrl?: string;
}

const SNOWFLAKE = /^\d{17,20}$/;

/** The Discord adapter's settings, or why they do not work; undefined when Discord is not configured. */
function discordSettings(e: z.infer<typeof EnvSchema>): DiscordConfig | string[] | undefined {
  if (e.DISCORD_TOKEN === undefined) {
    const stray = (['DISCORD_APP_ID', 'DISCORD_GUILD_ID', 'DISCORD_CHANNEL', 'DISCORD_OWNER_ID'] as const).filter((k) => e[k] !== undefined);
    return stray.length ? [`DISCORD_TOKEN: expected the bot token (Developer Portal → your app → Bot → Reset Token) because ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set`] : undefined;
  }
  const problems: string[] = [];
  // A bot token is three dot-separated base64url parts; "Bot xyz" or a client secret is a common paste mistake.
  if (!/^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/.test(e.DISCORD_TOKEN)) problems.push('DISCORD_TOKEN: expected the bot token (three parts separated by dots, without "Bot "), from Developer Portal → Bot → Reset Token');
  const id = (name: 'DISCORD_APP_ID' | 'DISCORD_GUILD_ID' | 'DISCORD_CHANNEL' | 'DISCORD_OWNER_ID', what: string, required: boolean) => {
    const v = e[name];
    if (v === undefined ? required : !SNOWFLAKE.test(v)) problems.push(`${name}: expected ${what}, a numeric id like 123456789012345678 (Discord → Settings → Advanced → Developer Mode, then right-click → Copy ID)${v === undefined ? '' : ` (got "${v}")`}`);
  };
  id('DISCORD_APP_ID', "the application id (Developer Portal → General Information)", false);
  id('DISCORD_GUILD_ID', 'the server (guild) id', false);
  id('DISCORD_CHANNEL', 'the id of the text channel for task threads and the morning summary', true);
  id('DISCORD_OWNER_ID', "the owner's user id", true);
  const badIds = [...e.DISCORD_APPROVERS, ...e.DISCORD_ALLOWED_USERS].filter((v) => v !== '*' && !SNOWFLAKE.test(v));
  if (badIds.length) problems.push(`DISCORD_APPROVERS / DISCORD_ALLOWED_USERS: ${badIds.join(', ')} are not Discord user ids (numbers like 123456789012345678)`);
  if (problems.length) return problems;
  return {
    token: e.DISCORD_TOKEN,
    ...(e.DISCORD_APP_ID ? { appId: e.DISCORD_APP_ID } : {}),
    ...(e.DISCORD_GUILD_ID ? { guildId: e.DISCORD_GUILD_ID } : {}),
    channel: e.DISCORD_CHANNEL as string,
    ownerId: e.DISCORD_OWNER_ID as string,
    approvers: e.DISCORD_APPROVERS,
    allowedUsers: e.DISCORD_ALLOWED_USERS,
    ...(e.DISCORD_API_URL ? { apiUrl: e.DISCORD_API_URL } : {}),
  };
}

export interface Config {
  home: string;
  /** Set when Slack tokens are configured. */
  slack?: SlackConfig;
  /** Set unless DASHBOARD_PORT=off. */
  dashboard?: DashboardConfig;
  /** Set when DISCORD_TOKEN is configured. */
  discord?: DiscordConfig;
  policy: Policy;
  builder: BuilderChoice;
  /** FALLBACK_BUILDER: the agent that takes over a task whose builder hit its usage limit, with its own environment. */
  fallbackBuilder?: { choice: BuilderChoice; env: Record<string, string> };
  builderModel?: string;
  builderArgs?: string[];
  /** The prompt template's text (PROMPT_TEMPLATE), already checked. */
  promptTemplate?: string;
  /** BUILD_REPO, absolute; unset: a fresh repository under NIGHTSHIFT_HOME. */
  buildRepo?: string;
  /** BUILD_CHECK: the project's own check after the agent finishes; unset: "no checks configured". */
  check?: { argv: string[]; timeoutMs: number };
  /** BUILD_CHECK_TIMEOUT: also the check's timeout in PROJECTS_FILE projects that give none. */
  checkTimeoutMs: number;
  /** PROJECTS_FILE, absolute: the repositories nightshift may build in (read by src/projects). */
  projectsFile?: string;
  /** DATABASE_URL: the tasks live in PostgreSQL instead of NIGHTSHIFT_HOME's lowdb store. */
  databaseUrl?: string;
  /** Team mode: where builds run, and a worker's capacity, labels and how long silence means dead. */
  team: { buildOn: 'local' | 'workers' | 'both'; workerSlots: number; workerLabels: string[]; workerTimeoutMs: number };
  openPr: boolean;
  stallTimeoutMs: number;
  workspaceKeep: number;
  /** LOG_MAX_BYTES, in bytes: an attempt's log files never hold more (the head and a rotating tail). */
  logMaxBytes: number;
  /** The environment builders receive: the allow-list applied to this process's environment. */
  builderEnv: Record<string, string>;
  shutdownGraceMs: number;
  demoStepMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Values that must never appear in a log line or chat message. */
  secrets: string[];
  /**
   * The environment of nightshift's own git and gh calls (worktrees, pushes, pull requests): the
   * builder's, plus what pushing and gh need. Never the chat tokens.
   */
  toolEnv: Record<string, string>;
}

/** Passed to nightshift's own git and gh calls (not to builders): pushing and opening pull requests. */
const TOOL_ENV_ALLOW = ['GH_TOKEN', 'GITHUB_TOKEN', 'GH_HOST', 'GH_CONFIG_DIR', 'SSH_AUTH_SOCK', 'GIT_SSH_COMMAND', 'XDG_CONFIG_HOME'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`nightshift cannot start; fix these settings (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, as they do in most .env files. */
function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

/** FALLBACK_BUILDER: an agent (or executable) other than BUILDER; auto and demo mean nothing here. */
function fallbackChoice(value: string, primary: BuilderChoice, req: { command: string[] | undefined; pathEnv: string; uid: number | undefined; sandboxed: boolean }): BuilderChoice {
  const v = value.trim();
  if (v === 'auto' || v === 'demo') throw new ConfigError([`FALLBACK_BUILDER: expected an agent (${AGENT_NAMES.join(', ')}) or the path of an executable, other than BUILDER (got "${v}")`]);
  const r = resolveBuilder({ builder: v, ...(req.command ? { command: req.command } : {}), pathEnv: req.pathEnv, ...(req.uid !== undefined ? { uid: req.uid } : {}), sandboxed: req.sandboxed });
  if (!r.ok) throw new ConfigError([r.problem.replace(/^BUILDER/, 'FALLBACK_BUILDER')]);
  const same = (a: BuilderChoice, b: BuilderChoice) => (a.kind === 'agent' && b.kind === 'agent' ? a.preset === b.preset : a.kind === 'custom' && b.kind === 'custom' ? a.argv.join(' ') === b.argv.join(' ') : false);
  if (same(r.choice, primary)) throw new ConfigError([`FALLBACK_BUILDER: "${v}" is BUILDER itself; name another agent to take over when BUILDER hits its usage limit`]);
  return r.choice;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): Config {
  const parsed = EnvSchema.safeParse(withoutBlanks(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => (i.code === 'custom' ? i.message : `${i.path.join('.')}: ${i.message}`)));
  }
  const e = parsed.data;
  const resolved = resolveBuilder({
    builder: e.BUILDER,
    ...(e.BUILDER_COMMAND ? { command: e.BUILDER_COMMAND } : {}),
    pathEnv: env.PATH ?? '',
    ...(uid !== undefined ? { uid } : {}),
    sandboxed: e.AGENT_SANDBOXED,
  });
  if (!resolved.ok) throw new ConfigError([resolved.problem]);
  if (e.BUILD_ON !== 'local' && !e.DATABASE_URL) throw new ConfigError([`BUILD_ON=${e.BUILD_ON}: the workers take builds from the database; set DATABASE_URL (postgres://…) too`]);
  if (e.PROJECTS_FILE) {
    const both = [e.BUILD_REPO ? 'BUILD_REPO' : null, e.BUILD_CHECK ? 'BUILD_CHECK' : null].filter((n) => n !== null);
    if (both.length) throw new ConfigError([`PROJECTS_FILE is set, and so is ${both.join(' and ')}: with a projects file, each project names its repo and check there; unset ${both.join(' and ')}`]);
  }
  const builder = resolved.choice;
  const slack = slackSettings(e);
  const discord = discordSettings(e);
  const dashboard = dashboardSettings(e);
  if (Array.isArray(slack) || Array.isArray(discord) || Array.isArray(dashboard)) {
    throw new ConfigError([slack, discord, dashboard].flatMap((x) => (Array.isArray(x) ? x : [])));
  }
  const home = dataHome(env);
  // An agent preset brings the names of its own credentials and settings (ANTHROPIC_API_KEY,
  // AIDER_*): the agent cannot work without them. nightshift's own secrets are never passed, and
  // one agent's credentials are not given to another (the fallback builder has its own).
  const envFor = (choice: BuilderChoice): Record<string, string> => {
    const preset = choice.kind === 'agent' ? AGENT_PRESETS.find((p) => p.name === choice.preset) : undefined;
    const allow = new Set([...DEFAULT_ENV_ALLOW, ...(e.BUILDER_ENV_ALLOW ?? []), ...(preset?.authEnv ?? [])]);
    const prefixes = preset?.authEnvPrefixes ?? [];
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(env)) {
      if (v === undefined || NEVER_PASS.test(name)) continue;
      if (allow.has(name) || prefixes.some((p) => name.startsWith(p))) out[name] = v;
    }
    if (choice.kind === 'agent' && uid === 0 && e.AGENT_SANDBOXED && preset?.whenRoot) Object.assign(out, preset.whenRoot.env);
    return out;
  };
  const preset = builder.kind === 'agent' ? AGENT_PRESETS.find((p) => p.name === builder.preset) : undefined;
  const builderEnv = envFor(builder);
  const fallback = e.FALLBACK_BUILDER ? fallbackChoice(e.FALLBACK_BUILDER, builder, { command: e.BUILDER_COMMAND, pathEnv: env.PATH ?? '', uid, sandboxed: e.AGENT_SANDBOXED }) : undefined;
  const modelProblem = e.BUILDER_MODEL && preset?.checkModel ? preset.checkModel(e.BUILDER_MODEL) : null;
  if (modelProblem) throw new ConfigError([`BUILDER_MODEL: ${modelProblem}`]);
  const toolEnv: Record<string, string> = { ...builderEnv };
  for (const name of TOOL_ENV_ALLOW) if (env[name] !== undefined) toolEnv[name] = env[name] as string;
  // Anything that looks like a credential is redacted from logs, replies and announcements, and so
  // is a password inside any URL value, on its own too: an agent may print it apart from its URL.
  const secrets = secretValues(env);
  return {
    home,
    ...(slack ? { slack } : {}),
    ...(discord ? { discord } : {}),
    ...(dashboard ? { dashboard } : {}),
    policy: defaultPolicy({
      timeZone: e.OWNER_TZ,
      quietHours: e.QUIET_HOURS,
      maxParallelBuilds: e.MAX_PARALLEL_BUILDS,
      maxAttempts: e.MAX_ATTEMPTS,
      retryBackoffMs: e.RETRY_BACKOFF,
      buildTimeoutMs: e.BUILD_TIMEOUT,
      tickMs: e.TICK_INTERVAL,
      summaryTime: e.SUMMARY_TIME,
      defaultEstimateMs: e.DEFAULT_ESTIMATE,
      approvalReminderMs: e.APPROVAL_REMINDER,
      resumeMaxAgeMs: e.RESUME_MAX_AGE,
      safetyExtras: {
        destructive: e.SAFETY_EXTRA_DESTRUCTIVE,
        external: e.SAFETY_EXTRA_EXTERNAL,
        blockers: e.SAFETY_EXTRA_BLOCKERS,
      },
    }),
    builder,
    ...(fallback ? { fallbackBuilder: { choice: fallback, env: envFor(fallback) } } : {}),
    ...(e.BUILDER_MODEL ? { builderModel: e.BUILDER_MODEL } : {}),
    ...(e.BUILDER_ARGS ? { builderArgs: e.BUILDER_ARGS } : {}),
    ...(e.PROMPT_TEMPLATE ? { promptTemplate: e.PROMPT_TEMPLATE } : {}),
    ...(e.BUILD_REPO ? { buildRepo: e.BUILD_REPO } : {}),
    ...(e.BUILD_CHECK?.length ? { check: { argv: e.BUILD_CHECK, timeoutMs: e.BUILD_CHECK_TIMEOUT } } : {}),
    checkTimeoutMs: e.BUILD_CHECK_TIMEOUT,
    ...(e.PROJECTS_FILE ? { projectsFile: e.PROJECTS_FILE } : {}),
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    team: { buildOn: e.BUILD_ON, workerSlots: e.WORKER_SLOTS, workerLabels: e.WORKER_LABELS, workerTimeoutMs: e.WORKER_TIMEOUT },
    openPr: e.OPEN_PR,
    stallTimeoutMs: e.STALL_TIMEOUT,
    workspaceKeep: e.WORKSPACE_KEEP,
    logMaxBytes: e.LOG_MAX_BYTES,
    builderEnv,
    toolEnv,
    shutdownGraceMs: e.SHUTDOWN_GRACE,
    demoStepMs: e.DEMO_BUILD_STEP,
    logLevel: e.LOG_LEVEL,
    secrets,
  };
}
