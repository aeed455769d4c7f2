// lowdb Adapter for db.json (the snapshot the journal is applied to) that survives crashes and
// keeps a last-good backup. Written only when the store compacts its journal, not per change.
//
// write(): the new text goes to db.json.tmp and is fsynced; the current db.json is hard-linked to
// db.json.bak (staged as db.json.bak.tmp, renamed over the old backup); db.json.tmp is renamed
// over db.json; the directory is fsynced. db.json and db.json.bak are complete at every instant:
// each is only ever replaced by rename(2), never rewritten in place.
//
// read(): db.json is decoded and validated; if it is empty, truncated or invalid, db.json.bak
// stands in and the bad file is moved aside (db.json.corrupt-<time>) by the next write instead of
// becoming the backup; that write then makes the backup a copy of the repaired document. If both
// are bad, read() throws StoreCorruptError and changes nothing.
import path from 'node:path';
import { rename } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { StoreCorruptError } from './errors.ts';
import { fsyncDir, isErrno, readTextOrNull, replaceWithCopy, unlinkIfExists, writeFileSynced } from './durable-fs.ts';
import { decodeLiveDoc, encodeLiveDoc, LiveDocProblem, type LiveDoc } from './live-doc.ts';

export interface LiveDocReadReport {
  /** Where the document came from: db.json, its backup, or nowhere (a fresh directory). */
  source: 'file' | 'backup' | 'none';
  /** Why db.json itself was not used, when source is 'backup'. */
  problem: string | null;
  /** The format version found on disk, before migration. */
  loadedVersion: number | null;
}

export class LiveDocFile implements Adapter<LiveDoc> {
  readonly file: string;
  readonly backupFile: string;
  private readonly tmpFile: string;
  private readonly backupStaging: string;
  /** Set when db.json is bad: the next write moves it aside instead of making it the backup. */
  private setAsideBeforeWrite = false;
  /** Where the last write moved a bad db.json, if it did. */
  lastSetAside: string | null = null;
  lastRead: LiveDocReadReport = { source: 'none', problem: null, loadedVersion: null };
  /** Bytes of the document last read or written (the compaction threshold is measured against it). */
  lastBytes = 0;

  constructor(file: string) {
    this.file = file;
    this.backupFile = `${file}.bak`;
    this.tmpFile = `${file}.tmp`;
    this.backupStaging = `${file}.bak.tmp`;
  }

  async read(): Promise<LiveDoc | null> {
    const text = await readTextOrNull(this.file);
    let problem: string;
    if (text === null) {
      problem = 'the file is missing';
    } else {
      try {
        const { doc, loadedVersion } = decodeLiveDoc(text, this.file);
        this.lastRead = { source: 'file', problem: null, loadedVersion };
        this.lastBytes = Buffer.byteLength(text);
        return doc;
      } catch (e) {
        if (!(e instanceof LiveDocProblem)) throw e;
        problem = e.message;
      }
    }

    const backupText = await readTextOrNull(this.backupFile);
    if (backupText === null) {
      if (text === null) {
        this.lastRead = { source: 'none', problem: null, loadedVersion: null };
        return null; // a fresh directory
      }
      throw new StoreCorruptError(this.file, problem, null);
    }
    try {
      const { doc, loadedVersion } = decodeLiveDoc(backupText, this.backupFile);
      this.lastRead = { source: 'backup', problem, loadedVersion };
      this.lastBytes = Buffer.byteLength(backupText);
      this.setAsideBeforeWrite = text !== null;
      return doc;
    } catch (e) {
      if (!(e instanceof LiveDocProblem)) throw e;
      throw new StoreCorruptError(this.file, problem, { file: this.backupFile, problem: e.message });
    }
  }

  async write(doc: LiveDoc): Promise<void> {
    const text = encodeLiveDoc(doc);
    try {
      await writeFileSynced(this.tmpFile, text);
    } catch (e) {
      // A disk full mid-write leaves half a file: never leave it behind.
      await unlinkIfExists(this.tmpFile).catch(() => undefined);
      throw e;
    }
    const restoring = this.setAsideBeforeWrite;
    if (restoring) {
      // Keep the bad file for inspection; the good backup we restored from stays until the new
      // document is in place.
      const aside = this.corruptName();
      try {
        await rename(this.file, aside);
        this.lastSetAside = aside;
      } catch (e) {
        if (!isErrno(e, 'ENOENT')) throw e;
      }
    } else {
      await replaceWithCopy(this.file, this.backupFile, this.backupStaging);
    }
    await rename(this.tmpFile, this.file);
    // After a restore the backup becomes the repaired document: it already includes every journal
    // entry since the old backup, so the backup and the journal's backup stay a matching pair.
    if (restoring) await replaceWithCopy(this.file, this.backupFile, this.backupStaging);
    await fsyncDir(path.dirname(this.file));
    this.setAsideBeforeWrite = false;
    this.lastBytes = Buffer.byteLength(text);
  }

  /** Makes db.json.bak a copy of the current db.json (after a repair that db.json alone reflects). */
  async refreshBackup(): Promise<void> {
    await replaceWithCopy(this.file, this.backupFile, this.backupStaging);
    await fsyncDir(path.dirname(this.file));
  }

  /** Removes what a crash during a write left behind (db.json.tmp, db.json.bak.tmp): never in force. */
  async removeLeftovers(): Promise<void> {
    await unlinkIfExists(this.tmpFile);
    await unlinkIfExists(this.backupStaging);
  }

  /** Where a bad db.json is moved before the restored one replaces it. */
  corruptName(): string {
    return `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  }
}
