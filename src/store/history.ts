// The one definition of history(): shared by every TaskStore implementation so they agree.
import type { HistoryQuery } from '../core/ports.ts';
import type { Task } from '../core/task.ts';

/**
 * Picks history from archived tasks given newest first (the archive's finishing order, reversed).
 * A task archived twice (a crash recovery re-appends) counts once, at its latest line. The scan
 * stops at the first task that finished before `since`: the archive is in finishing order, and
 * a task's finish time is its `updatedAt`.
 */
export async function collectHistory(
  newestFirst: AsyncIterable<Task | null> | Iterable<Task | null>,
  query: HistoryQuery = {},
  /** Tasks live again (a cancelled task retried): their archived versions are not history now. */
  isLive: (id: Task['id']) => boolean = () => false,
): Promise<Task[]> {
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const sinceMs = query.since?.getTime();
  const out: Task[] = [];
  if (limit <= 0) return out;
  const seen = new Set<string>();
  for await (const task of newestFirst) {
    if (task === null || seen.has(task.id)) continue;
    seen.add(task.id);
    if (isLive(task.id)) continue;
    if (sinceMs !== undefined && Date.parse(task.updatedAt) < sinceMs) break;
    out.push(task);
    if (out.length >= limit) break;
  }
  return out;
}
