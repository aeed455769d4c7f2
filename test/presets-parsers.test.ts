// The stream parsers on literal lines: tolerance, the terminal event over the exit code, usage
// limits from structured signals and known texts, reset times, and the helpers behind progress lines.
import { describe, expect, it } from 'vitest';
import { aider, claude, codex, customPreset, gemini, opencode, type AgentExit, type AgentPreset, type AgentVerdict, type OutputStream } from '../src/builders/presets/index.ts';
import { parseResetsAt } from '../src/builders/presets/usage-limit.ts';
import { describeCommand, displayPath, MAX_SUMMARY, trimSummary } from '../src/builders/presets/text.ts';

const WS = '/work/ws/t-7';
const NOW = new Date('2026-08-21T10:00:00.000Z');
const EXIT0: AgentExit = { code: 0, signal: null };
const EXIT1: AgentExit = { code: 1, signal: null };

function feed(preset: AgentPreset, lines: Array<string | object | [string, OutputStream]>, exit: AgentExit = EXIT0) {
  const parser = preset.createParser({ workspace: WS, now: () => NOW, timeZone: 'UTC' });
  const events = lines.flatMap((l) => (Array.isArray(l) ? parser.line(l[0], l[1]) : parser.line(typeof l === 'string' ? l : JSON.stringify(l))));
  return { events, verdict: parser.end(exit), said: events.map((e) => e.message) };
}

const claudeResult = (fields: object) => ({ type: 'result', subtype: 'success', is_error: false, duration_ms: 1, duration_api_ms: 1, num_turns: 2, session_id: 's1', ...fields });
const claudeAssistant = (content: object[], extra: object = {}) => ({ type: 'assistant', message: { id: `m${Math.random()}`, role: 'assistant', content }, parent_tool_use_id: null, session_id: 's1', ...extra });

describe('tolerance: garbage, malformed fields and unknown event types yield nothing and break nothing', () => {
  const GARBAGE = ['', '   ', 'plain text', '{broken', '[1,2,3]', 'null', '42', '"a string"', '{}', '{"type":42}', '{"type":null}', '{"type":"from_the_future","x":{}}', '{"type":"assistant","message":null}', '{"type":"assistant","message":{"content":"not an array"}}', '{"type":"item.completed","item":"x"}', '{"type":"item.started"}', '{"type":"tool_use","parameters":[]}', '{"type":"tool_use","part":null}', '{"type":"message","role":"assistant","content":7}', '{"type":"step_finish","part":{"tokens":"many"}}', '{"type":"system","subtype":"hook_started"}', '{"type":"rate_limit_event"}', '\u001b[31m{"type":"result"}\u001b[0m'];

  it.each([claude, codex, gemini, opencode].map((p) => [p.name, p] as const))('%s', (_name, preset) => {
    const { events, verdict } = feed(preset, GARBAGE);
    expect(events).toEqual([]);
    expect(verdict.outcome).toBe('failed');
    expect(verdict.reason).toMatch(/exited with code 0 without .*; last output: "\{"type":"result"\}"$/); // ANSI stripped, still not JSON
  });

  it('aider: banner, settings, rules, ANSI and edit blocks are not progress', () => {
    const { said } = feed(aider, ['Aider v0.86.2', 'Main model: gpt-4o with diff edit format', 'Git repo: .git with 3 files', 'Repo-map: using 1024 tokens', '─────────', '\u001b[1;32mRefactoring the parser.\u001b[0m', '```python', 'def x(): pass', '```', 'https://aider.chat/docs/x.html']);
    expect(said).toEqual(['Refactoring the parser.']);
  });
});

