// Opening the store: the journal's entries applied on top of the db.json snapshot, in seq order.
// Entries the snapshot already includes (seq <= its journalSeq: a crash after a compaction wrote
// db.json but before the journal was reset, or the backup journal) are skipped by their seq
// prefix without being parsed. A damaged complete line is skipped loudly and every entry after it
// is still applied; a hole in the numbering (entries missing without a damaged line to explain
// them) is reported. See src/store/README.md, "Crash safety".
import { taskNumber, type TaskId } from '../core/task.ts';
import { decodeEntry, seqOfLine, type JournalEntry } from './journal-entry.ts';
import type { JournalLine } from './journal-file.ts';
import type { LiveSet } from './live-set.ts';
import { deepFreeze } from './values.ts';

/** What the journal changes: the store's state in memory. */
export interface LiveState {
  live: LiveSet;
  meta: Map<string, unknown>;
  nextId: number;
  /** How much of archive.jsonl the state accounts for (undefined: a document that never said). */
  archivedBytes: number | undefined;
}

export interface ReplayResult {
  /** The last seq applied (the snapshot's journalSeq when nothing was). */
  lastSeq: number;
  /** The first seq applied, or null. */
  firstSeq: number | null;
  applied: number;
  /** Complete lines that held no valid entry the snapshot does not already include: each lost a change. */
  damaged: JournalLine[];
  warnings: string[];
}

/** Applies one entry. Every field sets a value outright, so applying an entry again changes nothing. */
export function applyEntry(state: LiveState, entry: JournalEntry): void {
  state.nextId = Math.max(state.nextId, entry.nextId);
  for (const task of entry.put ?? []) {
    state.live.set(deepFreeze(task));
    state.nextId = Math.max(state.nextId, taskNumber(task.id) + 1);
  }
  for (const id of entry.archived ?? []) state.live.delete(id as TaskId);
  if (entry.archivedBytes !== undefined) state.archivedBytes = entry.archivedBytes;
  if (entry.meta) state.meta.set(entry.meta.key, entry.meta.value);
  if (entry.unsetMeta !== undefined) state.meta.delete(entry.unsetMeta);
}

export function replayJournal(state: LiveState, lines: readonly JournalLine[], snapshotSeq: number, snapshotName: string): ReplayResult {
  const warnings: string[] = [];
  const damaged: { line: JournalLine; problem: string; appliedBefore: number }[] = [];
  let last = snapshotSeq;
  let first: number | null = null;
  let applied = 0;
  /** A damaged line since the last applied entry explains a hole in the numbering. */
  let damageSinceLast = false;
  for (const line of lines) {
    const prefix = seqOfLine(line.prefix);
    if (prefix !== null && prefix <= last) continue; // already in the snapshot, or applied from the other file
    const decoded = decodeEntry(line.text());
    if ('problem' in decoded) {
      damaged.push({ line, problem: decoded.problem, appliedBefore: applied });
      damageSinceLast = true;
      continue;
    }
    const { entry } = decoded;
    if (entry.seq <= last) continue;
    if (entry.seq > last + 1 && !damageSinceLast) {
      const missing = entry.seq - 1 > last + 1 ? `entries ${last + 1}-${entry.seq - 1}` : `entry ${last + 1}`;
      warnings.push(
        `the journal lacks ${missing}, which come after ${applied === 0 ? snapshotName : `entry ${last}`} and before ` +
          `the one at byte ${line.offset} of ${line.file} (was a journal file removed?); those changes are lost: ` +
          `a task may show an older state, or a meta value an older value.`,
      );
    }
    applyEntry(state, entry);
    first ??= entry.seq;
    last = entry.seq;
    applied++;
    damageSinceLast = false;
  }
  for (const d of damaged) {
    const after = applied - d.appliedBefore;
    const rest =
      after === 0
        ? 'skipped it; no entry follows it (if nightshift stopped while writing it, that change was never acknowledged).'
        : `skipped it and applied the ${after} ${after === 1 ? 'entry' : 'entries'} after it.`;
    warnings.push(
      `${d.line.file} has a damaged line at byte ${d.line.offset} (${d.problem}); ${rest} ` +
        `The change it held is lost: a task may show an older state, or a meta value an older value.`,
    );
  }
  return { lastSeq: last, firstSeq: first, applied, damaged: damaged.map((d) => d.line), warnings };
}
