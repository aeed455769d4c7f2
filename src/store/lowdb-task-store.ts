// The TaskStore on disk: live tasks in a small lowdb document (db.json), finished tasks in an
// append-only archive (archive.jsonl). See src/store/README.md for the layout and the
// crash-safety argument.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { silentLogger, type HistoryQuery, type Logger, type StoreOpenReport, type TaskStore } from '../core/ports.ts';
import { formatTaskId, isTerminal, Task, taskNumber, type TaskId } from '../core/task.ts';
import { StoreNotOpenError } from './errors.ts';
import { fsyncDir } from './durable-fs.ts';
import { collectHistory } from './history.ts';
import { emptyLiveDoc, nextIdAbove, STORE_FORMAT_VERSION, type LiveDoc } from './live-doc.ts';
import { LiveDocFile } from './live-doc-file.ts';
import { TaskArchive, type ArchiveScanStats } from './task-archive.ts';
import { byCreationOrder, checkIdCount, lastPerId, toStoredMetaValue } from './values.ts';

export interface LowdbTaskStoreOptions {
  /** The data directory (NIGHTSHIFT_HOME). Created if missing. */
  dir: string;
  logger?: Logger;
}

/** When db.json does not say how much of the archive it accounts for, reconcile this much of the tail. */
const UNKNOWN_TAIL_BYTES = 64 * 1024;

export class LowdbTaskStore implements TaskStore {
  readonly dir: string;
  readonly dbFile: string;
  readonly archiveFile: string;
  private readonly logger: Logger;
  private readonly docFile: LiveDocFile;
  private readonly low: Low<LiveDoc>;
  private readonly archive: TaskArchive;
  private isOpen = false;
  /** Committed state: what is on disk. */
  private liveTasks = new Map<TaskId, Task>();
  private meta: Record<string, unknown> = {};
  private nextId = 1;
  /** Every change runs after the previous one has finished: writes never interleave. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: LowdbTaskStoreOptions) {
    this.dir = options.dir;
    this.logger = options.logger ?? silentLogger;
    this.dbFile = path.join(this.dir, 'db.json');
    this.archiveFile = path.join(this.dir, 'archive.jsonl');
    this.docFile = new LiveDocFile(this.dbFile);
    this.low = new Low<LiveDoc>(this.docFile, emptyLiveDoc());
    this.archive = new TaskArchive(this.archiveFile, this.logger);
  }

  async open(): Promise<StoreOpenReport> {
    if (this.isOpen) throw new Error(`the task store in ${this.dir} is already open`);
    await ensureDir(this.dir);
    await this.low.read(); // StoreCorruptError / StoreFormatTooNewError leave every file as it was
    const read = this.docFile.lastRead;
    const doc = this.low.data;
    const warnings: string[] = [];

    warnings.push(...(await this.archive.open()));
    try {
      this.liveTasks = new Map(doc.tasks.map((t) => [t.id, t]));
      this.meta = doc.meta;
      this.nextId = nextIdAbove(doc);
      let mustWrite = read.source !== 'file' || read.loadedVersion !== STORE_FORMAT_VERSION;
      mustWrite = (await this.reconcileArchiveTail(doc.archivedBytes, warnings)) || mustWrite;
      mustWrite = (await this.archiveFinishedLiveTasks(warnings)) || mustWrite;
      mustWrite ||= doc.archivedBytes !== this.archive.size;
      if (mustWrite) await this.writeDoc(this.liveTasks);
    } catch (e) {
      await this.archive.close();
      throw e;
    }
    if (read.source === 'backup') {
      const aside = this.docFile.lastSetAside;
      warnings.unshift(
        `${this.dbFile} was unusable (${read.problem}); restored the last good copy from ${this.docFile.backupFile}. ` +
          `Changes from the last write before the damage may be lost.` +
          (aside ? ` The damaged file was kept as ${aside}.` : ''),
      );
    }
    for (const w of warnings) this.logger.warn(w, { dir: this.dir });
    this.isOpen = true;
    return { warnings, loadedVersion: read.loadedVersion };
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    await this.queue;
    await this.archive.close();
  }

  allocateIds(count: number): TaskId[] {
    this.requireOpen('allocateIds');
    checkIdCount(count);
    const ids: TaskId[] = [];
    for (let i = 0; i < count; i++) ids.push(formatTaskId(this.nextId++));
    return ids;
  }

  live(): Task[] {
    this.requireOpen('live');
    return [...this.liveTasks.values()].sort(byCreationOrder).map((t) => structuredClone(t));
  }

  async get(id: TaskId): Promise<Task | null> {
    this.requireOpen('get');
    const live = this.liveTasks.get(id);
    if (live) return structuredClone(live);
    return this.archive.get(id);
  }

  async put(...tasks: Task[]): Promise<void> {
    this.requireOpen('put');
    const incoming = lastPerId(tasks.map((t) => Task.parse(t)));
    if (incoming.length === 0) return;
    await this.exclusive(async () => {
      const next = new Map(this.liveTasks);
      const finished: Task[] = [];
      for (const task of incoming) {
        this.nextId = Math.max(this.nextId, taskNumber(task.id) + 1);
        if (isTerminal(task.status)) {
          finished.push(task);
          next.delete(task.id);
        } else {
          next.set(task.id, task);
        }
      }
      await this.archive.append(finished);
      try {
        await this.writeDoc(next);
      } catch (e) {
        // The archive lines are durable; a reopen would drop these tasks from live, so do it now too.
        for (const t of finished) this.liveTasks.delete(t.id);
        throw e;
      }
    });
  }

  async history(query: HistoryQuery = {}): Promise<Task[]> {
    this.requireOpen('history');
    return collectHistory(this.archive.tasksNewestFirst(), query);
  }

  getMeta<T = unknown>(key: string): T | undefined {
    this.requireOpen('getMeta');
    return key in this.meta ? (structuredClone(this.meta[key]) as T) : undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.requireOpen('setMeta');
    const stored = value === undefined ? undefined : toStoredMetaValue(key, value);
    await this.exclusive(async () => {
      const meta = { ...this.meta };
      if (stored === undefined) delete meta[key];
      else meta[key] = stored;
      await this.writeDoc(this.liveTasks, meta);
    });
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

  /** Writes the live document and, once it is durable, makes it the committed state. */
  private async writeDoc(tasks: Map<TaskId, Task>, meta: Record<string, unknown> = this.meta): Promise<void> {
    this.low.data = {
      version: STORE_FORMAT_VERSION,
      nextId: this.nextId,
      tasks: [...tasks.values()].sort(byCreationOrder),
      meta,
      archivedBytes: this.archive.size,
    };
    await this.low.write();
    this.liveTasks = tasks;
    this.meta = meta;
  }