describe('the terminal event decides, not the exit code', () => {
  it.each<[string, AgentPreset, Array<string | object>, AgentExit, AgentVerdict['outcome'], RegExp]>([
    ['claude result ok, exit 1', claude, [claudeResult({ result: 'done' })], EXIT1, 'succeeded', /finished after 2 turns \(the process then exited with code 1; the result line decides\)/],
    ['claude is_error, exit 0', claude, [claudeResult({ is_error: true, result: 'API Error: 500' })], EXIT0, 'failed', /reported an error: API Error: 500/],
    ['claude subtype success but is_error (API failure)', claude, [claudeResult({ is_error: true, api_error_status: 403, result: 'Forbidden' })], EXIT0, 'failed', /API call failed with HTTP 403: Forbidden/],
    ['claude max turns', claude, [claudeResult({ subtype: 'error_max_turns', is_error: true, num_turns: 10, errors: ['Reached maximum number of turns (10)'] })], EXIT1, 'failed', /turn limit \(10 turns\): raise --max-turns/],
    ['claude auth', claude, [claudeAssistant([{ type: 'text', text: 'Invalid API key' }], { error: 'authentication_failed' }), claudeResult({ is_error: true, result: 'Invalid API key' })], EXIT1, 'failed', /not authenticated/],
    ['codex completed, exit 1', codex, [{ type: 'turn.started' }, { type: 'turn.completed', usage: { input_tokens: 1, output_tokens: 1 } }], EXIT1, 'succeeded', /completed its turn \(the process then exited with code 1/],
    ['codex failed, exit 0', codex, [{ type: 'turn.failed', error: { message: 'model capacity' } }], EXIT0, 'failed', /turn failed: model capacity/],
    ['codex transient error, then completed', codex, [{ type: 'error', message: 'Reconnecting… 1/5' }, { type: 'turn.completed', usage: {} }], EXIT0, 'succeeded', /completed its turn$/],
    ['codex turn.failed falls back to the last error', codex, [{ type: 'error', message: 'boom' }, { type: 'turn.failed' }], EXIT1, 'failed', /turn failed: boom/],
    ['gemini success but exit 1', gemini, [{ type: 'result', status: 'success', stats: {} }], EXIT1, 'failed', /reported success but then exited with code 1/],
    ['gemini error with exit 53', gemini, [{ type: 'result', status: 'error', error: { type: 'X', message: 'too many turns' } }], { code: 53, signal: null }, 'failed', /turn limit \(exit 53\).*too many turns/],
    ['gemini exit 41, no result', gemini, [['Please set an Auth method', 'stderr']], { code: 41, signal: null }, 'failed', /not authenticated: let GEMINI_API_KEY/],
    ['opencode error line, exit 0', opencode, [{ type: 'step_start' }, { type: 'error', error: { name: 'UnknownError', data: { message: 'kaput' } } }], EXIT0, 'failed', /reported UnknownError: kaput/],
    ['opencode answer, final step_finish lost', opencode, [{ type: 'step_start' }, { type: 'text', part: { text: 'All done.' } }], EXIT0, 'succeeded', /finished with an answer \(its final step_finish line was missing\)/],
    ['opencode stopped at output length', opencode, [{ type: 'step_start' }, { type: 'text', part: { text: 'Half' } }, { type: 'step_finish', part: { reason: 'length' } }], EXIT0, 'failed', /output length limit/],
    ['opencode exit 1 without error line', opencode, [{ type: 'step_start' }, ['Session not found', 'stderr']], EXIT1, 'failed', /exited with code 1; last output: "Session not found"/],
    ['opencode provider auth', opencode, [{ type: 'error', error: { name: 'ProviderAuthError', data: { providerID: 'openai', message: 'no key' } } }], EXIT1, 'failed', /could not authenticate with openai: no key/],
    ['opencode rejected permissions are mentioned', opencode, [{ type: 'step_finish', part: { reason: 'stop' } }, { type: 'done', rejected: ['a', 'b'] }], EXIT0, 'succeeded', /\(2 permission requests were rejected\)/],
    ['aider exit 0 after an auth error', aider, ['The API provider is not able to authenticate you. Check your API key.'], EXIT0, 'failed', /could not authenticate/],
    ['aider exit 1 (setup problem)', aider, [['Error: Message file not found: x', 'stderr']], EXIT1, 'failed', /Aider exited with code 1; last output: "Error: Message file not found: x"/],
    ['aider recovers from a rate limit', aider, ['The API provider has rate limited you. Try again later or check your quotas.', 'Retrying in 0.2 seconds...', 'Done.', 'Tokens: 1k sent, 10 received.'], EXIT0, 'succeeded', /finished after 1 model reply/],
  ])('%s', (_what, preset, lines, exit, outcome, reason) => {
    const { verdict } = feed(preset, lines, exit);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reason).toMatch(reason);
  });

  it('a killed agent is failed with the signal named, whatever it printed last', () => {
    for (const preset of [claude, codex, gemini, opencode, aider]) {
      const { verdict } = feed(preset, [], { code: null, signal: 'SIGKILL' });
      expect(verdict.outcome).toBe('failed');
      expect(verdict.reason).toMatch(/was killed by SIGKILL/);
    }
  });
});

