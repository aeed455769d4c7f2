// The TaskStore on disk: live tasks in a lowdb snapshot (db.json) plus an append-only journal of
// the changes since (db.journal.jsonl), finished tasks in an append-only archive (archive.jsonl).
// A change costs one journal line (and an archive line per finished task), however many tasks are
// live; the journal is folded into db.json once it outgrows it. See src/store/README.md for the
// layout and the crash-safety argument.
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { asPersistError } from '../core/persist-error.ts';
import { silentLogger, type HistoryQuery, type Logger, type StoreOpenReport, type TaskStore } from '../core/ports.ts';
import { isTerminal, Task, taskNumber, type TaskId } from '../core/task.ts';
import { StoreMissingError, StoreNotOpenError } from './errors.ts';
import { fsyncDir } from './durable-fs.ts';
import { collectHistory } from './history.ts';
import { encodeEntry, type JournalEntry } from './journal-entry.ts';
import { JournalFile } from './journal-file.ts';
import { replayJournal, type LiveState } from './journal-replay.ts';
import { emptyLiveDoc, nextIdAbove, STORE_FORMAT_VERSION, type LiveDoc } from './live-doc.ts';
import { LiveDocFile } from './live-doc-file.ts';
import { LiveSet } from './live-set.ts';
import { TaskArchive, type ArchiveCut, type ArchiveScanStats } from './task-archive.ts';
import { byCreationOrder, takeIds, deepFreeze, lastPerId, toStoredMetaValue } from './values.ts';
import { WriteQueue } from './write-queue.ts';

export interface LowdbTaskStoreOptions {
  /** The data directory (NIGHTSHIFT_HOME). Created if missing. */
  dir: string;
  logger?: Logger;
  /**
   * The journal is folded into db.json once it is larger than both this many bytes and db.json
   * itself. Default 1 MiB; smaller in tests.
   */
  compactAfterBytes?: number;
  /**
   * Open even when db.json and its backup are both missing in a directory that has a past
   * (`nightshift start --empty-queue`): the live queue starts empty, the history is kept.
   */
  acceptMissingQueue?: boolean;
}

/** When db.json does not say how much of the archive it accounts for, reconcile this much of the tail. */
const UNKNOWN_TAIL_BYTES = 64 * 1024;
const DEFAULT_COMPACT_AFTER_BYTES = 1024 * 1024;

/** One caller's change, as it goes to disk: one journal entry. */
interface Change {
  /** Live tasks to insert or replace: validated and frozen. */
  put: Task[];
  /** Finished tasks: appended to the archive (synced) before the entry that takes them out of live. */
  finish: Task[];
  /** Ids to take out of live that the archive already holds (repairs on open). */
  drop?: TaskId[];
  /** One meta key's new value; `value: undefined` removes the key. */
  meta?: { key: string; value: unknown };
  /** Record the archive's size even though this change archives nothing (repairs on open). */
  recordArchiveSize?: boolean;
}

export class LowdbTaskStore implements TaskStore {
  readonly dir: string;
  readonly dbFile: string;
  readonly archiveFile: string;
  readonly journalFile: string;
  private readonly logger: Logger;
  private readonly compactAfterBytes: number;
  private readonly docFile: LiveDocFile;
  private readonly low: Low<LiveDoc>;
  private readonly archive: TaskArchive;
  private readonly acceptMissingQueue: boolean;
  private readonly journal: JournalFile;
  private readonly writes: WriteQueue<Change>;
  private isOpen = false;
  /** Committed state: what db.json plus the journal hold. */
  private state: LiveState = freshState();
  /** The last journal entry written. */
  private seq = 0;
  /**
   * Tasks taken out of live after their archive lines were synced but the journal entry saying so
   * failed to write; the next entry records it (a reopen would reconcile them from the archive).
   */
  private unrecordedArchived: TaskId[] = [];
  private snapshotBytes = 0;
  private compactions = 0;
  /** Journal appends (each one write + one fdatasync, for a whole group of changes). */
  private flushes = 0;
  /** Journal size when a compaction last failed: the next try waits for it to grow by a threshold. */
  private compactionFailedAt: number | null = null;

