// OpenCode, headless: `opencode run --format json --auto` (agent-clis.md §4). Tool events arrive
// only when a tool finishes; cost and tokens come per step and are summed. Success: exit 0, no
// `error` line, and the last step ended the answer (`done`, or a step_finish other than tool-calls).
// The final step_finish is sometimes lost from stdout, so an answer that ends the stream also counts.
import { arr, compact, num, obj, opt, str, sum, type Json } from './json-line.ts';
import type { AgentEvent, AgentExit, AgentPreset, AgentStreamParser, AgentUsage, AgentVerdict, ParserOptions } from './preset.ts';
import { describeExit, ProgressEmitter, readJsonLine, TailLines } from './stream-kit.ts';
import { asArgument, clip, firstLine, trimSummary } from './text.ts';
import { say, toolDescriber } from './tool-progress.ts';
import { UsageLimitWatch } from './usage-limit.ts';

const NAME = 'OpenCode';

export const opencode: AgentPreset = {
  name: 'opencode',
  binary: 'opencode',
  displayName: NAME,
  // The chosen provider's key: the common ones are listed; add others to BUILDER_ENV_ALLOW.
  authEnv: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME'],
  authEnvPrefixes: [],
  env: {},
  // A later attempt continues the session the earlier one reported (sessionID on every event; §4.5).
  sessions: 'reported',
  argv: ({ prompt, workspace, model, extraArgs, session }) => ({
    args: ['run', '--format', 'json', '--auto', ...(model ? ['-m', model] : []), '--dir', workspace, ...(session?.resume ? ['--session', session.id] : []), ...(extraArgs ?? []), asArgument(prompt)],
    stdin: null,
  }),
  createParser: (options) => createOpencodeParser(options),
  checkModel: (model) => (/^[^/\s]+\/\S+$/.test(model) ? null : `${NAME} needs the model as provider/model, like anthropic/claude-sonnet-4-5 (got "${model}")`),
};

interface StepTotals {
  steps: number;
  cost: Array<number | undefined>;
  input: Array<number | undefined>;
  cached: Array<number | undefined>;
  output: Array<number | undefined>;
}