describe('usage limits: structured signals and known texts, never the agent\'s prose', () => {
  it.each<[string, AgentPreset, Array<string | object | [string, OutputStream]>, AgentExit, string | undefined]>([
    ['claude rate_limit_event rejected, no text', claude, [{ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1787000000, rateLimitType: 'seven_day' } }, claudeResult({ is_error: true })], EXIT0, '2026-08-17T20:53:20.000Z'],
    ['claude assistant error rate_limit', claude, [claudeAssistant([{ type: 'text', text: 'API Error: Rate limited' }], { error: 'rate_limit' }), claudeResult({ is_error: true })], EXIT1, undefined],
    ['claude HTTP 429 result', claude, [claudeResult({ is_error: true, api_error_status: 429, result: 'Too many requests' })], EXIT0, undefined],
    ['claude text only, printed plain, exit 1', claude, [["You've hit your limit · resets 1pm (Europe/Lisbon)", 'stdout']], EXIT1, '2026-08-21T12:00:00.000Z'],
    ['claude older text with epoch', claude, [['Claude AI usage limit reached|1787000000', 'stderr']], EXIT1, '2026-08-17T20:53:20.000Z'],
    ['codex retries exhausted on 429', codex, [{ type: 'turn.failed', error: { message: 'exceeded retry limit, last status: 429 Too Many Requests, request id: x' } }], EXIT1, undefined],
    ['codex usage limit with a reset time', codex, [{ type: 'turn.failed', error: { message: "You've hit your usage limit. To get more access now, send a request to your admin or try again at 9:05 AM." } }], EXIT1, '2026-08-22T09:05:00.000Z'],
    ['gemini RESOURCE_EXHAUSTED', gemini, [{ type: 'result', status: 'error', error: { message: '[API Error: Resource has been exhausted (e.g. check quota). (Status: RESOURCE_EXHAUSTED)]' } }], EXIT1, undefined],
    ['gemini 429 advice, retry delay', gemini, [{ type: 'result', status: 'error', error: { message: 'Please wait and try again later. To increase your limits, request a quota increase through AI Studio. Please retry in 1h30m.' } }], EXIT1, '2026-08-21T11:30:00.000Z'],
    ['opencode APIError 429', opencode, [{ type: 'error', error: { name: 'APIError', data: { message: 'Too Many Requests', statusCode: 429 } } }], EXIT1, undefined],
    ['aider litellm RateLimitError', aider, ['litellm.RateLimitError: AnthropicException - rate_limit_error'], EXIT0, undefined],
  ])('%s', (_what, preset, lines, exit, resetsAt) => {
    const { verdict } = feed(preset, lines, exit);
    expect(verdict.outcome).toBe('usage_limited');
    expect(verdict.resetsAt).toBe(resetsAt);
    expect(verdict.reason).toMatch(resetsAt ? /hit a usage limit \(".*"\)$/ : /hit a usage limit \(".*"\) and did not say when it resets$/);
  });

  it('claude: an allowed status with only overage rejected is not a limit hit (#38673)', () => {
    const { verdict, said } = feed(claude, [{ type: 'rate_limit_event', rate_limit_info: { status: 'allowed', overageStatus: 'rejected' } }, claudeResult({ is_error: true, result: 'Internal error' })], EXIT1);
    expect(said).toEqual([]);
    expect(verdict.outcome).toBe('failed');
  });

  it('limit words in the agent\'s own text or tool output do not make a limit', () => {
    const prose = "You've hit your limit · resets 3pm (UTC) is the message we now show users";
    expect(feed(claude, [claudeAssistant([{ type: 'text', text: prose }]), claudeResult({ is_error: true, result: 'Internal error' })], EXIT1).verdict.outcome).toBe('failed');
    expect(feed(codex, [{ type: 'item.completed', item: { id: 'i', type: 'agent_message', text: prose } }, { type: 'turn.failed', error: { message: 'server error' } }], EXIT1).verdict.outcome).toBe('failed');
    expect(feed(gemini, [{ type: 'message', role: 'assistant', content: prose, delta: true }, { type: 'result', status: 'error', error: { message: 'boom' } }], EXIT1).verdict.outcome).toBe('failed');
  });

  it('a limit that the run got past does not override success', () => {
    expect(feed(codex, [{ type: 'error', message: "You've hit your usage limit." }, { type: 'turn.completed', usage: {} }]).verdict.outcome).toBe('succeeded');
  });
});

