// Agent presets against fake CLIs that behave like the real ones (test/fixtures/fake-clis): the argv
// each CLI documents for unattended runs, and what the parsers make of each CLI's real stream format
// when the process really runs in a git repository.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aider, claude, codex, customPreset, gemini, opencode, type AgentPreset } from '../src/builders/presets/index.ts';
import { gitLog, gitStatus, isAlive, runFake, startFake, waitFor } from './fixtures/fake-clis/harness.ts';
import { tempDir } from './helpers/temp-dir.ts';

const WS = '/work/ws/t-7';
const PROMPT = 'Fix the parser.\nSpec: it\'s "quoted" $(rm -rf /) `echo pwned`';
const AGENTS = [claude, codex, gemini, opencode, aider] as const;
const byName = (name: string): AgentPreset => AGENTS.find((a) => a.name === name) ?? claude;
const messages = (events: Array<{ message: string }>) => events.map((e) => e.message);

describe('argv: the documented headless form, prompt where the CLI reads it', () => {
  it.each([
    ['claude', ['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'bypassPermissions', '--model', 'M', '--max-turns', '40'], PROMPT],
    ['codex', ['exec', '--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', '-C', WS, '-m', 'M', '--max-turns', '40', '-'], PROMPT],
    ['gemini', ['-p', PROMPT, '--output-format', 'stream-json', '--approval-mode', 'yolo', '-m', 'M', '--skip-trust', '--max-turns', '40'], null],
    ['opencode', ['run', '--format', 'json', '--auto', '-m', 'M', '--dir', WS, '--max-turns', '40', PROMPT], null],
    [
      'aider',
      ['--message', PROMPT, '--yes-always', '--model', 'M', '--auto-commits', '--no-pretty', '--no-stream', '--no-fancy-input', '--no-check-update', '--no-show-release-notes', '--no-analytics', '--no-show-model-warnings', '--no-gitignore', '--chat-history-file', '/dev/null', '--input-history-file', '/dev/null', '--max-turns', '40'],
      null,
    ],
  ] as const)('%s', (name, args, stdin) => {
    const inv = byName(name).argv({ prompt: PROMPT, workspace: WS, model: 'M', extraArgs: ['--max-turns', '40'] });
    expect(inv).toEqual({ args, stdin });
  });

  it('leaves out --model when none is configured', () => {
    for (const preset of AGENTS) {
      const { args } = preset.argv({ prompt: 'p', workspace: WS });
      expect(args.some((a) => a === '--model' || a === '-m')).toBe(false);
    }
  });

  it('keeps aider history files in the state directory when one is given, never in the worktree', () => {
    const { args } = aider.argv({ prompt: 'p', workspace: WS, stateDir: '/data/state/t-7' });
    expect(args).toEqual(expect.arrayContaining(['--chat-history-file', '/data/state/t-7/aider.chat.history.md', '--llm-history-file', '/data/state/t-7/aider.llm.history']));
    expect(args.join(' ')).not.toContain(WS);
  });

  it('never lets a prompt that starts with a dash be read as a flag', () => {
    for (const preset of [gemini, opencode, aider]) {
      const { args } = preset.argv({ prompt: '--help me', workspace: WS });
      expect(args).toContain(' --help me');
      expect(args).not.toContain('--help me');
    }
  });

  it('custom: the configured argv plus extra args, the prompt on stdin', () => {
    const preset = customPreset(['/opt/agent', '--fast']);
    expect(preset.binary).toBe('/opt/agent');
    expect(preset.argv({ prompt: 'spec text', workspace: WS, model: 'ignored', extraArgs: ['-v'] })).toEqual({ args: ['--fast', '-v'], stdin: 'spec text' });
  });

  it('says what each agent needs from the environment', () => {
    expect(claude.authEnv).toEqual(expect.arrayContaining(['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'IS_SANDBOX']));
    expect(claude.whenRoot?.env).toEqual({ IS_SANDBOX: '1' });
    expect(codex.authEnv).toEqual(expect.arrayContaining(['CODEX_API_KEY', 'OPENAI_API_KEY', 'CODEX_HOME']));
    expect(gemini.authEnv).toEqual(expect.arrayContaining(['GEMINI_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_CLOUD_PROJECT']));
    expect(opencode.authEnv).toEqual(expect.arrayContaining(['XDG_DATA_HOME', 'ANTHROPIC_API_KEY']));
    expect(aider.authEnvPrefixes).toEqual(['AIDER_']);
    for (const preset of AGENTS) expect(preset.authEnv.every((n) => /^[A-Z][A-Z0-9_]*$/.test(n))).toBe(true);
  });

  it('opencode wants its model as provider/model', () => {
    expect(opencode.checkModel?.('anthropic/claude-sonnet-4-5')).toBeNull();
    expect(opencode.checkModel?.('gpt-4o')).toMatch(/provider\/model.*"gpt-4o"/);
  });
});

describe('a successful run of each fake CLI, through its parser', () => {
  const HASHED = /^Added src\/feature\.ts and committed it \([0-9a-f]{7,}\)\. Left: nothing\.$/;
  it.each([
    {
      name: 'claude',
      progress: ['starting (claude-sonnet-4-5)', 'thinking', 'reading README.md', 'writing src/feature.ts', 'working on: Run the tests', 'running tests', 'committing'],
      percents: { 'working on: Run the tests': 50 },
      usage: { inputTokens: 159_493, cachedInputTokens: 150_332, outputTokens: 2210, costUsd: 0.4132, turns: 9 },
      session: /^[0-9a-f-]{36}$/,
      author: 'Fake Claude',
    },
    {
      name: 'codex',
      progress: ['starting', 'working on: Write the feature', 'thinking', 'running `cat README.md`', 'creating src/feature.ts', 'running tests', 'committing', 'plan complete'],
      percents: { 'working on: Write the feature': 33, 'plan complete': 100 },
      usage: { inputTokens: 24_763, cachedInputTokens: 24_448, outputTokens: 122 },
      session: /^[0-9a-f-]{36}$/,
      author: 'Fake Codex',
    },
    {
      name: 'gemini',
      progress: ['starting (gemini-2.5-pro)', 'reading README.md', 'writing a reply', 'writing src/feature.ts', 'running tests', 'committing', 'writing a reply'],
      percents: {},
      usage: { inputTokens: 17_600, cachedInputTokens: 12_000, outputTokens: 630 },
      session: /^[0-9a-f-]{36}$/,
      author: 'Fake Gemini',
    },
    {
      name: 'opencode',
      progress: ['thinking', 'reading README.md', 'thinking', 'writing src/feature.ts', 'running tests', 'committing', 'thinking'],
      percents: {},
      usage: { inputTokens: 3600 + 3 * 18_944, cachedInputTokens: 3 * 18_944, outputTokens: 210, turns: 3 },
      session: /^ses_/,
      author: 'Fake OpenCode',
    },
    {
      name: 'aider',
      progress: ['Added the feature in src/feature.ts as asked.', 'Left: nothing.', 'editing src/feature.ts', 'committed: feat: Add the feature'],
      percents: {},
      usage: { inputTokens: 2400, outputTokens: 120, costUsd: 0.05, turns: 1 },
      session: undefined,
      author: 'Fake Aider (aider)',
    },
  ])('$name: progress lines, verdict, usage, summary, the commit', async ({ name, progress, percents, usage, session, author }) => {
    const preset = byName(name);
    const run = await runFake(preset, { prompt: PROMPT });
    expect(run.exit.code).toBe(0);
    const said = messages(run.events);
    if (name === 'aider' || name === 'gemini') expect(said).toEqual(progress);
    else {
      expect(said.slice(0, -1)).toEqual(progress); // then the agent's own last words
      expect(said[said.length - 1]).toMatch(HASHED);
    }
    for (const e of run.events) expect(e.percent).toBe((percents as Record<string, number>)[e.message] ?? null);

    expect(run.verdict.outcome).toBe('succeeded');
    expect(run.verdict.reason).toMatch(/finished|completed/);
    const { costUsd, ...counts } = usage as typeof usage & { costUsd?: number };
    expect(run.verdict.usage).toMatchObject(counts);
    if (costUsd !== undefined) expect(run.verdict.usage?.costUsd).toBeCloseTo(costUsd, 6);
    if (name === 'opencode') expect(run.verdict.usage?.costUsd).toBeCloseTo(0.0083, 6);
    if (session) expect(run.verdict.sessionId).toMatch(session);
    else expect(run.verdict.sessionId).toBeUndefined();
    expect(run.verdict.summary).toMatch(name === 'aider' ? /^Added the feature in src\/feature\.ts as asked\.\nLeft: nothing\.$/ : HASHED);

    // The fake got exactly the preset's argv and the prompt verbatim, edited and committed in the repo.
    const record = await run.readRecord();
    expect(record.argv).toEqual(preset.argv({ prompt: PROMPT, workspace: run.workspace }).args);
    expect(record.prompt).toBe(PROMPT);
    expect(record.cwd).toBe(run.workspace);
    expect(gitLog(run.workspace)[0]).toMatch(new RegExp(`^${author.replace(/[()]/g, '\\$&')}\\|`));
    expect(await readFile(join(run.workspace, 'src/feature.ts'), 'utf8')).toContain(JSON.stringify(PROMPT));
    expect(gitStatus(run.workspace)).toBe(''); // nothing left behind in the worktree: no history files, no .gitignore edits
  });

  it('passes --model through to the CLI', async () => {
    const run = await runFake(claude, { model: 'opus' });
    expect(run.events[0]?.message).toBe('starting (opus)');
  });

  it.each(AGENTS.map((a) => [a.name, a] as const))('%s: unknown event types and garbage lines change nothing', async (_name, preset) => {
    const clean = await runFake(preset);
    const noisy = await runFake(preset, { env: { FAKE_CLI_NOISE: '1' } });
    expect(noisy.lines.length).toBeGreaterThan(clean.lines.length);
    expect(noisy.verdict.outcome).toBe('succeeded');
    const withoutHash = (m: string) => m.replace(/\([0-9a-f]{7,}\)/, '(hash)');
    const said = messages(noisy.events).map(withoutHash);
    // Aider is plain text: a garbage line is just the latest line, so only its structured parts must survive.
    if (preset.name === 'aider') expect(said).toEqual(expect.arrayContaining(messages(clean.events)));
    else expect(said).toEqual(messages(clean.events).map(withoutHash));
  });

  it.each(AGENTS.map((a) => [a.name, a] as const))('%s: 500 lines printed fast all become progress', async (_name, preset) => {
    const run = await runFake(preset, { env: { FAKE_CLI_MODE: 'flood' } });
    expect(run.verdict.outcome).toBe('succeeded');
    const files = run.events.filter((e) => /src\/file-\d+\.ts/.test(e.message));
    expect(files).toHaveLength(500);
    expect(files[499]?.message).toContain('src/file-500.ts');
  });
});

describe('failures, each named for what went wrong', () => {
  it.each([
    ['claude', /Claude Code reported an error: fake failure: the build is broken/],
    ['codex', /Codex's turn failed: unexpected status 500/],
    ['gemini', /Gemini CLI reported an error: \[API Error: got status: 500/],
    ['opencode', /OpenCode's provider API call failed with HTTP 500: Internal server error/],
    ['aider', /Aider gave up on the model API: "The API provider's servers are down or overloaded\."/],
  ])('%s: a failed run is failed, whatever the exit code', async (name, reason) => {
    for (const exit of ['', '0']) {
      const run = await runFake(byName(name), { env: { FAKE_CLI_MODE: 'fail', FAKE_CLI_EXIT: exit } });
      expect(run.verdict).toMatchObject({ outcome: 'failed' });
      expect(run.verdict.reason).toMatch(reason);
    }
  });

  it.each([
    ['claude', /You've hit your limit · resets 3pm \(UTC\)|five_hour/, true],
    ['codex', /You've hit your usage limit/, true],
    ['gemini', /exhausted your daily quota/, false],
    ['opencode', /HTTP 429: Rate limit exceeded/, false],
    ['aider', /The API provider has rate limited you/, false],
  ])('%s: a usage limit is usage_limited, never succeeded, even with exit 0', async (name, evidence, hasReset) => {
    for (const exit of ['', '0']) {
      const started = Date.now();
      const run = await runFake(byName(name), { env: { FAKE_CLI_MODE: 'usage-limit', FAKE_CLI_EXIT: exit }, parser: { timeZone: 'UTC' } });
      expect(run.verdict.outcome).toBe('usage_limited');
      expect(run.verdict.reason).toMatch(evidence);
      expect(run.verdict.resetsAt !== undefined).toBe(hasReset);
      if (name === 'claude') {
        // the structured rate_limit_event (resetsAt epoch, two hours ahead) wins over the text
        const at = Date.parse(run.verdict.resetsAt ?? '');
        expect(at).toBeGreaterThan(started + 7_100_000);
        expect(at).toBeLessThan(started + 7_300_000);
      }
      if (name === 'codex') expect(run.verdict.resetsAt).toMatch(/T15:28:00\.000Z$/);
      if (!hasReset) expect(run.verdict.reason).toContain('did not say when it resets');
      expect(run.verdict.reason).not.toMatch(/\d{4}-\d\d-\d\dT|Retry later|\.\.$/); // no raw instant, no advice to retry by hand
    }
  });

  it.each([
    ['claude', /Claude Code exited with code 0 without a final result line/],
    ['codex', /Codex exited with code 0 without finishing its turn \(no turn\.completed or turn\.failed\)/],
    ['gemini', /Gemini CLI exited with code 0 without a result event/],
    ['opencode', /OpenCode exited with code 0 in the middle of its work/],
    ['aider', /Aider exited with code 0 without a reply from its model/],
  ])('%s: exit 0 without a terminal event is a failure of its own', async (name, reason) => {
    const run = await runFake(byName(name), { env: { FAKE_CLI_MODE: 'no-terminal' } });
    expect(run.exit.code).toBe(0);
    expect(run.verdict.outcome).toBe('failed');
    expect(run.verdict.reason).toMatch(reason);
  });

  it.each([
    ['claude', {}, /not authenticated: let ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN through BUILDER_ENV_ALLOW/, 'ANTHROPIC_API_KEY'],
    ['codex', {}, /401 Unauthorized.*CODEX_API_KEY or OPENAI_API_KEY/, 'OPENAI_API_KEY'],
    ['gemini', { code: 41 }, /not authenticated: let GEMINI_API_KEY/, 'GEMINI_API_KEY'],
    ['opencode', {}, /could not authenticate with anthropic: API key is missing.*BUILDER_ENV_ALLOW/, 'ANTHROPIC_API_KEY'],
    ['aider', {}, /could not authenticate with the model provider.*BUILDER_ENV_ALLOW/, 'OPENAI_API_KEY'],
  ])('%s: missing auth says which variable to let through; with it, the run works', async (name, exit, reason, key) => {
    const preset = byName(name);
    expect(preset.authEnv).toContain(key);
    const without = await runFake(preset, { env: { FAKE_CLI_REQUIRE_AUTH: '1' } });
    expect(without.verdict.outcome).toBe('failed');
    expect(without.verdict.reason).toMatch(reason);
    if ('code' in exit) expect(without.exit.code).toBe(exit.code);
    const withKey = await runFake(preset, { env: { FAKE_CLI_REQUIRE_AUTH: '1', [key]: 'sk-test' } });
    expect(withKey.verdict.outcome).toBe('succeeded');
  });

  it('claude: a key that was sent and refused (HTTP 401) is said as such, and is not worth a retry', async () => {
    const run = await runFake(byName('claude'), { env: { FAKE_CLI_MODE: 'bad-key', ANTHROPIC_API_KEY: 'sk-ant-revoked' } });
    expect(run.verdict.outcome).toBe('failed');
    expect(run.verdict.retryable).toBe(false);
    expect(run.verdict.reason).toBe(`Claude Code's credentials (ANTHROPIC_API_KEY) were rejected with HTTP 401 ("Invalid API key · Please run /login"): check or replace the key; trying again cannot fix this`);
    expect(run.verdict.reason).not.toMatch(/BUILDER_ENV_ALLOW/);
  });

  it.each(AGENTS.map((a) => [a.name, a] as const))('%s: a hung agent and its child die with the process group; the verdict says killed', async (name, preset) => {
    const started = await startFake(preset, { env: { FAKE_CLI_MODE: 'hang' } });
    const pids = await waitFor(async () => {
      try {
        return JSON.parse(await readFile(started.recordPath, 'utf8')).pids as { self: number; child: number } | undefined;
      } catch {
        return undefined;
      }
    }, 'the fake to record its pids');
    expect(isAlive(pids.child)).toBe(true);
    process.kill(-(started.child.pid ?? 0), 'SIGTERM');
    const run = await started.done;
    expect(run.verdict.outcome).toBe('failed');
    expect(run.verdict.reason).toMatch(name === 'claude' ? /exited with code 143 \(SIGTERM\) without a final result line/ : /was killed by SIGTERM/);
    await waitFor(() => (isAlive(pids.child) ? undefined : true), 'the child to exit');
    if (name !== 'opencode') expect(run.events.length).toBeGreaterThan(0); // opencode reports tools only when they finish
  });
});

describe('startup refusals of the real CLIs, reproduced by the fakes', () => {
  it('claude as root without IS_SANDBOX refuses bypass mode; the reason says what to do', async () => {
    const run = await runFake(claude, { env: { FAKE_CLI_AS_ROOT: '1' }, grantRoot: false });
    expect(run.exit.code).toBe(1);
    expect(run.verdict.outcome).toBe('failed');
    expect(run.verdict.reason).toMatch(/refuses bypassPermissions as root: run nightshift as an ordinary user, or.*IS_SANDBOX=1/);
    const granted = await runFake(claude, { env: { FAKE_CLI_AS_ROOT: '1', ...claude.whenRoot?.env } });
    expect(granted.verdict.outcome).toBe('succeeded');
  });

  it('claude without --verbose exits 1 with the real message, which the parser explains', async () => {
    const args = claude.argv({ prompt: 'p', workspace: '.' }).args.filter((a) => a !== '--verbose');
    const run = await runFake(claude, { args });
    expect(run.exit.code).toBe(1);
    expect(run.lines.map((l) => l.text)).toContain('Error: When using --print, --output-format=stream-json requires --verbose');
    expect(run.verdict.reason).toMatch(/stream-json output needs --verbose/);
  });

  it('gemini in an untrusted folder ends with a result error and exit 55', async () => {
    const args = gemini.argv({ prompt: 'p', workspace: '.' }).args.filter((a) => a !== '--skip-trust');
    const run = await runFake(gemini, { args });
    expect(run.exit.code).toBe(55);
    expect(run.verdict.reason).toMatch(/does not trust the workspace \(exit 55\): pass --skip-trust.*not running in a trusted directory/);
  });

  it('a dash-led prompt reaches yargs/argparse CLIs as a value, not a flag', async () => {
    for (const preset of [gemini, opencode, aider]) {
      const run = await runFake(preset, { prompt: '--fix the tests' });
      expect(run.verdict.outcome).toBe('succeeded');
      expect((await run.readRecord()).prompt).toBe(' --fix the tests');
    }
  });

  it('aider with a state directory writes its chat history there', async () => {
    const stateDir = await tempDir('nightshift-aider-state-');
    const run = await runFake(aider, { stateDir });
    expect(run.verdict.outcome).toBe('succeeded');
    expect(await readFile(join(stateDir, 'aider.chat.history.md'), 'utf8')).toContain('Add a feature file');
    expect(gitStatus(run.workspace)).toBe('');
  });

  it.each([
    ['claude', ['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'bypassPermissions', '--frobnicate'], /unknown option '--frobnicate'/],
    ['claude', ['--output-format', 'stream-json', '--verbose'], /only supports print mode/],
    ['claude', ['-p', '--output-format', 'stream-json', '--verbose'], /bypassPermissions/],
    ['codex', ['exec', '--sandbox', 'workspace-write', '-'], /only speaks --json/],
    ['codex', ['exec', '--json', '-'], /read-only sandbox cannot edit files/],
    ['codex', ['--json', '-'], /only supports `codex exec`/],
    ['gemini', ['hello', '--output-format', 'stream-json', '--approval-mode', 'yolo'], /positional query starts interactive mode/],
    ['gemini', ['-p', 'hi', '--output-format', 'stream-json'], /--approval-mode yolo/],
    ['gemini', ['-p', '--oops', '--output-format', 'stream-json', '--approval-mode', 'yolo'], /option '-p' expects a value/],
    ['opencode', ['run', '--auto', 'hi'], /only speaks --format json/],
    ['opencode', ['--format', 'json', 'hi'], /only supports `opencode run`/],
    ['aider', ['--message', 'hi', '--yes-always', '--bogus'], /unrecognized arguments: --bogus/],
    ['aider', ['--message', 'hi'], /need --yes-always/],
  ])('fake %s refuses argv the real CLI would not run unattended: %j', async (name, args, message) => {
    const run = await runFake(byName(name), { args });
    expect(run.exit.code).toBe(2);
    expect(run.lines.filter((l) => l.stream === 'stderr').map((l) => l.text).join('\n')).toMatch(message);
    expect(run.verdict.outcome).toBe('failed');
  });
});
