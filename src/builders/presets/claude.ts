// Claude Code, headless: `claude -p --output-format stream-json --verbose` (agent-clis.md §1).
// The prompt goes on stdin (documented alongside the positional form): no argv length cap, not
// shown by `ps`, never mistaken for a flag. Success is the `result` line's is_error, not the exit code.
import { arr, compact, num, obj, opt, str, sum, type Json } from './json-line.ts';
import type { AgentEvent, AgentExit, AgentPreset, AgentStreamParser, AgentUsage, AgentVerdict, ParserOptions } from './preset.ts';
import { describeExit, ProgressEmitter, readJsonLine, TailLines } from './stream-kit.ts';
import { clip, firstLine, trimSummary } from './text.ts';
import { say, toolDescriber } from './tool-progress.ts';
import { epochToIso, UsageLimitWatch } from './usage-limit.ts';

const NAME = 'Claude Code';

export const claude: AgentPreset = {
  name: 'claude',
  binary: 'claude',
  displayName: NAME,
  authEnv: [
    'ANTHROPIC_API_KEY',
    'CLAUDE_CODE_OAUTH_TOKEN',
    'ANTHROPIC_AUTH_TOKEN',
    'ANTHROPIC_BASE_URL',
    'CLAUDE_CODE_USE_BEDROCK',
    'CLAUDE_CODE_USE_VERTEX',
    'CLAUDE_CODE_USE_FOUNDRY',
    'CLAUDE_CONFIG_DIR',
    'IS_SANDBOX',
  ],
  authEnvPrefixes: [],
  env: {},
  whenRoot: {
    env: { IS_SANDBOX: '1' },
    why: 'as uid 0 Claude Code refuses bypassPermissions unless IS_SANDBOX=1; grant it only on a disposable sandbox (container, VM)',
  },
  // nightshift names the session up front (--session-id) and a later attempt resumes it in the
  // same worktree (--resume), where Claude Code looks its sessions up (agent-clis.md §1.5).
  sessions: 'named',
  argv: ({ prompt, model, extraArgs, session }) => ({
    args: [
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'bypassPermissions',
      ...(session ? (session.resume ? ['--resume', session.id] : ['--session-id', session.id]) : []),
      ...(model ? ['--model', model] : []),
      ...(extraArgs ?? []),
    ],
    stdin: prompt,
  }),
  createParser: (options) => createClaudeParser(options),
};

/** What Claude Code says when `--resume` names a session it does not have for this directory. */
const SESSION_NOT_FOUND = /No conversation found with session ID:?\s*([\w-]+)/i;

const STARTUP_FAILURES: Array<[RegExp, string]> = [
  [/cannot be used with root\/sudo privileges/i, `${NAME} refuses bypassPermissions as root: run nightshift as an ordinary user, or, only if this machine is a disposable sandbox, let IS_SANDBOX=1 through`],
  [/requires --verbose/i, `${NAME} rejected its arguments: stream-json output needs --verbose (check the preset against this claude version)`],
  [/unknown option|unexpected argument|error: option/i, `${NAME} rejected its arguments; check \`claude --help\` for this version`],
  [/input must be provided/i, `${NAME} received no prompt: the prompt must be written to its stdin`],
];