describe('reset times', () => {
  it.each([
    ["You've hit your limit · resets 3pm (UTC)", 'UTC', '2026-08-21T15:00:00.000Z'],
    ["You've hit your limit · resets 9am (UTC)", 'UTC', '2026-08-22T09:00:00.000Z'], // already past today: tomorrow
    ["You've hit your limit · resets 1pm (Europe/Lisbon)", 'UTC', '2026-08-21T12:00:00.000Z'],
    ["You've hit your limit · resets 12am", 'America/New_York', '2026-08-22T04:00:00.000Z'],
    ["You've hit your limit · resets 14:30 (Asia/Tokyo)", 'UTC', '2026-08-22T05:30:00.000Z'],
    ['… or try again at 3:28 PM.', 'America/New_York', '2026-08-21T19:28:00.000Z'],
    ['Claude AI usage limit reached|1787000000', 'UTC', '2026-08-17T20:53:20.000Z'],
    ['Claude AI usage limit reached|1787000000000', 'UTC', '2026-08-17T20:53:20.000Z'],
    ['Please retry in 45s', 'UTC', '2026-08-21T10:00:45.000Z'],
    ["You've hit your limit · resets 3pm (CEST)", 'UTC', undefined], // an abbreviation Intl does not know (it does know PST, EST)
    ["You've hit your limit · resets 13pm (UTC)", 'UTC', undefined],
    ["You've hit your limit · resets Sep 3, 3pm", 'UTC', undefined], // a date form we do not know: no guess
    ['… or try again at 3:28 PM on Sep 5.', 'UTC', undefined],
    ['no time here', 'UTC', undefined],
  ])('%s (%s)', (text, zone, expected) => {
    expect(parseResetsAt(text, NOW, zone)).toBe(expected);
  });
});

