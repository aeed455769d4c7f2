// One contract for every TaskStore: the same tests run against the lowdb store on disk, the
// PostgreSQL store on a real server, and the in-memory store, so a test double never drifts from
// the real thing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TaskStore } from '../src/core/ports.ts';
import type { Task, TaskStatus } from '../src/core/task.ts';
import { LowdbTaskStore, MemoryTaskStore, StoreNotOpenError } from '../src/store/index.ts';
import { makeTask } from './helpers/task-factory.ts';
import { testDatabase } from './helpers/postgres.ts';
import { PgTaskStore } from '../src/store/postgres/pg-task-store.ts';

interface StoreUnderTest {
  store: TaskStore;
  cleanup(): Promise<void>;
}

const at = (minute: number): string => new Date(Date.UTC(2026, 2, 2, 18, minute)).toISOString();

/** A task as the engine would hand it over: created at `minute`, last changed then too. */
const task = (n: number, status: TaskStatus = 'queued', minute = n, extra: Partial<Task> = {}): Task =>
  makeTask({ id: `t-${n}`, title: `Task ${n}`, status, createdAt: at(0), updatedAt: at(minute), ...extra });

const ids = (tasks: Task[]): string[] => tasks.map((t) => t.id);

function describeTaskStore(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`TaskStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: TaskStore;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
      await store.open();
    });

    afterEach(async () => {
      await store.close();
      await subject.cleanup();
    });

    it('opens a fresh store empty, without warnings', async () => {
      const fresh = await makeStore();
      try {
        expect(await fresh.store.open()).toEqual({ warnings: [], loadedVersion: null });
        expect(fresh.store.live()).toEqual([]);
        expect(await fresh.store.history()).toEqual([]);
        expect(fresh.store.getMeta('anything')).toBeUndefined();
      } finally {
        await fresh.store.close();
        await fresh.cleanup();
      }
    });

    it('refuses every call before open() and after close() with StoreNotOpenError', async () => {
      const unopened = await makeStore();
      try {
        expect(() => unopened.store.live()).toThrow(StoreNotOpenError);
        expect(() => unopened.store.getLive('t-1')).toThrow(StoreNotOpenError);
        expect(() => unopened.store.allocateIds(1)).toThrow(StoreNotOpenError);
        expect(() => unopened.store.getMeta('k')).toThrow(StoreNotOpenError);
        await expect(unopened.store.put(task(1))).rejects.toThrow(StoreNotOpenError);
        await expect(unopened.store.get('t-1')).rejects.toThrow(StoreNotOpenError);
        await expect(unopened.store.history()).rejects.toThrow(StoreNotOpenError);
        await expect(unopened.store.setMeta('k', 1)).rejects.toThrow(StoreNotOpenError);
        await unopened.store.open();
        await unopened.store.close();
        expect(() => unopened.store.live()).toThrow(/call open\(\) first/);
      } finally {
        await unopened.cleanup();
      }
    });

    it('allocates consecutive ids that are never handed out twice', () => {
      expect(store.allocateIds(3)).toEqual(['t-1', 't-2', 't-3']);
      expect(store.allocateIds(0)).toEqual([]);
      expect(store.allocateIds(1)).toEqual(['t-4']);
      expect(() => store.allocateIds(-1)).toThrow(RangeError);
    });

    it('never allocates an id that a put() already used', async () => {
      await store.put(task(41));
      expect(store.allocateIds(1)).toEqual(['t-42']);
    });

    it('lists live tasks in creation order (by id number), whatever order they were put in', async () => {
      await store.put(task(10));
      await store.put(task(2), task(9));
      await store.put(task(1, 'building'));
      expect(ids(store.live())).toEqual(['t-1', 't-2', 't-9', 't-10']);
    });

    it('updates a live task in place: the latest put wins', async () => {
      await store.put(task(1, 'queued'));
      await store.put(task(1, 'building', 5));
      expect(store.live()).toHaveLength(1);
      expect((await store.get('t-1'))?.status).toBe('building');
      expect(store.live()[0]?.updatedAt).toBe(at(5));
    });

    it('when one put() names a task twice, the last one wins', async () => {
      await store.put(task(1, 'queued'), task(1, 'building'));
      expect(store.live().map((t) => t.status)).toEqual(['building']);
    });

    it('keeps failed, escalated and awaiting tasks live', async () => {
      await store.put(task(1, 'failed'), task(2, 'escalated'), task(3, 'awaiting_approval'), task(4, 'building'));
      expect(ids(store.live())).toEqual(['t-1', 't-2', 't-3', 't-4']);
      expect(await store.history()).toEqual([]);
    });

    it('moves done, cancelled and rejected tasks out of live into history', async () => {
      await store.put(task(1), task(2), task(3), task(4));
      await store.put(task(1, 'done', 10));
      await store.put(task(2, 'cancelled', 11), task(3, 'rejected', 12));
      expect(ids(store.live())).toEqual(['t-4']);
      expect((await store.history()).map((t) => `${t.id}:${t.status}`)).toEqual(['t-3:rejected', 't-2:cancelled', 't-1:done']);
    });

    it('finds live and archived tasks with get(), and returns null for unknown ids', async () => {
      await store.put(task(1), task(2, 'done'));
      expect((await store.get('t-1'))?.status).toBe('queued');
      expect((await store.get('t-2'))?.status).toBe('done');
      expect(await store.get('t-3')).toBeNull();
      expect(await store.get('t-999999')).toBeNull();
    });

    it('returns history newest first, and honours limit', async () => {
      for (let n = 1; n <= 6; n++) await store.put(task(n, 'done', n));
      expect(ids(await store.history())).toEqual(['t-6', 't-5', 't-4', 't-3', 't-2', 't-1']);
      expect(ids(await store.history({ limit: 2 }))).toEqual(['t-6', 't-5']);
      expect(await store.history({ limit: 0 })).toEqual([]);
    });

    it('returns only tasks finished at or after `since`', async () => {
      for (let n = 1; n <= 6; n++) await store.put(task(n, 'done', n * 10));
      const since = new Date(at(30));
      expect(ids(await store.history({ since }))).toEqual(['t-6', 't-5', 't-4', 't-3']);
      expect(ids(await store.history({ since, limit: 2 }))).toEqual(['t-6', 't-5']);
      expect(await store.history({ since: new Date(at(61)) })).toEqual([]);
    });

    it('shows a task archived twice once in history, with its latest version', async () => {
      await store.put(task(1, 'done', 1), task(2, 'done', 2));
      await store.put(task(1, 'done', 3, { title: 'Task 1, archived again' }));
      const history = await store.history();
      expect(ids(history)).toEqual(['t-1', 't-2']);
      expect(history[0]?.title).toBe('Task 1, archived again');
      expect((await store.get('t-1'))?.title).toBe('Task 1, archived again');
    });

    it('brings a finished task back live (a cancelled task retried): live again, out of history until it finishes again', async () => {
      await store.put(task(1, 'cancelled', 1), task(2, 'done', 2));
      await store.put(task(1, 'queued', 3, { title: 'Task 1, back' }));
      expect(ids(store.live())).toEqual(['t-1']);
      expect((await store.get('t-1'))?.status).toBe('queued');
      expect(ids(await store.history())).toEqual(['t-2']);
      await store.put(task(1, 'done', 4, { title: 'Task 1, done at last' }));
      expect(store.live()).toEqual([]);
      const history = await store.history();
      expect(ids(history)).toEqual(['t-1', 't-2']);
      expect(history[0]?.title).toBe('Task 1, done at last');
    });

    it('applies a mixed put() of live and finished tasks together', async () => {
      await store.put(task(1), task(2));
      await store.put(task(1, 'done', 5), task(2, 'building', 5), task(3));
      expect(ids(store.live())).toEqual(['t-2', 't-3']);
      expect(ids(await store.history())).toEqual(['t-1']);
    });

    it('rejects a task that does not match the schema, and changes nothing', async () => {
      await store.put(task(1));
      const bad = { ...task(2), status: 'exploded' } as unknown as Task;
      await expect(store.put(task(1, 'building'), bad)).rejects.toThrow();
      expect(store.live().map((t) => `${t.id}:${t.status}`)).toEqual(['t-1:queued']);
    });

    it('hands out frozen tasks: changing one throws, and changing the caller\'s object after put() changes nothing', async () => {
      const original = task(1, 'queued', 1, { events: [{ at: at(1), type: 'created' }] });
      await store.put(original, task(2, 'done'));
      original.title = 'changed by the caller after put';
      original.events.push({ at: at(2), type: 'queued' });
      expect(Object.isFrozen(original)).toBe(false); // put() froze its own copy, not the caller's object

      const listed = store.live()[0] as Task;
      expect(() => (listed.title = 'changed through live()')).toThrow(TypeError);
      expect(() => listed.events.push({ at: at(3), type: 'queued' })).toThrow(TypeError);
      expect(() => ((listed.events[0] as { detail?: string }).detail = 'deep')).toThrow(TypeError);
      expect(() => (listed.origin.userId = 'someone else')).toThrow(TypeError);
      const got = (await store.get('t-1')) as Task;
      expect(() => (got.status = 'done')).toThrow(TypeError);
      const archived = (await store.get('t-2')) as Task;
      expect(() => (archived.title = 'changed through get()')).toThrow(TypeError);
      // history() may hand out fresh objects instead; either way the store does not change.
      const history = await store.history();
      try {
        (history[0] as Task).title = 'changed through history()';
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError);
      }

      const fresh = store.getLive('t-1') as Task;
      expect(fresh.title).toBe('Task 1');
      expect(fresh.status).toBe('queued');
      expect(fresh.events).toHaveLength(1);
      expect((await store.get('t-2'))?.title).toBe('Task 2');
      expect((await store.history())[0]?.title).toBe('Task 2');

      // The way to change a task: build a new object from the frozen one and put it.
      await store.put({ ...fresh, title: 'Task 1, renamed', events: [...fresh.events, { at: at(4), type: 'queued' }] });
      expect(store.getLive('t-1')?.title).toBe('Task 1, renamed');
      expect(store.getLive('t-1')?.events).toHaveLength(2);
    });

    it('live() is a new array each call: changing the array does not change the store', async () => {
      await store.put(task(1), task(2));
      const first = store.live();
      first.pop();
      first.sort(() => -1);
      expect(ids(store.live())).toEqual(['t-1', 't-2']);
      expect(store.live()).not.toBe(store.live());
    });

    it('getLive() returns the live task itself (no copy), and null for archived or unknown ids', async () => {
      await store.put(task(1, 'building'), task(2, 'done'));
      expect(store.getLive('t-1')?.status).toBe('building');
      expect(store.getLive('t-1')).toBe(store.live()[0]);
      expect(store.getLive('t-1')).toBe(await store.get('t-1'));
      expect(store.getLive('t-2')).toBeNull();
      expect(store.getLive('t-3')).toBeNull();
      await store.put(task(1, 'cancelled'));
      expect(store.getLive('t-1')).toBeNull();
    });

    it('stores meta values as JSON, as copies, and deletes them when set to undefined', async () => {
      const value = { lastSummaryAt: new Date(at(7)), seen: ['t-1'] };
      await store.setMeta('summary', value);
      value.seen.push('changed by the caller');
      const read = store.getMeta<{ lastSummaryAt: string; seen: string[] }>('summary');
      expect(read).toEqual({ lastSummaryAt: at(7), seen: ['t-1'] });
      read?.seen.push('changed through getMeta');
      expect(store.getMeta('summary')).toEqual({ lastSummaryAt: at(7), seen: ['t-1'] });

      await store.setMeta('summary', 42);
      expect(store.getMeta('summary')).toBe(42);
      await store.setMeta('summary', undefined);
      expect(store.getMeta('summary')).toBeUndefined();
      await expect(store.setMeta('fn', () => 1)).rejects.toThrow(/must be a JSON value/);
    });

    it('applies concurrent put() and setMeta() calls without losing any', async () => {
      const writes: Promise<void>[] = [];
      for (let n = 1; n <= 30; n++) {
        writes.push(store.put(task(n, n % 3 === 0 ? 'done' : 'queued')));
        if (n % 10 === 0) writes.push(store.setMeta(`m${n}`, n));
      }
      await Promise.all(writes);
      expect(store.live()).toHaveLength(20);
      expect(await store.history()).toHaveLength(10);
      expect([store.getMeta('m10'), store.getMeta('m20'), store.getMeta('m30')]).toEqual([10, 20, 30]);
    });
  });
}

describeTaskStore('LowdbTaskStore', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nightshift-store-conformance-'));
  return {
    store: new LowdbTaskStore({ dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeTaskStore('MemoryTaskStore', async () => ({
  store: new MemoryTaskStore(),
  cleanup: async () => {},
}));

// A real PostgreSQL (the suite's throwaway cluster, or TEST_DATABASE_URL): a fresh database each.
// The first asks the server up (on a fresh machine, after npm test has installed it): longer than a hook may wait.
beforeAll(async () => (await testDatabase()).drop(), 240_000);
describeTaskStore('PgTaskStore (PostgreSQL)', async () => {
  const db = await testDatabase();
  return {
    store: new PgTaskStore({ url: db.url }),
    cleanup: () => db.drop(),
  };
});
