import { describe, expect, it } from 'vitest';
import { AgentOutput } from '../src/builders/agent-output.ts';
import { LineSplitter } from '../src/builders/line-splitter.ts';
import { createCustomParser } from '../src/builders/presets/custom.ts';
import { parsePlanLine, parseProgressLine, planProgress } from '../src/builders/progress-line.ts';

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

describe('parsePlanLine: a builder reports its plan on one line', () => {
  it.each([
    ['PLAN ["Write the parser", "Test it"]', [{ text: 'Write the parser', status: 'pending' }, { text: 'Test it', status: 'pending' }]],
    ['PLAN [{"text":"Write the parser","status":"done"},{"text":"Test it","status":"in_progress"},{"text":"Ship","status":"failed"}]', [{ text: 'Write the parser', status: 'done' }, { text: 'Test it', status: 'in_progress' }, { text: 'Ship', status: 'failed' }]],
    ['PLAN [{"text":"Odd status","status":"maybe"}]', [{ text: 'Odd status', status: 'pending' }]],
    ['PLAN []', []],
  ])('%s', (line, expected) => {
    expect(parsePlanLine(line)).toEqual(expected);
  });

  it.each(['PLAN not json', 'PLAN {"text":"an object, not a list"}', 'PLAN [42]', 'PLANNING ["x"]', 'the PLAN ["x"]'])('%s is not a plan (it stays an ordinary line)', (line) => {
    expect(parsePlanLine(line)).toBeNull();
  });

  it('says the step under way and how far the plan is', () => {
    expect(planProgress([{ text: 'a', status: 'done' }, { text: 'b', status: 'in_progress' }, { text: 'c', status: 'pending' }, { text: 'd', status: 'pending' }])).toEqual({ percent: 25, message: 'working on: b' });
    expect(planProgress([{ text: 'a', status: 'done' }])).toEqual({ percent: 100, message: 'plan complete' });
  });
});
