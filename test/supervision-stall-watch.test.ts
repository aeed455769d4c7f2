import { describe, expect, it } from 'vitest';
import { watchForStall } from '../src/builders/supervision/stall-watch.ts';
import type { StallClock } from '../src/builders/supervision/stall-watch.ts';
import { FakeClock } from './helpers/fake-clock.ts';

const MIN = 60_000;

function setup(stallMs = 15 * MIN) {
  const fake = new FakeClock('2025-01-01T00:00:00Z');
  let timersSet = 0;
  const clock: StallClock = {
    now: () => fake.now().getTime(),
    setTimeout: (fn, ms) => (timersSet++, fake.setTimeout(fn, ms)),
    clearTimeout: (h) => fake.clearTimeout(h),
  };
  const stalls: number[] = [];
  const watch = watchForStall({ stallMs, clock, onStall: (silentForMs) => stalls.push(silentForMs) });
  return { fake, watch, stalls, timersSet: () => timersSet };
}

describe('watchForStall', () => {
  it('reports a stall once after stallMs of silence, not again while the silence goes on', async () => {
    const { fake, stalls } = setup();
    await fake.advance(15 * MIN - 1);
    expect(stalls).toEqual([]);
    await fake.advance(1);
    expect(stalls).toEqual([15 * MIN]);
    await fake.advance(120 * MIN);
    expect(stalls).toEqual([15 * MIN]);
  });

  it('activity pushes the stall out to stallMs after the last activity', async () => {
    const { fake, watch, stalls } = setup();
    await fake.advance(9 * MIN);
    watch.activity();
    await fake.advance(14 * MIN);
    watch.activity();
    await fake.advance(14 * MIN);
    expect(stalls).toEqual([]);
    await fake.advance(1 * MIN);
    expect(stalls).toEqual([15 * MIN]);
  });

  it('re-arms after a stall: new activity followed by silence is a second stall', async () => {
    const { fake, watch, stalls } = setup();
    await fake.advance(20 * MIN);
    expect(stalls).toEqual([15 * MIN]);
    watch.activity(); // the builder woke up
    await fake.advance(10 * MIN);
    expect(stalls).toHaveLength(1);
    await fake.advance(5 * MIN);
    expect(stalls).toEqual([15 * MIN, 15 * MIN]);
  });

  it('stop cancels the pending report, and later activity does not re-arm', async () => {
    const { fake, watch, stalls } = setup();
    await fake.advance(10 * MIN);
    watch.stop();
    await fake.advance(60 * MIN);
    watch.activity();
    await fake.advance(60 * MIN);
    expect(stalls).toEqual([]);
    watch.stop(); // idempotent
  });

  it('a chatty builder costs no timer churn: activity only notes the time', async () => {
    const { fake, watch, stalls, timersSet } = setup(1_000);
    for (let i = 0; i < 5_000; i++) {
      watch.activity();
      await fake.advance(1);
    }
    expect(stalls).toEqual([]);
    expect(timersSet()).toBeLessThan(10);
  });

  it('rejects a stallMs that cannot work', () => {
    for (const stallMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => watchForStall({ stallMs, onStall: () => undefined })).toThrow(RangeError);
    }
  });

  it('copes with a stallMs beyond what one Node timer can wait (~24.8 days)', async () => {
    const { fake, stalls } = setup(30 * 24 * 60 * MIN);
    await fake.advance(29 * 24 * 60 * MIN);
    expect(stalls).toEqual([]);
    await fake.advance(24 * 60 * MIN);
    expect(stalls).toEqual([30 * 24 * 60 * MIN]);
  });
});