  /**
   * Archive lines past what db.json accounts for were appended by a put() that crashed before its
   * live write (or db.json came from the backup, one write behind). Those tasks are finished: the
   * archived version wins over a live one. Returns whether the live state changed.
   */
  private async reconcileArchiveTail(archivedBytes: number | undefined, warnings: string[]): Promise<boolean> {
    const size = this.archive.size;
    if (archivedBytes !== undefined && archivedBytes > size) {
      warnings.push(
        `${this.archiveFile} is shorter than ${this.dbFile} expects (${size} bytes, expected at least ${archivedBytes}); ` +
          `was it truncated or replaced? History may be missing tasks.`,
      );
      return false;
    }
    const start = archivedBytes ?? 0;
    const floor = archivedBytes ?? Math.max(0, size - UNKNOWN_TAIL_BYTES);
    let changed = false;
    const seen = new Set<TaskId>();
    for await (const line of this.archive.linesBackward(size, start)) {
      if (line.offset < floor) break;
      const task = this.archive.parseLine(line);
      if (!task || seen.has(task.id)) continue;
      seen.add(task.id);
      this.nextId = Math.max(this.nextId, taskNumber(task.id) + 1);
      const live = this.liveTasks.get(task.id);
      if (live) {
        this.liveTasks.delete(task.id);
        changed = true;
        warnings.push(
          `${task.id} is in ${path.basename(this.archiveFile)} as ${task.status} but was still live in ` +
            `${path.basename(this.dbFile)} as ${live.status} (a crash between the archive append and the live write); ` +
            `kept the archived version.`,
        );
      }
    }
    return changed;
  }

  /** A finished task found in db.json is appended to the archive again and removed from live. */
  private async archiveFinishedLiveTasks(warnings: string[]): Promise<boolean> {
    const finished = [...this.liveTasks.values()].filter((t) => isTerminal(t.status)).sort(byCreationOrder);
    if (finished.length === 0) return false;
    await this.archive.append(finished);
    for (const t of finished) {
      this.liveTasks.delete(t.id);
      warnings.push(`${t.id} was ${t.status} but still in ${path.basename(this.dbFile)}; moved it to the archive.`);
    }
    return true;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private requireOpen(method: string): void {
    if (!this.isOpen) throw new StoreNotOpenError(method);
  }
}

async function ensureDir(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined) await fsyncDir(path.dirname(created));
}