describe('what the parsers extract', () => {
  it('claude: usage from the result, summary falls back to the last top-level text, subagent text is not the summary', () => {
    const { verdict, said } = feed(claude, [
      { type: 'system', subtype: 'init', cwd: WS, session_id: 's1', model: 'claude-opus-4' },
      claudeAssistant([{ type: 'thinking', thinking: 'hmm' }]),
      claudeAssistant([{ type: 'thinking', thinking: 'more' }]),
      claudeAssistant([{ type: 'text', text: 'I fixed the bug.\nDetails follow.' }]),
      claudeAssistant([{ type: 'tool_use', name: 'Edit', input: { file_path: `${WS}/src/a.ts` } }, { type: 'tool_use', name: 'Grep', input: { pattern: 'TODO' } }]),
      claudeAssistant([{ type: 'tool_use', name: 'mcp__github__create_issue', input: {} }]),
      claudeAssistant([{ type: 'text', text: 'subagent chatter' }], { parent_tool_use_id: 'toolu_1' }),
      claudeAssistant([{ type: 'tool_use', name: 'Read', input: { file_path: '/etc/hosts' } }]),
      claudeResult({ total_cost: 0.5, usage: { input_tokens: 5, output_tokens: 7 } }),
    ]);
    expect(said).toEqual(['starting (claude-opus-4)', 'thinking', 'I fixed the bug.', 'editing src/a.ts', 'searching for "TODO"', 'using github.create_issue', 'subagent chatter', 'reading /etc/hosts']);
    expect(verdict).toEqual({ outcome: 'succeeded', reason: 'Claude Code finished after 2 turns', summary: 'I fixed the bug.\nDetails follow.', usage: { inputTokens: 5, outputTokens: 7, costUsd: 0.5, turns: 2 }, sessionId: 's1' });
  });

  it('claude: without a result line, usage is summed from the messages (each once)', () => {
    const msg = { type: 'assistant', message: { id: 'm1', content: [{ type: 'text', text: 'a' }], usage: { input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 100 } } };
    const msg2 = { type: 'assistant', message: { id: 'm2', content: [], usage: { input_tokens: 1, output_tokens: 1 } } };
    const { verdict } = feed(claude, [msg, { ...msg, message: { ...msg.message, content: [{ type: 'tool_use', name: 'Bash', input: { command: 'ls' } }] } }, msg2], EXIT1);
    expect(verdict.usage).toEqual({ inputTokens: 111, cachedInputTokens: 100, outputTokens: 4 });
  });

  it('codex: one progress line per item, not one per item event', () => {
    const cmd = { id: 'item_1', type: 'command_execution', command: "bash -lc 'pytest -q'", status: 'in_progress' };
    const { said } = feed(codex, [
      { type: 'item.started', item: cmd },
      { type: 'item.updated', item: cmd },
      { type: 'item.completed', item: { ...cmd, status: 'completed', exit_code: 0 } },
      { type: 'item.completed', item: { id: 'item_2', type: 'file_change', changes: [{ path: 'a.ts', kind: 'update' }, { path: 'b.ts', kind: 'add' }, { path: 'c.ts', kind: 'delete' }, { path: 'd.ts', kind: 'update' }] } },
      { type: 'item.completed', item: { id: 'item_3', type: 'mcp_tool_call', server: 'docs', tool: 'search' } },
      { type: 'item.completed', item: { id: 'item_4', type: 'web_search', query: 'vitest fake timers' } },
    ]);
    expect(said).toEqual(['running tests', 'editing 4 files (a.ts, b.ts, c.ts, …)', 'using docs.search', 'searching the web for "vitest fake timers"']);
  });

  it('gemini: the summary is the assistant text after the last tool call', () => {
    const { verdict } = feed(gemini, [
      { type: 'message', role: 'user', content: 'do it' },
      { type: 'message', role: 'assistant', content: 'Let me look. ', delta: true },
      { type: 'tool_use', tool_name: 'glob', parameters: { pattern: '**/*.ts' } },
      { type: 'message', role: 'assistant', content: 'Fixed it; ', delta: true },
      { type: 'message', role: 'assistant', content: 'tests pass.', delta: true },
      { type: 'result', status: 'success', stats: { input_tokens: 10, output_tokens: 2 } },
    ]);
    expect(verdict).toMatchObject({ outcome: 'succeeded', summary: 'Fixed it; tests pass.', usage: { inputTokens: 10, outputTokens: 2 } });
  });

  it('opencode: sums cost and tokens over steps; the summary is the last step\'s text', () => {
    const step = (reason: string, cost: number) => ({ type: 'step_finish', part: { reason, cost, tokens: { input: 100, output: 10, reasoning: 5, cache: { read: 1000, write: 50 } } } });
    const { verdict, said } = feed(opencode, [
      { type: 'step_start', sessionID: 'ses_1' },
      { type: 'text', part: { text: 'Looking around.' } },
      { type: 'tool_use', part: { tool: 'todowrite', callID: 'c1', state: { input: { todos: [{ content: 'a', status: 'completed' }, { content: 'b', status: 'in_progress' }, { content: 'c', status: 'pending' }, { content: 'd', status: 'pending' }] } } } },
      { type: 'tool_use', part: { tool: 'edit', callID: 'c2', state: { status: 'error', input: { filePath: `${WS}/x.go` } } } },
      step('tool-calls', 0.01),
      { type: 'step_start' },
      { type: 'text', part: { text: 'Done: x.go fixed.' } },
      step('stop', 0.02),
    ]);
    expect(said).toEqual(['thinking', 'Looking around.', 'working on: b', 'editing x.go', 'thinking', 'Done: x.go fixed.']);
    expect(verdict).toMatchObject({ outcome: 'succeeded', summary: 'Done: x.go fixed.', sessionId: 'ses_1', usage: { inputTokens: 2300, cachedInputTokens: 2000, outputTokens: 30, turns: 2 } });
    expect(verdict.usage?.costUsd).toBeCloseTo(0.03, 10);
    expect(feed(opencode, [{ type: 'tool_use', part: { tool: 'todowrite', callID: 'c1', state: { input: { todos: [{ status: 'completed' }, { status: 'pending' }] } } } }]).events[0]?.percent).toBe(50);
  });

  it('a todo list becomes the plan: Claude Code and OpenCode by status, Codex by the first item not done', () => {
    const todos = [{ content: 'Write the parser', status: 'completed' }, { content: 'Run the tests', status: 'in_progress' }, { content: 'Open the PR', status: 'pending' }];
    const want = [{ text: 'Write the parser', status: 'done' }, { text: 'Run the tests', status: 'in_progress' }, { text: 'Open the PR', status: 'pending' }];
    const fromClaude = feed(claude, [{ type: 'assistant', message: { id: 'm1', content: [{ type: 'tool_use', id: 't1', name: 'TodoWrite', input: { todos } }] }, parent_tool_use_id: null }]);
    expect(fromClaude.events.at(-1)?.plan).toEqual(want);
    const fromOpencode = feed(opencode, [{ type: 'tool_use', part: { tool: 'todowrite', callID: 'c1', state: { input: { todos } } } }]);
    expect(fromOpencode.events.at(-1)?.plan).toEqual(want);
    const items = [{ text: 'Write the parser', completed: true }, { text: 'Run the tests', completed: false }, { text: 'Open the PR', completed: false }];
    const fromCodex = feed(codex, [{ type: 'item.started', item: { id: 'i1', type: 'todo_list', items } }]);
    expect(fromCodex.events.at(-1)?.plan).toEqual(want);
    const fromGemini = feed(gemini, [{ type: 'tool_use', tool_name: 'write_todos', tool_id: 'w1', parameters: { todos: todos.map((t) => ({ description: t.content, status: t.status })) } }]);
    expect(fromGemini.events.at(-1)?.plan).toEqual(want);
    // A tool call that is not the todo list carries no plan.
    expect(feed(claude, [{ type: 'assistant', message: { id: 'm2', content: [{ type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'ls' } }] }, parent_tool_use_id: null }]).events.at(-1)?.plan).toBeUndefined();
  });

  it('aider: tokens with cache figures, the session cost, commands it ran, the last reply as summary', () => {
    const { verdict, said } = feed(aider, [
      'Added src/app.py to the chat.',
      'First I will look.',
      'Tokens: 2.4k sent, 1.2k cache write, 3.0k cache hit, 16 received.',
      'Cost: $0.01 message, $0.02 session.',
      'Running pytest -q',
      'Fixed the failing test in src/app.py.',
      'Nothing else is left.',
      'src/app.py',
      '```python',
      '<<<<<<< SEARCH',
      '=======',
      '>>>>>>> REPLACE',
      '```',
      'Tokens: 12k sent, 1.5M received. Cost: $0.10 message, $0.12 session.',
      'Applied edit to src/app.py',
      'Commit 1a2b3c4 fix: the failing test',
    ]);
    expect(said).toEqual(['reading src/app.py', 'First I will look.', 'running tests', 'Fixed the failing test in src/app.py.', 'Nothing else is left.', 'editing src/app.py', 'committed: fix: the failing test']);
    expect(verdict).toMatchObject({
      outcome: 'succeeded',
      summary: 'Fixed the failing test in src/app.py.\nNothing else is left.',
      usage: { inputTokens: 14_400, cachedInputTokens: 3000, outputTokens: 1_500_016, costUsd: 0.12, turns: 2 },
    });
  });

  it('custom: the PROGRESS protocol, and the exit code decides', () => {
    const preset = customPreset(['/opt/agent']);
    const ok = feed(preset, ['PROGRESS 40% writing tests', '[90%] almost', 'plain line', '   ']);
    expect(ok.events).toEqual([
      { type: 'progress', message: 'writing tests', percent: 40 },
      { type: 'progress', message: 'almost', percent: 90 },
      { type: 'progress', message: 'plain line', percent: null },
    ]);
    expect(ok.verdict).toEqual({ outcome: 'succeeded', reason: 'command agent exited with code 0' });
    expect(feed(preset, [['boom', 'stderr']], { code: 3, signal: null }).verdict).toEqual({ outcome: 'failed', reason: 'command agent exited with code 3; last output: "boom"' });
    expect(feed(preset, [], { code: null, signal: 'SIGTERM' }).verdict.reason).toBe('command agent was killed by SIGTERM');
    expect(() => customPreset([])).toThrow(/needs a command/);
  });
});

