// Intake as the owner meets it: real chat phrasings in, drafts / questions / hints out.
// The clock is pinned to Wednesday 2026-03-04 10:00 in America/Chicago (16:00 UTC, UTC-6).
import { describe, expect, it } from 'vitest';
import { interpretMessage, type IntakeContext, type Interpretation } from '../src/core/intake/index.ts';
import { decidePriority } from '../src/core/intake/priority.ts';
import { splitInlineList } from '../src/core/intake/split.ts';
import { TaskDraft } from '../src/core/task.ts';

const ctx: IntakeContext = { now: new Date('2026-03-04T16:00:00Z'), timeZone: 'America/Chicago' };
const HOUR = 3_600_000;

const TONIGHT = '2026-03-04T23:59:00-06:00';
const TOMORROW_9 = '2026-03-05T09:00:00-06:00';
const TODAY_18 = '2026-03-04T18:00:00-06:00';
const FRIDAY_18 = '2026-03-06T18:00:00-06:00';
const DEFAULT = 'no urgency given (default)';
const HINT = 'Say "build <what> [by <when>]", or "status" / "queue" / "help".';

type Row = [text: string, drafts: Array<Partial<TaskDraft>>];

const SINGLE_TASKS: Row[] = [
  ['build a Spotify integration by tonight', [{ title: 'Build a Spotify integration', priority: 'high', priorityReason: 'deadline within 24 h (by tonight)', deadline: TONIGHT, deadlinePhrase: 'by tonight', estimateMs: null, request: 'build a Spotify integration by tonight' }]],
  ['/build a login page', [{ title: 'Build a login page', priority: 'medium', priorityReason: DEFAULT, deadline: null, deadlinePhrase: null }]],
  ['/build login page by tonight', [{ title: 'Build login page', deadline: TONIGHT, request: 'build login page by tonight' }]],
  ['/build fix the flaky upload test', [{ title: 'Fix the flaky upload test' }]],
  ['@nightshift build a status page by friday', [{ title: 'Build a status page', deadline: FRIDAY_18, deadlinePhrase: 'by friday', priority: 'medium', priorityReason: DEFAULT }]],
  ['<@U123> build a CSV export tonight', [{ title: 'Build a CSV export', deadlinePhrase: 'tonight', deadline: TONIGHT, priority: 'high', request: 'build a CSV export tonight' }]],
  ['<@U123|nightshift>: please build dark mode for the settings page', [{ title: 'Build dark mode for the settings page', request: 'please build dark mode for the settings page' }]],
  ['<@!4412> build a /ping slash command', [{ title: 'Build a /ping slash command' }]],
  ['please build a README generator', [{ title: 'Build a README generator', deadline: null }]],
  ['help me build a login page', [{ title: 'Build a login page' }]],
  ['hey nightshift, can you please build a dark mode toggle by tomorrow 3pm? thanks!', [{ title: 'Build a dark mode toggle', deadline: '2026-03-05T15:00:00-06:00', deadlinePhrase: 'by tomorrow 3pm' }]],
  ['build a sitemap by friday, no rush', [{ title: 'Build a sitemap', deadlinePhrase: 'by friday', priority: 'medium', priorityReason: 'said "no rush"' }]],
  ['can you build a webhook receiver by tomorrow?', [{ title: 'Build a webhook receiver', deadline: TOMORROW_9, deadlinePhrase: 'by tomorrow', priority: 'medium', priorityReason: 'said "tomorrow"' }]],
  ['could you fix the signup form by friday 5pm', [{ title: 'Fix the signup form', deadline: '2026-03-06T17:00:00-06:00', deadlinePhrase: 'by friday 5pm' }]],
  ['build an invoice PDF by Dec 3', [{ title: 'Build an invoice PDF', deadline: '2026-12-03T18:00:00-06:00', deadlinePhrase: 'by Dec 3', priority: 'medium' }]],
  ['build a retry wrapper in 3 hours', [{ title: 'Build a retry wrapper', deadline: '2026-03-04T13:00:00-06:00', deadlinePhrase: 'in 3 hours', priority: 'high', priorityReason: 'deadline within 24 h (in 3 hours)' }]],
  ['build the admin panel by next tuesday', [{ title: 'Build the admin panel', deadline: '2026-03-10T18:00:00-05:00', deadlinePhrase: 'by next tuesday' }]],
  ['refactor the billing module by 9am', [{ title: 'Refactor the billing module', deadline: TOMORROW_9, priority: 'high', priorityReason: 'deadline within 24 h (by 9am)' }]],
  ['write release notes by end of day', [{ title: 'Write release notes', deadline: TODAY_18, deadlinePhrase: 'by end of day', priority: 'high' }]],
  ['update the changelog EOD', [{ title: 'Update the changelog', deadline: TODAY_18, deadlinePhrase: 'EOD' }]],
  ['build a landing page this weekend', [{ title: 'Build a landing page', deadline: '2026-03-08T23:59:00-05:00', deadlinePhrase: 'this weekend', priority: 'medium', priorityReason: DEFAULT }]],
  ['migrate the docs site this week', [{ title: 'Migrate the docs site', deadline: FRIDAY_18, priority: 'medium', priorityReason: 'said "this week"' }]],
  ['set up a staging server overnight', [{ title: 'Set up a staging server', deadline: TOMORROW_9, deadlinePhrase: 'overnight', priority: 'high' }]],
  ['build a page that updates every friday', [{ title: 'Build a page that updates every friday', deadline: null }]],
  ['build a 3d viewer for the product page', [{ title: 'Build a 3d viewer for the product page', deadline: null }]],
  ["build the today view", [{ title: 'Build the today view', deadline: null }]],
  ['build a Spotify integration\nIt should use OAuth and show recently played.', [{ title: 'Build a Spotify integration', request: 'build a Spotify integration\nIt should use OAuth and show recently played.' }]],
];

