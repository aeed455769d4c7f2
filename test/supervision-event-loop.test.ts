// A monitor or stall watch someone forgot to stop must not keep nightshift from exiting.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/temp-dir.ts';

const src = (file: string) => fileURLToPath(new URL(`../src/builders/supervision/${file}`, import.meta.url));

describe('supervision timers', () => {
  it('an unstopped resource monitor and stall watch let the process exit', async () => {
    const dir = await tempDir('nightshift-supervision-');
    const script = join(dir, 'forgetful.ts');
    await writeFile(
      script,
      `import { startResourceMonitor } from ${JSON.stringify(src('resource-monitor.ts'))};
       import { watchForStall } from ${JSON.stringify(src('stall-watch.ts'))};
       startResourceMonitor({ leaderPid: process.pid, intervalMs: 50 });
       watchForStall({ stallMs: 60_000, onStall: () => console.log('stalled') });
       setTimeout(() => console.log('still running'), 300);`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', (c) => (clearTimeout(killer), resolve(c)));
    });
    expect(code).toBe(0);
    expect(out.trim()).toBe('still running');
  });
});
