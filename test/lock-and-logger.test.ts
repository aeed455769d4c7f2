import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serveControl, socketPathFor } from '../src/control/control-socket.ts';
import { acquireLock, LockHeldError, lockPath, processStart, readLock } from '../src/lock.ts';
import { createLogger } from '../src/logger.ts';
import { cliEnv, runCli } from './helpers/cli.ts';
import { tempDir } from './helpers/temp-dir.ts';

describe('one process owns a data directory', () => {
  it('a second taker is refused with who holds it', async () => {
    const home = await tempDir();
    const lock = acquireLock(home, 'daemon', '/tmp/x.sock');
    expect(readLock(home)).toMatchObject({ pid: process.pid, holder: 'daemon', socket: '/tmp/x.sock' });
    expect(() => acquireLock(home, 'cli')).toThrow(LockHeldError);
    expect(() => acquireLock(home, 'cli')).toThrow(/nightshift is already running on .* \(pid \d+, daemon/);
    lock.release();
    expect(readLock(home)).toBeNull();
    acquireLock(home, 'cli').release();
  });

  it('a lock left by a crashed process (its pid is gone) is taken over', async () => {
    const home = await tempDir();
    writeFileSync(lockPath(home), JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: '2026-01-01T00:00:00Z', holder: 'daemon' }));
    expect(readLock(home)).toBeNull();
    const lock = acquireLock(home, 'daemon');
    expect(readLock(home)?.pid).toBe(process.pid);
    lock.release();
  });

  it('a lock whose pid now belongs to another process (reused after a crash) is stale and taken over', async () => {
    const home = await tempDir();
    // A live process that is not the holder: the lock says its pid, but another start time.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const real = processStart(other.pid!);
      expect(real).not.toBeNull(); // Linux: the start time is readable
      writeFileSync(lockPath(home), JSON.stringify({ pid: other.pid, startedAt: '2026-01-01T00:00:00Z', holder: 'daemon', procStart: `${real!.split(':')[0]}:1` }));
      expect(readLock(home)).toBeNull();
      const lock = acquireLock(home, 'daemon');
      expect(readLock(home)).toMatchObject({ pid: process.pid, procStart: processStart(process.pid) });
      lock.release();
      // the same pid with its real start time is a live holder
      writeFileSync(lockPath(home), JSON.stringify({ pid: other.pid, startedAt: '2026-01-01T00:00:00Z', holder: 'daemon', procStart: real }));
      expect(readLock(home)?.pid).toBe(other.pid);
      expect(() => acquireLock(home, 'cli')).toThrow(LockHeldError);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('one-shots started together all get their turn: five adds at once, five tasks', async () => {
    const home = await tempDir();
    const runs = await Promise.all(Array.from({ length: 5 }, (_, i) => runCli(['add', `urgent: build widget ${i + 1}`], cliEnv(home))));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    const tasks = JSON.parse((await runCli(['status', '--json'], cliEnv(home))).stdout) as { title: string }[];
    expect(tasks.map((t) => t.title).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `Build widget ${n}`));
  });

  it('a one-shot that meets a daemon still starting (lock taken, not listening yet) waits for its answer', async () => {
    const home = await tempDir();
    const socket = socketPathFor(home);
    const lock = acquireLock(home, 'daemon', socket);
    try {
      const asked = runCli(['status'], cliEnv(home));
      // The daemon begins to listen only after the one-shot has had time to knock.
      await new Promise((r) => setTimeout(r, 700));
      const server = await serveControl(socket, async () => ({ kind: 'status', ok: true, text: 'answered by the daemon', tasks: [] }));
      try {
        const r = await asked;
        expect(r.stderr).toBe('');
        expect(r.stdout).toContain('answered by the daemon');
        expect(r.code).toBe(0);
      } finally {
        server.close();
      }
    } finally {
      lock.release();
    }
  });

  it('an unreadable lock file is treated as stale, not as held', async () => {
    const home = await tempDir();
    writeFileSync(lockPath(home), '{not json');
    const lock = acquireLock(home, 'daemon');
    expect(readLock(home)?.pid).toBe(process.pid);
    lock.release();
  });
});

describe('logger', () => {
  it('never writes a secret, even inside an error message', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const log = createLogger({ level: 'info', secrets: ['xoxb-123-secret'], out });
    log.error('slack said no to xoxb-123-secret', { token: 'xoxb-123-secret' });
    log.debug('below the level');
    expect(text).toContain('ERROR slack said no to [redacted]');
    expect(text).not.toContain('xoxb-123-secret');
    expect(text).not.toContain('below the level');
  });
});