const PRIORITY_WORDS: Row[] = [
  ['urgent: fix the login page', [{ title: 'Fix the login page', priority: 'high', priorityReason: 'said "urgent"' }]],
  ['fix the checkout crash ASAP', [{ title: 'Fix the checkout crash', priority: 'high', priorityReason: 'said "ASAP"' }]],
  ['fix the broken build!!', [{ title: 'Fix the broken build', priority: 'high', priorityReason: 'said "!!"' }]],
  ['deploy the fix for the 500s right now', [{ title: 'Deploy the fix for the 500s', priority: 'high', priorityReason: 'said "right now"' }]],
  ['hotfix the payment webhook', [{ title: 'Hotfix the payment webhook', priority: 'high', priorityReason: 'said "hotfix"' }]],
  ['nice to have: dark mode toggle', [{ title: 'Dark mode toggle', priority: 'medium', priorityReason: 'said "nice to have"' }]],
  ['it would be nice to add keyboard shortcuts', [{ title: 'Add keyboard shortcuts', priority: 'medium', priorityReason: 'said "would be nice"' }]],
  ['someday maybe try Bun for the test runner', [{ title: 'Try Bun for the test runner', priority: 'low', priorityReason: 'said "someday"' }]],
  ['idea: a CLI for the queue', [{ title: 'A CLI for the queue', priority: 'low', priorityReason: 'said "idea"' }]],
  ['experiment with WebGPU for the charts', [{ title: 'Experiment with WebGPU for the charts', priority: 'low', priorityReason: 'said "experiment"' }]],
  ['build an RSS feed if you get a chance', [{ title: 'Build an RSS feed', priority: 'low', priorityReason: 'said "if you get a chance"' }]],
  ['build a sitemap when you can', [{ title: 'Build a sitemap', priority: 'medium', priorityReason: 'said "when you can"' }]],
  ['not urgent, but build a favicon', [{ title: 'Build a favicon', priority: 'medium', priorityReason: 'said "not urgent"' }]],
  ['build an RSS feed (priority: low)', [{ title: 'Build an RSS feed', priority: 'low', priorityReason: 'said "priority: low"' }]],
  ['low priority: clean up the old feature flags', [{ title: 'Clean up the old feature flags', priority: 'low', priorityReason: 'said "low priority"' }]],
];

