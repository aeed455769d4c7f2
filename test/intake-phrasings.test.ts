// How people really ask: wishes, requests, lists in every shape, questions and chatter, each read
// as a person would read it. The clock is pinned to Wednesday 2026-03-04 10:00 in America/Chicago.
import { describe, expect, it } from 'vitest';
import { interpretMessage, type IntakeContext } from '../src/core/intake/index.ts';

const ctx: IntakeContext = { now: new Date('2026-03-04T16:00:00Z'), timeZone: 'America/Chicago' };
const TOMORROW_9 = '2026-03-05T09:00:00-06:00';
const TONIGHT = '2026-03-04T23:59:00-06:00';
const FRIDAY_18 = '2026-03-06T18:00:00-06:00';

/** What a reading should give: the tasks' titles (and, where given, priority and deadline), a question's topic, or a hint. */
type Expected =
  | { tasks: readonly string[]; priority?: 'high' | 'medium' | 'low'; deadline?: string | null }
  | { question: 'status' | 'queue' | 'summary' | 'help' }
  | { hint: true };

const DARK = 'A dark mode toggle';
const CSV = 'CSV export of the report';
const CHEAT = 'A keyboard shortcut cheat sheet';
const DESIGNED = { tasks: [DARK, CSV, CHEAT], priority: 'medium', deadline: TOMORROW_9 } as const;

/** The example nightshift was designed around, in every shape it arrives in. */
const DESIGNED_EXAMPLE: Array<[string, Expected]> = [
  ['These three things would be cool to have tomorrow: 1. a dark mode toggle 2. CSV export of the report 3. a keyboard shortcut cheat sheet', DESIGNED],
  ['These three things would be cool to have tomorrow:\n1. a dark mode toggle\n2. CSV export of the report\n3. a keyboard shortcut cheat sheet', DESIGNED],
  ['These three things would be cool to have tomorrow\n1. a dark mode toggle\n2. CSV export of the report\n3. a keyboard shortcut cheat sheet', DESIGNED],
  ['These three things would be cool to have tomorrow:\n- a dark mode toggle\n- CSV export of the report\n- a keyboard shortcut cheat sheet', DESIGNED],
  ['These three things would be cool to have tomorrow:\n• a dark mode toggle\n• CSV export of the report\n• a keyboard shortcut cheat sheet', DESIGNED],
  ['These three things would be cool to have tomorrow:\na dark mode toggle\nCSV export of the report\na keyboard shortcut cheat sheet', DESIGNED],
  ['These three things would be cool to have tomorrow: a dark mode toggle, CSV export of the report and a keyboard shortcut cheat sheet', DESIGNED],
  ['These three things would be cool to have tomorrow: a dark mode toggle; CSV export of the report; a keyboard shortcut cheat sheet', DESIGNED],
  ['These three things would be cool to have: 1) a dark mode toggle 2) CSV export of the report 3) a keyboard shortcut cheat sheet, by tomorrow', DESIGNED],
  ['These three things would be cool to have:\n1. a dark mode toggle\n2. CSV export of the report\n3. a keyboard shortcut cheat sheet\nall by tomorrow', DESIGNED],
  ['<@U0OWNER> these three things would be cool to have tomorrow:\r\n1. a dark mode toggle\r\n2. CSV export of the report\r\n3. a keyboard shortcut cheat sheet', DESIGNED],
];

const WISHES: Array<[string, Expected]> = [
  ['I need a CSV export of the report by friday', { tasks: ['A CSV export of the report'], deadline: FRIDAY_18 }],
  ['we need a dark mode toggle', { tasks: ['A dark mode toggle'], deadline: null }],
  ["I'd love a Spotify integration, a sitemap and an RSS feed", { tasks: ['A Spotify integration', 'A sitemap', 'An RSS feed'] }],
  ["we'd really like a status page", { tasks: ['A status page'] }],
  ['I would like a retry wrapper for the webhook client', { tasks: ['A retry wrapper for the webhook client'] }],
  ['I want a script that renames the screenshots by date', { tasks: ['A script that renames the screenshots by date'] }],
  ['we could use a changelog page', { tasks: ['A changelog page'] }],
  ["I'm looking for a CLI that converts markdown to HTML", { tasks: ['A CLI that converts markdown to HTML'] }],
  ["It'd be nice to have a keyboard shortcut cheat sheet", { tasks: ['A keyboard shortcut cheat sheet'], priority: 'medium' }],
  ['would be great to have dark mode', { tasks: ['Dark mode'], priority: 'medium' }],
  ['would be awesome to get an RSS feed for the blog', { tasks: ['An RSS feed for the blog'], priority: 'medium' }],
  ['a favicon would be great', { tasks: ['A favicon'], priority: 'medium' }],
  ['a keyboard shortcut cheat sheet would be cool to have by tonight', { tasks: ['A keyboard shortcut cheat sheet'], deadline: TONIGHT }],
  ["let's get the invoice PDF done tonight", { tasks: ['The invoice PDF'], priority: 'high', deadline: TONIGHT }],
  ["let's get a staging server set up", { tasks: ['Set up a staging server'] }],
  ['I need the login bug fixed by tonight', { tasks: ['Fix the login bug'], priority: 'high', deadline: TONIGHT }],
  ['I need the docs updated', { tasks: ['Update the docs'] }],
  ['can we get a status page?', { tasks: ['A status page'] }],
  ['Could we have a status page tomorrow?', { tasks: ['A status page'], priority: 'medium', deadline: TOMORROW_9 }],
];

