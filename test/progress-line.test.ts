import { describe, expect, it } from 'vitest';
import { AgentOutput } from '../src/builders/agent-output.ts';
import { LineSplitter } from '../src/builders/line-splitter.ts';
import { createCustomParser } from '../src/builders/presets/custom.ts';
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

describe('the per-line path: LineSplitter and AgentOutput', () => {
  it('splits lines across chunks, keeps a line cut anywhere whole, and caps a line without an end', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 10);
    for (const chunk of ['a', 'b\ncd', '\n\nef\ngh', 'ij', 'klmnopqrstu', 'v\n']) s.push(chunk);
    s.flush();
    expect(lines).toEqual(['ab', 'cd', '', 'ef', 'ghijklmnopqrstu', 'v']);
  });

  it('decodes each stream on its own, so a character cut between chunks arrives whole, and keeps the last lines', () => {
    const seen: string[] = [];
    const out = new AgentOutput({ parser: createCustomParser(), onProgress: (p) => seen.push(p.message), tailLines: 2 });
    const bytes = Buffer.from('PROGRESS 10% café\nsecond ✓\n', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // inside "é"
    out.chunk(bytes.subarray(0, cut), 'stdout');
    out.chunk(Buffer.from('noise on stderr\n'), 'stderr');
    out.chunk(bytes.subarray(cut), 'stdout');
    out.chunk(Buffer.from('unterminated'), 'stdout');
    out.end('stdout');
    out.end('stderr');
    expect(seen).toEqual(['noise on stderr', 'café', 'second ✓', 'unterminated']);
    expect(out.tail()).toBe('second ✓\nunterminated');
  });
});
