// The attempt keeper (src/builders/keeper/attempt-keeper.ts) as nightshift runs it: between
// nightshift and the agent, outliving nightshift, recording how the agent ended and whether that
// end was caused (a signal passed on while it ran) or its own.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { endedCleanlyAlone, readExitRecord } from '../src/builders/keeper/exit-record.ts';
import { tempDir } from './helpers/temp-dir.ts';

const KEEPER = fileURLToPath(new URL('../dist/attempt-keeper.js', import.meta.url));

async function keep(command: string[], opts: { signalAfterOutput?: NodeJS.Signals } = {}) {
  const dir = await tempDir();
  const record = join(dir, 'attempt-1.exit.json');
  const child = spawn(process.execPath, [KEEPER, record, join(dir, 'attempt-1.away.log'), '100000', '-', '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (opts.signalAfterOutput) child.kill(opts.signalAfterOutput);
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { exit, out, record: await readExitRecord(record) };
}

describe('the attempt keeper', () => {
  it('exits as the agent did and records it as the agent\'s own end', async () => {
    const { exit, out, record } = await keep(['sh', '-c', 'echo working; exit 3']);
    expect(out).toBe('working\n');
    expect(exit.code).toBe(3);
    expect(record).toMatchObject({ exitCode: 3, signal: null, away: false });
    expect(record?.forwarded).toBeUndefined();
    const clean = (await keep(['true'])).record;
    expect(clean && endedCleanlyAlone(clean)).toBe(true);
  });

  it('a signal it passes on to a running agent marks the end as caused, never as a clean end of its own', async () => {
    const { exit, record } = await keep(['sh', '-c', 'echo started; exec sleep 30'], { signalAfterOutput: 'SIGTERM' });
    expect(exit.signal).toBe('SIGTERM');
    expect(record).toMatchObject({ signal: 'SIGTERM', forwarded: 'SIGTERM' });
    expect(endedCleanlyAlone(record!)).toBe(false);
  });

  it('says when the agent could not be started', async () => {
    const { exit, record } = await keep(['/nonexistent/agent']);
    expect(exit.code).toBe(127);
    expect(record?.spawnError?.code).toBe('ENOENT');
    expect(endedCleanlyAlone(record!)).toBe(false);
  });
});
