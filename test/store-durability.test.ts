// Failure modes of the lowdb store on disk, each named after the failure. Crashes are simulated by
// writing the files exactly as the crash would leave them, then opening a new store on the directory.
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../src/core/ports.ts';
import type { Task, TaskStatus } from '../src/core/task.ts';
import { LowdbTaskStore, STORE_FORMAT_VERSION, StoreCorruptError, StoreFormatTooNewError, StoreMissingError } from '../src/store/index.ts';
import { makeTask } from './helpers/task-factory.ts';

const fixture = (name: string): string =>
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'store', name);

const at = (minute: number): string => new Date(Date.UTC(2026, 2, 2, 18, minute)).toISOString();
const task = (n: number, status: TaskStatus = 'queued', minute = n, extra: Partial<Task> = {}): Task =>
  makeTask({ id: `t-${n}`, title: `Task ${n}`, status, createdAt: at(0), updatedAt: at(minute), ...extra });

interface RecordingLogger extends Logger {
  warnings: string[];
}

function recordingLogger(): RecordingLogger {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (msg) => void warnings.push(msg) };
}

let dir: string;
let opened: LowdbTaskStore[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nightshift-store-durability-'));
  opened = [];
});

afterEach(async () => {
  for (const s of opened) await s.close();
  await rm(dir, { recursive: true, force: true });
});

/** A new store instance on the test's directory, closed after the test. */
function storeOn(logger?: Logger, home = dir, compactAfterBytes?: number): LowdbTaskStore {
  const s = new LowdbTaskStore({ dir: home, ...(logger ? { logger } : {}), ...(compactAfterBytes ? { compactAfterBytes } : {}) });
  opened.push(s);
  return s;
}

const db = (home = dir): string => path.join(home, 'db.json');
const bak = (home = dir): string => path.join(home, 'db.json.bak');
const archive = (home = dir): string => path.join(home, 'archive.jsonl');
const journal = (home = dir): string => path.join(home, 'db.journal.jsonl');
const journalBak = (home = dir): string => path.join(home, 'db.journal.jsonl.bak');
const line = (t: Task): string => `${JSON.stringify(t)}\n`;
const journalLines = async (home = dir): Promise<string[]> => (await readFile(journal(home), 'utf8')).split('\n').filter(Boolean);

/**
 * Two sessions of one write each (every close() folds the journal into db.json), so db.json holds
 * {t-1 building, t-2 queued}, db.json.bak {t-1 queued}, and db.journal.jsonl.bak the entry between them.
 */
async function twoWrites(): Promise<void> {
  const s = storeOn();
  await s.open();
  await s.put(task(1, 'queued'));
  await s.close();
  const again = storeOn();
  await again.open();
  await again.put(task(1, 'building'), task(2, 'queued'));
  await again.close();
}

/**
 * The data directory as a crash at this moment would leave it: a copy of its files in a new
 * directory. The store must be idle (every change awaited): acknowledged changes are on disk.
 */
async function crashCopy(home = dir): Promise<string> {
  const copy = await mkdtemp(path.join(dir, 'crashed-'));
  for (const entry of await readdir(home, { withFileTypes: true })) {
    if (entry.isFile()) await copyFile(path.join(home, entry.name), path.join(copy, entry.name));
  }
  return copy;
}

/** A store's whole visible state, for comparing two opens of the same data. */
async function stateOf(s: LowdbTaskStore, metaKeys: string[]): Promise<unknown> {
  return {
    live: s.live(),
    history: (await s.history()).map((t) => `${t.id}:${t.status}:${t.updatedAt}`),
    meta: Object.fromEntries(metaKeys.map((k) => [k, s.getMeta(k)])),
  };
}

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(path.join(dir, name), 'utf8');
  return out;
}

