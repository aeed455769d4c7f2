// The live document, db.json: the snapshot of the live state that the journal (db.journal.jsonl)
// is applied on top of; its schema, its version and the migrations that bring old files up to
// date. Decoding is strict (every task must satisfy the Task schema) and explains what it rejects
// with the zod issue path, so a person can find the bad spot in the file.
import { z } from 'zod';
import { Task, taskNumber } from '../core/task.ts';
import { StoreFormatTooNewError } from './errors.ts';

/**
 * The format this code writes, and the newest it reads. 2: db.json is a snapshot with a journal
 * next to it (`journalSeq`); a nightshift that reads only version 1 would ignore the journal, so
 * it must refuse these files rather than lose the changes in it.
 */
export const STORE_FORMAT_VERSION = 2;

export const LiveDoc = z.object({
  version: z.literal(STORE_FORMAT_VERSION),
  /** The number of the next id to hand out (`t-<nextId>`). */
  nextId: z.number().int().positive(),
  /** Live tasks: anything not done, cancelled or rejected. */
  tasks: z.array(Task),
  meta: z.record(z.string(), z.unknown()),
  /**
   * How many bytes of archive.jsonl this document accounts for. Lines past it were appended by a
   * put() whose live write never happened (a crash); open() reconciles them. Optional so that
   * documents written without it (older files, hand-written fixtures) still load.
   */
  archivedBytes: z.number().int().nonnegative().optional(),
  /** The last journal entry (its `seq`) this snapshot includes; entries up to it are skipped on open. */
  journalSeq: z.number().int().nonnegative(),
});
export type LiveDoc = z.infer<typeof LiveDoc>;

/**
 * `migrations[v]` turns a version-v document into a version-(v+1) one. When version 3 arrives, add
 * `2: (doc) => ...` here and a fixture of the old format in test/fixtures/store (db-v1.json is v1's).
 */
export const migrations: Record<number, (doc: unknown) => unknown> = {
  /** A version-1 db.json was the whole live state: a snapshot with nothing in the journal after it. */
  1: (doc) => ({ ...(doc as object), version: 2, journalSeq: 0 }),
};

export const emptyLiveDoc = (): LiveDoc => ({
  version: STORE_FORMAT_VERSION,
  nextId: 1,
  tasks: [],
  meta: {},
  archivedBytes: 0,
  journalSeq: 0,
});

/** Why a document was rejected; the caller decides whether a backup can stand in. */
export class LiveDocProblem extends Error {
  override readonly name = 'LiveDocProblem';
}

export interface DecodedLiveDoc {
  doc: LiveDoc;
  /** The version found in the file, before migration. */
  loadedVersion: number;
}

/** Parses, migrates and validates db.json text. Throws LiveDocProblem or StoreFormatTooNewError. */
export function decodeLiveDoc(text: string, file: string): DecodedLiveDoc {
  if (text.trim() === '') throw new LiveDocProblem('the file is empty');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    if (endsInsideValue(text)) {
      throw new LiveDocProblem(`unexpected end of JSON: the file looks truncated after ${Buffer.byteLength(text)} bytes`);
    }
    throw new LiveDocProblem(`invalid JSON: ${(e as Error).message}`);
  }
  const found = versionOf(raw);
  if (found === null) throw new LiveDocProblem('version: missing or not a positive integer');
  if (found > STORE_FORMAT_VERSION) throw new StoreFormatTooNewError(file, found, STORE_FORMAT_VERSION);
  let current = raw;
  for (let v = found; v < STORE_FORMAT_VERSION; v++) {
    const migrate = migrations[v];
    if (!migrate) throw new LiveDocProblem(`version: format ${v} is too old; no migration from it exists`);
    current = migrate(current);
  }
  const parsed = LiveDoc.safeParse(current);
  if (!parsed.success) throw new LiveDocProblem(describeIssues(parsed.error.issues));
  const doc = parsed.data;
  const seen = new Set<string>();
  for (const [i, t] of doc.tasks.entries()) {
    if (seen.has(t.id)) throw new LiveDocProblem(`tasks[${i}].id: ${t.id} appears twice`);
    seen.add(t.id);
  }
  return { doc, loadedVersion: found };
}

/**
 * The snapshot's text: compact JSON with one task per line (smaller and quicker to write than
 * pretty-printing, still readable and grep-able line by line).
 */
export function encodeLiveDoc(doc: LiveDoc): string {
  const { tasks, ...head } = doc;
  const headJson = JSON.stringify(head);
  const taskLines = tasks.map((t) => JSON.stringify(t)).join(',\n');
  return `${headJson.slice(0, -1)},"tasks":[${tasks.length > 0 ? `\n${taskLines}\n` : ''}]}\n`;
}

/** The smallest nextId that cannot collide with a live task. */
export function nextIdAbove(doc: LiveDoc): number {
  let next = doc.nextId;
  for (const t of doc.tasks) next = Math.max(next, taskNumber(t.id) + 1);
  return next;
}

/** True when the text opens an object or array (or a string) that it never closes: a cut-short file. */
function endsInsideValue(text: string): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return inString || depth > 0;
}

function versionOf(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null || !('version' in raw)) return null;
  const v = raw.version;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
}

/** `tasks[2].status: Invalid option: expected one of ...`, at most three issues. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return shown.join('; ') + more;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(document)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
