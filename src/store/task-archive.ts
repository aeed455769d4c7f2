// archive.jsonl: finished tasks, one JSON task per line, in the order they finished. Only ever
// appended to (one write + fdatasync per group of puts), so a write costs the same with 100 or 100,000
// tasks in history. Never held in memory: history() reads it backwards from the end in chunks and
// stops early; get() uses an id -> (offset, length) index built by one forward scan on the first
// archived lookup and kept up to date by appends afterwards.
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../core/ports.ts';
import { Task, taskNumber } from '../core/task.ts';
import { describeIssues } from './live-doc.ts';

/** Backward reads start small (history({ limit: 20 }) needs a few KB) and double up to the forward size. */
const FIRST_BACKWARD_CHUNK_BYTES = 64 * 1024;
/** Bytes read per step by full forward scans (index build, verify). */
const SCAN_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
/** Enough of a line to read its `{"id":"t-123456789"` prefix. */
const ID_PREFIX_BYTES = 40;

export interface ArchiveLine {
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Length in bytes, newline included. */
  length: number;
  text: string;
}

interface Location {
  offset: number;
  length: number;
}

export interface ArchiveScanStats {
  lines: number;
  /** Distinct tasks (a task archived twice counts once). */
  tasks: number;
  /** Lines that are not a valid task; each was logged once. */
  invalidLines: number;
}

/** An incomplete last line cut off on open: where it started, how long it was, whose it was (if the id survived). */
export interface ArchiveCut {
  at: number;
  bytes: number;
  taskId: string | null;
}

export class TaskArchive {
  readonly file: string;
  private readonly logger: Logger;
  private handle: FileHandle | null = null;
  /** End of the last complete, durable line. */
  private sizeBytes = 0;
  /** id number -> where its latest line is. Null until the first archived get(). */
  private index: Map<number, Location> | null = null;
  private indexBuild: Promise<Map<number, Location>> | null = null;
  /** Appends that happen while the index is being built, applied on top of it when it is done. */
  private indexPending: Map<number, Location> | null = null;
  private readonly reportedOffsets = new Set<number>();

  constructor(file: string, logger: Logger) {
    this.file = file;
    this.logger = logger;
  }

  get size(): number {
    return this.sizeBytes;
  }

  /** Invalid lines met so far (by any scan, lookup or verify), each counted once. */
  get invalidLines(): number {
    return this.reportedOffsets.size;
  }

  /**
   * Opens (creating if needed) and cuts off an incomplete last line. What that line held, and
   * whether it was lost, only the store can tell (it knows what it had recorded as archived), so
   * the cut is returned for it to explain.
   */
  async open(): Promise<ArchiveCut | null> {
    const handle = await open(this.file, 'a+');
    this.handle = handle;
    const { size } = await handle.stat();
    const end = await this.endOfLastCompleteLine(size);
    let cut: ArchiveCut | null = null;
    if (end < size) {
      const head = (await readAt(handle, end, Math.min(size - end, 200))).toString('utf8');
      await handle.truncate(end);
      await handle.datasync();
      cut = { at: end, bytes: size - end, taskId: /"id"\s*:\s*"(t-\d+)"/.exec(head)?.[1] ?? null };
    }
    this.sizeBytes = end;
    return cut;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.index = null;
    this.indexBuild = null;
    this.indexPending = null;
    await handle?.close();
  }