/** The precedence in priority.ts, one row per step it passes. */
const PRIORITY_PRECEDENCE: Row[] = [
  ['urgent: fix the login page --priority low', [{ priority: 'low', priorityReason: 'set with --priority' }]],
  ['build a metrics exporter -p high', [{ priority: 'high', priorityReason: 'set with -p' }]],
  ['urgent: build a status page someday', [{ priority: 'high', priorityReason: 'said "urgent"' }]],
  ['someday build a plugin system by tonight', [{ priority: 'low', priorityReason: 'said "someday"', deadline: TONIGHT }]],
  ['maybe build a sitemap, would be nice', [{ priority: 'low', priorityReason: 'said "maybe"' }]],
  ['build a sitemap by tonight, no rush', [{ title: 'Build a sitemap', priority: 'medium', priorityReason: 'said "no rush"', deadline: TONIGHT }]],
  ['build a sitemap by tonight', [{ priority: 'high', priorityReason: 'deadline within 24 h (by tonight)' }]],
  ['build a sitemap by friday', [{ priority: 'medium', priorityReason: DEFAULT }]],
  ['build a sitemap', [{ priority: 'medium', priorityReason: DEFAULT }]],
];

const FLAGS: Row[] = [
  ['build a metrics exporter --priority low --eta 4h', [{ title: 'Build a metrics exporter', request: 'build a metrics exporter', priority: 'low', priorityReason: 'set with --priority', estimateMs: 4 * HOUR }]],
  ['build a metrics exporter --priority=HIGH', [{ priority: 'high', priorityReason: 'set with --priority' }]],
  ['build a metrics exporter —priority low', [{ title: 'Build a metrics exporter', priority: 'low' }]],
  ['build a metrics exporter --by "friday 5pm"', [{ title: 'Build a metrics exporter', deadline: '2026-03-06T17:00:00-06:00', deadlinePhrase: 'by friday 5pm' }]],
  ['build a metrics exporter --by tomorrow please', [{ title: 'Build a metrics exporter', request: 'build a metrics exporter please', deadline: TOMORROW_9, deadlinePhrase: 'by tomorrow' }]],
  ['build a metrics exporter by friday --by tonight', [{ title: 'Build a metrics exporter', deadline: TONIGHT, deadlinePhrase: 'by tonight' }]],
  ['build a metrics exporter --eta 90m', [{ estimateMs: 1.5 * HOUR }]],
  ['build a metrics exporter --eta 1h30m -p low', [{ estimateMs: 1.5 * HOUR, priority: 'low' }]],
  ['build a metrics exporter --eta 45min', [{ title: 'Build a metrics exporter', estimateMs: 0.75 * HOUR }]],
  ['build a metrics exporter --eta "2 hrs"', [{ title: 'Build a metrics exporter', estimateMs: 2 * HOUR }]],
  ['build a CLI with a --verbose switch', [{ title: 'Build a CLI with a --verbose switch' }]],
  ['build a CLI with a -p option', [{ title: 'Build a CLI with a -p option', priority: 'medium' }]],
];

/** Inline lists: split only a plain list of three or more short items (split.ts). */
const INLINE_LISTS: Row[] = [
  ['build a login page, a signup page and a password reset flow tomorrow', [
    { title: 'Build a login page', deadline: TOMORROW_9, deadlinePhrase: 'tomorrow', priority: 'medium', priorityReason: 'said "tomorrow"', request: 'build a login page, a signup page and a password reset flow tomorrow\nThis task: Build a login page' },
    { title: 'Build a signup page', deadline: TOMORROW_9, priority: 'medium' },
    { title: 'Build a password reset flow', deadline: TOMORROW_9, priority: 'medium' },
  ]],
  ['build the API, fix the login bug and write docs by friday', [
    { title: 'Build the API', deadline: FRIDAY_18 },
    { title: 'Fix the login bug', deadline: FRIDAY_18 },
    { title: 'Write docs', deadline: FRIDAY_18 },
  ]],
  ['build a settings page, a profile page, and an avatar uploader', [
    { title: 'Build a settings page' },
    { title: 'Build a profile page' },
    { title: 'Build an avatar uploader' },
  ]],
  ['urgent: fix the header, the footer, the sidebar', [
    { title: 'Fix the header', priority: 'high' },
    { title: 'Fix the footer', priority: 'high' },
    { title: 'Fix the sidebar', priority: 'high' },
  ]],
  ['build a CLI with flags, colors and tests', [{ title: 'Build a CLI with flags, colors and tests' }]],
  ['fix the header and footer', [{ title: 'Fix the header and footer' }]],
  ['add support for Slack, Discord and Teams', [{ title: 'Add support for Slack, Discord and Teams' }]],
  ['build a dashboard that shows users, teams and billing', [{ title: 'Build a dashboard that shows users, teams and billing' }]],
  ['build the API, test it and deploy it', [{ title: 'Build the API, test it and deploy it' }]],
  ['build a CSV, JSON or XML exporter', [{ title: 'Build a CSV, JSON or XML exporter' }]],
  ['build a login page, a signup page', [{ title: 'Build a login page, a signup page' }]],
  ['build a blog: posts, tags and comments', [{ title: 'Build a blog: posts, tags and comments' }]],
];

