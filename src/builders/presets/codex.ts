// OpenAI Codex CLI, headless: `codex exec --json` (agent-clis.md §2). `--sandbox workspace-write`
// explicitly (`--full-auto` is deprecated); the prompt is the `-` positional, read from stdin.
// Success is `turn.completed` with no `turn.failed`; `error` events alone may be transient.
import { arr, compact, num, obj, opt, parseJsonObject, str, type Json } from './json-line.ts';
import type { AgentEvent, AgentExit, AgentPreset, AgentStreamParser, AgentUsage, AgentVerdict, ParserOptions } from './preset.ts';
import { describeExit, ProgressEmitter, TailLines } from './stream-kit.ts';
import { asArgument, clip, describeCommand, displayPath, firstLine, planPercent, trimSummary } from './text.ts';
import { UsageLimitWatch } from './usage-limit.ts';

const NAME = 'Codex';

export const codex: AgentPreset = {
  name: 'codex',
  binary: 'codex',
  displayName: 'OpenAI Codex CLI',
  authEnv: ['CODEX_API_KEY', 'OPENAI_API_KEY', 'CODEX_HOME', 'CODEX_ACCESS_TOKEN'],
  authEnvPrefixes: [],
  env: {},
  // A later attempt continues the thread the earlier one reported (thread.started): `exec resume
  // <id> <prompt>`, the flags repeated before it (older builds take them only there; §2.5).
  sessions: 'reported',
  argv: ({ prompt, workspace, model, extraArgs, session }) => {
    const flags = ['--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', '-C', workspace, ...(model ? ['-m', model] : []), ...(extraArgs ?? [])];
    return session?.resume ? { args: ['exec', ...flags, 'resume', session.id, asArgument(prompt)], stdin: null } : { args: ['exec', ...flags, '-'], stdin: prompt };
  },
  createParser: (options) => createCodexParser(options),
};

export function createCodexParser(opts: ParserOptions = {}): AgentStreamParser {
  const progress = new ProgressEmitter();
  const tail = new TailLines();
  const limit = new UsageLimitWatch(opts);
  const seen = new Set<string>();
  let sessionId: string | undefined;
  let completed = false;
  let failure: string | undefined;
  let lastError: string | undefined;
  let lastMessage: string | undefined;
  let usage: Json | undefined;

  function onItem(event: string, item: Json): AgentEvent[] {
    const id = str(item.id);
    const first = id === undefined || !seen.has(id);
    if (id !== undefined) seen.add(id);
    switch (item.type) {
      case 'command_execution':
        return first ? progress.emit(describeCommand(commandText(item.command))) : [];
      case 'file_change':
        return first ? progress.emit(describeChanges(arr(item.changes).map(obj), opts.workspace)) : [];
      case 'reasoning':
        return progress.emit('thinking');
      case 'agent_message': {
        const text = str(item.text) ?? '';
        if (event === 'item.completed') lastMessage = text;
        return progress.emit(firstLine(text));
      }
      case 'mcp_tool_call':
        return first ? progress.emit(`using ${[str(item.server), str(item.tool)].filter(Boolean).join('.') || 'a tool'}`) : [];
      case 'web_search':
        return first ? progress.emit(`searching the web for "${clip(str(item.query) ?? '…', 40)}"`) : [];
      case 'todo_list': {
        const items = arr(item.items).map(obj);
        const next = items.find((i) => i.completed !== true);
        // Codex marks items done or not: the first one not done is the one it is on.
        const plan = items.map((i) => ({ text: clip(str(i.text) ?? '', 200), status: i.completed === true ? ('done' as const) : i === next ? ('in_progress' as const) : ('pending' as const) })).filter((s) => s.text !== '');
        return progress.emit(next ? `working on: ${str(next.text) ?? 'the next step'}` : 'plan complete', planPercent(items.map((i) => ({ done: i.completed === true }))), plan);
      }
      default:
        return []; // error items (non-fatal warnings), collab_tool_call, plan, and types not invented yet
    }
  }

  return {
    line(text, stream = 'stdout') {
      const msg = parseJsonObject(text);
      if (!msg) {
        tail.push(text, stream === 'stderr');
        return [];
      }
      switch (msg.type) {
        case 'thread.started':
          sessionId = str(msg.thread_id) ?? sessionId;
          return progress.emit('starting');
        case 'item.started':
        case 'item.updated':
        case 'item.completed':
          return onItem(msg.type, obj(msg.item));
        case 'turn.completed':
          completed = true;
          usage = obj(msg.usage); // a running total for the thread
          return [];
        case 'turn.failed':
          failure = str(obj(msg.error).message) ?? lastError ?? 'turn failed';
          return [];
        case 'error':
          lastError = str(msg.message) ?? lastError;
          if (lastError) limit.text(lastError);
          return [];
        default:
          return []; // turn.started, item.plan.delta, request_user_input, and types not invented yet
      }
    },

    end(exit: AgentExit): AgentVerdict {
      const common = { ...opt('usage', usageOf(usage)), ...opt('sessionId', sessionId), ...opt('summary', trimSummary(lastMessage)) };
      if (failure !== undefined) {
        limit.text(failure);
        if (limit.hit) return limit.verdict(NAME, common);
        return { ...common, outcome: 'failed', reason: `${NAME}'s turn failed: ${clip(failure, 200)}${authHint(failure)}` };
      }
      if (completed) {
        const oddExit = exit.code === 0 ? '' : ` (the process then ${describeExit(exit)}; turn.completed decides)`;
        return { ...common, outcome: 'succeeded', reason: `${NAME} completed its turn${oddExit}` };
      }
      if (limit.hit) return limit.verdict(NAME, common);
      const why = lastError ? `; last error: "${clip(lastError, 160)}"${authHint(lastError)}` : tail.quote();
      return { ...common, outcome: 'failed', reason: `${NAME} ${describeExit(exit)} without finishing its turn (no turn.completed or turn.failed)${why}` };
    },
  };
}

function commandText(command: unknown): string {
  if (Array.isArray(command)) return command.map(String).join(' ');
  return str(command) ?? '';
}

function describeChanges(changes: Json[], workspace: string | undefined): string {
  const verb = (kind: string | undefined) => (kind === 'add' ? 'creating' : kind === 'delete' ? 'deleting' : 'editing');
  const paths = changes.map((c) => displayPath(str(c.path) ?? 'a file', workspace));
  const only = changes[0];
  if (changes.length === 1 && only) return `${verb(str(only.kind))} ${paths[0]}`;
  if (changes.length === 0) return 'editing files';
  return `editing ${changes.length} files (${paths.slice(0, 3).join(', ')}${changes.length > 3 ? ', …' : ''})`;
}

function usageOf(u: Json | undefined): AgentUsage | undefined {
  if (!u) return undefined;
  return compact<AgentUsage>({ inputTokens: num(u.input_tokens), cachedInputTokens: num(u.cached_input_tokens), outputTokens: num(u.output_tokens) });
}

function authHint(text: string): string {
  return /\b401\b|unauthori[sz]ed|not logged in|please log ?in|api key/i.test(text)
    ? ' (check CODEX_API_KEY or OPENAI_API_KEY in BUILDER_ENV_ALLOW, or run `codex login` as the user nightshift runs as)'
    : '';
}