describe('LowdbTaskStore on disk', () => {
  it('a missing data directory is a fresh, empty store (directory created)', async () => {
    const home = path.join(dir, 'nested', 'home');
    const s = storeOn(undefined, home);
    expect(await s.open()).toEqual({ warnings: [], loadedVersion: null });
    expect(JSON.parse(await readFile(path.join(home, 'db.json'), 'utf8'))).toMatchObject({ version: STORE_FORMAT_VERSION, nextId: 1, tasks: [], meta: {} });
  });

  it('reopen after writes sees everything: live, history, meta, ids', async () => {
    const s = storeOn();
    await s.open();
    const [a, b, c] = s.allocateIds(3) as [string, string, string];
    await s.put(makeTask({ id: a, status: 'building' }), makeTask({ id: b }), makeTask({ id: c, status: 'done' }));
    await s.setMeta('lastSummaryAt', at(30));
    s.allocateIds(2); // t-4, t-5 persisted with the next write
    await s.put(makeTask({ id: b, status: 'cancelled' }));
    await s.close();

    const again = storeOn();
    expect(await again.open()).toEqual({ warnings: [], loadedVersion: STORE_FORMAT_VERSION });
    expect(again.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:building']);
    expect((await again.history()).map((t) => `${t.id}:${t.status}`)).toEqual(['t-2:cancelled', 't-3:done']);
    expect((await again.get('t-3'))?.status).toBe('done');
    expect(again.getMeta('lastSummaryAt')).toBe(at(30));
    expect(again.allocateIds(1)).toEqual(['t-6']);
  });

  it('concurrent puts are all persisted', async () => {
    const s = storeOn();
    await s.open();
    await Promise.all(Array.from({ length: 40 }, (_, i) => s.put(task(i + 1, i % 4 === 0 ? 'done' : 'queued'))));
    await s.close();
    const again = storeOn();
    await again.open();
    expect(again.live()).toHaveLength(30);
    expect(await again.history()).toHaveLength(10);
  });

  it('keeps the previous document as db.json.bak (and the journal between them) and leaves no temporary files', async () => {
    await twoWrites();
    expect(JSON.parse(await readFile(bak(), 'utf8')).tasks.map((t: Task) => `${t.id}:${t.status}`)).toEqual(['t-1:queued']);
    expect(JSON.parse(await readFile(db(), 'utf8')).tasks.map((t: Task) => `${t.id}:${t.status}`)).toEqual(['t-1:building', 't-2:queued']);
    expect((await readdir(dir)).sort()).toEqual(['archive.jsonl', 'db.journal.jsonl', 'db.journal.jsonl.bak', 'db.json', 'db.json.bak']);
    expect(await readFile(journal(), 'utf8')).toBe(''); // a clean close folded it into db.json
  });

  it('a crash during a compaction\'s write (half-written db.json.tmp, stale db.json.bak.tmp) leaves the old document in force', async () => {
    await twoWrites();
    await writeFile(path.join(dir, 'db.json.tmp'), '{"version":2,"nextId":9,"tas');
    await writeFile(path.join(dir, 'db.json.bak.tmp'), 'stale');
    const s = storeOn();
    expect((await s.open()).warnings).toEqual([]);
    expect(s.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:building', 't-2:queued']);
    await s.put(task(3));
    expect((await readdir(dir)).sort()).toEqual(['archive.jsonl', 'db.journal.jsonl', 'db.journal.jsonl.bak', 'db.json', 'db.json.bak']);
    expect(s.live().map((t) => t.id)).toEqual(['t-1', 't-2', 't-3']);
  });

  describe('db.json damaged: restored from db.json.bak, loudly', () => {
    async function expectRestored(problem: RegExp): Promise<void> {
      const logger = recordingLogger();
      const s = storeOn(logger);
      const report = await s.open();
      expect(report.loadedVersion).toBe(STORE_FORMAT_VERSION);
      expect(report.warnings[0]).toMatch(/db\.json was unusable/);
      expect(report.warnings[0]).toMatch(problem);
      expect(report.warnings[0]).toContain('restored the last good copy from');
      expect(logger.warnings).toEqual(report.warnings);
      // The backup plus the journal written since it: nothing is lost.
      expect(report.warnings[0]).toContain('and applied the 1 journal entry written since it');
      expect(report.warnings).toHaveLength(1);
      expect(s.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:building', 't-2:queued']);
      // The damaged file is kept aside, db.json is good again, and so is the backup.
      const names = await readdir(dir);
      expect(names.filter((n) => n.startsWith('db.json.corrupt-'))).toHaveLength(1);
      await s.put(task(3));
      await s.close();
      const again = storeOn();
      expect((await again.open()).warnings).toEqual([]);
      expect(again.live().map((t) => t.id)).toEqual(['t-1', 't-2', 't-3']);
      await again.close();
      // Damaged again: the refreshed backup and its journal still hold everything.
      await writeFile(db(), '{');
      const third = storeOn();
      expect((await third.open()).warnings[0]).toContain('restored the last good copy from');
      expect(third.live().map((t) => t.id)).toEqual(['t-1', 't-2', 't-3']);
    }

    it('truncated db.json', async () => {
      await twoWrites();
      const { size } = await stat(db());
      await truncate(db(), Math.floor(size / 2));
      await expectRestored(/unexpected end of JSON/i);
    });

    it('empty db.json', async () => {
      await twoWrites();
      await writeFile(db(), '');
      await expectRestored(/the file is empty/);
    });

    it('db.json that is not JSON', async () => {
      await twoWrites();
      await writeFile(db(), '\u0000\u0000\u0000garbage');
      await expectRestored(/invalid JSON/);
    });

    it('db.json with a task that breaks the schema (names the zod path)', async () => {
      await twoWrites();
      const doc = JSON.parse(await readFile(db(), 'utf8'));
      doc.tasks[1].status = 'exploded';
      await writeFile(db(), JSON.stringify(doc));
      await expectRestored(/tasks\[1\]\.status: Invalid option/);
    });

    it('db.json missing while db.json.bak exists (not mistaken for a fresh directory)', async () => {
      await twoWrites();
      await rm(db());
      const s = storeOn();
      const report = await s.open();
      expect(report.warnings[0]).toMatch(/the file is missing/);
      expect(s.live().map((t) => t.id)).toEqual(['t-1', 't-2']);
    });
  });

  it('db.json and db.json.bak both bad: StoreCorruptError naming the file, the problem and the way out; files untouched', async () => {
    await twoWrites();
    await truncate(db(), 20);
    const doc = JSON.parse(await readFile(bak(), 'utf8'));
    doc.tasks[0].createdAt = 'yesterday';
    await writeFile(bak(), JSON.stringify(doc));
    const before = await snapshot();

    const logger = recordingLogger();
    const error = await storeOn(logger).open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    const corrupt = error as StoreCorruptError;
    expect(corrupt.file).toBe(db());
    expect(corrupt.message).toContain(`${db()} is unreadable (unexpected end of JSON: the file looks truncated after 20 bytes)`);
    expect(corrupt.message).toContain('tasks[0].createdAt');
    expect(corrupt.message).toContain(`move it aside to start empty, or restore it from ${db()}.bak`);
    expect(corrupt.retryable).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it('db.json bad and no backup at all: StoreCorruptError, never a silent reset', async () => {
    await writeFile(db(), '{"version":1,"nextId":');
    await expect(storeOn().open()).rejects.toThrow(StoreCorruptError);
    expect(await readFile(db(), 'utf8')).toBe('{"version":1,"nextId":');
  });

  it('db.json from a newer nightshift is refused, untouched', async () => {
    await writeFile(db(), JSON.stringify({ version: 3, nextId: 1, tasks: [], meta: {}, shiny: true }));
    const error = await storeOn().open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFormatTooNewError);
    expect((error as Error).message).toContain(`db.json was written by a newer nightshift (format 3; this one reads up to ${STORE_FORMAT_VERSION})`);
    expect(JSON.parse(await readFile(db(), 'utf8')).version).toBe(3);
  });

  it('the v1 fixture loads', async () => {
    await copyFile(fixture('db-v1.json'), db());
    const s = storeOn();
    expect(await s.open()).toEqual({ warnings: [], loadedVersion: 1 });
    expect(s.live().map((t) => `${t.id}:${t.status}`)).toEqual([
      't-3:building',
      't-5:awaiting_approval',
      't-6:failed',
      't-7:queued',
      't-8:escalated',
    ]);
    expect(s.getMeta('lastSummaryAt')).toBe('2026-03-02T08:00:00.000Z');
    expect(s.allocateIds(1)).toEqual(['t-9']);
  });

  describe('crash between the archive append and the live write', () => {
    it('the archived version wins: no loss, no duplicate in history', async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'building'), task(2, 'queued'), task(3, 'done', 3));
      await s.close();
      // put(t-1 done, t-2 cancelled) appended both lines and fsynced, then the process died.
      await appendFile(archive(), line(task(1, 'done', 10)) + line(task(2, 'cancelled', 11)));

      const again = storeOn();
      const report = await again.open();
      expect(report.warnings).toHaveLength(2);
      expect(report.warnings[0]).toMatch(/t-2 is in archive\.jsonl as cancelled but was still live in db\.json as queued/);
      expect(again.live()).toEqual([]);
      expect((await again.history()).map((t) => `${t.id}:${t.status}`)).toEqual(['t-2:cancelled', 't-1:done', 't-3:done']);
      expect((await again.get('t-1'))?.status).toBe('done');
      await again.close();

      const third = storeOn();
      expect((await third.open()).warnings).toEqual([]); // repaired for good
      expect(third.live()).toEqual([]);
    });

    it('a finished task brought back live (a cancelled task retried) stays live when the archive is reconciled', async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'cancelled', 1));
      // As retry makes it: the same task with one more event, "retried".
      await s.put(task(1, 'queued', 5, { events: [{ at: at(5), type: 'retried', by: 'owner' }] }));
      await s.close();
      // Forget what db.json knows of the archive, as a damaged journal would: the whole tail is reconciled.
      const doc = JSON.parse(await readFile(db(), 'utf8')) as Record<string, unknown>;
      delete doc['archivedBytes'];
      await writeFile(db(), JSON.stringify(doc));
      const again = storeOn();
      expect((await again.open()).warnings).toEqual([]);
      expect(again.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:queued']);
      expect(await again.history()).toEqual([]);
    });

    it('a new task archived before its first live write: its id is not handed out again', async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1));
      await s.close();
      await appendFile(archive(), line(task(2, 'rejected')));
      const again = storeOn();
      await again.open();
      expect(again.allocateIds(1)).toEqual(['t-3']);
    });

    it('a finished task found in db.json is appended to the archive and removed from live', async () => {
      // As a writer that put the finished task into db.json before archiving it would leave it.
      await writeFile(db(), JSON.stringify({ version: 1, nextId: 3, tasks: [task(1, 'done', 5), task(2)], meta: {} }));
      const s = storeOn();
      const report = await s.open();
      expect(report.warnings).toEqual([expect.stringMatching(/t-1 was done but still in db\.json; moved it to the archive/)]);
      expect(s.live().map((t) => t.id)).toEqual(['t-2']);
      expect((await s.history()).map((t) => t.id)).toEqual(['t-1']);
      await s.close();
      const again = storeOn();
      expect((await again.open()).warnings).toEqual([]);
      expect((await again.history()).map((t) => t.id)).toEqual(['t-1']);
    });

    it('a finished task in db.json that is already archived is not archived twice', async () => {
      await writeFile(archive(), line(task(1, 'done', 5)));
      await writeFile(db(), JSON.stringify({ version: 1, nextId: 3, tasks: [task(1, 'done', 5), task(2)], meta: {} }));
      const s = storeOn();
      expect((await s.open()).warnings).toHaveLength(1);
      expect(s.live().map((t) => t.id)).toEqual(['t-2']);
      expect((await s.history()).map((t) => t.id)).toEqual(['t-1']);
      expect(await s.verifyArchive()).toEqual({ lines: 1, tasks: 1, invalidLines: 0 });
    });

    it('db.json restored from a backup: tasks archived since are not live again (the journal since the backup says so)', async () => {
      await twoWrites(); // db.json: t-1 building, t-2 queued
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'done', 20)); // bak now: t-1 building, t-2 queued; the journal backup: t-1 archived
      await s.close();
      await writeFile(db(), '{');

      const again = storeOn();
      const report = await again.open();
      expect(report.warnings).toEqual([expect.stringMatching(/restored the last good copy .* applied the 1 journal entry/)]);
      expect(again.live().map((t) => t.id)).toEqual(['t-2']);
      expect((await again.history()).map((t) => t.id)).toEqual(['t-1']);
    });

    it('db.json restored from a backup whose journal is gone: one compaction behind, said so, and the archive still wins', async () => {
      await twoWrites();
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'done', 20));
      await s.setMeta('lastSummaryAt', at(20));
      await s.close();
      await writeFile(db(), '{');
      await rm(journalBak());

      const again = storeOn();
      const report = await again.open();
      expect(report.warnings[0]).toMatch(/restored the last good copy .* db\.journal\.jsonl\.bak is missing, so changes made after the backup may be lost/);
      expect(report.warnings[1]).toMatch(/t-1 is in archive\.jsonl as done but was still live/);
      expect(again.live().map((t) => t.id)).toEqual(['t-2']);
      expect((await again.history()).map((t) => t.id)).toEqual(['t-1']);
      expect(again.getMeta('lastSummaryAt')).toBeUndefined(); // that change was only in the lost journal
    });
  });

  describe('archive.jsonl damaged', () => {
    it('a truncated last line (crash mid-append) is cut off with a warning; later appends are clean', async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'done', 1), task(2, 'building'));
      await s.close();
      const torn = line(task(2, 'done', 2));
      await appendFile(archive(), torn.slice(0, 100));
      const goodSize = (await stat(archive())).size - 100;

      const logger = recordingLogger();
      const again = storeOn(logger);
      const report = await again.open();
      expect(report.warnings).toEqual([expect.stringMatching(/ended with an incomplete line \(100 bytes/)]);
      expect(logger.warnings).toEqual(report.warnings);
      expect((await stat(archive())).size).toBe(goodSize);
      expect(again.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-2:building']); // not lost
      await again.put(task(2, 'done', 3));
      expect((await again.history()).map((t) => t.id)).toEqual(['t-2', 't-1']);
      expect(await again.verifyArchive()).toEqual({ lines: 2, tasks: 2, invalidLines: 0 });
    });

    it('an invalid line in the middle is skipped with a warning and counted', async () => {
      await writeFile(archive(), line(task(1, 'done', 1)) + '{"id":"t-2","title":\n' + line({ ...task(3, 'done', 3), priority: 'urgent' } as unknown as Task) + line(task(4, 'done', 4)));
      await writeFile(db(), JSON.stringify({ version: 1, nextId: 5, tasks: [], meta: {} }));
      const logger = recordingLogger();
      const s = storeOn(logger);
      await s.open();
      expect((await s.history()).map((t) => t.id)).toEqual(['t-4', 't-1']);
      expect(logger.warnings).toHaveLength(2);
      expect(logger.warnings[0]).toMatch(/skipped an invalid line in .*archive\.jsonl \(byte \d+\): priority: Invalid option/);
      expect(await s.get('t-2')).toBeNull();
      expect((await s.get('t-4'))?.id).toBe('t-4');
      expect(await s.verifyArchive()).toEqual({ lines: 4, tasks: 2, invalidLines: 2 });
      expect(s.archiveStats().invalidLinesSeen).toBe(2);
      expect(logger.warnings).toHaveLength(2); // each bad line reported once
    });

    it('an archive shorter than db.json expects is reported, not ignored', async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'done'));
      await s.close();
      await writeFile(archive(), '');
      const report = await storeOn().open();
      expect(report.warnings).toEqual([expect.stringMatching(/archive\.jsonl is shorter than .*db\.json expects/)]);
    });
  });

  describe('the journal (db.journal.jsonl)', () => {
    it('a crash mid-journal-append (torn last line) drops that unacknowledged change with a warning; later appends are clean', async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'queued'));
      await s.put(task(2, 'queued'));
      const home = await crashCopy();
      const torn = (await journalLines(home))[1] as string;
      await truncate(journal(home), (await stat(journal(home))).size - 40); // the last entry lost its tail

      const logger = recordingLogger();
      const again = storeOn(logger, home);
      const report = await again.open();
      expect(report.warnings).toEqual([expect.stringMatching(/db\.journal\.jsonl ended with an incomplete line \(\d+ bytes, left by a crash during an append\); removed it/)]);
      expect(logger.warnings).toEqual(report.warnings);
      expect(again.live().map((t) => t.id)).toEqual(['t-1']);
      expect(await journalLines(home)).toHaveLength(1); // cut back to the last complete line
      await again.put(task(3));
      expect((await journalLines(home))[1]).toMatch(/^\{"seq":2,/); // not glued onto the torn bytes
      expect(torn).toMatch(/^\{"seq":2,/);
      const third = storeOn(undefined, await crashCopy(home));
      expect((await third.open()).warnings).toEqual([]);
      expect(third.live().map((t) => t.id)).toEqual(['t-1', 't-3']);
    });

    it("a crash after the compaction's snapshot rename but before the journal reset: the old entries are not applied again", async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'queued'));
      await s.put(task(1, 'building'), task(2, 'queued'));
      await s.setMeta('lastSummaryAt', at(5));
      await s.put(task(2, 'done', 6));
      const before = await stateOf(s, ['lastSummaryAt']);
      const oldJournal = await readFile(journal());
      const compactions = s.journalStats().compactions;
      await s.compact(); // db.json now includes entries 1-4
      expect(s.journalStats()).toMatchObject({ bytes: 0, seq: 4, compactions: compactions + 1 });
      const home = await crashCopy();
      // As the crash left it: db.json renamed into place, the journal not yet moved to db.journal.jsonl.bak.
      await writeFile(journal(home), oldJournal);
      await rm(journalBak(home));
      expect(JSON.parse(await readFile(db(home), 'utf8'))).toMatchObject({ journalSeq: 4 });

      const again = storeOn(undefined, home);
      expect((await again.open()).warnings).toEqual([]);
      expect(await stateOf(again, ['lastSummaryAt'])).toEqual(before);
      expect(await again.verifyArchive()).toEqual({ lines: 1, tasks: 1, invalidLines: 0 }); // t-2 archived once
      await again.put(task(3));
      expect(again.journalStats().seq).toBe(5); // numbering goes on after the snapshot
      const third = storeOn(undefined, await crashCopy(home));
      await third.open();
      expect(third.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:building', 't-3:queued']);

      // And with db.json damaged in that state, the backup (before the compaction) plus the journal still hold everything.
      const damaged = await crashCopy(home);
      await writeFile(db(damaged), '{');
      const fourth = storeOn(undefined, damaged);
      expect((await fourth.open()).warnings[0]).toMatch(/restored the last good copy .* applied the 5 journal entries/);
      expect(fourth.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:building', 't-3:queued']);
      expect(fourth.getMeta('lastSummaryAt')).toBe(at(5));
    });

    it('a journal whose middle line is corrupt: that change is skipped loudly, every change after it is kept, a copy is kept', async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'queued')); // 1
      await s.put(task(2, 'queued')); // 2
      await s.put(task(1, 'building', 3)); // 3: will be damaged
      await s.setMeta('lastSummaryAt', at(4)); // 4
      await s.put(task(3, 'queued'), task(2, 'failed', 5)); // 5
      const home = await crashCopy();
      const lines = await journalLines(home);
      lines[2] = (lines[2] as string).replace('"status":"building"', '"status":"exploded"');
      const found = `${lines.join('\n')}\n`;
      await writeFile(journal(home), found);

      const logger = recordingLogger();
      const again = storeOn(logger, home);
      const report = await again.open();
      expect(report.warnings).toEqual([
        expect.stringMatching(/db\.journal\.jsonl has a damaged line at byte \d+ \(put\[0\]\.status: Invalid option.*\); skipped it and applied the 2 entries after it\. The change it held is lost/),
        expect.stringMatching(/The journal as found was kept as .*db\.journal\.jsonl\.corrupt-/),
      ]);
      expect(again.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:queued', 't-2:failed', 't-3:queued']);
      expect(again.getMeta('lastSummaryAt')).toBe(at(4));
      const copies = (await readdir(home)).filter((n) => n.startsWith('db.journal.jsonl.corrupt-'));
      expect(copies).toHaveLength(1);
      expect(await readFile(path.join(home, copies[0] as string), 'utf8')).toBe(found);
      // Repaired for good: db.json holds what was recovered and the damaged line is never read again.
      await again.put(task(4));
      const third = storeOn(undefined, await crashCopy(home));
      expect((await third.open()).warnings).toEqual([]);
      expect(third.live().map((t) => t.id)).toEqual(['t-1', 't-2', 't-3', 't-4']);
    });

    it('a corrupt journal line that moved a task to the archive does not bring the finished task back', async () => {
      const s = storeOn();
      await s.open();
      await s.put(task(1, 'building')); // 1
      await s.put(task(1, 'done', 2)); // 2: archived; this line will be garbage
      await s.put(task(2, 'queued')); // 3
      const home = await crashCopy();
      const lines = await journalLines(home);
      lines[1] = '\u0000\u0000\u0000 not an entry';
      await writeFile(journal(home), `${lines.join('\n')}\n`);

      const again = storeOn(undefined, home);
      const report = await again.open();
      expect(report.warnings[0]).toMatch(/has a damaged line at byte \d+ \(invalid JSON/);
      expect(report.warnings).toContainEqual(expect.stringMatching(/t-1 is in archive\.jsonl as done but was still live/));
      expect(again.live().map((t) => t.id)).toEqual(['t-2']);
      expect((await again.get('t-1'))?.status).toBe('done');
    });

    it('a journal missing entries (a journal file removed) is reported, and what is there is applied', async () => {
      await twoWrites(); // db.json.bak: journalSeq 1; db.journal.jsonl.bak: entry 2
      const s = storeOn();
      await s.open();
      await s.put(task(3)); // entry 3, in db.journal.jsonl
      const home = await crashCopy();
      await writeFile(db(home), '{');
      await rm(journalBak(home));
      const again = storeOn(undefined, home);
      const report = await again.open();
      expect(report.warnings[0]).toMatch(/restored the last good copy .* applied the 1 journal entry/);
      expect(report.warnings).toContainEqual(expect.stringMatching(/the journal lacks entry 2, which come/));
      expect(again.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:queued', 't-3:queued']);
    });

    it('reopen after many changes (several compactions) equals the state before, after a clean close and after a crash', async () => {
      const s = storeOn(undefined, dir, 8 * 1024);
      await s.open();
      const keys = ['a', 'b', 'c'];
      for (let i = 1; i <= 300; i++) {
        const n = 1 + (i % 40);
        if (i % 7 === 0) await s.setMeta(keys[i % 3] as string, i % 21 === 0 ? undefined : { i, seen: [n] });
        else if (i % 5 === 0) await s.put(task(n, 'done', i));
        else await s.put(task(n, i % 2 === 0 ? 'building' : 'queued', i, { title: `Task ${n}, change ${i}` }));
      }
      s.allocateIds(3);
      await s.put(task(200, 'queued'));
      expect(s.journalStats().compactions).toBeGreaterThan(2);
      const before = await stateOf(s, keys);
      const crashed = await crashCopy();
      await s.close();

      const clean = storeOn();
      expect((await clean.open()).warnings).toEqual([]);
      expect(await stateOf(clean, keys)).toEqual(before);
      expect(clean.allocateIds(1)).toEqual(['t-201']);
      const afterCrash = storeOn(undefined, crashed);
      expect((await afterCrash.open()).warnings).toEqual([]);
      expect(await stateOf(afterCrash, keys)).toEqual(before);
    });

    it('concurrent puts and setMeta calls are group-committed (one journal append for all) and all persisted', async () => {
      const s = storeOn();
      await s.open();
      const flushesBefore = s.journalStats().flushes;
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => s.put(task(i + 1, i % 5 === 0 ? 'done' : 'queued'))),
        ...Array.from({ length: 5 }, (_, i) => s.setMeta(`m${i}`, i)),
      ]);
      expect(s.journalStats().flushes - flushesBefore).toBe(1);
      expect(await journalLines()).toHaveLength(25); // still one entry per change
      const again = storeOn(undefined, await crashCopy());
      await again.open();
      expect(again.live()).toHaveLength(16);
      expect(await again.history()).toHaveLength(4);
      expect(Array.from({ length: 5 }, (_, i) => again.getMeta(`m${i}`))).toEqual([0, 1, 2, 3, 4]);
    });

    it('a put at 5,000 live tasks does not rewrite db.json: the journal grows by one line', async () => {
      const s = storeOn();
      await s.open();
      await s.put(...Array.from({ length: 5000 }, (_, i) => task(i + 1)));
      await s.compact();
      const dbBefore = await stat(db());
      const journalBefore = await stat(journal());
      await s.put(task(42, 'building', 30));
      const dbAfter = await stat(db());
      expect([dbAfter.ino, dbAfter.mtimeMs, dbAfter.size]).toEqual([dbBefore.ino, dbBefore.mtimeMs, dbBefore.size]);
      const lines = await journalLines();
      expect(lines).toHaveLength(1);
      expect((await stat(journal())).size - journalBefore.size).toBe(Buffer.byteLength(`${lines[0]}\n`));
      expect(Buffer.byteLength(lines[0] as string)).toBeLessThan(2 * Buffer.byteLength(JSON.stringify(task(42, 'building', 30))));
      expect(s.getLive('t-42')?.status).toBe('building');
    });

    it('the journal is folded into db.json once it outgrows it; the old journal becomes db.journal.jsonl.bak', async () => {
      const s = storeOn(undefined, dir, 4 * 1024);
      await s.open();
      const compactions = s.journalStats().compactions; // opening a fresh directory wrote the first db.json
      let n = 0;
      while (s.journalStats().compactions === compactions) await s.put(task(++n));
      // The compaction ran after the put that crossed the threshold was acknowledged; a put
      // queued meanwhile may already be in the new journal.
      const snapshot = JSON.parse(await readFile(db(), 'utf8')) as { journalSeq: number; tasks: Task[] };
      expect(snapshot.tasks).toHaveLength(snapshot.journalSeq);
      expect((await readFile(journalBak(), 'utf8')).split('\n').filter(Boolean)).toHaveLength(snapshot.journalSeq);
      expect(await journalLines()).toHaveLength(n - snapshot.journalSeq);
      expect(s.journalStats().compactAtBytes).toBe(Math.max(4 * 1024, (await stat(db())).size));
      expect(s.journalStats().bytes).toBeLessThan(s.journalStats().compactAtBytes);
    });
  });

  it('history and get read an archive larger than one read chunk, including a line larger than a chunk', async () => {
    const s = storeOn();
    await s.open();
    const big = 'x'.repeat(3000);
    for (let n = 1; n <= 120; n++) await s.put(task(n, 'done', n, { spec: n === 60 ? 'y'.repeat(150_000) : big }));
    expect(s.archiveStats().bytes).toBeGreaterThan(3 * 64 * 1024);

    const history = await s.history();
    expect(history.map((t) => t.id)).toEqual(Array.from({ length: 120 }, (_, i) => `t-${120 - i}`));
    expect(history[60]?.spec).toHaveLength(150_000);
    expect((await s.history({ limit: 3 })).map((t) => t.id)).toEqual(['t-120', 't-119', 't-118']);

    expect(s.archiveStats().indexed).toBe(false);
    expect((await s.get('t-60'))?.spec).toHaveLength(150_000);
    expect(s.archiveStats().indexed).toBe(true);
    expect((await s.get('t-1'))?.id).toBe('t-1');
    await s.put(task(121, 'cancelled')); // appended after the index was built
    expect((await s.get('t-121'))?.status).toBe('cancelled');
    expect(await s.verifyArchive()).toEqual({ lines: 121, tasks: 121, invalidLines: 0 });
  });

  it('lookups and puts while the id index is being built all see the right tasks', async () => {
    const s = storeOn();
    await s.open();
    for (let batch = 0; batch < 10; batch++) {
      await s.put(...Array.from({ length: 200 }, (_, i) => task(batch * 200 + i + 1, 'done', i, { spec: 'x'.repeat(2000) })));
    }
    const first = s.get('t-1'); // starts the index build: ~4.5 MB to scan
    const other = s.get('t-1500');
    await s.put(task(2001, 'done'));
    expect((await s.get('t-2001'))?.id).toBe('t-2001');
    expect([(await first)?.id, (await other)?.id]).toEqual(['t-1', 't-1500']);
    await s.put(task(2002, 'cancelled'));
    const verified = s.verifyArchive(); // rebuilds the index while another put lands
    await s.put(task(2003, 'rejected'));
    expect(await verified).toMatchObject({ invalidLines: 0 });
    expect((await s.get('t-2003'))?.status).toBe('rejected');
    expect((await s.get('t-2002'))?.status).toBe('cancelled');
  });
});

