// What one line of a builder's output costs the daemon on its way in: the line splitter and the
// preset's parser (custom: `PROGRESS 40% msg` lines; Claude Code: stream-json lines), fed in
// pipe-sized chunks, in ns per line. `node --import tsx bench/line-path.ts`.
import { LineSplitter } from '../src/builders/line-splitter.ts';
import { createClaudeParser } from '../src/builders/presets/claude.ts';
import { createCustomParser } from '../src/builders/presets/custom.ts';
import type { AgentStreamParser } from '../src/builders/presets/index.ts';

export const name = 'line-path';
export const description = 'ns per output line: line splitting plus the custom and Claude Code parsers';

const LINES = Number(process.env.BENCH_LINES ?? 200_000);

/** The output as the pipe delivers it: ~64 KiB chunks, lines cut anywhere. */
function chunks(line: (i: number) => string): Buffer[] {
  const text = Buffer.from(Array.from({ length: LINES }, (_, i) => `${line(i)}\n`).join(''), 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < text.length; i += 65_536) out.push(text.subarray(i, i + 65_536));
  return out;
}

const progressLines = chunks((i) => `PROGRESS ${i % 100}% compiling module ${i} of the reports page`);
const claudeLines = chunks((i) =>
  JSON.stringify({
    type: 'assistant',
    session_id: 's-1',
    message: { id: `m-${i}`, content: [{ type: 'tool_use', name: 'Edit', input: { file_path: `/w/src/file-${i}.ts` } }], usage: { input_tokens: 10, output_tokens: 5 } },
    parent_tool_use_id: null,
  }),
);

function measure(label: string, input: Buffer[], parser: () => AgentStreamParser): void {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const p = parser();
    let events = 0;
    const splitter = new LineSplitter((line) => {
      events += p.line(line, 'stdout').length;
    });
    const t0 = process.hrtime.bigint();
    for (const c of input) splitter.push(c.toString('utf8'));
    splitter.flush();
    runs.push(Number(process.hrtime.bigint() - t0) / LINES);
    if (events === 0) throw new Error('no events: the bench measures nothing');
  }
  runs.sort((a, b) => a - b);
  console.log(`${label}: median ${runs[2]?.toFixed(0)} ns/line (best ${runs[0]?.toFixed(0)}, ${LINES} lines × 5)`);
}

export async function run(): Promise<void> {
  measure('custom (PROGRESS lines)', progressLines, () => createCustomParser('bench'));
  measure('claude (stream-json)', claudeLines, () => createClaudeParser({ workspace: '/w' }));
  await Promise.resolve();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