  constructor(options: LowdbTaskStoreOptions) {
    this.dir = options.dir;
    this.logger = options.logger ?? silentLogger;
    this.compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
    this.acceptMissingQueue = options.acceptMissingQueue ?? false;
    this.dbFile = path.join(this.dir, 'db.json');
    this.archiveFile = path.join(this.dir, 'archive.jsonl');
    this.journalFile = path.join(this.dir, 'db.journal.jsonl');
    this.docFile = new LiveDocFile(this.dbFile);
    this.low = new Low<LiveDoc>(this.docFile, emptyLiveDoc());
    this.archive = new TaskArchive(this.archiveFile, this.logger);
    this.journal = new JournalFile(this.journalFile);
    this.writes = new WriteQueue<Change>(
      (batch) => this.flush(batch),
      () => this.compactIfDue(),
    );
  }

  async open(): Promise<StoreOpenReport> {
    if (this.isOpen) throw new Error(`the task store in ${this.dir} is already open`);
    await ensureDir(this.dir);
    await this.low.read(); // StoreCorruptError / StoreFormatTooNewError leave every file as it was
    const read = this.docFile.lastRead;
    const doc = this.low.data;
    this.low.data = emptyLiveDoc(); // the snapshot's tasks live on in this.state; do not hold them twice
    this.snapshotBytes = this.docFile.lastBytes;
    await this.docFile.removeLeftovers();
    const warnings: string[] = [];

    const cut = await this.archive.open();
    try {
      let hadAPast = false;
      if (read.source === 'none') {
        const past = await this.signsOfAPast();
        hadAPast = past.length > 0;
        if (past.length > 0 && !this.acceptMissingQueue) throw new StoreMissingError(this.dir, past);
        if (past.length > 0) warnings.push(`db.json and db.json.bak were missing (${past.join(', ')}); started with an empty queue, as asked. The history is kept.`);
      }
      this.state = stateOf(doc);
      const journal = await this.journal.open();
      warnings.push(...journal.warnings);
      const replay = replayJournal(this.state, journal.lines, doc.journalSeq, path.basename(this.dbFile));
      warnings.push(...replay.warnings);
      this.seq = replay.lastSeq;
      this.unrecordedArchived = [];

      // A skipped line may have been a move to the archive: reconcile from what the snapshot
      // accounts for, so a finished task never comes back to life.
      const reconcileFrom = replay.damaged.length > 0 ? minKnown(doc.archivedBytes, this.state.archivedBytes) : this.state.archivedBytes;
      const dropped = await this.reconcileArchiveTail(reconcileFrom, warnings);
      if (cut) warnings.push(this.explainCut(cut, this.state.archivedBytes ?? doc.archivedBytes));
      const finished = this.finishedLiveTasks(warnings);
      if (dropped.length > 0 || finished.length > 0 || this.state.archivedBytes !== this.archive.size) {
        await this.flush([{ put: [], finish: finished, drop: dropped, recordArchiveSize: true }]);
      }
      for (const file of new Set(replay.damaged.map((l) => l.file))) {
        const copy = `${file}.corrupt-${timestamp()}`;
        await this.journal.keepCopy(file, copy);
        warnings.push(`The journal as found was kept as ${copy}.`);
      }
      const mustCompact =
        read.source !== 'file' || read.loadedVersion !== STORE_FORMAT_VERSION || replay.damaged.length > 0 || this.compactionDue();
      if (mustCompact) await this.compact_();
      if (replay.damaged.length > 0) {
        // db.json now holds everything that could be recovered: make it the backup too and drop the
        // backup journal, so the damaged line is never read again (the copy above keeps it).
        await this.docFile.refreshBackup();
        await this.journal.removeBackup();
      }
      if (read.source === 'backup' || hadAPast) {
        // A restored (or lost) db.json may not know the newest ids: never hand one out again, as
        // logs/t-N and workspaces/t-N would be another task's.
        this.state.nextId = Math.max(this.state.nextId, (await this.highestIdOnDisk()) + 1);
      }
      if (read.source === 'backup') {
        const aside = this.docFile.lastSetAside;
        // Without the backup's journal, entries right after the backup are known to be there only
        // if the current journal starts with them.
        const maybeIncomplete = !journal.backupFound && replay.firstSeq !== doc.journalSeq + 1;
        warnings.unshift(
          `${this.dbFile} was unusable (${read.problem}); restored the last good copy from ${this.docFile.backupFile} ` +
            `and applied the ${replay.applied} journal ${replay.applied === 1 ? 'entry' : 'entries'} written since it.` +
            (maybeIncomplete ? ` ${path.basename(this.journal.backupFile)} is missing, so changes made after the backup may be lost.` : '') +
            (aside ? ` The damaged file was kept as ${aside}.` : ''),
        );
      }
    } catch (e) {
      await this.journal.close();
      await this.archive.close();
      throw e;
    }
    for (const w of warnings) this.logger.warn(w, { dir: this.dir });
    this.isOpen = true;
    return { warnings, loadedVersion: read.loadedVersion };
  }

