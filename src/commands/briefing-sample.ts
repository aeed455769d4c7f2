// A sample night for the README and docs/morning-briefing.md, rendered by the real code: two
// builds done (one with what the agent said, its cost and a pull request), a failure that needs the
// owner, an approval, a quota wait and a task queued for tonight. test/briefing.test.ts reads the
// same night, and keeps the committed doc equal to what the code renders.
import { buildSummary, type Summary } from '../core/summary.ts';
import { Task, type Attempt } from '../core/task.ts';

const NOW = new Date('2026-11-25T07:30:00Z'); // 07:30 in London
const SINCE = new Date('2026-11-24T07:30:00Z');
const MIN = 60_000;

const attempt = (n: number, extra: Partial<Attempt>): Attempt => ({
  n,
  startedAt: '2026-11-25T01:00:00.000Z',
  endedAt: '2026-11-25T01:42:00.000Z',
  outcome: 'succeeded',
  logPath: `/home/o/.nightshift/logs/t/attempt-${n}.log`,
  builder: 'Claude Code',
  counts: true,
  demo: false,
  durationMs: 42 * MIN,
  ...extra,
});

function night(): Task[] {
  return [
    sampleTask({
      id: 't-1',
      title: 'Build a CSV export of the report',
      status: 'done',
      updatedAt: '2026-11-25T01:42:00.000Z',
      attempts: [attempt(1, { usage: { costUsd: 0.31, turns: 12 }, checks: { command: 'npm test', outcome: 'passed', exitCode: 0, durationMs: 41_000 } })],
      deliverables: {
        branch: 'nightshift/t-1-build-a-csv-export',
        commits: ['abc123'],
        changedFiles: ['src/export.ts'],
        links: ['https://github.com/acme/widgets/pull/42'],
        summary: '## Summary\nAdded a CSV export endpoint for the report, with tests.\nDetails follow.',
      },
    }),
    sampleTask({
      id: 't-2',
      title: 'A dark mode toggle',
      status: 'done',
      updatedAt: '2026-11-25T03:10:00.000Z',
      attempts: [attempt(1, { outcome: 'failed', durationMs: 5 * MIN }), attempt(2, { durationMs: 20 * MIN })],
      deliverables: { branch: 'nightshift/t-2-a-dark-mode-toggle', commits: ['def456'], changedFiles: [], links: [] },
    }),
    sampleTask({
      id: 't-3',
      title: 'Fix the flaky upload test',
      status: 'escalated',
      attempts: [1, 2, 3].map((n) => attempt(n, { outcome: 'failed', reason: 'the agent exited with code 1: 3 tests still failing' })),
    }),
    sampleTask({
      id: 't-4',
      title: 'Try Bun for the test runner',
      status: 'awaiting_approval',
      priority: 'low',
      safety: { needsApproval: true, reasons: [{ kind: 'low_priority', quote: 'someday', message: 'low priority tasks always wait for approval' }], checkedAt: '2026-11-24T20:00:00.000Z' },
    }),
    sampleTask({
      id: 't-5',
      title: 'Build the Spotify integration',
      status: 'failed',
      retryAt: '2026-11-25T09:14:00.000Z',
      attempts: [attempt(1, { outcome: 'usage_limited', counts: false, reason: 'Claude Code hit a usage limit' })],
    }),
    sampleTask({ id: 't-6', title: 'A keyboard shortcut cheat sheet', status: 'queued' }),
  ];
}

/** A schema-valid task with boring defaults; the night overrides what matters. */
function sampleTask(overrides: Partial<Task>): Task {
  const at = '2026-11-24T20:00:00.000Z';
  return Task.parse({
    id: 't-1', title: 'x', spec: 'x', request: 'x', origin: { adapter: 'slack', userId: 'U0OWNER' }, priority: 'medium',
    priorityReason: 'no urgency given (default)', deadline: null, estimateMs: null, status: 'queued', createdAt: at, updatedAt: at,
    safety: { needsApproval: false, reasons: [], checkedAt: at }, ...overrides,
  });
}

/** The sample night's summary at 07:30 London on 25 Nov 2026. */
export function sampleNight(): Summary {
  const tasks = night();
  return buildSummary({
    since: SINCE,
    now: NOW,
    timeZone: 'Europe/London',
    finished: tasks.filter((t) => t.status === 'done'),
    live: tasks.filter((t) => t.status !== 'done'),
    waiting: [{ id: 't-6', startsAt: new Date('2026-11-25T22:00:00Z'), why: 'quiet hours open at 22:00', waitsFor: 'quiet_hours' }],
  });
}

/** Thread links as the Slack adapter would find them (chat.getPermalink). */
export const SAMPLE_SLACK_THREADS = new Map([
  ['t-1', 'https://acme.slack.com/archives/C0BUILDS/p1764032400000100'],
  ['t-4', 'https://acme.slack.com/archives/C0BUILDS/p1764032400000400'],
]);

/** Thread links as the Discord adapter would make them. */
export const SAMPLE_DISCORD_THREADS = new Map([
  ['t-1', 'https://discord.com/channels/1100000000000000001/1200000000000000001'],
  ['t-4', 'https://discord.com/channels/1100000000000000001/1200000000000000004'],
]);
