// Gemini CLI, headless: `gemini -p <prompt> --output-format stream-json --approval-mode yolo
// --skip-trust` (agent-clis.md §3). Success is the `result` event's status "success" with exit 0;
// the summary is the assistant text after the last tool call (the result carries no text, no cost).
import { compact, num, obj, opt, str, type Json } from './json-line.ts';
import type { AgentExit, AgentPreset, AgentStreamParser, AgentUsage, AgentVerdict, ParserOptions } from './preset.ts';
import { describeExit, ProgressEmitter, readJsonLine, TailLines } from './stream-kit.ts';
import { asArgument, clip, trimSummary } from './text.ts';
import { say, toolDescriber } from './tool-progress.ts';
import { UsageLimitWatch } from './usage-limit.ts';

const NAME = 'Gemini CLI';

export const gemini: AgentPreset = {
  name: 'gemini',
  binary: 'gemini',
  displayName: NAME,
  authEnv: [
    'GEMINI_API_KEY',
    'GOOGLE_API_KEY',
    'GOOGLE_GENAI_USE_VERTEXAI',
    'GOOGLE_GENAI_USE_GCA',
    'GOOGLE_CLOUD_PROJECT',
    'GOOGLE_CLOUD_LOCATION',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'GEMINI_CLI_USE_COMPUTE_ADC',
    'GOOGLE_GEMINI_BASE_URL',
    'GOOGLE_VERTEX_BASE_URL',
    'GEMINI_CLI_TRUST_WORKSPACE',
  ],
  authEnvPrefixes: [],
  env: {},
  // A later attempt continues the session the earlier one reported (init.session_id; §3.5).
  sessions: 'reported',
  argv: ({ prompt, model, extraArgs, session }) => ({
    args: ['-p', asArgument(prompt), '--output-format', 'stream-json', '--approval-mode', 'yolo', ...(model ? ['-m', model] : []), '--skip-trust', ...(session?.resume ? ['--resume', session.id] : []), ...(extraArgs ?? [])],
    stdin: null,
  }),
  createParser: (options) => createGeminiParser(options),
};

/** Exit codes from packages/core/src/utils/errors.ts, as advice. */
const EXIT_MEANINGS: Record<number, string> = {
  41: `${NAME} is not authenticated: let GEMINI_API_KEY (or GOOGLE_GENAI_USE_VERTEXAI / GOOGLE_GENAI_USE_GCA with their settings) through BUILDER_ENV_ALLOW`,
  42: `${NAME} rejected its input (exit 42)`,
  44: `${NAME} could not set up its sandbox (exit 44)`,
  52: `${NAME} found an error in its configuration (exit 52): check its settings.json`,
  53: `${NAME} stopped at its turn limit (exit 53): raise the limit or split the task`,
  54: `a tool failed fatally inside ${NAME} (exit 54)`,
  55: `${NAME} does not trust the workspace (exit 55): pass --skip-trust or set GEMINI_CLI_TRUST_WORKSPACE=true`,
  130: `${NAME} was cancelled (exit 130)`,
};

export function createGeminiParser(opts: ParserOptions = {}): AgentStreamParser {
  const progress = new ProgressEmitter();
  const tail = new TailLines();
  const limit = new UsageLimitWatch(opts);
  let sessionId: string | undefined;
  let result: Json | null = null;
  let reply = '';
  let lastWarning: string | undefined;

  return {
    line(text, stream = 'stdout') {
      const msg = readJsonLine(text, stream, tail, limit);
      if (!msg) return [];
      switch (msg.type) {
        case 'init':
          sessionId = str(msg.session_id) ?? sessionId;
          return progress.emit(str(msg.model) ? `starting (${str(msg.model)})` : 'starting');
        case 'message': {
          const content = str(msg.content);
          if (msg.role !== 'assistant' || content === undefined) return []; // the echoed user prompt
          reply += content;
          return progress.emit('writing a reply');
        }
        case 'tool_use': {
          const name = str(msg.tool_name);
          if (!name) return [];
          reply = ''; // the summary is what comes after the last tool call
          const d = describeTool(name, obj(msg.parameters), opts.workspace);
          return progress.emit(d.message, d.percent, d.plan);
        }
        case 'error':
          lastWarning = str(msg.message) ?? lastWarning;
          if (lastWarning) limit.text(lastWarning);
          return [];
        case 'result':
          result = msg;
          return [];
        default:
          return []; // tool_result, and types not invented yet
      }
    },

    end(exit: AgentExit): AgentVerdict {
      const common = { ...opt('usage', usageOf(result)), ...opt('sessionId', sessionId), ...opt('summary', trimSummary(reply)) };
      const meaning = exit.code === null ? undefined : EXIT_MEANINGS[exit.code];
      if (result) {
        if (result.status === 'success') {
          if (exit.code === 0) return { ...common, outcome: 'succeeded', reason: `${NAME} finished` };
          return { ...common, outcome: 'failed', reason: meaning ?? `${NAME} reported success but then ${describeExit(exit)}` };
        }
        const error = obj(result.error);
        const message = str(error.message) ?? str(error.type) ?? 'no details';
        limit.text(message);
        if (limit.hit) return limit.verdict(NAME, common);
        return { ...common, outcome: 'failed', reason: meaning ? `${meaning}: ${clip(message, 200)}` : `${NAME} reported an error: ${clip(message, 200)}` };
      }
      if (limit.hit) return limit.verdict(NAME, common);
      if (meaning) return { ...common, outcome: 'failed', reason: `${meaning}${tail.quote()}` };
      const why = tail.quote() || (lastWarning ? `; last error: "${clip(lastWarning, 160)}"` : '');
      return { ...common, outcome: 'failed', reason: `${NAME} ${describeExit(exit)} without a result event, so the run is not taken as done${why}` };
    },
  };
}

function usageOf(result: Json | null): AgentUsage | undefined {
  if (!result) return undefined;
  const s = obj(result.stats);
  return compact<AgentUsage>({ inputTokens: num(s.input_tokens), cachedInputTokens: num(s.cached), outputTokens: num(s.output_tokens) });
}

/** Gemini's built-in tool names (base-declarations.ts); parameter names are read tolerantly. */
const describeTool = toolDescriber({
  run_shell_command: say.running,
  replace: say.editing('file_path', 'absolute_path', 'path'),
  edit: say.editing('file_path', 'absolute_path', 'path'),
  write_file: say.writing('file_path', 'absolute_path', 'path'),
  read_file: say.reading('file_path', 'absolute_path', 'path'),
  read_many_files: say.fixed('reading files'),
  glob: say.findingFiles,
  grep_search: say.searching,
  search_file_content: say.searching,
  list_directory: say.listing('dir_path', 'path'),
  web_fetch: say.fixed('fetching a web page'), // its input is a prompt naming the pages, not a url
  google_web_search: say.searchingTheWeb,
  write_todos: say.plan({ namingCurrent: false }),
});
