// A medium task that would miss its deadline by waiting for quiet hours is raised with the owner,
// once, instead of being missed silently.
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy, HOUR } from '../src/core/policy.ts';
import { silentLogger, type CoreEvent } from '../src/core/ports.ts';
import { MemoryTaskStore } from '../src/store/index.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { draft } from './helpers/engine-harness.ts';
import { FakeClock } from './helpers/fake-clock.ts';

describe('deadline at risk', () => {
  it('tells the owner once, with the times in their zone', async () => {
    const clock = new FakeClock('2026-11-25T14:00:00Z');
    const store = new MemoryTaskStore();
    await store.open();
    const engine = new Engine({
      store,
      builder: fakeAgentBuilder('succeed', await tempDir()),
      policy: defaultPolicy({ timeZone: 'Europe/London', tickMs: 60_000 }),
      clock,
      logger: silentLogger,
      runBuilds: true,
    });
    const events: CoreEvent[] = [];
    engine.subscribe({ announce: (e) => void events.push(e) });
    await engine.start();
    await engine.submit(
      [draft('Build the board report', { priority: 'medium', priorityReason: 'said "would be nice"', deadline: '2026-11-25T22:30:00.000Z', estimateMs: 2 * HOUR })],
      { adapter: 'test', userId: 'owner' },
    );
    const risks = () => events.flatMap((e) => (e.type === 'owner_attention' && e.reason === 'deadline_at_risk' ? [e.message] : []));
    expect(risks()).toHaveLength(1);
    expect(risks()[0]).toBe('t-1 "Build the board report" waits for quiet hours (22:00) but needs ~2h and is due 22:30: it would miss its deadline');
    expect(engine.live()[0]?.events.map((e) => e.type)).toContain('deadline_at_risk');
    await clock.advance(3 * 60_000); // several ticks later: not raised again
    expect(risks()).toHaveLength(1);
    await engine.shutdown(0);
  });

  it('several risks found in one pass are written once and each told once, after its note is on disk', async () => {
    const clock = new FakeClock('2026-11-25T14:00:00Z');
    const store = new MemoryTaskStore();
    await store.open();
    let puts = 0;
    const put = store.put.bind(store);
    store.put = (...tasks) => {
      puts++;
      return put(...tasks);
    };
    const engine = new Engine({
      store,
      builder: fakeAgentBuilder('succeed', await tempDir()),
      policy: defaultPolicy({ timeZone: 'Europe/London', tickMs: 60_000 }),
      clock,
      logger: silentLogger,
      runBuilds: true,
    });
    const told: string[] = [];
    engine.subscribe({
      announce: (e) => {
        if (e.type === 'task_changed') told.push(`${e.task.id} ${e.event.type}`);
        if (e.type === 'owner_attention' && e.reason === 'deadline_at_risk') {
          told.push(`${e.task.id} told`);
          // on disk (in the store) before the owner hears of it
          expect(store.getLive(e.task.id)?.events.some((x) => x.type === 'deadline_at_risk')).toBe(true);
        }
      },
    });
    await engine.start();
    const due = (title: string) => draft(title, { priority: 'medium', priorityReason: 'said "would be nice"', deadline: '2026-11-25T22:30:00.000Z', estimateMs: 2 * HOUR });
    puts = 0;
    await engine.submit([due('Build the board report'), due('Build the sales report'), due('Build the churn report')], { adapter: 'test', userId: 'owner' });
    expect(puts).toBe(2); // the new tasks, then the three notes
    expect(told).toEqual(['t-1 deadline_at_risk', 't-1 told', 't-2 deadline_at_risk', 't-2 told', 't-3 deadline_at_risk', 't-3 told']);
    await engine.shutdown(0);
  });
});