export function createClaudeParser(opts: ParserOptions = {}): AgentStreamParser {
  const progress = new ProgressEmitter();
  const tail = new TailLines();
  const limit = new UsageLimitWatch(opts);
  let workspace = opts.workspace;
  let sessionId: string | undefined;
  /** Where the key came from, as the init line says ("ANTHROPIC_API_KEY", "none"): tells a rejected key from a missing one. */
  let apiKeySource: string | undefined;
  let result: Json | null = null;
  let assistantError: string | undefined;
  let lastText: { id: string | undefined; text: string } = { id: undefined, text: '' };
  const messageUsage = new Map<string, Json>();

  function onAssistant(msg: Json): AgentEvent[] {
    const message = obj(msg.message);
    const error = str(msg.error);
    const topLevel = msg.parent_tool_use_id === null || msg.parent_tool_use_id === undefined;
    const id = str(message.id);
    if (id && message.usage !== undefined) messageUsage.set(id, obj(message.usage));
    const events: AgentEvent[] = [];
    for (const block of arr(message.content).map(obj)) {
      const type = str(block.type);
      if (type === 'text') {
        const text = str(block.text) ?? '';
        if (error) limit.text(text);
        else if (topLevel) lastText = { id, text: lastText.id !== undefined && lastText.id === id ? `${lastText.text}\n${text}` : text };
        if (!error) events.push(...progress.emit(firstLine(text)));
      } else if (type === 'thinking' || type === 'redacted_thinking') {
        events.push(...progress.emit('thinking'));
      } else if (type === 'tool_use' || type === 'server_tool_use') {
        const d = describeTool(str(block.name) ?? 'a tool', obj(block.input), workspace);
        events.push(...progress.emit(d.message, d.percent, d.plan));
      }
    }
    if (error) {
      assistantError = error;
      if (error === 'rate_limit') limit.structured('the API reported a rate limit');
    }
    return events;
  }

  function usage(): AgentUsage | undefined {
    if (result) {
      const u = obj(result.usage);
      return compact<AgentUsage>({
        inputTokens: sum(num(u.input_tokens), num(u.cache_creation_input_tokens), num(u.cache_read_input_tokens)),
        cachedInputTokens: num(u.cache_read_input_tokens),
        outputTokens: num(u.output_tokens),
        costUsd: num(result.total_cost_usd) ?? num(result.total_cost),
        turns: num(result.num_turns),
      });
    }
    // No result line: what the per-message usage says (one line per content block repeats a message's usage).
    const all = [...messageUsage.values()];
    const total = (k: string) => sum(...all.map((u) => num(u[k])));
    return compact<AgentUsage>({
      inputTokens: sum(total('input_tokens'), total('cache_creation_input_tokens'), total('cache_read_input_tokens')),
      cachedInputTokens: total('cache_read_input_tokens'),
      outputTokens: total('output_tokens'),
    });
  }

  return {
    line(text, stream = 'stdout') {
      const msg = readJsonLine(text, stream, tail, limit);
      if (!msg) return [];
      sessionId = str(msg.session_id) ?? sessionId;
      switch (msg.type) {
        case 'system':
          if (msg.subtype === 'init') {
            workspace ??= str(msg.cwd);
            apiKeySource = str(msg.apiKeySource);
            return progress.emit(str(msg.model) ? `starting (${str(msg.model)})` : 'starting');
          }
          // A failing API call is retried by the CLI itself for minutes: say so, or the card sits at "starting".
          if (msg.subtype === 'api_retry') return progress.emit(apiRetryLine(msg));
          return msg.subtype === 'compact_boundary' ? progress.emit('compacting the conversation') : [];
        case 'assistant':
          return onAssistant(msg);
        case 'rate_limit_event': {
          const info = obj(msg.rate_limit_info);
          if (info.status !== 'rejected') return []; // allowed / allowed_warning, or only overage rejected: not a limit hit
          limit.structured(`the ${str(info.rateLimitType) ?? 'usage'} limit was reached`, epochToIso(num(info.resetsAt)));
          return progress.emit('usage limit reached');
        }
        case 'result':
          result = msg;
          return [];
        default:
          return []; // user (tool results), stream_event, conversation_reset, and types not invented yet
      }
    },

    end(exit: AgentExit): AgentVerdict {
      const common = compact({ usage: usage(), sessionId }) ?? {};
      const fallbackSummary = trimSummary(lastText.text);
      if (result) {
        const isError = result.is_error === true || (result.is_error === undefined && result.subtype !== 'success');
        const text = str(result.result);
        if (!isError) {
          const turns = num(result.num_turns);
          const after = turns === undefined ? '' : ` after ${turns} turn${turns === 1 ? '' : 's'}`;
          const oddExit = exit.code === 0 ? '' : ` (the process then ${describeExit(exit)}; the result line decides)`;
          return { ...common, outcome: 'succeeded', reason: `${NAME} finished${after}${oddExit}`, ...opt('summary', trimSummary(text) ?? fallbackSummary) };
        }
        const errors = arr(result.errors).map(str).filter((e): e is string => e !== undefined);
        for (const t of [text, ...errors]) if (t) limit.text(t);
        if (num(result.api_error_status) === 429) limit.structured(`HTTP 429${text ? `: ${clip(text, 120)}` : ''}`);
        if (limit.hit) return limit.verdict(NAME, { ...common, ...opt('summary', fallbackSummary) });
        const auth = authFailure(result, assistantError, apiKeySource);
        if (auth) return { ...common, outcome: 'failed', reason: auth, retryable: false };
        return { ...common, outcome: 'failed', reason: resultErrorReason(result, errors, assistantError), ...opt('summary', fallbackSummary) };
      }
      if (limit.hit) return limit.verdict(NAME, { ...common, ...opt('summary', fallbackSummary) });
      const lost = tail.all().map((l) => SESSION_NOT_FOUND.exec(l)?.[1]).find(Boolean);
      if (lost) return { ...common, outcome: 'failed', reason: `${NAME} could not resume its earlier session ${lost} (it keeps none for this directory); the next attempt starts a fresh session on the same branch`, sessionLost: true };
      const known = STARTUP_FAILURES.find(([re]) => tail.all().some((l) => re.test(l)));
      if (known) return { ...common, outcome: 'failed', reason: `${known[1]}${tail.quote()}` };
      const auth = authFailure(null, assistantError, apiKeySource);
      if (auth) return { ...common, outcome: 'failed', reason: auth, retryable: false };
      if (assistantError) return { ...common, outcome: 'failed', reason: assistantErrorReason(assistantError) };
      return {
        ...common,
        outcome: 'failed',
        reason: `${NAME} ${describeExit(exit)} without a final result line, so the run is not taken as done${tail.quote()}`,
        ...opt('summary', fallbackSummary),
      };
    },
  };
}

