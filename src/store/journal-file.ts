// db.journal.jsonl: every change since the db.json snapshot, one JSON entry per line, appended
// with one write + fdatasync per group of changes before any of them is acknowledged. When the
// store compacts, the journal it folded into db.json becomes db.journal.jsonl.bak (the pair of
// db.json.bak: that backup plus this journal is the state db.json holds) and a new, empty journal
// takes its place.
import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, isErrno, replaceWithCopy, unlinkIfExists } from './durable-fs.ts';

const NEWLINE = 0x0a;

/** Enough of a line to read its `{"seq":123456789,` prefix. */
const PREFIX_BYTES = 32;

export interface JournalLine {
  file: string;
  /** Byte offset of the line's first byte in its file. */
  offset: number;
  /** The line's first bytes (its seq), decoded without decoding the whole line. */
  prefix: string;
  /** The whole line (newline excluded), decoded on demand: lines the snapshot includes never are. */
  text(): string;
}

export interface JournalRead {
  /** Complete lines of db.journal.jsonl.bak, then of db.journal.jsonl. */
  lines: JournalLine[];
  warnings: string[];
  /** Whether db.journal.jsonl.bak exists (it pairs with db.json.bak). */
  backupFound: boolean;
}

export class JournalFile {
  readonly file: string;
  readonly backupFile: string;
  private handle: FileHandle | null = null;
  private sizeBytes = 0;
  /** Set when a failed append could not be cut back: a later append would be glued onto a torn line. */
  private broken: Error | null = null;

  constructor(file: string) {
    this.file = file;
    this.backupFile = `${file}.bak`;
  }

  /** Bytes of complete, durable entries in db.journal.jsonl. */
  get size(): number {
    return this.sizeBytes;
  }

  /**
   * Opens db.journal.jsonl for appending (creating it) and reads both journals. An incomplete last
   * line of db.journal.jsonl (a crash mid-append: never acknowledged) is cut off with a warning.
   * One at the end of the backup journal is ignored (the file is never written again).
   */
  async open(): Promise<JournalRead> {
    const backup = await readOrNull(this.backupFile);
    const lines = backup ? splitLines(backup, this.backupFile).lines : [];
    const handle = await open(this.file, 'a+');
    try {
      const text = await handle.readFile();
      const current = splitLines(text, this.file);
      const warnings: string[] = [];
      if (current.end < text.length) {
        await handle.truncate(current.end);
        await handle.datasync();
        warnings.push(
          `${this.file} ended with an incomplete line (${text.length - current.end} bytes, left by a crash during an append); ` +
            `removed it. That change had not been acknowledged to anyone.`,
        );
      }
      await fsyncDir(path.dirname(this.file)); // it may have just been created
      this.handle = handle;
      this.sizeBytes = current.end;
      this.broken = null;
      return { lines: [...lines, ...current.lines], warnings, backupFound: backup !== null };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  /** Appends complete lines as one write and flushes them to disk. On failure the file is cut back. */
  async append(text: string): Promise<void> {
    if (this.broken) throw this.broken;
    const handle = this.requireHandle();
    const data = Buffer.from(text);
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
      await handle.datasync();
    } catch (e) {
      try {
        await handle.truncate(this.sizeBytes);
      } catch (e2) {
        this.broken = new Error(
          `${this.file} could not be cut back after a failed append (${String(e2)}); no further change is accepted. ` +
            `Restart nightshift: opening the store repairs the journal.`,
        );
      }
      throw e;
    }
    this.sizeBytes += data.length;
  }

  /**
   * After a compaction (db.json now includes every entry): this journal becomes the backup journal
   * and a new, empty one takes its place. A no-op when the journal is empty.
   */
  async rotate(): Promise<void> {
    if (this.broken) throw this.broken;
    if (this.sizeBytes === 0) return;
    const old = this.requireHandle();
    await rename(this.file, this.backupFile); // if this fails nothing changed: later entries follow the old ones
    let fresh: FileHandle | null = null;
    try {
      fresh = await open(this.file, 'a+');
      await fsyncDir(path.dirname(this.file));
    } catch (e) {
      await fresh?.close().catch(() => undefined);
      // The open handle now appends to the backup's name; opening the store reads both, but another
      // rotation would overwrite it. Stop here rather than risk that.
      this.broken = new Error(`${this.file} could not be recreated after a compaction (${String(e)}); restart nightshift.`);
      throw e;
    }
    this.handle = fresh;
    this.sizeBytes = 0;
    await old.close();
  }

  /** Deletes db.journal.jsonl.bak (when db.json.bak was refreshed to a document that includes it). */
  async removeBackup(): Promise<void> {
    await unlinkIfExists(this.backupFile);
    await fsyncDir(path.dirname(this.file));
  }

  /** Keeps a copy of a journal file as `dest` (a hard link where possible), for a person to inspect. */
  async keepCopy(source: string, dest: string): Promise<void> {
    await replaceWithCopy(source, dest, `${dest}.tmp`);
    await fsyncDir(path.dirname(dest));
  }

  private requireHandle(): FileHandle {
    if (!this.handle) throw new Error(`${this.file} is not open`);
    return this.handle;
  }
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  }
}

/** The complete lines (newline-terminated; empty ones skipped) and where the last one ends. */
function splitLines(buf: Buffer, file: string): { lines: JournalLine[]; end: number } {
  const lines: JournalLine[] = [];
  let start = 0;
  for (;;) {
    const newline = buf.indexOf(NEWLINE, start);
    if (newline < 0) break;
    if (newline > start) {
      const from = start;
      lines.push({
        file,
        offset: from,
        prefix: buf.toString('latin1', from, Math.min(newline, from + PREFIX_BYTES)),
        text: () => buf.toString('utf8', from, newline),
      });
    }
    start = newline + 1;
  }
  return { lines, end: start };
}
