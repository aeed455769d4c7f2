import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/core/durations.ts';

describe('durations as people write them', () => {
  it.each([
    ['2h', 7_200_000],
    ['90m', 5_400_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['45s', 45_000],
    ['250ms', 250],
    ['1000', 1000],
    ['2 H', 7_200_000],
    ['2d', 172_800_000],
    ['1m30s', 90_000],
    ['45min', 2_700_000],
    ['2 hrs', 7_200_000],
    ['1 hour 30 minutes', 5_400_000],
    ['3 days', 259_200_000],
    ['10 sec', 10_000],
    ['1.5 Hours', 5_400_000],
    ['0', 0],
    ['soon', null],
    ['2x', null],
    ['', null],
    ['0m', null],
    ['1h30', null],
    ['2 months', null],
    ['1.5', null],
    ['0.1ms', null],
  ])('parseDuration(%j) = %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['4', null],
    ['1000', null],
    ['4h', 14_400_000],
    ['45min', 2_700_000],
  ])('parseDuration(%j, { unitless: "invalid" }) = %j, as --eta reads it', (text, ms) => {
    expect(parseDuration(text, { unitless: 'invalid' })).toBe(ms);
  });

  it.each([
    [800, '800ms'],
    [12_000, '12s'],
    [245_000, '4m 05s'],
    [45 * 60_000, '45m'],
    [3_600_000, '1h'],
    [5_400_000, '1h 30m'],
    [26 * 3_600_000, '26h'],
  ])('formatDuration(%i) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