describe('text helpers', () => {
  it.each([
    ["bash -lc 'npm test'", 'running tests'],
    ['/bin/zsh -lc "cd app && pytest -q"', 'running tests'],
    ['CI=1 npx vitest run', 'running tests'],
    ['go test ./...', 'running tests'],
    ['git add -A && git commit -m "x"', 'committing'],
    ['npm ci', 'installing dependencies'],
    ['pip install -r requirements.txt', 'installing dependencies'],
    ['npx eslint .', 'linting'],
    ['npx tsc --noEmit', 'building'],
    ['ls -la src', 'running `ls -la src`'],
    ['cat README.md | head', 'running `cat README.md`'],
  ])('describeCommand(%j) = %j', (command, expected) => {
    expect(describeCommand(command)).toBe(expected);
  });

  it('describeCommand accepts an argv array', () => {
    expect(describeCommand(['bash', '-lc', 'cargo test'])).toBe('running `bash -lc cargo test`');
  });

  it('displayPath shows paths inside the workspace relative, others as given', () => {
    expect(displayPath(`${WS}/src/a.ts`, WS)).toBe('src/a.ts');
    expect(displayPath('/work/ws/t-70/x.ts', WS)).toBe('/work/ws/t-70/x.ts');
    expect(displayPath('relative/b.ts', WS)).toBe('relative/b.ts');
    expect(displayPath(`${WS}/../t-8/c.ts`, WS)).toBe(`${WS}/../t-8/c.ts`);
  });

  it('trimSummary keeps the head and the tail of a long summary, within the limit', () => {
    const long = `START ${'x'.repeat(4000)} What is left: the docs. END`;
    const s = trimSummary(long) ?? '';
    expect(s.length).toBeLessThanOrEqual(MAX_SUMMARY);
    expect(s.startsWith('START')).toBe(true);
    expect(s.endsWith('What is left: the docs. END')).toBe(true);
    expect(trimSummary('  \n ')).toBeUndefined();
  });

  it('long progress lines are clipped to one short line', () => {
    const { said } = feed(claude, [claudeAssistant([{ type: 'text', text: `${'word '.repeat(60)}\nsecond line` }])]);
    expect(said[0]?.length).toBeLessThanOrEqual(100);
    expect(said[0]?.endsWith('…')).toBe(true);
  });
});

