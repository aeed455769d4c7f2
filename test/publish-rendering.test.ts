// How every surface says what publishing a finished branch did: where it was pushed, and what was
// left undone (Deliverables.noPullRequest), including records written before pushing existed,
// which hold only a bare reason why no pull request was opened.
import { afterEach, describe, expect, it } from 'vitest';
import { renderEvent } from '../src/adapters/console/render-event.ts';
import { milestone as discordMilestone } from '../src/adapters/discord/milestones.ts';
import { milestone as slackMilestone } from '../src/adapters/slack/milestones.ts';
import { GH_MISSING } from '../src/builders/git/gh.ts';
import { handleText } from '../src/commands/dispatch.ts';
import type { Engine } from '../src/core/engine.ts';
import { publishProblems, publishProblemsLine } from '../src/core/publish-problems.ts';
import type { Deliverables, Task } from '../src/core/task.ts';
import { taskPage } from '../src/dashboard/pages/task-page.ts';
import { chatEngine } from './helpers/chat-engine.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';

const ctx = { now: new Date('2026-11-25T14:00:00Z'), timeZone: 'Europe/London', maxAttempts: 3, typicalMs: 40 * 60_000 };
const PUSHED = 'origin/nightshift/t-7-spotify';
const PROBLEMS = 'left as a draft: checks failing (npm test exited with code 1 after 42s)';

function done(d: Partial<Deliverables>): Task {
  return makeTask({
    id: 't-7',
    title: 'Build a Spotify integration',
    status: 'done',
    attempts: [{ n: 1, startedAt: '2026-11-25T13:00:00.000Z', endedAt: '2026-11-25T13:42:00.000Z', durationMs: 42 * 60_000, outcome: 'succeeded', logPath: '/l/attempt-1.log', builder: 'Claude Code', counts: true, demo: false }],
    deliverables: { branch: 'nightshift/t-7-spotify', commits: ['a'], changedFiles: ['x.ts'], links: ['https://github.com/acme/widgets/pull/42'], ...d },
  });
}
const published = done({ pushed: PUSHED, noPullRequest: PROBLEMS });
const old = done({ links: [], noPullRequest: GH_MISSING });

let engine: Engine | null = null;
let store: { close(): Promise<void> } | null = null;
afterEach(async () => {
  await engine?.shutdown(0);
  await store?.close();
  engine = null;
  store = null;
});

describe('publishProblems', () => {
  it('keeps problems that say what did not happen, and reads an old bare reason as a missing pull request', () => {
    expect(publishProblems(`not pushed: git push failed: x; ${PROBLEMS}`)).toBe(`not pushed: git push failed: x; ${PROBLEMS}`);
    expect(publishProblems(GH_MISSING)).toBe(`no pull request: ${GH_MISSING}`);
    expect(publishProblemsLine(PROBLEMS)).toBe('Left as a draft: checks failing (npm test exited with code 1 after 42s)');
  });
});

describe('the done message says where the branch went and what was left undone', () => {
  it('on the console', () => {
    const line = (t: Task) => renderEvent({ type: 'task_changed', task: t, event: { at: t.updatedAt, type: 'done' } }, { timeZone: ctx.timeZone, maxAttempts: 3, now: ctx.now }) ?? '';
    expect(line(published)).toContain(`branch nightshift/t-7-spotify · 1 file changed (x.ts) · pushed to ${PUSHED} · https://github.com/acme/widgets/pull/42 · ${PROBLEMS} · `);
    expect(line(old)).toContain(` · no pull request: ${GH_MISSING} · `);
  });

  it('in Slack', () => {
    const text = (t: Task) => JSON.stringify(slackMilestone(t, { at: '', type: 'done' }, 'U0OWNER', ctx)?.blocks);
    expect(text(published)).toContain(`Pushed to \`${PUSHED}\`\\nPull request: <https://github.com/acme/widgets/pull/42>\\nLeft as a draft: checks failing`);
    expect(text(old)).toContain('No pull request: gh (the GitHub CLI) is not on PATH');
  });

  it('in Discord', () => {
    const content = (t: Task) => discordMilestone(t, { at: '', type: 'done' }, '400000000000000001', ctx)?.content ?? '';
    expect(content(published)).toContain(`Pushed to \`${PUSHED}\`\nPull request: <https://github.com/acme/widgets/pull/42>\nLeft as a draft: checks failing`);
    expect(content(old)).toContain('No pull request: gh (the GitHub CLI) is not on PATH');
  });

  it('in "status t-7"', async () => {
    const made = await chatEngine(await tempDir(), { runBuilds: false });
    engine = made.engine;
    store = made.store;
    await made.store.put(published);
    await engine.start();
    const r = await handleText({ engine, actor: { id: 'U-OWNER', name: 'Olive', role: 'owner', adapter: 'test' } }, 'status t-7');
    expect(r.text).toContain(`Pushed: ${PUSHED}\nLink: https://github.com/acme/widgets/pull/42\nLeft as a draft: checks failing`);
  });

  it('on the dashboard\'s task page', async () => {
    const page = async (t: Task) => String(await taskPage({ task: t, now: ctx.now, timeZone: ctx.timeZone, progress: null, nextStep: null, diff: { none: 'no diff' }, logTail: '', canAct: false }));
    expect(await page(published)).toContain(`<dt>Pushed to</dt><dd><code>${PUSHED}</code></dd>`);
    expect(await page(published)).toContain(`<dt>Left undone</dt><dd>${PROBLEMS}</dd>`);
    expect(await page(old)).toContain('<dt>Left undone</dt><dd>no pull request: gh (the GitHub CLI) is not on PATH; install it from https://cli.github.com and run &quot;gh auth login&quot;</dd>');
  });
});