const ASKING: Array<[string, Expected]> = [
  ['can you build a webhook receiver?', { tasks: ['Build a webhook receiver'] }],
  ['could you make a markdown-to-HTML converter CLI in Node?', { tasks: ['Make a markdown-to-HTML converter CLI in Node'] }],
  ['can you whip up a landing page tonight?', { tasks: ['Whip up a landing page'], priority: 'high', deadline: TONIGHT }],
  ['is it possible to add a CSV export?', { tasks: ['Add a CSV export'] }],
  ['would it be possible to build a sitemap by friday?', { tasks: ['Build a sitemap'], deadline: FRIDAY_18 }],
  ["let's add a dark mode toggle", { tasks: ['Add a dark mode toggle'] }],
  ['I need you to fix the footer', { tasks: ['Fix the footer'] }],
  ['please write tests for the parser', { tasks: ['Write tests for the parser'] }],
  ['hey, could you tackle the flaky upload test when you can', { tasks: ['Tackle the flaky upload test'], priority: 'medium' }],
  ['urgent: fix the checkout crash', { tasks: ['Fix the checkout crash'], priority: 'high' }],
  ['someday maybe try Bun for the test runner', { tasks: ['Try Bun for the test runner'], priority: 'low' }],
  ['can you build a login page, a signup page and a settings page by tomorrow?', { tasks: ['Build a login page', 'Build a signup page', 'Build a settings page'], deadline: TOMORROW_9 }],
  ['can you fix the login redirect and deploy it?', { tasks: ['Fix the login redirect and deploy it'] }],
];

const LISTS: Array<[string, Expected]> = [
  ['by friday: 1. fix the login redirect 2. add a CSV export 3. write the README', { tasks: ['Fix the login redirect', 'Add a CSV export', 'Write the README'], deadline: FRIDAY_18 }],
  ['1. fix the login redirect 2. add a CSV export 3. write the README, all by friday', { tasks: ['Fix the login redirect', 'Add a CSV export', 'Write the README'], deadline: FRIDAY_18 }],
  ['For tomorrow: 1) dark mode toggle 2) CSV export 3) cheat sheet', { tasks: ['Dark mode toggle', 'CSV export', 'Cheat sheet'], deadline: TOMORROW_9 }],
  ["Tomorrow I'd like: a dark mode toggle, a CSV export and a cheat sheet", { tasks: ['A dark mode toggle', 'A CSV export', 'A cheat sheet'], deadline: TOMORROW_9 }],
  ['build the following: login page; signup page; password reset', { tasks: ['Build login page', 'Build signup page', 'Build password reset'] }],
  ['build these tomorrow: login page, signup page', { tasks: ['Build login page', 'Build signup page'], deadline: TOMORROW_9 }],
  ['tonight: fix the header; build the footer', { tasks: ['Fix the header', 'Build the footer'], deadline: TONIGHT }],
  ['I need these tomorrow: a sitemap and an RSS feed', { tasks: ['A sitemap', 'An RSS feed'], deadline: TOMORROW_9 }],
  ['These would be great to have by Friday:\n• a dark mode toggle\n• CSV export of the report', { tasks: ['A dark mode toggle', CSV], deadline: FRIDAY_18 }],
  ['things for tonight:\n- favicon\n- 404 page', { tasks: ['Favicon', '404 page'], priority: 'high', deadline: TONIGHT }],
  ['I need a few things by tonight:\n- a favicon\n- robots.txt\n- a 404 page', { tasks: ['A favicon', 'Robots.txt', 'A 404 page'], deadline: TONIGHT }],
  ['build these:\n- the login page\n- the signup page\n- a settings page\nall by friday, no rush', { tasks: ['Build the login page', 'Build the signup page', 'Build a settings page'], priority: 'medium', deadline: FRIDAY_18 }],
  ['build these:\nthe login page\nthe signup page', { tasks: ['Build the login page', 'Build the signup page'] }],
  ['would be great to have: 1. a dark mode toggle 2. CSV export of the report', { tasks: [DARK, CSV] }],
  // One thing with details stays one task.
  ['build a Spotify integration:\nOAuth login\nrecently played list', { tasks: ['Build a Spotify integration'] }],
  ['I need a Spotify integration:\n- OAuth login\n- recently played list', { tasks: ['A Spotify integration'] }],
  ['build a blog: posts, tags and comments', { tasks: ['Build a blog: posts, tags and comments'] }],
  ['build this app\nuse React\nadd tests', { tasks: ['Build this app'] }],
  ['build this dashboard: users, teams and billing', { tasks: ['Build this dashboard: users, teams and billing'] }],
  ['1. add a deadline reminder 2. show tasks due tomorrow', { tasks: ['Add a deadline reminder 2. show tasks'] }],
];

