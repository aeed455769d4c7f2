// The dashboard: served by the daemon on DASHBOARD_HOST:DASHBOARD_PORT with Hono (small, fast, no
// dependencies of its own, standard Request/Response) on Node's http server. Pages are rendered on
// the server (hono/html escapes every value); one small script keeps them live from server-sent
// events. Read-only unless DASHBOARD_TOKEN is set (auth.ts).
import { open } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { streamSSE } from 'hono/streaming';
import type { DashboardConfig } from '../config.ts';
import type { Engine } from '../core/engine.ts';
import type { Logger, TaskLinks } from '../core/ports.ts';
import { readableTail } from '../core/readable-tail.ts';
import { readEnd } from '../file-tail.ts';
import { describeStart } from '../core/schedule.ts';
import { parseTaskId, type Task } from '../core/task.ts';
import { asset } from './assets.ts';
import { actionAllowed, tokenGate, type DashboardEnv } from './auth.ts';
import { branchDiff } from './diff.ts';
import { LiveHub, type LiveClient } from './live-hub.ts';
import { historyPage, nightPage } from './pages/charts-page.ts';
import { board, overviewPage } from './pages/overview-page.ts';
import { taskPage } from './pages/task-page.ts';
import { historyStats, overview, timeline } from './view-model.ts';

export interface DashboardDeps {
  engine: Engine;
  config: DashboardConfig;
  logger: Logger;
  /** For git (the diff): the environment nightshift's own git calls use. */
  toolEnv: Record<string, string>;
}

export interface Dashboard {
  url: string;
  links: TaskLinks;
  hub: LiveHub;
  close(): Promise<void>;
}

/** How much history the pages read: the queue page shows the newest few, the charts up to this many. */
const RECENT = 12;
const HISTORY_LIMIT = 2_000;
const LOG_TAIL_BYTES = 24 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

async function tailOf(path: string | undefined): Promise<string> {
  return path ? readableTail(await readEnd(path, LOG_TAIL_BYTES), 60).join('\n') : '';
}

