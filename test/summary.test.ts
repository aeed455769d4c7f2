// The morning summary: posted at 07:30 owner time by the scheduler (fake clock), late after
// downtime rather than skipped, with what finished, what failed, what waits and what is queued.
import { describe, expect, it } from 'vitest';
import { renderSummaryText } from '../src/commands/summary.ts';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { silentLogger } from '../src/core/ports.ts';
import type { Summary } from '../src/core/summary.ts';
import { LAST_SUMMARY_KEY, SummaryScheduler } from '../src/core/summary-scheduler.ts';
import { MemoryTaskStore } from '../src/store/index.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { makeTask } from './helpers/task-factory.ts';

async function setup(start: string, lastSummaryAt?: string) {
  const clock = new FakeClock(start);
  const store = new MemoryTaskStore();
  await store.open();
  if (lastSummaryAt) await store.setMeta(LAST_SUMMARY_KEY, lastSummaryAt);
  const engine = new Engine({
    store,
    builder: fakeAgentBuilder('succeed', await tempDir()),
    policy: defaultPolicy({ timeZone: 'Europe/London' }),
    clock,
    logger: silentLogger,
    runBuilds: false,
  });
  const posted: { at: string; summary: Summary }[] = [];
  const scheduler = new SummaryScheduler(engine, clock, silentLogger, (s) => void posted.push({ at: clock.now().toISOString(), summary: s }));
  return { clock, store, engine, posted, scheduler };
}

describe('the morning summary', () => {
  it('is posted at 07:30 owner time with what happened overnight', async () => {
    const { clock, store, posted, scheduler } = await setup('2026-11-24T20:00:00Z');
    await scheduler.start();
    expect(posted).toHaveLength(0); // first run: nothing to report yet
    await store.put(
      makeTask({ id: 't-1', title: 'Build the CSV export', status: 'done', updatedAt: '2026-11-25T02:00:00.000Z', deliverables: { commits: [], changedFiles: ['export.ts', 'export.test.ts'], links: [] } }),
      makeTask({ id: 't-2', title: 'Build the importer', status: 'escalated' }),
      makeTask({ id: 't-3', title: 'Try websockets', status: 'awaiting_approval', priority: 'low' }),
      makeTask({ id: 't-4', title: 'Dark mode', status: 'queued' }),
    );
    await clock.advance(11 * 3_600_000 + 29 * 60_000); // 07:29 London
    expect(posted).toHaveLength(0);
    await clock.advance(2 * 60_000);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.at).toBe('2026-11-25T07:30:00.000Z');
    const s = posted[0]!.summary;
    expect(s.done.map((t) => t.id)).toEqual(['t-1']);
    expect(s.escalated.map((t) => t.id)).toEqual(['t-2']);
    expect(s.awaitingApproval.map((t) => t.id)).toEqual(['t-3']);
    expect(s.queued.map((q) => q.task.id)).toEqual(['t-4']);
    expect(s.queued[0]?.waiting?.why).toMatch(/quiet hours open at 22:00/);
    const text = renderSummaryText(s);
    expect(text).toMatch(/^Good morning\. 1 built, 1 needs you, 1 failed\./);
    expect(text).toMatch(/Built:\n {2}t-1 "Build the CSV export" · /);
    expect(text).toMatch(/Needs you:\n {2}t-3 "Try websockets" waits for your approval/);
    // and again the next morning, covering only what came after
    await clock.advance(24 * 3_600_000);
    expect(posted).toHaveLength(2);
    expect(posted[1]?.summary.done).toHaveLength(0);
    scheduler.stop();
  });

  it('follows the owner zone across a daylight-saving change', async () => {
    // London leaves summer time on 2026-10-25: 07:30 is 06:30Z before and 07:30Z after.
    const { clock, posted, scheduler } = await setup('2026-10-24T12:00:00Z', '2026-10-24T06:30:00Z');
    await scheduler.start();
    await clock.advance(2 * 24 * 3_600_000);
    expect(posted.map((p) => p.at)).toEqual(['2026-10-25T07:30:00.000Z', '2026-10-26T07:30:00.000Z']);
    scheduler.stop();
  });

  it('a summary missed while nightshift was down is posted late on start', async () => {
    const { posted, scheduler } = await setup('2026-11-25T09:15:00Z', '2026-11-24T07:30:00Z');
    await scheduler.start();
    expect(posted).toHaveLength(1);
    expect(posted[0]?.at).toBe('2026-11-25T09:15:00.000Z');
    scheduler.stop();
  });

  it('one missed by more than 12 hours is not posted late (the next one is on time)', async () => {
    const { posted, scheduler, clock } = await setup('2026-11-25T20:00:00Z', '2026-11-24T07:30:00Z');
    await scheduler.start();
    expect(posted).toHaveLength(0);
    await clock.advance(12 * 3_600_000);
    expect(posted.map((p) => p.at)).toEqual(['2026-11-26T07:30:00.000Z']);
    scheduler.stop();
  });
});