const BULLET_LISTS: Row[] = [
  ['build these tonight:\n1. login page\n2. signup page', [
    { title: 'Build login page', request: 'build these tonight:\n1. login page', deadline: TONIGHT, deadlinePhrase: 'tonight', priority: 'high', priorityReason: 'deadline within 24 h (tonight)' },
    { title: 'Build signup page', request: 'build these tonight:\n2. signup page', deadline: TONIGHT, priority: 'high' },
  ]],
  ['build these by friday:\n- login page\n* signup page\n• settings page', [
    { title: 'Build login page', deadline: FRIDAY_18, request: 'build these by friday:\n- login page' },
    { title: 'Build signup page', deadline: FRIDAY_18 },
    { title: 'Build settings page', deadline: FRIDAY_18, request: 'build these by friday:\n• settings page' },
  ]],
  ['build these by friday:\n1. login page\n2. signup page\n3. urgent: fix the password reset', [
    { title: 'Build login page', priority: 'medium', priorityReason: DEFAULT },
    { title: 'Build signup page', priority: 'medium' },
    { title: 'Fix the password reset', priority: 'high', priorityReason: 'said "urgent"', deadline: FRIDAY_18, request: 'build these by friday:\n3. urgent: fix the password reset' },
  ]],
  ['build these tomorrow:\n- login page\n- signup page by tonight', [
    { title: 'Build login page', deadline: TOMORROW_9, priority: 'medium', priorityReason: 'said "tomorrow"' },
    { title: 'Build signup page', deadline: TONIGHT, deadlinePhrase: 'by tonight', priority: 'high', priorityReason: 'deadline within 24 h (by tonight)' },
  ]],
  ['someday maybe:\n- try Bun\n- dark mode for the docs', [
    { title: 'Try Bun', priority: 'low', priorityReason: 'said "someday"' },
    { title: 'Dark mode for the docs', priority: 'low' },
  ]],
  ['fix the following --priority high --eta 2h\n1) the flaky upload test\n2) the broken avatar crop -p low', [
    { title: 'Fix the flaky upload test', priority: 'high', priorityReason: 'set with --priority', estimateMs: 2 * HOUR, request: 'fix the following\n1) the flaky upload test' },
    { title: 'Fix the broken avatar crop', priority: 'low', priorityReason: 'set with -p', estimateMs: 2 * HOUR },
  ]],
  ['Tonight:\n- fix the header\n- build the footer', [{ title: 'Fix the header', deadlinePhrase: 'Tonight', priority: 'high' }, { title: 'Build the footer', deadline: TONIGHT }]],
  ["here's what I need tomorrow:\n- login page\n- fix the header", [
    { title: 'Login page', deadline: TOMORROW_9, request: "here's what I need tomorrow:\n- login page" },
    { title: 'Fix the header', deadline: TOMORROW_9 },
  ]],
  ['set up a few things:\n- CI\n- linting\n  with the strict preset', [
    { title: 'Set up CI' },
    { title: 'Set up linting', request: 'set up a few things:\n- linting\nwith the strict preset' },
  ]],
  ['- fix the flaky upload test\n- build a changelog page', [
    { title: 'Fix the flaky upload test', request: '- fix the flaky upload test' },
    { title: 'Build a changelog page' },
  ]],
  // Bullets under a lead with a real object are the spec of one task, not tasks.
  ['build a Spotify integration by friday:\n- OAuth login\n- recently played list', [
    { title: 'Build a Spotify integration', deadline: FRIDAY_18, request: 'build a Spotify integration by friday:\n- OAuth login\n- recently played list' },
  ]],
];