export function dashboardApp(deps: DashboardDeps, hub: LiveHub, allowedHosts: () => Set<string>): Hono<DashboardEnv> {
  const { engine } = deps;
  const tz = () => engine.policy.timeZone;
  const app = new Hono<DashboardEnv>();

  app.use('*', async (c, next) => {
    // A page on another site cannot reach a loopback dashboard through DNS rebinding: the Host must be ours.
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!allowedHosts().has(host)) return c.text(`nightshift's dashboard does not answer for the host "${host}" (set DASHBOARD_URL to the address you use)\n`, 421);
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    return undefined;
  });
  app.use('*', tokenGate(deps.config.token));

  app.get('/assets/:name', (c) => {
    const a = asset(c.req.param('name'));
    if (!a) return c.notFound();
    return c.body(a.body, 200, { 'content-type': a.type, 'cache-control': 'public, max-age=3600' });
  });

  app.get('/', async (c) => {
    const now = engine.now();
    const view = overview(engine.live(), engine.latestSchedule(), now, engine.policy, (id) => engine.progressOf(id));
    const recent = await engine.history({ limit: RECENT });
    const input = { view, recent, now, timeZone: tz(), builderName: engine.builderName };
    return c.html(c.req.query('fragment') === 'board' ? board(input) : overviewPage(input));
  });

  app.get('/night', async (c) => {
    const now = engine.now();
    const from = new Date(now.getTime() - 24 * 3_600_000);
    const tasks = [...engine.live(), ...(await engine.history({ since: from, limit: HISTORY_LIMIT }))];
    return c.html(nightPage(timeline(tasks, from, now, now, engine.policy), tz()));
  });

  app.get('/history', async (c) => {
    const finished = (await engine.history({ limit: HISTORY_LIMIT })).reverse();
    return c.html(historyPage(historyStats(finished), tz(), finished.length));
  });

  const findTask = async (raw: string): Promise<Task | null> => {
    const id = parseTaskId(raw);
    return id ? (engine.liveTask(id) ?? (await engine.get(id))) : null;
  };

  app.get('/tasks/:id', async (c) => {
    const task = await findTask(c.req.param('id'));
    if (!task) return c.html(html`<!doctype html><meta charset="utf-8"><title>No such task</title><p>There is no task ${c.req.param('id')}. <a href="/">Back to the queue</a></p>`, 404);
    const now = engine.now();
    const waiting = ['queued', 'failed', 'awaiting_approval'].includes(task.status);
    return c.html(
      taskPage({
        task,
        now,
        timeZone: tz(),
        progress: engine.progressOf(task.id),
        nextStep: waiting ? describeStart(task, now, engine.policy, engine.latestSchedule()) : null,
        diff: await branchDiff(task.deliverables, deps.toolEnv),
        logTail: await tailOf(task.attempts.at(-1)?.logPath),
        canAct: c.get('canAct'),
      }),
    );
  });

  app.get('/tasks/:id/attempts/:n/log', async (c) => {
    const task = await findTask(c.req.param('id'));
    const attempt = task?.attempts.find((a) => String(a.n) === c.req.param('n'));
    if (!task || !attempt) return c.text('No such attempt.\n', 404);
    const handle = await open(attempt.logPath, 'r').catch(() => null);
    if (!handle) return c.text(`The log of ${task.id} attempt ${attempt.n} is gone (${attempt.logPath}).\n`, 404);
    try {
      return c.body(await handle.readFile(), 200, { 'content-type': 'text/plain; charset=utf-8' });
    } finally {
      await handle.close();
    }
  });

  app.get('/api/tasks', (c) => c.json(engine.live()));

  app.post('/tasks/:id/:verb{approve|cancel|retry|accept}', async (c) => {
    if (!actionAllowed(c)) return c.text('Approve, cancel, retry and accept need the dashboard token (DASHBOARD_TOKEN); without it, use chat or the CLI.\n', 403);
    const id = parseTaskId(c.req.param('id'));
    if (!id) return c.text('That is not a task id.\n', 400);
    const by = 'owner (dashboard)';
    const verb = c.req.param('verb');
    const r = verb === 'approve' ? await engine.approve(id, by) : verb === 'cancel' ? await engine.cancel(id, by) : verb === 'accept' ? await engine.accept(id, by) : await engine.retry(id, by);
    return r.ok ? c.text(`${id}: ${r.value.status}\n`) : c.text(`${r.error.message}\n`, 409);
  });

  app.get('/events', (c) => {
    const watching = parseTaskId(c.req.query('task') ?? '') ?? undefined;
    return streamSSE(c, async (stream) => {
      const client: LiveClient = {
        send: (event, data) => void stream.writeSSE({ event, data }).catch(() => undefined),
        ...(watching ? { watching } : {}),
      };
      await hub.add(client);
      await stream.writeSSE({ event: 'hello', data: '{}' });
      const beat = setInterval(() => void stream.write(': still here\n\n').catch(() => undefined), 25_000);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      clearInterval(beat);
      hub.remove(client);
    });
  });

  app.notFound((c) => c.text('Not found.\n', 404));
  app.onError((e, c) => {
    deps.logger.error('the dashboard failed to answer a request', { path: c.req.path, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    return c.text('The dashboard could not answer that; the error is in nightshift.log.\n', 500);
  });
  return app;
}

/** Listens, or rejects with an error naming the setting to change (a port in use). */
export async function startDashboard(deps: DashboardDeps): Promise<Dashboard> {
  const hub = new LiveHub(deps.engine);
  let hosts = new Set<string>();
  const app = dashboardApp(deps, hub, () => hosts);
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(deps.config.port, deps.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    hub.close();
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${deps.config.port} is in use` : code === 'EADDRNOTAVAIL' ? `this machine has no address ${deps.config.host}` : code === 'EACCES' ? `port ${deps.config.port} needs privileges` : String(e);
    throw new Error(`the dashboard could not listen on ${deps.config.host}:${deps.config.port} (${why}); set DASHBOARD_PORT to another port, 0 for any free one, or off`);
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = deps.config.host.includes(':') ? `[${deps.config.host}]` : deps.config.host;
  const url = `http://${shownHost}:${port}`;
  const base = deps.config.publicUrl ?? url;
  hosts = new Set([`${shownHost}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, ...(deps.config.publicUrl ? [new URL(deps.config.publicUrl).host] : [])].map((h) => h.toLowerCase()));
  const links: TaskLinks = {
    home: `${base}/`,
    task: (id) => `${base}/tasks/${id}`,
    log: (id, n) => `${base}/tasks/${id}/attempts/${n}/log`,
  };
  return {
    url,
    links,
    hub,
    async close() {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
