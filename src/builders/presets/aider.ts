// Aider, headless: `aider --message <prompt> --yes-always` with the quiet flags (agent-clis.md §7).
// Plain text only: progress is the last meaningful line, usage comes from its "Tokens: … Cost: …"
// lines. Aider exits 0 even when every API call failed, so success needs a model reply (a Tokens
// line) and no error text left unanswered by a later reply.
//
// --auto-commits is passed on purpose (the doc's sample has --no-auto-commits: "pick deliberately"):
// aider cannot run `git commit` itself headless (--yes-always declines shell commands), and the
// deliverable is the commits on the task's branch, so aider's own per-edit commits are the work.
import { join } from 'node:path';
import type { AgentEvent, AgentExit, AgentPreset, AgentStreamParser, AgentUsage, AgentVerdict, ParserOptions } from './preset.ts';
import { compact, opt, sum } from './json-line.ts';
import { describeExit, ProgressEmitter, TailLines } from './stream-kit.ts';
import { asArgument, clip, describeCommand, displayPath, stripAnsi, trimSummary } from './text.ts';
import { UsageLimitWatch } from './usage-limit.ts';

const NAME = 'Aider';

export const aider: AgentPreset = {
  name: 'aider',
  binary: 'aider',
  displayName: NAME,
  authEnv: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'DEEPSEEK_API_KEY', 'OPENROUTER_API_KEY'],
  authEnvPrefixes: ['AIDER_'],
  env: {},
  argv: ({ prompt, model, extraArgs, stateDir }) => ({
    args: [
      '--message',
      asArgument(prompt),
      '--yes-always',
      ...(model ? ['--model', model] : []),
      '--auto-commits',
      '--no-pretty',
      '--no-stream',
      '--no-fancy-input',
      '--no-check-update',
      '--no-show-release-notes',
      '--no-analytics',
      '--no-show-model-warnings',
      '--no-gitignore',
      // Aider's history files belong outside the worktree, or nowhere.
      '--chat-history-file',
      stateDir ? join(stateDir, 'aider.chat.history.md') : '/dev/null',
      '--input-history-file',
      stateDir ? join(stateDir, 'aider.input.history') : '/dev/null',
      ...(stateDir ? ['--llm-history-file', join(stateDir, 'aider.llm.history')] : []),
      ...(extraArgs ?? []),
    ],
    stdin: null,
  }),
  createParser: (options) => createAiderParser(options),
};

