// The morning briefing, rendered by the real code for the console, Slack and Discord, for a night
// with two successes, a failure, an approval and a quota wait: it must read as a person wants it at
// 07:30 (headline, what needs you first, each build with what the agent said, time, cost and
// links, what waited, what is next), within each platform's limits, and never as a log in a code block.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { briefingMessage as discordBriefing } from '../src/adapters/discord/briefing.ts';
import { briefingMessage as slackBriefing } from '../src/adapters/slack/briefing.ts';
import { sampleNight } from '../src/commands/briefing-sample.ts';
import { makeBriefing, renderBriefingText } from '../src/commands/briefing.ts';
import { buildSummary } from '../src/core/summary.ts';
import { validateMessageBody } from './fakes/discord/validation.ts';
import { blockKitProblems } from './fakes/slack/block-kit.ts';
import { makeTask } from './helpers/task-factory.ts';

const NOW = new Date('2026-11-25T07:30:00Z'); // 07:30 in London
const SINCE = new Date('2026-11-24T07:30:00Z');
const summary = sampleNight;

const threads = new Map([
  ['t-1', 'https://acme.slack.com/archives/C1/p1700000000000100'],
  ['t-4', 'https://acme.slack.com/archives/C1/p1700000000000400'],
]);

describe('the morning briefing', () => {
  it('reads, on the console, as described: headline, what needs you first, each build, what waited, what is next', () => {
    expect(renderBriefingText(makeBriefing(summary()))).toBe(
      [
        'Good morning. 2 built, 1 needs you, 1 failed, 1 waiting for quota.',
        'Since 07:30 Tue 24 Nov (Europe/London).',
        '',
        'Needs you:',
        '  t-4 "Try Bun for the test runner" waits for your approval: low priority tasks always wait for approval · "approve t-4" or "reject t-4"',
        '  t-3 "Fix the flaky upload test" failed 3 times: the agent exited with code 1: 3 tests still failing · "retry t-3" or "cancel t-3"',
        '',
        'Built:',
        '  t-1 "Build a CSV export of the report" · 42m · checks passed (npm test, 41s) · $0.31 · 12 turns · https://github.com/acme/widgets/pull/42',
        '      Added a CSV export endpoint for the report, with tests.',
        '  t-2 "A dark mode toggle" · 25m over 2 attempts · no checks configured · branch nightshift/t-2-a-dark-mode-toggle',
        '',
        'Waited:',
        '  t-5 "Build the Spotify integration" · waiting for quota until 09:14',
        '',
        'Next:',
        '  t-6 "A keyboard shortcut cheat sheet" · starts at 22:00 (quiet hours)',
      ].join('\n'),
    );
  });

  it('is native Block Kit on Slack: a header, buttons for what needs you, links, no code block, within the limits', () => {
    const msg = slackBriefing(makeBriefing(summary()), threads);
    expect(blockKitProblems({ text: msg.text, blocks: msg.blocks })).toEqual([]);
    expect(msg.text).toBe('Good morning: 2 built, 1 needs you, 1 failed, 1 waiting for quota');
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Good morning: 2 built, 1 needs you, 1 failed, 1 waiting for quota', emoji: true } });
    const json = JSON.stringify(msg.blocks);
    expect(json).not.toContain('```');
    const actions = msg.blocks.filter((b) => b['type'] === 'actions') as { block_id: string; elements: { action_id: string; value: string }[] }[];
    expect(actions.map((a) => [a.block_id, a.elements.map((e) => `${e.action_id}:${e.value}`)])).toEqual([
      ['ns_brief_t-4', ['ns_approve:t-4', 'ns_reject:t-4']],
      ['ns_brief_t-3', ['ns_retry:t-3', 'ns_cancel:t-3']],
    ]);
    // needs you comes before what was built
    expect(json.indexOf('Needs you')).toBeLessThan(json.indexOf('Built (2)'));
    expect(json).toContain('<https://acme.slack.com/archives/C1/p1700000000000100|t-1 · Build a CSV export of the report>');
    expect(json).toContain('<https://github.com/acme/widgets/pull/42|pull request>');
    expect(json).toContain('_Added a CSV export endpoint for the report, with tests._');
    expect(json).toContain('42m · checks passed (npm test, 41s) · $0.31 · 12 turns');
  });

  it('stays within Block Kit limits on a night of 60 tasks', () => {
    const s = summary();
    const many = Array.from({ length: 60 }, (_, i) => makeTask({ id: `t-${100 + i}`, title: `Task ${i} ${'x'.repeat(200)}`, status: 'done', deliverables: { commits: [], changedFiles: [], links: [], summary: 'y'.repeat(5000) } }));
    const msg = slackBriefing(makeBriefing({ ...s, done: many, awaitingApproval: many.slice(0, 12).map((t) => ({ ...t, status: 'awaiting_approval' as const })) }));
    expect(blockKitProblems({ text: msg.text, blocks: msg.blocks })).toEqual([]);
  });

  it('is embeds with buttons on Discord, valid against Discord\'s published OpenAPI and the fake\'s limits, with no code block', () => {
    const msg = discordBriefing(makeBriefing(summary()), new Map([['t-1', 'https://discord.com/channels/1/2']]), NOW);
    expect(validateMessageBody(msg as unknown as Record<string, unknown>, 0)).toBeUndefined();
    const spec = JSON.parse(readFileSync(new URL('./fixtures/discord/message-create.openapi.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile({ ...spec, $ref: '#/components/schemas/MessageCreateRequest' });
    expect(validate(msg), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...msg, embeds: [{ title: 'x'.repeat(300) }] })).toBe(false); // the schema does hold Discord's limits
    expect(JSON.stringify(msg)).not.toContain('```');
    expect(msg.embeds?.[0]?.title).toBe('🌅 Good morning: 2 built, 1 needs you, 1 failed, 1 waiting for quota');
    expect(msg.embeds?.map((e) => e.title)).toEqual(['🌅 Good morning: 2 built, 1 needs you, 1 failed, 1 waiting for quota', 'Needs you', 'Built (2)', 'Waited', 'Next']);
    expect(msg.components?.map((row) => row.components.map((c) => ('custom_id' in c ? c.custom_id : '')))).toEqual([
      ['ns:approve:t-4', 'ns:reject:t-4'],
      ['ns:retry:t-3', 'ns:cancel:t-3'],
    ]);
    const built = msg.embeds?.[2]?.fields?.[0];
    expect(built?.name).toBe('✅ t-1 · Build a CSV export of the report');
    expect(built?.value).toBe('Added a CSV export endpoint for the report, with tests.\n42m · checks passed (npm test, 41s) · $0.31 · 12 turns · [pull request](https://github.com/acme/widgets/pull/42) · [thread](https://discord.com/channels/1/2)');
  });

  it('says so when the night was quiet', () => {
    const quiet = buildSummary({ since: SINCE, now: NOW, timeZone: 'Europe/London', finished: [], live: [], waiting: [] });
    expect(renderBriefingText(makeBriefing(quiet))).toBe('Good morning. A quiet night: nothing was built and nothing waits for you.\nSince 07:30 Tue 24 Nov (Europe/London).');
  });
});

describe('the briefing and work whose checks fail', () => {
  const failing = { command: 'npm test', outcome: 'failed' as const, exitCode: 1, durationMs: 3000 };
  const attempt = { n: 1, startedAt: '2026-11-24T23:00:00.000Z', endedAt: '2026-11-24T23:05:00.000Z', outcome: 'failed' as const, reason: 'built, checks failing (npm test exited with code 1 after 3s)', logPath: '/l/attempt-1.log', builder: 'Claude Code', counts: true, demo: false, durationMs: 5 * 60_000, checks: failing };
  const accepted = makeTask({ id: 't-7', title: 'Build the answer module', status: 'done', attempts: [attempt], events: [{ at: '2026-11-25T06:00:00.000Z', type: 'accepted', by: 'U0ANN', detail: 'accepted by U0ANN with checks failing (npm test exited with code 1 after 3s)' }], deliverables: { branch: 'nightshift/t-7-build-the-answer-module', commits: ['a'], changedFiles: ['answer.txt'], links: [] } });
  const waiting = makeTask({ id: 't-8', title: 'Fix the totals', status: 'escalated', attempts: [attempt] });
  const night = () => makeBriefing({ ...summary(), done: [accepted], escalated: [waiting], awaitingApproval: [] });

  it('lists work accepted anyway under Built as accepted with checks failing, never passed, and offers accept for work that may still be', () => {
    const text = renderBriefingText(night());
    expect(text).toContain('  t-8 "Fix the totals" failed 1 time: built, checks failing (npm test exited with code 1 after 3s) · "retry t-8", "accept t-8" or "cancel t-8"');
    expect(text).toContain('Built:\n  t-7 "Build the answer module" · 5m · accepted by U0ANN with checks failing (npm test exited with code 1 after 3s) · branch nightshift/t-7-build-the-answer-module');
    expect(text).not.toContain('checks passed');
  });

  it('on Slack: who accepted it as a person, and Retry / Accept anyway / Cancel, within Block Kit', () => {
    const msg = slackBriefing(night());
    expect(blockKitProblems({ text: msg.text, blocks: msg.blocks })).toEqual([]);
    const json = JSON.stringify(msg.blocks);
    expect(json).toContain('5m · accepted by <@U0ANN> with checks failing (npm test exited with code 1 after 3s)');
    expect(json).not.toContain('checks passed');
    const actions = msg.blocks.filter((b) => b['type'] === 'actions') as { elements: { action_id: string; text: { text: string } }[] }[];
    expect(actions.map((a) => a.elements.map((e) => `${e.action_id}:${e.text.text}`))).toEqual([['ns_retry:Retry', 'ns_accept:Accept anyway', 'ns_cancel:Cancel']]);
  });

  it('on Discord: accepted with checks failing under Built, and an Accept button, valid for Discord', () => {
    const msg = discordBriefing(night(), new Map(), NOW);
    expect(validateMessageBody(msg as unknown as Record<string, unknown>, 0)).toBeUndefined();
    expect(msg.embeds?.find((e) => e.title === 'Built (1)')?.fields?.[0]?.value).toBe('5m · accepted by U0ANN with checks failing (npm test exited with code 1 after 3s) · branch `nightshift/t-7-build-the-answer-module`');
    expect(msg.components?.map((row) => row.components.map((c) => ('custom_id' in c ? `${c.custom_id}:${c.label}` : '')))).toEqual([['ns:retry:t-8:Retry t-8', 'ns:accept:t-8:Accept t-8 anyway', 'ns:cancel:t-8:Cancel t-8']]);
  });
});

describe('docs/morning-briefing.md', () => {
  it('is exactly what the code renders (run npm run briefing:preview after a change)', async () => {
    const { briefingDoc } = await import('../src/commands/briefing-doc.ts');
    expect(readFileSync(new URL('../docs/morning-briefing.md', import.meta.url), 'utf8')).toBe(briefingDoc());
  });
});

describe('the Discord briefing on a big night', () => {
  it('keeps what needs you and what was built within 6,000 characters, and says where the rest is', () => {
    const s = sampleNight();
    const long = (i: number) => makeTask({ id: `t-${100 + i}`, title: `Task ${i} ${'x'.repeat(240)}`, status: 'done', deliverables: { commits: [], changedFiles: [], links: [`https://github.com/acme/widgets/pull/${i + 1000}`], summary: 'y'.repeat(400) } });
    const built = Array.from({ length: 12 }, (_, i) => long(i));
    const approvals = Array.from({ length: 5 }, (_, i) => makeTask({ id: `t-${200 + i}`, title: `Approve me ${i} ${'z'.repeat(150)}`, status: 'awaiting_approval', safety: { needsApproval: true, reasons: [{ kind: 'low_priority', quote: 'x', message: 'low priority tasks always wait for approval' }], checkedAt: '2026-11-25T07:00:00.000Z' } }));
    const msg = discordBriefing(makeBriefing({ ...s, done: built, awaitingApproval: approvals }), new Map(), NOW);
    const chars = (msg.embeds ?? []).reduce((n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0), 0);
    expect(chars).toBeLessThanOrEqual(6_000);
    expect(msg.embeds?.map((e) => e.title?.replace(/ \(\d+\)$/, ''))).toEqual(expect.arrayContaining(['Needs you', 'Built']));
    expect(msg.embeds?.[0]?.footer?.text).toBe('More than fits here: /summary shows it all.');
    expect(validateMessageBody(msg as unknown as Record<string, unknown>, 0)).toBeUndefined();
  });
});
