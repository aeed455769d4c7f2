// TaskStore in memory: the same behaviour as LowdbTaskStore without a disk, for fast tests of
// the modules that use a store. State survives close() and open() on the same instance.
import type { HistoryQuery, StoreOpenReport, TaskStore } from '../core/ports.ts';
import { isTerminal, Task, taskNumber, type TaskId } from '../core/task.ts';
import { StoreNotOpenError } from './errors.ts';
import { collectHistory } from './history.ts';
import { LiveSet } from './live-set.ts';
import { takeIds, deepFreeze, lastPerId, toStoredMetaValue } from './values.ts';

export class MemoryTaskStore implements TaskStore {
  private isOpen = false;
  private readonly liveTasks = new LiveSet();
  /** Finished tasks in the order they finished, like archive.jsonl (frozen, like every stored task). */
  private readonly archive: Task[] = [];
  private readonly meta = new Map<string, unknown>();
  private nextId = 1;

  async open(): Promise<StoreOpenReport> {
    if (this.isOpen) throw new Error('the memory task store is already open');
    this.isOpen = true;
    return { warnings: [], loadedVersion: null };
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  allocateIds(count: number): TaskId[] {
    this.requireOpen('allocateIds');
    const taken = takeIds(this.nextId, count);
    this.nextId = taken.next;
    return taken.ids;
  }

  live(): Task[] {
    this.requireOpen('live');
    return this.liveTasks.values();
  }

  getLive(id: TaskId): Task | null {
    this.requireOpen('getLive');
    return this.liveTasks.get(id) ?? null;
  }

  async get(id: TaskId): Promise<Task | null> {
    this.requireOpen('get');
    const live = this.liveTasks.get(id);
    if (live) return live;
    for (let i = this.archive.length - 1; i >= 0; i--) {
      const t = this.archive[i];
      if (t?.id === id) return t;
    }
    return null;
  }

  async put(...tasks: Task[]): Promise<void> {
    this.requireOpen('put');
    for (const task of lastPerId(tasks.map((t) => deepFreeze(Task.parse(t))))) {
      this.nextId = Math.max(this.nextId, taskNumber(task.id) + 1);
      if (isTerminal(task.status)) {
        this.archive.push(task);
        this.liveTasks.delete(task.id);
      } else {
        this.liveTasks.set(task);
      }
    }
  }

  async history(query: HistoryQuery = {}): Promise<Task[]> {
    this.requireOpen('history');
    return collectHistory(newestFirst(this.archive), query, (id) => this.liveTasks.get(id) !== undefined);
  }

  getMeta<T = unknown>(key: string): T | undefined {
    this.requireOpen('getMeta');
    return this.meta.has(key) ? (structuredClone(this.meta.get(key)) as T) : undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.requireOpen('setMeta');
    if (value === undefined) this.meta.delete(key);
    else this.meta.set(key, toStoredMetaValue(key, value));
  }

  private requireOpen(method: string): void {
    if (!this.isOpen) throw new StoreNotOpenError(method);
  }
}

function* newestFirst(tasks: readonly Task[]): Generator<Task> {
  for (let i = tasks.length - 1; i >= 0; i--) yield tasks[i] as Task;
}