const QUESTIONS: Array<[string, Interpretation]> = [
  ["how's the build going?", { kind: 'question', topic: 'status' }],
  ["what's in the queue?", { kind: 'question', topic: 'queue' }],
  ['what did you build last night?', { kind: 'question', topic: 'summary' }],
  ['status', { kind: 'question', topic: 'status' }],
  ['Queue', { kind: 'question', topic: 'queue' }],
  ['summary', { kind: 'question', topic: 'summary' }],
  ['help', { kind: 'question', topic: 'help' }],
  ['/status', { kind: 'question', topic: 'status' }],
  ['@nightshift help?', { kind: 'question', topic: 'help' }],
  ["what's t-7 doing?", { kind: 'question', topic: 'status', taskId: 't-7' }],
  ['status t-12', { kind: 'question', topic: 'status', taskId: 't-12' }],
  ['T-3?', { kind: 'question', topic: 'status', taskId: 't-3' }],
  ['how is #7 going', { kind: 'question', topic: 'status', taskId: 't-7' }],
  ['what can you do?', { kind: 'question', topic: 'help' }],
  ['anything queued?', { kind: 'question', topic: 'queue' }],
  ['can you tell me what is in the queue?', { kind: 'question', topic: 'queue' }],
  ['is the login page done?', { kind: 'question', topic: 'status' }],
  ['did you build the login page?', { kind: 'question', topic: 'status' }],
  ['what got done overnight?', { kind: 'question', topic: 'summary' }],
  ['build status?', { kind: 'question', topic: 'status' }],
  ['show me the queue', { kind: 'question', topic: 'queue' }],
  ['status please', { kind: 'question', topic: 'status' }],
];

const UNCLEAR: Array<[string, string]> = [
  ['thanks!', HINT],
  ['hi', HINT],
  ['lol', HINT],
  ['', HINT],
  ['   \n ', HINT],
  ['ok', HINT],
  ['good night', HINT],
  ["what's the weather like?", HINT],
  ['the login page is broken', HINT],
  ['maybe later', HINT],
  ['build a login page?', HINT],
  ['the login page is broken:\n- error 500\n- blank screen', HINT],
  ['build', 'Say what to build: "build <what> [by <when>]".'],
  ['/build', 'Say what to build: "build <what> [by <when>]".'],
  ['build tonight', 'Say what to build: "build <what> [by <when>]".'],
];

describe('interpretMessage: a leading deadline label', () => {
  it.each([
    ['tonight: build the invoice export', 'Build the invoice export'],
    ['by friday: fix the login redirect', 'Fix the login redirect'],
  ])('%j', (text, title) => {
    const r = interpretMessage(text, ctx);
    expect(r).toMatchObject({ kind: 'tasks', drafts: [{ title }] });
    expect(r.kind === 'tasks' && r.drafts[0]?.deadline).not.toBeNull();
  });
});

/** Too vague to act on, but requests: they become tasks, which the safety check holds for approval. */
const VAGUE: Array<[string, string]> = [
  ['build it', 'Build it'],
  ['do the thing', 'Do the thing'],
  ['fix stuff', 'Fix stuff'],
  ['urgent: build it', 'Build it'],
  ['ship it!', 'Ship it'],
];

