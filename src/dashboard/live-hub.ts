// Server-sent events for every open page: a task that changes ("task"), a build's newest progress
// ("progress", as often as the engine announces it: at most every 250 ms a build), and for a page
// that watches one running task, the new lines of its log ("log"), read when its progress moves.
// Each event is serialised once, whatever the number of pages; a page that cannot keep up loses
// nothing that matters (the next "task" event re-renders it).
import { open } from 'node:fs/promises';
import type { Engine } from '../core/engine.ts';
import type { CoreEvent } from '../core/ports.ts';
import { readableTail } from '../core/readable-tail.ts';

export interface LiveClient {
  send(event: string, data: string): void;
  /** The task whose log this page follows, if any. */
  watching?: string;
  /** How far into that task's current log it has been sent. */
  logOffset?: { path: string; bytes: number };
}

/** How much new log one read sends at most: a flood is cut to its end. */
const MAX_LOG_READ = 64 * 1024;

export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly unsubscribe: () => void;

  constructor(private readonly engine: Engine) {
    this.unsubscribe = engine.subscribe({ announce: (e) => this.onEvent(e) });
  }

  get size(): number {
    return this.clients.size;
  }

  async add(client: LiveClient): Promise<void> {
    if (client.watching) {
      const path = this.currentLog(client.watching);
      if (path) client.logOffset = { path, bytes: await sizeOf(path) };
    }
    this.clients.add(client);
  }

  remove(client: LiveClient): void {
    this.clients.delete(client);
  }

  close(): void {
    this.unsubscribe();
    this.clients.clear();
  }

  private currentLog(id: string): string | undefined {
    const task = this.engine.liveTask(id);
    const a = task?.attempts.at(-1);
    return a?.outcome === 'running' ? a.logPath : undefined;
  }

  private broadcast(event: string, payload: unknown): void {
    if (this.clients.size === 0) return;
    const data = JSON.stringify(payload);
    for (const c of this.clients) c.send(event, data);
  }

  private onEvent(e: CoreEvent): void {
    switch (e.type) {
      case 'progress':
        this.broadcast('progress', { id: e.task.id, percent: e.progress.percent, message: e.progress.message, ...(e.progress.plan ? { plan: e.progress.plan } : {}) });
        this.followLogs(e.task.id);
        return;
      case 'task_created':
      case 'task_changed':
        this.broadcast('task', { id: e.task.id, status: e.task.status, event: e.type === 'task_changed' ? e.event.type : 'created' });
        this.followLogs(e.task.id);
        return;
      default:
        return;
    }
  }

  /** Sends each page that follows this task's log what was written since it last looked. */
  private followLogs(id: string): void {
    for (const c of this.clients) {
      if (c.watching !== id) continue;
      const path = this.currentLog(id) ?? c.logOffset?.path;
      if (!path) continue;
      if (c.logOffset?.path !== path) c.logOffset = { path, bytes: 0 }; // a new attempt, a new log
      void this.sendNewLines(c, c.logOffset);
    }
  }

  private async sendNewLines(c: LiveClient, at: { path: string; bytes: number }): Promise<void> {
    const handle = await open(at.path, 'r').catch(() => null);
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      if (size <= at.bytes) return;
      const from = Math.max(at.bytes, size - MAX_LOG_READ);
      const buf = Buffer.alloc(size - from);
      await handle.read(buf, 0, buf.length, from);
      // Only whole lines: the rest is read next time.
      const text = buf.toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) return;
      at.bytes = from + Buffer.byteLength(text.slice(0, end + 1));
      const lines = readableTail(text.slice(0, end), 200);
      if (lines.length) c.send('log', JSON.stringify({ id: c.watching, lines }));
    } finally {
      await handle.close();
    }
  }
}

async function sizeOf(path: string): Promise<number> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return 0;
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}