  /** Waits for every change in flight, folds a non-empty journal into db.json, and closes the files. */
  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    await this.writes.exclusive(async () => {
      if (this.journal.size > 0) await this.compactSafely();
    });
    await this.journal.close();
    await this.archive.close();
  }

  allocateIds(count: number): TaskId[] {
    this.requireOpen('allocateIds');
    const taken = takeIds(this.state.nextId, count);
    this.state.nextId = taken.next;
    return taken.ids;
  }

  live(): Task[] {
    this.requireOpen('live');
    return this.state.live.values();
  }

  getLive(id: TaskId): Task | null {
    this.requireOpen('getLive');
    return this.state.live.get(id) ?? null;
  }

  async get(id: TaskId): Promise<Task | null> {
    this.requireOpen('get');
    const live = this.state.live.get(id);
    if (live) return live;
    const archived = await this.archive.get(id);
    return archived && deepFreeze(archived);
  }

  async put(...tasks: Task[]): Promise<void> {
    this.requireOpen('put');
    const incoming = lastPerId(tasks.map((t) => deepFreeze(Task.parse(t))));
    if (incoming.length === 0) return;
    const change: Change = { put: [], finish: [] };
    for (const task of incoming) {
      this.state.nextId = Math.max(this.state.nextId, taskNumber(task.id) + 1);
      (isTerminal(task.status) ? change.finish : change.put).push(task);
    }
    await this.writes.write(change).catch(rethrowPersist);
  }

  async history(query: HistoryQuery = {}): Promise<Task[]> {
    this.requireOpen('history');
    return collectHistory(this.archive.tasksNewestFirst(), query, (id) => this.state.live.get(id) !== undefined);
  }

  /** Every meta value (copies), for `nightshift migrate-store`. */
  metaEntries(): [string, unknown][] {
    this.requireOpen('metaEntries');
    return [...this.state.meta.entries()].map(([k, v]) => [k, structuredClone(v)]);
  }

  getMeta<T = unknown>(key: string): T | undefined {
    this.requireOpen('getMeta');
    return this.state.meta.has(key) ? (structuredClone(this.state.meta.get(key)) as T) : undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.requireOpen('setMeta');
    const stored = value === undefined ? undefined : toStoredMetaValue(key, value);
    await this.writes.write({ put: [], finish: [], meta: { key, value: stored } }).catch(rethrowPersist);
  }

  /** Folds the journal into db.json now (normally done when the journal outgrows db.json, and on close). */
  async compact(): Promise<void> {
    this.requireOpen('compact');
    await this.writes.exclusive(() => this.compact_());
  }

  /**
   * Reads and validates every archive line (a full scan), counting invalid ones; also builds the
   * id index that get() uses. For diagnostics and tests: normal operation never needs it.
   */
  async verifyArchive(): Promise<ArchiveScanStats> {
    this.requireOpen('verifyArchive');
    return this.archive.verify();
  }

  /** Numbers for the bench and diagnostics. */
  archiveStats(): { bytes: number; indexed: boolean; invalidLinesSeen: number } {
    return { bytes: this.archive.size, indexed: this.archive.indexed, invalidLinesSeen: this.archive.invalidLines };
  }

  /**
   * Numbers for the bench and diagnostics: the journal's size and the snapshot's, the size at which
   * the journal is compacted, the last entry's seq, and (since open) journal appends and compactions.
   */
  journalStats(): { bytes: number; snapshotBytes: number; compactAtBytes: number; seq: number; flushes: number; compactions: number } {
    return {
      bytes: this.journal.size,
      snapshotBytes: this.snapshotBytes,
      compactAtBytes: this.compactThreshold(),
      seq: this.seq,
      flushes: this.flushes,
      compactions: this.compactions,
    };
  }

  /**
   * Makes a batch of changes durable, then applies them in memory, in order: the finished tasks of
   * the whole batch go to the archive in one append (synced), then one journal line per change in
   * one append (synced). Nothing here reads or copies the live set.
   */
  private async flush(batch: Change[]): Promise<void> {
    const archivedBefore = this.archive.size;
    const ends = await this.archive.append(batch.flatMap((c) => c.finish));
    const entries: JournalEntry[] = [];
    let finishedSoFar = 0;
    for (const [i, change] of batch.entries()) {
      const entry: JournalEntry = { seq: this.seq + i + 1, nextId: this.state.nextId };
      if (change.put.length > 0) entry.put = change.put;
      const archived = [...(i === 0 ? this.unrecordedArchived : []), ...change.finish.map((t) => t.id), ...(change.drop ?? [])];
      if (archived.length > 0) entry.archived = archived;
      if (change.finish.length > 0) {
        finishedSoFar += change.finish.length;
        entry.archivedBytes = ends[finishedSoFar - 1] as number;
      } else if (change.recordArchiveSize || (i === 0 && this.unrecordedArchived.length > 0)) {
        entry.archivedBytes = archivedBefore;
      }
      if (change.meta?.value !== undefined) entry.meta = { key: change.meta.key, value: change.meta.value };
      else if (change.meta) entry.unsetMeta = change.meta.key;
      entries.push(entry);
    }
    try {
      await this.journal.append(entries.map(encodeEntry).join(''));
    } catch (e) {
      // The archive lines are durable; a reopen would take these tasks out of live, so do it now
      // too, and say so in the next entry.
      for (const t of batch.flatMap((c) => c.finish)) {
        if (this.state.live.delete(t.id)) this.unrecordedArchived.push(t.id);
      }
      throw e;
    }
    this.seq += batch.length;
    this.flushes++;
    this.unrecordedArchived = [];
    for (const change of batch) {
      for (const t of change.put) this.state.live.set(t);
      for (const t of change.finish) this.state.live.delete(t.id);
      for (const id of change.drop ?? []) this.state.live.delete(id);
      if (change.meta?.value !== undefined) this.state.meta.set(change.meta.key, change.meta.value);
      else if (change.meta) this.state.meta.delete(change.meta.key);
    }
    this.state.archivedBytes = this.archive.size;
  }

  /** The journal may grow to this many bytes before it is folded into db.json: max(1 MiB, db.json). */
  private compactThreshold(): number {
    return Math.max(this.compactAfterBytes, this.snapshotBytes);
  }

  private compactionDue(): boolean {
    const size = this.journal.size;
    const threshold = this.compactThreshold();
    if (size <= threshold) return false;
    return this.compactionFailedAt === null || size > this.compactionFailedAt + threshold;
  }

  private async compactIfDue(): Promise<void> {
    if (this.compactionDue()) await this.compactSafely();
  }

  /** A failed compaction loses nothing (the journal holds every change); it is retried later. */
  private async compactSafely(): Promise<void> {
    try {
      await this.compact_();
    } catch (e) {
      this.compactionFailedAt = this.journal.size;
      this.logger.warn(`could not fold ${this.journalFile} into ${this.dbFile} (${String(e)}); the journal keeps every change`, {
        dir: this.dir,
      });
    }
  }

  /**
   * Writes the whole live state as db.json (the durable temp + fsync + rename path, with the old
   * db.json kept as db.json.bak), recording the last journal entry it includes, then starts a new
   * journal (the old one becomes db.journal.jsonl.bak). A crash between the two leaves entries the
   * snapshot already includes: open() skips them by seq.
   */
  private async compact_(): Promise<void> {
    this.low.data = {
      version: STORE_FORMAT_VERSION,
      nextId: this.state.nextId,
      tasks: this.state.live.values(),
      meta: Object.fromEntries(this.state.meta),
      archivedBytes: this.archive.size,
      journalSeq: this.seq,
    };
    try {
      await this.low.write();
    } finally {
      this.low.data = emptyLiveDoc();
    }
    this.unrecordedArchived = []; // db.json now records their removal
    this.state.archivedBytes = this.archive.size;
    this.snapshotBytes = this.docFile.lastBytes;
    await this.journal.rotate();
    this.compactions++;
    this.compactionFailedAt = null;
  }

  /**
   * Archive lines past what the state accounts for were appended by a put() that crashed before
   * its journal entry (or db.json came from the backup). Those tasks are finished: the archived
   * version wins over a live one. Takes them out of live and returns their ids.
   */
  private async reconcileArchiveTail(archivedBytes: number | undefined, warnings: string[]): Promise<TaskId[]> {
    const size = this.archive.size;
    if (archivedBytes !== undefined && archivedBytes > size) {
      warnings.push(
        `${this.archiveFile} is shorter than ${this.dbFile} expects (${size} bytes, expected at least ${archivedBytes}); ` +
          `was it truncated or replaced? History may be missing tasks.`,
      );
      return [];
    }
    const start = archivedBytes ?? 0;
    const floor = archivedBytes ?? Math.max(0, size - UNKNOWN_TAIL_BYTES);
    const dropped: TaskId[] = [];
    const seen = new Set<TaskId>();
    for await (const line of this.archive.linesBackward(size, start)) {
      if (line.offset < floor) break;
      const task = this.archive.parseLine(line);
      if (!task || seen.has(task.id)) continue;
      seen.add(task.id);
      this.state.nextId = Math.max(this.state.nextId, taskNumber(task.id) + 1);
      const live = this.state.live.get(task.id);
      // A live version with more history than the archived one is a finished task brought back
      // (retry after cancel: its "retried" event came after); one with less was never told it finished.
      if (live && live.events.length <= task.events.length) {
        this.state.live.delete(task.id);
        dropped.push(task.id);
        warnings.push(
          `${task.id} is in ${path.basename(this.archiveFile)} as ${task.status} but was still live in ` +
            `${path.basename(this.dbFile)} as ${live.status} (a crash between the archive append and the live write); ` +
            `kept the archived version.`,
        );
      }
    }
    return dropped;
  }

  /** What says this directory has been used: a non-empty archive or journal, task logs, worktrees. */
  private async signsOfAPast(): Promise<string[]> {
    const found: string[] = [];
    if (this.archive.size > 0) {
      const { tasks } = await this.archive.verify();
      found.push(`archive.jsonl (${tasks} finished task${tasks === 1 ? '' : 's'})`);
    }
    for (const journal of [this.journal.file, this.journal.backupFile]) {
      const bytes = await stat(journal).then((s) => s.size, () => 0);
      if (bytes > 0) found.push(`${path.basename(journal)} (${bytes} bytes)`);
    }
    for (const sub of ['logs', 'workspaces']) {
      const ids = await taskDirs(path.join(this.dir, sub));
      if (ids.length > 0) found.push(`${sub}/ (${ids.length} task${ids.length === 1 ? '' : 's'})`);
    }
    return found;
  }

  /** The highest task number anywhere on disk: the archive, logs/, workspaces/ and a damaged db.json set aside or in place. */
  private async highestIdOnDisk(): Promise<number> {
    let max = await this.archive.maxTaskNumber();
    for (const sub of ['logs', 'workspaces']) for (const n of await taskDirs(path.join(this.dir, sub))) max = Math.max(max, n);
    for (const file of [this.dbFile, this.docFile.lastSetAside]) {
      if (!file) continue;
      const text = await readFile(file, 'utf8').catch(() => '');
      for (const m of text.matchAll(/"id"\s*:\s*"t-(\d{1,15})"/g)) max = Math.max(max, Number(m[1]));
    }
    return max;
  }

  /**
   * An incomplete last archive line, said as it is: a line past what the store had recorded was
   * never acknowledged (a crash mid-append; its task is still live); a line the store had recorded
   * as archived was cut afterwards (a truncated file), and that finished task's record is lost.
   */
  private explainCut(cut: ArchiveCut, recordedBytes: number | undefined): string {
    const file = path.basename(this.archiveFile);
    const who = cut.taskId ?? 'a task';
    const stillLive = cut.taskId !== null && this.state.live.get(cut.taskId as TaskId) !== undefined;
    const recorded = recordedBytes !== undefined && cut.at < recordedBytes;
    if (!recorded && (stillLive || cut.taskId === null)) {
      return `${file} ended with an incomplete line (${cut.bytes} bytes, left by a crash during an append); removed it. ` +
        `${stillLive ? `${who} was still live and has not been lost.` : 'Nothing had been recorded as archived there, so no task was lost.'}`;
    }
    return `${file} ended with an incomplete line (${cut.bytes} bytes) where ${this.dbFile} had recorded a finished task: ` +
      `the file was cut short after it was written. ${who === 'a task' ? 'The finished task it held' : `${who}'s finished record`} is lost from history ` +
      `(it is not live either). Restore ${file} from a backup of NIGHTSHIFT_HOME to get it back.`;
  }

  /** Finished tasks found live (a hand-written or foreign db.json): they go to the archive on open. */
  private finishedLiveTasks(warnings: string[]): Task[] {
    const finished = [...this.state.live.unordered()].filter((t) => isTerminal(t.status)).sort(byCreationOrder);
    for (const t of finished) {
      warnings.push(`${t.id} was ${t.status} but still in ${path.basename(this.dbFile)}; moved it to the archive.`);
    }
    return finished;
  }

  private requireOpen(method: string): void {
    if (!this.isOpen) throw new StoreNotOpenError(method);
  }
}

/** A write that failed because the directory cannot be written is said so (PersistError); anything else as it came. */
function rethrowPersist(e: unknown): never {
  throw asPersistError(e) ?? e;
}

/** The task numbers of the t-N entries in a directory ([] when it does not exist). */
async function taskDirs(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.flatMap((n) => {
    const m = /^t-(\d{1,15})$/.exec(n);
    return m ? [Number(m[1])] : [];
  });
}

function freshState(): LiveState {
  return { live: new LiveSet(), meta: new Map(), nextId: 1, archivedBytes: 0 };
}

function stateOf(doc: LiveDoc): LiveState {
  const live = new LiveSet();
  for (const t of [...doc.tasks].sort(byCreationOrder)) live.set(deepFreeze(t));
  return { live, meta: new Map(Object.entries(doc.meta)), nextId: nextIdAbove(doc), archivedBytes: doc.archivedBytes };
}

function minKnown(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  return Math.min(a, b);
}

const timestamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');

async function ensureDir(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined) await fsyncDir(path.dirname(created));
}