const INVALID: Array<[string, string]> = [
  ['build a metrics exporter --priority urgent', '--priority must be high, medium or low (got "urgent")'],
  ['build a metrics exporter -p urgent', '-p must be high, medium or low (got "urgent")'],
  ['build a metrics exporter --priority', '--priority needs a value: high, medium or low'],
  ['build a metrics exporter --eta soon', '--eta must be a duration like 4h, 90m or 1h30m (got "soon")'],
  ['build a metrics exporter --eta 0m', '--eta must be a duration like 4h, 90m or 1h30m (got "0m")'],
  ['build a metrics exporter --eta 4', '--eta must be a duration like 4h, 90m or 1h30m (got "4")'],
  ['build a metrics exporter --eta 4h --eta 2h', '--eta given twice'],
  ['build a metrics exporter --by blah', '--by must be a date or time like "friday 5pm", "tomorrow" or "in 3 hours" (got "blah")'],
  ['build a metrics exporter --by yesterday', '--by "yesterday" is in the past'],
  ['build a metrics exporter --by "friday or so"', '--by must be a date or time like "friday 5pm", "tomorrow" or "in 3 hours" (got "friday or so")'],
  ['build a metrics exporter -p low --priority high', '--priority given twice'],
  ['build a metrics exporter by yesterday', 'the deadline "by yesterday" is in the past'],
  ['build these tonight:\n- login page --eta forever', '--eta must be a duration like 4h, 90m or 1h30m (got "forever")'],
  // A value that looks like a flag is still the value (issue 12): not "needs a value".
  ['build a metrics exporter --eta -3h', '--eta must be a duration like 4h, 90m or 1h30m (got "-3h")'],
  // Deadlines that do not parse are refused, not dropped; one chrono misreads is caught too.
  ['build a metrics exporter by February 30', '"by February 30" is not a date I can read; say it like "by friday 5pm", "by Dec 3" or "in 3 hours"'],
  ['build a metrics exporter by 25:99', '"by 25:99" is not a date I can read; say it like "by friday 5pm", "by Dec 3" or "in 3 hours"'],
  ['build a metrics exporter by the year 3000', '"by the year 3000" is not a date I can read; say it like "by friday 5pm", "by Dec 3" or "in 3 hours"'],
  ['build a metrics exporter by Dec 3 2031', 'the deadline "by Dec 3 2031" is more than a year away; say a nearer one, or leave it out'],
];

const TASK_ROWS = [...SINGLE_TASKS, ...PRIORITY_WORDS, ...PRIORITY_PRECEDENCE, ...FLAGS, ...INLINE_LISTS, ...BULLET_LISTS];

describe('interpretMessage: requests become drafts', () => {
  it.each(SINGLE_TASKS)('%j', (text, drafts) => {
    expect(interpretMessage(text, ctx)).toMatchObject({ kind: 'tasks', drafts });
  });
});

describe('interpretMessage: priority words', () => {
  it.each(PRIORITY_WORDS)('%j', (text, drafts) => {
    expect(interpretMessage(text, ctx)).toMatchObject({ kind: 'tasks', drafts });
  });
});

describe('interpretMessage: priority precedence (flag > explicit > urgent > low > medium > deadline < 24 h > default)', () => {
  it.each(PRIORITY_PRECEDENCE)('%j', (text, drafts) => {
    expect(interpretMessage(text, ctx)).toMatchObject({ kind: 'tasks', drafts });
  });
});

describe('interpretMessage: flags', () => {
  it.each(FLAGS)('%j', (text, drafts) => {
    expect(interpretMessage(text, ctx)).toMatchObject({ kind: 'tasks', drafts });
  });
});

describe('interpretMessage: inline lists split only when plain', () => {
  it.each(INLINE_LISTS)('%j', (text, drafts) => {
    expect(interpretMessage(text, ctx)).toMatchObject({ kind: 'tasks', drafts });
  });
});

describe('interpretMessage: bulleted and numbered lists', () => {
  it.each(BULLET_LISTS)('%j', (text, drafts) => {
    expect(interpretMessage(text, ctx)).toMatchObject({ kind: 'tasks', drafts });
  });
});

describe('interpretMessage: questions are never tasks', () => {
  it.each(QUESTIONS)('%j', (text, expected) => {
    expect(interpretMessage(text, ctx)).toEqual(expected);
  });
});

describe('interpretMessage: vague requests are still tasks (the safety check holds them)', () => {
  it.each(VAGUE)('%j', (text, title) => {
    expect(interpretMessage(text, ctx)).toMatchObject({ kind: 'tasks', drafts: [{ title }] });
  });
});

describe('interpretMessage: chit-chat and empty requests give a hint', () => {
  it.each(UNCLEAR)('%j', (text, hint) => {
    expect(interpretMessage(text, ctx)).toEqual({ kind: 'unclear', hint });
  });
});

describe('interpretMessage: bad input is refused with a specific message', () => {
  it.each(INVALID)('%j', (text, error) => {
    expect(interpretMessage(text, ctx)).toEqual({ kind: 'invalid', error });
  });
});