describe('Claude Code retrying a failing API call by itself', () => {
  it('says so as progress, instead of sitting at "starting" for minutes', () => {
    const { said } = feed(claude, [
      { type: 'system', subtype: 'init', cwd: WS, session_id: 's1', model: 'claude-sonnet-4-5', apiKeySource: 'ANTHROPIC_API_KEY' },
      { type: 'system', subtype: 'api_retry', attempt: 4, max_retries: 10, retry_delay_ms: 8000, error_status: 401, session_id: 's1' },
      { type: 'system', subtype: 'api_retry', session_id: 's1' },
    ]);
    expect(said).toEqual(['starting (claude-sonnet-4-5)', 'API error 401, retry 4/10', 'API error, retrying']);
  });
});

describe('Claude Code 2.1.3xx usage-limit wording, without a rate_limit_event', () => {
  it.each([
    ["You've hit your 5-hour limit · resets 9:14am (UTC)", '2026-08-22T09:14:00.000Z'], // 09:14 has passed today (10:00 UTC)
    ["You've hit your weekly limit · resets 3pm (UTC)", '2026-08-21T15:00:00.000Z'],
  ])('%j is a usage limit, with its reset time kept', (text, resets) => {
    const { verdict } = feed(claude, [claudeAssistant([{ type: 'text', text }], { error: 'rate_limit' }), claudeResult({ is_error: true, api_error_status: 429, result: text })], EXIT1);
    expect(verdict.outcome).toBe('usage_limited');
    expect(verdict.resetsAt).toBe(resets);
  });
});