describe('an archive that ends mid-line says truthfully whether a task was lost (issue 12)', () => {
  it('a line past what was recorded (a crash during the append): the task is still live, nothing lost', async () => {
    const s = storeOn();
    await s.open();
    await s.put(task(1, 'done', 1), task(2, 'building', 2));
    await s.close();
    // The process died halfway through appending t-2's finished line: never acknowledged.
    await appendFile(archive(), line(task(2, 'done', 3)).slice(0, 60));
    const again = storeOn();
    const { warnings } = await again.open();
    expect(warnings).toEqual([expect.stringMatching(/^archive\.jsonl ended with an incomplete line \(60 bytes, left by a crash during an append\); removed it\. t-2 was still live and has not been lost\.$/)]);
    expect(again.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-2:building']);
  });

  it('a recorded line cut short afterwards (a truncated file): says that finished task is lost, not that it is live', async () => {
    const s = storeOn();
    await s.open();
    await s.put(task(1, 'done', 1));
    await s.put(task(2, 'done', 2));
    await s.close();
    const size = (await stat(archive())).size;
    await truncate(archive(), size - 40);
    const again = storeOn();
    const { warnings } = await again.open();
    const said = warnings.join('\n');
    expect(said).toMatch(/t-2's finished record is lost from history \(it is not live either\)\. Restore archive\.jsonl from a backup/);
    expect(said).not.toMatch(/has not been lost/);
    expect((await again.history()).map((t) => t.id)).toEqual(['t-1']);
  });
});

describe('a restored or missing db.json never hands out an id again, nor starts empty without a word (issue 12)', () => {
  it('restored from its backup: the next id is above every id in the damaged file, the archive, logs/ and workspaces/', async () => {
    await twoWrites(); // db.json: t-1, t-2; db.json.bak: t-1
    const s = storeOn();
    await s.open();
    expect(s.allocateIds(1)).toEqual(['t-3']);
    await s.put(task(3, 'queued'));
    await s.close();
    // t-3's worktree and logs exist; then db.json and both journals are lost: only the backup is left.
    await mkdir(path.join(dir, 'logs', 't-3'), { recursive: true });
    await mkdir(path.join(dir, 'workspaces', 't-4'), { recursive: true });
    await writeFile(db(), '{"version":2,"nextId":6,"tasks":[{"id":"t-5"');
    await rm(journal(), { force: true });
    await rm(journalBak(), { force: true });
    const again = storeOn();
    const report = await again.open();
    expect(report.warnings[0]).toMatch(/restored the last good copy/);
    expect(again.allocateIds(1)).toEqual(['t-6']); // t-5 named in the damaged file, t-4 a worktree, t-3 logs
  });

  it('db.json and its backup both missing, with an archive and logs: refuses, saying what it found and how to go on', async () => {
    await writeFile(archive(), line(task(1, 'done', 1)) + line(task(2, 'cancelled', 2)));
    await mkdir(path.join(dir, 'logs', 't-7'), { recursive: true });
    const s = storeOn();
    await expect(s.open()).rejects.toThrow(StoreMissingError);
    await expect(storeOn().open()).rejects.toThrow(
      /has no db\.json and no db\.json\.bak, but it is not new: archive\.jsonl \(2 finished tasks\), logs\/ \(1 task\)\. Starting empty would lose the queue without a word, so nightshift stops here\. .*"nightshift start --empty-queue"/,
    );
    expect(await readdir(dir)).not.toContain('db.json'); // nothing was written

    const accepted = new LowdbTaskStore({ dir, acceptMissingQueue: true });
    opened.push(accepted);
    const report = await accepted.open();
    expect(report.warnings).toEqual([expect.stringMatching(/started with an empty queue, as asked\. The history is kept\./)]);
    expect(accepted.live()).toEqual([]);
    expect((await accepted.history()).map((t) => t.id)).toEqual(['t-2', 't-1']);
    expect(accepted.allocateIds(1)).toEqual(['t-8']);
  });

  it('a brand-new directory still opens empty, without a warning', async () => {
    expect((await storeOn().open()).warnings).toEqual([]);
  });
});