// Lines that say nothing about the work: the banner, settings, rules, bare links.
const NOISE: RegExp[] = [
  /^Aider v\d/,
  /^(?:Main|Weak|Editor) model:/,
  /^Model:/,
  /^Git repo:/,
  /^Repo-map:/,
  /^Use \/help/,
  /^https?:\/\/\S+$/,
  /^[\s\-─━═—=_~*#.]+$/,
  /^Cur(?:rent)? working dir/i,
  /^(?:Scanning repo|Initial repo scan)/,
  /^(?:<{7}|={7}|>{7})/,
];

const TOKENS = /^Tokens:/;
const TOKEN_PART = /([\d.]+)\s*([kKmM]?)\s+(sent|received|cache write|cache hit)/g;
const COST = /Cost:\s*\$([\d.]+)\s+message,\s*\$([\d.]+)\s+session/;
const APPLIED = /^Applied edit to (.+)$/;
const COMMIT = /^Commit ([0-9a-f]{7,40}) (.+)$/;
const RUNNING = /^Running (.+)$/;
const ADDED = /^Added (.+?) to the chat\.?$/;
const RETRYING = /^Retrying in [\d.]+ seconds/;
// A path alone on a line: aider names the file before each edit block.
const PATH_ONLY = /^(?:[\w.@-]+\/)*[\w.@-]+\.[A-Za-z0-9]{1,8}$/;
const ERRORS: Array<[RegExp, 'auth' | 'limit' | 'down']> = [
  [/^The API provider is not able to authenticate you/, 'auth'],
  [/^The API provider has rate limited you/, 'limit'],
  [/^(?:litellm\.)?RateLimitError\b/, 'limit'],
  [/^The API provider's servers are down or overloaded/, 'down'],
];

const tokenCount = (value: string, suffix: string): number =>
  Math.round(Number(value) * (suffix.toLowerCase() === 'k' ? 1_000 : suffix.toLowerCase() === 'm' ? 1_000_000 : 1));

export function createAiderParser(opts: ParserOptions = {}): AgentStreamParser {
  const progress = new ProgressEmitter();
  const tail = new TailLines();
  const limit = new UsageLimitWatch(opts);
  const counts = { sent: [] as number[], received: [] as number[], cacheHit: [] as number[] };
  let sessionCost: number | undefined;
  let replies = 0;
  let reply: string[] = [];
  let lastReply: string[] = [];
  let inFence = false;
  let pending: { kind: 'auth' | 'limit' | 'down'; text: string } | undefined;

  function onTokens(line: string): void {
    replies++;
    pending = undefined; // a model reply arrived after any earlier error: it recovered
    for (const m of line.matchAll(TOKEN_PART)) {
      const n = tokenCount(m[1] ?? '0', m[2] ?? '');
      if (m[3] === 'sent') counts.sent.push(n);
      else if (m[3] === 'received') counts.received.push(n);
      else if (m[3] === 'cache hit') counts.cacheHit.push(n);
    }
    lastReply = reply;
    reply = [];
  }

  function meaningful(line: string): AgentEvent[] {
    const applied = APPLIED.exec(line);
    if (applied?.[1]) return progress.emit(`editing ${displayPath(applied[1].trim(), opts.workspace)}`);
    const commit = COMMIT.exec(line);
    if (commit?.[2]) return progress.emit(`committed: ${commit[2]}`);
    const running = RUNNING.exec(line);
    if (running?.[1]) return progress.emit(describeCommand(running[1]));
    const added = ADDED.exec(line);
    if (added?.[1]) return progress.emit(`reading ${displayPath(added[1].trim(), opts.workspace)}`);
    if (RETRYING.test(line)) return progress.emit('waiting to retry the model API');
    const error = ERRORS.find(([re]) => re.test(line));
    if (error) {
      pending = { kind: error[1], text: line };
      if (!limit.text(line) && error[1] === 'limit') limit.structured(clip(line, 160));
      return progress.emit(clip(line));
    }
    reply.push(line);
    if (PATH_ONLY.test(line)) return progress.emit(`editing ${displayPath(line, opts.workspace)}`);
    return progress.emit(line);
  }

  return {
    line(raw, stream = 'stdout') {
      const line = stripAnsi(raw).replace(/\r/g, '').trim();
      if (line === '') return [];
      tail.push(line, stream === 'stderr');
      if (line.startsWith('```')) {
        // An edit block: its code is not progress. The file name printed just before it is not prose either.
        if (!inFence && PATH_ONLY.test(reply[reply.length - 1] ?? '')) reply.pop();
        inFence = !inFence;
        return [];
      }
      if (inFence) return [];
      if (TOKENS.test(line)) onTokens(line);
      const cost = COST.exec(line);
      if (cost?.[2]) sessionCost = Number(cost[2]);
      if (TOKENS.test(line) || /^Cost:/.test(line)) return [];
      if (NOISE.some((re) => re.test(line))) return [];
      return meaningful(line);
    },

    end(exit: AgentExit): AgentVerdict {
      const usage = compact<AgentUsage>({
        inputTokens: sum(...counts.sent),
        cachedInputTokens: sum(...counts.cacheHit),
        outputTokens: sum(...counts.received),
        costUsd: sessionCost,
        turns: replies > 0 ? replies : undefined,
      });
      const common = { ...opt('usage', usage), ...opt('summary', trimSummary((replies > 0 ? lastReply : reply).join('\n'))) };
      if (pending?.kind === 'limit') return limit.verdict(NAME, common);
      if (pending?.kind === 'auth') {
        return { ...common, outcome: 'failed', reason: `${NAME} could not authenticate with the model provider: let its API key (e.g. OPENAI_API_KEY, ANTHROPIC_API_KEY) through BUILDER_ENV_ALLOW` };
      }
      if (pending) return { ...common, outcome: 'failed', reason: `${NAME} gave up on the model API: "${clip(pending.text, 160)}"` };
      if (exit.code !== 0) return { ...common, outcome: 'failed', reason: `${NAME} ${describeExit(exit)}${tail.quote()}` };
      if (replies === 0) {
        return { ...common, outcome: 'failed', reason: `${NAME} exited with code 0 without a reply from its model (no "Tokens:" line), so the run is not taken as done${tail.quote()}` };
      }
      return { ...common, outcome: 'succeeded', reason: `${NAME} finished after ${replies} model repl${replies === 1 ? 'y' : 'ies'}` };
    },
  };
}
