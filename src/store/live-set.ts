// The live tasks in memory, kept in creation order (by id number) as they are inserted, so
// listing them never sorts: an update keeps its place, a new task with the highest id so far goes
// to the end (how the engine allocates ids), and only an insert below that (rare: a hand-made
// put, a repair) marks the order stale, to be restored once by the next listing.
import { taskNumber, type Task, type TaskId } from '../core/task.ts';
import { byCreationOrder } from './values.ts';

export class LiveSet {
  private byId = new Map<TaskId, Task>();
  /** The highest id number inserted so far (not lowered by deletes: at worst a needless re-sort). */
  private highest = 0;
  private ordered = true;

  get size(): number {
    return this.byId.size;
  }

  get(id: TaskId): Task | undefined {
    return this.byId.get(id);
  }

  /** Inserts or replaces a task. The caller hands over a frozen task it will not change. */
  set(task: Task): void {
    if (!this.byId.has(task.id)) {
      const n = taskNumber(task.id);
      if (n < this.highest) this.ordered = false;
      else this.highest = n;
    }
    this.byId.set(task.id, task);
  }

  clear(): void {
    this.byId.clear();
    this.highest = 0;
    this.ordered = true;
  }

  delete(id: TaskId): boolean {
    return this.byId.delete(id);
  }

  /** Every task in creation order, as a new array (the tasks themselves are shared and frozen). */
  values(): Task[] {
    if (!this.ordered) {
      this.byId = new Map([...this.byId.entries()].sort(([, a], [, b]) => byCreationOrder(a, b)));
      this.ordered = true;
    }
    return [...this.byId.values()];
  }

  /** The tasks in insertion order, without restoring creation order: for scans that do not care. */
  unordered(): IterableIterator<Task> {
    return this.byId.values();
  }
}
