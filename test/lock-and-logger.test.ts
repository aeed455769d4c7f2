import { writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { acquireLock, LockHeldError, lockPath, readLock } from '../src/lock.ts';
import { createLogger } from '../src/logger.ts';
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
