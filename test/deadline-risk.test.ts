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
});