const QUESTIONS: Array<[string, Expected]> = [
  ['What would be cool to have?', { hint: true }],
  ['is dark mode done?', { question: 'status' }],
  ['do we need a dark mode toggle?', { hint: true }],
  ["what's next?", { question: 'queue' }],
  ['what did you build last night?', { question: 'summary' }],
  ['would a dark mode toggle be useful?', { hint: true }],
  ['how is t-4 going?', { question: 'status' }],
  // Wishes for information are questions, not work.
  ['can I get the queue?', { question: 'queue' }],
  ['can I get a list of failed tasks?', { question: 'status' }],
  ['can I have the logs for t-3?', { question: 'status' }],
  ['can we get an update on the report?', { question: 'status' }],
  ["I'd like the summary", { question: 'summary' }],
];

const NOT_REQUESTS: Array<[string, Expected]> = [
  ['I need a break', { hint: true }],
  ['I need help', { hint: true }],
  ['I want pizza', { hint: true }],
  ['we need to talk', { hint: true }],
  ['would be great to see you tomorrow', { hint: true }],
  ['get me a coffee', { hint: true }],
  ['the build is broken again', { hint: true }],
  ['thanks, that was great', { hint: true }],
  ['dark mode for the docs is missing', { hint: true }],
  ['we\'re missing tests', { hint: true }],
  ['I need help with the dashboard', { hint: true }],
  ['I could use a hand with the export', { hint: true }],
  ['I want to see the dashboard', { hint: true }],
  // Prose and pasted text are not lists of tasks.
  ['Here are the logs\n[error] connection refused\n[error] retrying in 5s\n[error] giving up', { hint: true }],
  ['My tasks for today: standup, code review and lunch', { hint: true }],
  ['Some thoughts: maybe later, not now', { hint: true }],
  ['The build fails at step 1. run tests 2. deploy', { hint: true }],
];

const ROWS = [...DESIGNED_EXAMPLE, ...WISHES, ...ASKING, ...LISTS, ...QUESTIONS, ...NOT_REQUESTS];

describe('intake: how people really ask', () => {
  it('has at least 60 phrasings', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(ROWS)('%j', (text, expected) => {
    const r = interpretMessage(text, ctx);
    if ('hint' in expected) {
      expect(r.kind).toBe('unclear');
      return;
    }
    if ('question' in expected) {
      expect(r).toMatchObject({ kind: 'question', topic: expected.question });
      return;
    }
    expect(r.kind).toBe('tasks');
    if (r.kind !== 'tasks') return;
    expect(r.drafts.map((d) => d.title)).toEqual(expected.tasks);
    for (const d of r.drafts) {
      if (expected.priority) expect(d.priority).toBe(expected.priority);
      if (expected.deadline !== undefined) expect(d.deadline).toBe(expected.deadline);
    }
  });

  it('gives each item of the designed example a spec that stands alone: the wish and the item', () => {
    const r = interpretMessage(DESIGNED_EXAMPLE[0]?.[0] ?? '', ctx);
    expect(r.kind === 'tasks' && r.drafts.map((d) => d.request)).toEqual([
      'These three things would be cool to have tomorrow:\na dark mode toggle',
      'These three things would be cool to have tomorrow:\nCSV export of the report',
      'These three things would be cool to have tomorrow:\na keyboard shortcut cheat sheet',
    ]);
  });

  it('reads long messages in linear time: separators by the ten thousand do not stall the daemon', () => {
    const started = performance.now();
    interpretMessage(`1. a${' ,'.repeat(20_000)} b 2. c`, ctx);
    interpretMessage(`these: a${' , '.repeat(20_000)}x; b; c`, ctx);
    // a quadratic pass took 3.7 s on the first; linear ones take milliseconds
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reads a one-line numbered list of 99 items as 99 tasks', () => {
    const items = Array.from({ length: 99 }, (_, i) => `${i + 1}. item number ${i + 1} page`).join(' ');
    const r = interpretMessage(`build these: ${items}`, ctx);
    expect(r.kind === 'tasks' && r.drafts.length).toBe(99);
  });
});

describe('titles carry no control characters or bidi overrides', () => {
  it.each([
    ['build a \u202egnp.exe viewer', 'Build a gnp.exe viewer'],
    ['build a \u001b[31mred\u001b[0m banner', 'Build a [31mred[0m banner'],
    ['build a report\u0007 exporter', 'Build a report exporter'],
  ])('%j', (text, title) => {
    const r = interpretMessage(text, ctx);
    expect(r.kind === 'tasks' && r.drafts[0]?.title).toBe(title);
  });
});