  /**
   * Appends the tasks as one write and flushes it to disk. On failure the file is cut back to where
   * it was. Returns the archive's size after each task's line.
   */
  async append(tasks: readonly Task[]): Promise<number[]> {
    if (tasks.length === 0) return [];
    const handle = this.requireHandle();
    const locations: [number, Location][] = [];
    const ends: number[] = [];
    let offset = this.sizeBytes;
    const parts: string[] = [];
    for (const task of tasks) {
      const line = `${JSON.stringify(task)}\n`;
      const length = Buffer.byteLength(line);
      locations.push([taskNumber(task.id), { offset, length }]);
      parts.push(line);
      offset += length;
      ends.push(offset);
    }
    const data = Buffer.from(parts.join(''));
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
      await handle.datasync();
    } catch (e) {
      // Never leave a torn line for the next append to be glued onto.
      await handle.truncate(this.sizeBytes).catch(() => undefined);
      throw e;
    }
    this.sizeBytes = offset;
    for (const [n, loc] of locations) {
      this.index?.set(n, loc);
      this.indexPending?.set(n, loc); // a scan in progress started before this append
    }
    return ends;
  }

  /** Lines in [start, end), newest first. Both bounds must be line boundaries. */
  async *linesBackward(end: number = this.sizeBytes, start = 0): AsyncGenerator<ArchiveLine> {
    const handle = this.requireHandle();
    let pos = end;
    let carry: Buffer = Buffer.alloc(0);
    let chunkBytes = FIRST_BACKWARD_CHUNK_BYTES;
    while (pos > start) {
      const readLength = Math.min(chunkBytes, pos - start);
      chunkBytes = Math.min(chunkBytes * 2, SCAN_CHUNK_BYTES);
      pos -= readLength;
      const chunk = await readAt(handle, pos, readLength);
      const buf = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
      // buf holds [pos, pos + buf.length); its last byte ends a line.
      let lineEnd = buf.length;
      for (;;) {
        const prevNewline = lineEnd >= 2 ? buf.lastIndexOf(NEWLINE, lineEnd - 2) : -1;
        if (prevNewline < 0) break;
        const lineStart = prevNewline + 1;
        yield { offset: pos + lineStart, length: lineEnd - lineStart, text: buf.toString('utf8', lineStart, lineEnd - 1) };
        lineEnd = lineStart;
      }
      carry = Buffer.from(buf.subarray(0, lineEnd));
    }
    if (carry.length > 0) yield { offset: start, length: carry.length, text: carry.toString('utf8', 0, carry.length - 1) };
  }

  /**
   * Lines in [start, end), oldest first. Both bounds must be line boundaries. With `textBytes`, only
   * that many leading bytes of each line are decoded into `text` (cheap scans of the id prefix).
   */
  async *linesForward(start = 0, end: number = this.sizeBytes, textBytes = Number.POSITIVE_INFINITY): AsyncGenerator<ArchiveLine> {
    const handle = this.requireHandle();
    let pos = start;
    let carry: Buffer = Buffer.alloc(0);
    let carryOffset = start;
    while (pos < end) {
      const readLength = Math.min(SCAN_CHUNK_BYTES, end - pos);
      const chunk = await readAt(handle, pos, readLength);
      pos += readLength;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let lineStart = 0;
      for (;;) {
        const newline = buf.indexOf(NEWLINE, lineStart);
        if (newline < 0) break;
        const textEnd = Math.min(newline, lineStart + textBytes);
        yield { offset: carryOffset + lineStart, length: newline + 1 - lineStart, text: buf.toString('utf8', lineStart, textEnd) };
        lineStart = newline + 1;
      }
      carry = Buffer.from(buf.subarray(lineStart));
      carryOffset += lineStart;
    }
  }

  /** The task on a line, or null (logged once, counted) when the line is not a valid task. */
  parseLine(line: ArchiveLine): Task | null {
    let raw: unknown;
    try {
      raw = JSON.parse(line.text);
    } catch (e) {
      this.reportInvalid(line, `invalid JSON: ${(e as Error).message}`);
      return null;
    }
    const parsed = Task.safeParse(raw);
    if (!parsed.success) {
      this.reportInvalid(line, describeIssues(parsed.error.issues));
      return null;
    }
    return parsed.data;
  }

  /** Tasks newest first, invalid lines skipped; for collectHistory. */
  async *tasksNewestFirst(): AsyncGenerator<Task | null> {
    for await (const line of this.linesBackward()) yield this.parseLine(line);
  }

  /** The highest task number in the archive (0 when empty). Builds the id index: a full scan the first time. */
  async maxTaskNumber(): Promise<number> {
    let max = 0;
    for (const n of (await this.ensureIndex()).keys()) max = Math.max(max, n);
    return max;
  }

  /** The latest archived version of a task, or null. Builds the id index on first use. */
  async get(id: string): Promise<Task | null> {
    const index = await this.ensureIndex();
    const loc = index.get(taskNumber(id));
    if (!loc) return null;
    const task = this.parseLine(await this.readLine(loc));
    return task && task.id === id ? task : null;
  }

  private async readLine(loc: Location): Promise<ArchiveLine> {
    const buf = await readAt(this.requireHandle(), loc.offset, loc.length);
    return { ...loc, text: buf.toString('utf8', 0, loc.length - 1) };
  }

  /** Whether the id index has been built (for the bench and tests). */
  get indexed(): boolean {
    return this.index !== null;
  }

  /** Reads every line and validates it against the Task schema; also (re)builds the id index. */
  async verify(): Promise<ArchiveScanStats> {
    while (this.indexBuild) await this.indexBuild.catch(() => undefined);
    const scanning = this.scan(true);
    this.indexBuild = scanning.then(({ index }) => index);
    return (await scanning).stats;
  }

  private ensureIndex(): Promise<Map<number, Location>> {
    if (this.index) return Promise.resolve(this.index);
    this.indexBuild ??= this.scan(false).then(({ index }) => index);
    return this.indexBuild;
  }

  /**
   * One forward pass. Without `validate` a line's id is read from its `{"id":"t-N"` prefix (how this
   * store writes every line) and only lines without it are parsed, so the scan stays cheap.
   */
  private async scan(validate: boolean): Promise<{ index: Map<number, Location>; stats: ArchiveScanStats }> {
    const index = new Map<number, Location>();
    this.indexPending = new Map();
    const end = this.sizeBytes;
    let lines = 0;
    let invalid = 0;
    try {
      for await (const line of this.linesForward(0, end, validate ? undefined : ID_PREFIX_BYTES)) {
        lines++;
        const n = validate ? this.idOfValid(line) : (idFromPrefix(line.text) ?? this.idOfValid(await this.readLine(line)));
        if (n === null) invalid++;
        else index.set(n, { offset: line.offset, length: line.length });
      }
      for (const [n, loc] of this.indexPending) index.set(n, loc);
      this.index = index;
      return { index, stats: { lines, tasks: index.size, invalidLines: invalid } };
    } finally {
      this.indexPending = null;
      this.indexBuild = null;
    }
  }

  private idOfValid(line: ArchiveLine): number | null {
    const task = this.parseLine(line);
    return task ? taskNumber(task.id) : null;
  }

  private reportInvalid(line: ArchiveLine, problem: string): void {
    if (this.reportedOffsets.has(line.offset)) return;
    this.reportedOffsets.add(line.offset);
    this.logger.warn(`skipped an invalid line in ${this.file} (byte ${line.offset}): ${problem}`, {
      file: this.file,
      offset: line.offset,
      invalidLines: this.reportedOffsets.size,
    });
  }

  /** `size` if the file ends with a newline (or is empty), else just after its last newline. */
  private async endOfLastCompleteLine(size: number): Promise<number> {
    const handle = this.requireHandle();
    let pos = size;
    let first = true;
    while (pos > 0) {
      const readLength = Math.min(FIRST_BACKWARD_CHUNK_BYTES, pos);
      pos -= readLength;
      const chunk = await readAt(handle, pos, readLength);
      if (first && chunk[chunk.length - 1] === NEWLINE) return size;
      first = false;
      const newline = chunk.lastIndexOf(NEWLINE);
      if (newline >= 0) return pos + newline + 1;
    }
    return 0;
  }

  private requireHandle(): FileHandle {
    if (!this.handle) throw new Error(`${this.file} is not open`);
    return this.handle;
  }
}

/** The id number from a line written by this store (`{"id":"t-7",...`), or null if it starts otherwise. */
function idFromPrefix(text: string): number | null {
  const m = /^\{"id":"t-(\d+)"/.exec(text);
  return m ? Number(m[1]) : null;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
  return buf;
}
