// A real engine on a real store in a temp dir, with a real CommandBuilder running a fake agent.
// Records every announcement, and what was on disk at the moment of each one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/core/engine.ts';
import { defaultPolicy, type Policy } from '../../src/core/policy.ts';
import { systemClock, silentLogger, type CoreEvent } from '../../src/core/ports.ts';
import type { TaskDraft } from '../../src/core/task.ts';
import { LowdbTaskStore } from '../../src/store/index.ts';
import type { agent } from './agents.ts';
import { fakeAgentBuilder } from './builders.ts';
import { tempDir } from './temp-dir.ts';

export interface Harness {
  engine: Engine;
  store: LowdbTaskStore;
  dir: string;
  events: CoreEvent[];
  /** For each announcement about a task (not progress): was its status already on disk then? */
  onDiskWhenAnnounced: boolean[];
  close(): Promise<void>;
}

export function draft(title: string, overrides: Partial<TaskDraft> = {}): TaskDraft {
  return { title, request: title.toLowerCase(), priority: 'high', priorityReason: 'said "urgent"', deadline: null, deadlinePhrase: null, estimateMs: null, ...overrides };
}

/** Whether the task's newest state on disk (db.json snapshot, then its journal, or the archive) has this status. */
function onDisk(dir: string, id: string, status: string): boolean {
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const lines = (f: string) => read(f).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const live = read('db.json');
  const doc = live ? (JSON.parse(live) as { tasks: { id: string; status: string }[] }) : { tasks: [] };
  let newest = doc.tasks.find((t) => t.id === id)?.status;
  for (const entry of lines('db.journal.jsonl') as { put?: { id: string; status: string }[]; archived?: string[] }[]) {
    newest = entry.put?.find((t) => t.id === id)?.status ?? (entry.archived?.includes(id) ? undefined : newest);
  }
  if (newest === status) return true;
  return (lines('archive.jsonl') as { id: string; status: string }[]).some((t) => t.id === id && t.status === status);
}

export async function makeHarness(
  script: Parameters<typeof agent>[0],
  policy: Partial<Policy> = {},
  env: Record<string, string> = {},
  dir?: string,
  builderOpts: Parameters<typeof fakeAgentBuilder>[2] = {},
  engineOpts: Pick<ConstructorParameters<typeof Engine>[0], 'redact'> = {},
): Promise<Harness> {
  const home = dir ?? (await tempDir());
  const store = new LowdbTaskStore({ dir: home });
  await store.open();
  const builder = fakeAgentBuilder(script, home, { env: { PATH: process.env.PATH ?? '', ...env }, ...builderOpts });
  const engine = new Engine({
    store,
    builder,
    policy: defaultPolicy({ timeZone: 'UTC', quietHours: { start: 0, end: 0 }, retryBackoffMs: [100, 200], tickMs: 3_600_000, ...policy }),
    clock: systemClock,
    logger: silentLogger,
    runBuilds: true,
    ...engineOpts,
  });
  const events: CoreEvent[] = [];
  const onDiskWhenAnnounced: boolean[] = [];
  engine.subscribe({
    announce(ev) {
      events.push(ev);
      if (ev.type !== 'progress' && ev.type !== 'summary_due') onDiskWhenAnnounced.push(onDisk(home, ev.task.id, ev.task.status));
    },
  });
  await engine.start();
  return {
    engine,
    store,
    dir: home,
    events,
    onDiskWhenAnnounced,
    async close() {
      await engine.shutdown(0);
      await store.close();
    },
  };
}
