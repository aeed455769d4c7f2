// One line of db.journal.jsonl: one acknowledged change, applied on top of the db.json snapshot
// when the store opens. Every field sets a value outright (a task replaced whole, an id removed, a
// meta key's new value, the highest nextId), so applying an entry twice is the same as once;
// `seq` numbers the entries, and db.json records the last one it includes (`journalSeq`).
import { z } from 'zod';
import { Task, TaskId } from '../core/task.ts';
import { describeIssues } from './live-doc.ts';

export const JournalEntry = z.object({
  /** 1, 2, 3... across compactions; the first key of every line, so it can be read without parsing. */
  seq: z.number().int().positive(),
  /** The next id to hand out, as of this change (ids reserved since the last change included). */
  nextId: z.number().int().positive(),
  /** Live tasks, inserted or replaced whole. */
  put: z.array(Task).optional(),
  /** Tasks that left live for archive.jsonl (their lines were appended and synced before this one). */
  archived: z.array(TaskId).optional(),
  /** The size of archive.jsonl once this change's tasks were in it. */
  archivedBytes: z.number().int().nonnegative().optional(),
  /** One meta key's new value (a JSON value). */
  meta: z.object({ key: z.string(), value: z.unknown() }).optional(),
  /** One meta key removed. */
  unsetMeta: z.string().optional(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/** The line for an entry, newline included. `seq` comes first: see seqOfLine. */
export function encodeEntry(entry: JournalEntry): string {
  const { seq, ...rest } = entry;
  return `${JSON.stringify({ seq, ...rest })}\n`;
}

/** The seq of a line this store wrote (`{"seq":12,...`), without parsing it; null if it starts otherwise. */
export function seqOfLine(text: string): number | null {
  const m = /^\{"seq":(\d+)[,}]/.exec(text);
  return m ? Number(m[1]) : null;
}

/** The entry on a line, or why it is not one (bad JSON, or the zod path of what breaks the schema). */
export function decodeEntry(text: string): { entry: JournalEntry } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problem: `invalid JSON: ${(e as Error).message}` };
  }
  const parsed = JournalEntry.safeParse(raw);
  return parsed.success ? { entry: parsed.data } : { problem: describeIssues(parsed.error.issues) };
}
