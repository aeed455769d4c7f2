// Copies handed across the store boundary, so callers cannot change stored state by accident.
import { taskNumber, type Task } from '../core/task.ts';

/** A deep copy of a meta value as it will read back from disk: JSON in, JSON out. */
export function toStoredMetaValue(key: string, value: unknown): unknown {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`meta "${key}" must be a JSON value (got ${typeof value})`);
  return JSON.parse(json) as unknown;
}

export const byCreationOrder = (a: Task, b: Task): number => taskNumber(a.id) - taskNumber(b.id);

/** The last occurrence of each id wins when one put() names a task twice. */
export function lastPerId(tasks: readonly Task[]): Task[] {
  const byId = new Map<string, Task>();
  for (const t of tasks) {
    byId.delete(t.id);
    byId.set(t.id, t);
  }
  return [...byId.values()];
}

export function checkIdCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`allocateIds(count): count must be a whole number ≥ 0, got ${count}`);
}
