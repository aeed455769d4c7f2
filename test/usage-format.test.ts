import { describe, expect, it } from 'vitest';
import { formatAgentUsage, formatBytes, formatUsage } from '../src/commands/usage-format.ts';

const MB = 1024 * 1024;

describe('formatUsage', () => {
  it('reads as one line: wall, cpu, peak', () => {
    expect(formatUsage({ wallMs: 12 * 60_000 + 4_000, cpuMs: 3 * 60_000 + 10_000, peakRssBytes: 412 * MB, samples: 700 })).toBe(
      'wall 12m 04s · cpu 3m 10s · peak 412 MB',
    );
    expect(formatUsage({ wallMs: 2 * 3_600_000 + 5 * 60_000, cpuMs: 800, peakRssBytes: 1.64 * 1024 * MB, samples: 9 })).toBe(
      'wall 2h 5m · cpu 800ms · peak 1.6 GB',
    );
  });

  it('says so when nothing was sampled rather than claiming zero', () => {
    expect(formatUsage({ wallMs: 3_000, cpuMs: 0, peakRssBytes: 0, samples: 0 })).toBe('wall 3s · cpu and memory not sampled');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 MB'],
    [200 * 1024, '<1 MB'],
    [412 * MB, '412 MB'],
    [1023.7 * MB, '1.0 GB'],
    [1.64 * 1024 * MB, '1.6 GB'],
    [12.4 * 1024 * MB, '12 GB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatAgentUsage', () => {
  it.each([
    [undefined, ''],
    [{}, ''],
    [{ costUsd: 0.4213, turns: 12, inputTokens: 35_400, outputTokens: 4_120 }, '$0.42 · 12 turns · 35k in / 4.1k out tokens'],
    [{ turns: 1 }, '1 turn'],
    [{ inputTokens: 800 }, '800 in / 0 out tokens'],
  ])('%j → %j', (u, text) => {
    expect(formatAgentUsage(u)).toBe(text);
  });
});
