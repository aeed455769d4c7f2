import { describe, expect, it } from 'vitest';
import { parseProgressLine } from '../src/builders/progress-line.ts';

describe('parseProgressLine', () => {
  it.each([
    ['PROGRESS 40% writing tests', { percent: 40, message: 'writing tests' }],
    ['progress: 75% - running the suite', { percent: 75, message: 'running the suite' }],
    ['[100%] done', { percent: 100, message: 'done' }],
    ['PROGRESS 250% over the top', { percent: 100, message: 'over the top' }],
    ['\u001b[32mcompiling\u001b[0m src/a.ts', { percent: null, message: 'compiling src/a.ts' }],
    ['plain line', { percent: null, message: 'plain line' }],
    ['   ', null],
    ['', null],
  ])('%j', (line, expected) => {
    expect(parseProgressLine(line)).toEqual(expected);
  });

  it('clips very long lines', () => {
    const p = parseProgressLine('x'.repeat(1000));
    expect(p?.message.length).toBe(200);
    expect(p?.message.endsWith('…')).toBe(true);
  });
});