/** "API error 401, retry 4/10": what a `system/api_retry` line says, whichever of its field spellings it uses. */
function apiRetryLine(msg: Json): string {
  const pick = (...keys: string[]) => keys.map((k) => num(msg[k])).find((v) => v !== undefined);
  const status = pick('error_status', 'status', 'http_status', 'status_code');
  const attempt = pick('attempt', 'retry_attempt', 'retryAttempt');
  const max = pick('max_retries', 'maxRetries', 'max_attempts');
  const of = attempt !== undefined ? `, retry ${attempt}${max !== undefined ? `/${max}` : ''}` : ', retrying';
  return `API error${status !== undefined ? ` ${status}` : ''}${of}`;
}

/**
 * A key that was sent and refused (HTTP 401/403 or authentication_failed, with the init line naming
 * where the key came from) cannot fix itself: it is said as such, and not retried. A key that was
 * never sent is a setting to change, just as final.
 */
function authFailure(result: Json | null, assistantError: string | undefined, apiKeySource: string | undefined): string | null {
  const status = result ? num(result.api_error_status) : undefined;
  const refused = assistantError === 'authentication_failed' || status === 401;
  if (!refused) return null;
  if (apiKeySource && apiKeySource !== 'none') {
    const said = result ? clip(str(result.result) ?? '', 120) : '';
    return `${NAME}'s credentials (${apiKeySource}) were rejected${status ? ` with HTTP ${status}` : ''}${said ? ` ("${said}")` : ''}: check or replace the key; trying again cannot fix this`;
  }
  return assistantErrorReason('authentication_failed');
}

function resultErrorReason(result: Json, errors: string[], assistantError: string | undefined): string {
  const subtype = str(result.subtype);
  const turns = num(result.num_turns);
  const detail = clip(errors.join('; ') || str(result.result) || subtype || 'no details', 200);
  if (subtype === 'error_max_turns') return `${NAME} stopped at its turn limit${turns === undefined ? '' : ` (${turns} turns)`}: raise --max-turns or split the task`;
  if (subtype === 'error_max_budget_usd') return `${NAME} stopped at its budget limit (--max-budget-usd): raise it or split the task`;
  if (assistantError) return `${assistantErrorReason(assistantError)} (${detail})`;
  const status = num(result.api_error_status);
  if (status !== undefined) return `${NAME}'s API call failed with HTTP ${status}: ${detail}`;
  return `${NAME} reported an error: ${detail}`;
}

function assistantErrorReason(error: string): string {
  switch (error) {
    case 'authentication_failed':
      return `${NAME} is not authenticated: let ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN through BUILDER_ENV_ALLOW, or log in as the user nightshift runs as`;
    case 'billing_error':
      return `${NAME} hit a billing error: check the account's plan or credits`;
    case 'oauth_org_not_allowed':
      return `${NAME}'s login belongs to an organisation that no longer allows it: log in again or use an API key`;
    default:
      return `${NAME} reported an API error (${error})`;
  }
}

/** What a Claude tool call is doing, in a few words (agent-clis.md §1.2 progress mapping). */
const describeTool = toolDescriber(
  {
    Bash: say.running,
    Edit: say.editing('file_path', 'notebook_path'),
    MultiEdit: say.editing('file_path', 'notebook_path'),
    NotebookEdit: say.editing('file_path', 'notebook_path'),
    Write: say.writing('file_path'),
    Read: say.reading('file_path'),
    Glob: say.findingFiles,
    Grep: say.searching,
    LS: say.listing('path'),
    TodoWrite: say.plan({ namingCurrent: true }),
    Task: say.delegating,
    Agent: say.delegating,
    WebFetch: say.fetching,
    WebSearch: say.searchingTheWeb,
  },
  (name) => (name.startsWith('mcp__') ? `using ${name.split('__').slice(1).join('.')}` : `using ${name}`),
);
