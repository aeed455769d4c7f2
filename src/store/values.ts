// What crosses the store boundary: tasks are frozen once when stored and handed out as they are;
// meta values are JSON copies in both directions.
import { formatTaskId, taskNumber, type Task, type TaskId } from '../core/task.ts';

/** A deep copy of a meta value as it will read back from disk: JSON in, JSON out. */
export function toStoredMetaValue(key: string, value: unknown): unknown {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`meta "${key}" must be a JSON value (got ${typeof value})`);
  return JSON.parse(json) as unknown;
}

/**
 * Freezes a value and everything it holds, so a task handed out can be shared with every reader:
 * changing it throws a TypeError (modules are strict) instead of changing the store. Only for
 * values the store owns (fresh from Task.parse or JSON.parse): it freezes in place.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
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

/** `count` ids from number `next` on (t-next, t-next+1, …), and the next number after them. */
export function takeIds(next: number, count: number): { ids: TaskId[]; next: number } {
  checkIdCount(count);
  const ids: TaskId[] = [];
  for (let i = 0; i < count; i++) ids.push(formatTaskId(next + i));
  return { ids, next: next + count };
}
