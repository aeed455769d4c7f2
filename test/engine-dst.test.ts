// The engine's own timers, driven by a fake clock, start medium tasks when the quiet window opens
// in the owner's zone, on the days the clocks change.
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { silentLogger } from '../src/core/ports.ts';
import { MemoryTaskStore } from '../src/store/index.ts';
import { fakeAgentBuilder } from './helpers/builders.ts';
import { waitFor } from './helpers/agents.ts';
import { draft } from './helpers/engine-harness.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { tempDir } from './helpers/temp-dir.ts';

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.shutdown(0);
  engine = null;
});

async function setup(timeZone: string, at: string) {
  const clock = new FakeClock(at);
  const store = new MemoryTaskStore();
  await store.open();
  engine = new Engine({
    store,
    builder: fakeAgentBuilder('succeed', await tempDir()),
    policy: defaultPolicy({ timeZone }),
    clock,
    logger: silentLogger,
    runBuilds: true,
  });
  await engine.start();
  await engine.submit([draft('Build the weekly report', { priority: 'medium', priorityReason: 'said "would be nice"' })], { adapter: 'test', userId: 'owner' });
  return { clock, engine, status: () => engine!.live()[0]?.status ?? 'done' };
}

describe('quiet hours across daylight-saving changes, with the engine timers', () => {
  it.each([
    // America/Chicago springs forward on 2026-03-08: 22:00 CDT that evening is 03:00Z.
    ['America/Chicago', '2026-03-09T02:00:00Z', 60],
    // America/Chicago falls back on 2026-11-01: 22:00 CST that evening is 04:00Z.
    ['America/Chicago', '2026-11-02T03:00:00Z', 60],
    // Europe/London springs forward on 2026-03-29: 22:00 BST that evening is 21:00Z.
    ['Europe/London', '2026-03-29T20:30:00Z', 30],
    // Europe/London falls back on 2026-10-25: 22:00 GMT that evening is 22:00Z.
    ['Europe/London', '2026-10-25T21:00:00Z', 60],
  ])('%s from %s: starts when 22:00 local comes, %i minutes later, not before', async (zone, at, minutes) => {
    const { clock, status } = await setup(zone, at);
    expect(status()).toBe('queued');
    await clock.advance((minutes - 1) * 60_000);
    // a schedule pass that begins now, after whatever the timers set off: it still may not start
    await engine!.kick();
    expect(status()).toBe('queued');
    await clock.advance(60_000);
    await waitFor(() => status() !== 'queued', 2_000, 'the window to open');
    expect(['building', 'done']).toContain(status());
  });

  it('on the night London falls back, the window lasts nine hours: 05:30 GMT is still inside', async () => {
    const { status } = await setup('Europe/London', '2026-10-25T05:30:00Z');
    await waitFor(() => status() !== 'queued', 2_000, 'the task to start inside the window');
  });

  it('after 06:00 local the window is closed', async () => {
    const { status, clock } = await setup('Europe/London', '2026-10-25T06:01:00Z');
    await clock.advance(10 * 60_000);
    await engine!.kick(); // a schedule pass after whatever the timers set off
    expect(status()).toBe('queued');
  });
});