export function createOpencodeParser(opts: ParserOptions = {}): AgentStreamParser {
  const progress = new ProgressEmitter();
  const tail = new TailLines();
  const limit = new UsageLimitWatch(opts);
  const toolCalls = new Set<string>();
  const totals: StepTotals = { steps: 0, cost: [], input: [], cached: [], output: [] };
  const errors: Json[] = [];
  let sessionId: string | undefined;
  let stepText: string[] = [];
  let lastAnswer: string[] = [];
  let textIsLast = false;
  let finishReason: string | undefined;
  let done: Json | null = null;

  function onStepFinish(part: Json): void {
    finishReason = str(part.reason);
    const tokens = obj(part.tokens);
    const cache = obj(tokens.cache);
    totals.steps++;
    totals.cost.push(num(part.cost));
    totals.input.push(sum(num(tokens.input), num(cache.read), num(cache.write)));
    totals.cached.push(num(cache.read));
    totals.output.push(sum(num(tokens.output), num(tokens.reasoning)));
  }

  function onTool(part: Json): AgentEvent[] {
    const tool = str(part.tool);
    if (!tool) return [];
    textIsLast = false;
    const callId = str(part.callID) ?? str(part.id);
    if (callId !== undefined) {
      if (toolCalls.has(callId)) return [];
      toolCalls.add(callId);
    }
    const d = describeTool(tool, obj(obj(part.state).input), opts.workspace);
    return progress.emit(d.message, d.percent, d.plan);
  }

  return {
    line(text, stream = 'stdout') {
      const msg = readJsonLine(text, stream, tail, limit);
      if (!msg) return [];
      sessionId = str(msg.sessionID) ?? sessionId;
      const part = obj(msg.part);
      switch (msg.type) {
        case 'step_start':
          stepText = [];
          textIsLast = false;
          return progress.emit('thinking');
        case 'text': {
          const t = str(part.text) ?? '';
          stepText.push(t);
          lastAnswer = stepText;
          textIsLast = true;
          return progress.emit(firstLine(t));
        }
        case 'reasoning':
          return progress.emit('thinking');
        case 'tool_use':
          return onTool(part);
        case 'step_finish':
          onStepFinish(part);
          return [];
        case 'error':
          errors.push(obj(msg.error));
          return [];
        case 'done':
          done = msg;
          return [];
        default:
          return []; // types not invented yet
      }
    },

    end(exit: AgentExit): AgentVerdict {
      const usage = compact<AgentUsage>({
        inputTokens: sum(...totals.input),
        cachedInputTokens: sum(...totals.cached),
        outputTokens: sum(...totals.output),
        costUsd: sum(...totals.cost),
        turns: totals.steps > 0 ? totals.steps : undefined,
      });
      const common = { ...opt('usage', usage), ...opt('sessionId', sessionId), ...opt('summary', trimSummary(lastAnswer.join('\n'))) };
      const lastError = errors[errors.length - 1];
      if (lastError) {
        for (const e of errors) {
          const data = obj(e.data);
          if (num(data.statusCode) === 429) limit.structured(`HTTP 429: ${clip(str(data.message) ?? 'rate limited', 120)}`);
          const message = str(data.message) ?? str(e.message);
          if (message) limit.text(message);
        }
        if (limit.hit) return limit.verdict(NAME, common);
        return { ...common, outcome: 'failed', reason: errorReason(lastError) };
      }
      if (exit.code !== 0) {
        if (limit.hit) return limit.verdict(NAME, common);
        return { ...common, outcome: 'failed', reason: `${NAME} ${describeExit(exit)}${tail.quote()}` };
      }
      const rejected = arr(obj(done).rejected).length;
      const note = rejected > 0 ? ` (${rejected} permission request${rejected === 1 ? ' was' : 's were'} rejected)` : '';
      if (finishReason === 'length') return { ...common, outcome: 'failed', reason: `the model stopped at its output length limit before ${NAME} finished` };
      if (finishReason === 'content-filter') return { ...common, outcome: 'failed', reason: `the provider's content filter stopped ${NAME}'s answer` };
      if (finishReason === 'error') return { ...common, outcome: 'failed', reason: `${NAME}'s last step ended with an error${tail.quote()}` };
      if (done || (finishReason !== undefined && finishReason !== 'tool-calls')) return { ...common, outcome: 'succeeded', reason: `${NAME} finished${note}` };
      if (textIsLast) return { ...common, outcome: 'succeeded', reason: `${NAME} finished with an answer (its final step_finish line was missing)${note}` };
      if (finishReason === 'tool-calls') {
        return { ...common, outcome: 'failed', reason: `${NAME} exited with code 0 in the middle of its work: the last step asked for more tool calls and no answer followed` };
      }
      return { ...common, outcome: 'failed', reason: `${NAME} exited with code 0 without finishing a step or answering, so the run is not taken as done${tail.quote()}` };
    },
  };
}

function errorReason(error: Json): string {
  const name = str(error.name) ?? 'an error';
  const data = obj(error.data);
  const message = clip(str(data.message) ?? str(error.message) ?? 'no details', 200);
  switch (name) {
    case 'ProviderAuthError':
      return `${NAME} could not authenticate with ${str(data.providerID) ?? 'its provider'}: ${message}. Let the provider's key through BUILDER_ENV_ALLOW, or run \`opencode auth login\` as the user nightshift runs as`;
    case 'ContextOverflowError':
      return `the conversation outgrew the model's context window: split the task (${message})`;
    case 'MessageOutputLengthError':
      return `the model stopped at its output length limit (${message})`;
    case 'MessageAbortedError':
      return `${NAME}'s run was aborted (${message})`;
    case 'APIError': {
      const status = num(data.statusCode);
      return `${NAME}'s provider API call failed${status === undefined ? '' : ` with HTTP ${status}`}: ${message}`;
    }
    default:
      return `${NAME} reported ${name}: ${message}`;
  }
}

/** OpenCode tool names; input field names are from adapters (agent-clis.md §4.2), read tolerantly. */
const describeTool = toolDescriber({
  bash: say.running,
  edit: say.editing('filePath', 'file_path', 'path'),
  multiedit: say.editing('filePath', 'file_path', 'path'),
  write: say.writing('filePath', 'file_path', 'path'),
  patch: say.fixed('applying a patch'),
  read: say.reading('filePath', 'file_path', 'path'),
  glob: say.findingFiles,
  grep: say.searching,
  list: say.listing('path'),
  todowrite: say.plan({ namingCurrent: true }),
  task: say.delegating,
  webfetch: say.fetching,
});
