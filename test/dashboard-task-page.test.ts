// The task page's buttons, rendered by the real page code: Accept anyway is offered for built work
// that only fails the project's checks, and for nothing else; once accepted, the page says who took it.
import { describe, expect, it } from 'vitest';
import { taskPage } from '../src/dashboard/pages/task-page.ts';
import type { Task } from '../src/core/task.ts';
import { FIXTURE_INSTANT, makeTask } from './helpers/task-factory.ts';

const failing = { command: 'npm test', outcome: 'failed' as const, exitCode: 1, durationMs: 3000 };
const attempt = { n: 1, startedAt: FIXTURE_INSTANT, endedAt: FIXTURE_INSTANT, outcome: 'failed' as const, reason: 'built, checks failing (npm test exited with code 1 after 3s)', logPath: '/l/attempt-1.log', builder: 'Claude Code', counts: true, demo: false };

const page = (task: Task) => String(taskPage({ task, now: new Date(FIXTURE_INSTANT), timeZone: 'Europe/London', progress: null, nextStep: null, diff: { none: 'no diff' }, logTail: '', canAct: true }));
const actions = (html: string) => [...html.matchAll(/data-action="([a-z]+)"/g)].map((m) => m[1]);

describe('the task page', () => {
  it('offers Retry / Accept anyway / Cancel for built work whose checks fail, and Retry / Cancel for other escalations', () => {
    const html = page(makeTask({ id: 't-7', status: 'escalated', attempts: [{ ...attempt, checks: failing }] }));
    expect(actions(html)).toEqual(['retry', 'accept', 'cancel']);
    expect(html).toContain('>Accept anyway</button>');
    expect(actions(page(makeTask({ id: 't-8', status: 'escalated', attempts: [attempt] })))).toEqual(['retry', 'cancel']);
  });

  it('shows who accepted it, with the checks it failed, and no buttons once done', () => {
    const done = makeTask({ id: 't-7', status: 'done', attempts: [{ ...attempt, checks: failing }], events: [{ at: FIXTURE_INSTANT, type: 'accepted', by: 'owner (dashboard)', detail: 'accepted by owner (dashboard) with checks failing (npm test exited with code 1 after 3s)' }] });
    const html = page(done);
    expect(actions(html)).toEqual([]);
    expect(html).toMatch(/accepted by <b>owner \(dashboard\)<\/b> .*: accepted by owner \(dashboard\) with checks failing \(npm test exited with code 1 after 3s\)/);
  });
});