describe('every draft', () => {
  it.each(TASK_ROWS.map(([text]) => [text]))('%j is a valid TaskDraft with a future deadline and a short title', (text) => {
    const result = interpretMessage(text, ctx);
    if (result.kind !== 'tasks') throw new Error(`expected tasks, got ${JSON.stringify(result)}`);
    for (const d of result.drafts) {
      expect(TaskDraft.parse(d)).toEqual(d);
      expect(d.title.length).toBeLessThanOrEqual(80);
      expect(d.title).not.toMatch(/--(?:priority|eta|by)\b|-p (?:high|medium|low)\b|\b[Tt]onight\b|\b[Tt]omorrow\b|^[a-z]/);
      if (d.deadline) expect(Date.parse(d.deadline)).toBeGreaterThan(ctx.now.getTime());
    }
  });

  it('gets a title cut at a word boundary to 80 characters', () => {
    const text = `build ${'a very long and winding description of a feature '.repeat(4)}by tonight`;
    const result = interpretMessage(text, ctx);
    if (result.kind !== 'tasks') throw new Error('expected tasks');
    const title = result.drafts[0]?.title ?? '';
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title).toMatch(/^Build a very long .*\S…$/);
    expect(result.drafts[0]?.request).toBe(text);
  });
});

describe('splitInlineList (the rule in split.ts, both ways)', () => {
  it.each([
    ['X, Y and Z', ['X', 'Y', 'Z']],
    ['X, Y, and Z', ['X', 'Y', 'Z']],
    ['X, Y & Z', ['X', 'Y', 'Z']],
    ['X, Y, Z', ['X', 'Y', 'Z']],
    ['a header and footer, a sidebar and a nav', ['a header and footer', 'a sidebar', 'a nav']],
    ['X and Y', ['X and Y']],
    ['X, Y', ['X, Y']],
    ['X, Y or Z', ['X, Y or Z']],
    ['a CLI with flags, colors and tests', ['a CLI with flags, colors and tests']],
    ['a CLI, with flags, colors and tests', ['a CLI, with flags, colors and tests']],
    ['the API, test it and deploy it', ['the API, test it and deploy it']],
    ['a page (login, signup and reset)', ['a page (login, signup and reset)']],
  ])('%j → %j', (object, items) => {
    expect(splitInlineList(object)).toEqual(items);
  });
});

describe('decidePriority', () => {
  const now = ctx.now;
  const soon = new Date(now.getTime() + 23 * HOUR);
  const later = new Date(now.getTime() + 25 * HOUR);
  it.each([
    ['an item flag beats the lead words', [{ flag: { value: 'low' as const, flag: '--priority' }, text: '' }, { flag: null, text: 'urgent' }], soon, 'low', 'set with --priority'],
    ['an item word beats the lead flag', [{ flag: null, text: 'nice to have: x' }, { flag: { value: 'high' as const, flag: '-p' }, text: '' }], soon, 'medium', 'said "nice to have"'],
    ['the lead decides when the item is silent', [{ flag: null, text: 'x' }, { flag: null, text: 'idea: these' }], soon, 'low', 'said "idea"'],
    ['a deadline within 24 h is high', [{ flag: null, text: 'x' }], soon, 'high', 'deadline within 24 h (by then)'],
    ['a deadline after 24 h is not', [{ flag: null, text: 'x' }], later, 'medium', DEFAULT],
    ['"non-urgent" is not urgency', [{ flag: null, text: 'a non-urgent fix' }], soon, 'medium', 'said "non-urgent"'],
  ])('%s', (_name, sources, deadline, priority, priorityReason) => {
    expect(decidePriority({ sources, deadline, deadlinePhrase: 'by then', now })).toEqual({ priority, priorityReason });
  });
});

describe('purity', () => {
  it('gives the same answer twice and does not touch the context', () => {
    const frozen = { now: new Date(ctx.now), timeZone: ctx.timeZone };
    const a = interpretMessage('build these tonight:\n1. login page\n2. signup page', frozen);
    const b = interpretMessage('build these tonight:\n1. login page\n2. signup page', frozen);
    expect(a).toEqual(b);
    expect(frozen.now.getTime()).toBe(ctx.now.getTime());
  });

  it('reads a 40 000-character message of commas in linear time (a trailing-punctuation regex was quadratic)', () => {
    const started = performance.now();
    const result = interpretMessage(`build ${', '.repeat(20_000)}x`, ctx);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.kind).toBe('tasks');
  });

  it('refuses an unknown time zone by name', () => {
    expect(() => interpretMessage('build x', { now: ctx.now, timeZone: 'Mars/Olympus' })).toThrow(/Mars\/Olympus/);
  });
});
