// The dashboard in a real browser: Debian's Chromium (installed by `npm test` when missing),
// driven by playwright-core, against the real daemon with a fake Claude Code. A build goes from
// queued to done on the open page without a reload; the task page shows its attempts, summary,
// diff and log; the night and history charts are drawn; no token, no page. The screenshots in
// docs/screenshots are taken here (UPDATE_SCREENSHOTS=1 writes them there; otherwise to a temp dir).
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../src/core/task.ts';
import { cleanUpAgents, startDaemon } from './helpers/agent-env.ts';
import { cliEnv, runCli, type DaemonProcess } from './helpers/cli.ts';
import { makeTask } from './helpers/task-factory.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { toolReady } from './helpers/test-tools.ts';
import { FAKE_CLI_DIR } from './fixtures/fake-clis/harness.ts';

const TOKEN = 'test-dashboard-token-0123456789abcdef';
const SHOTS = process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL('../docs/screenshots/', import.meta.url)) : null;
let browser: Browser;

beforeAll(async () => {
  await toolReady('chromium');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // What this machine's closed network needs: no background connections, no update checks.
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 300_000);
afterAll(async () => browser?.close());
afterEach(cleanUpAgents);

const HOUR = 3_600_000;

/** What the test reads in the page (the suite's TypeScript has no DOM types; these run in the browser). */
interface Browserish {
  document: { querySelector(s: string): { textContent: string | null } | null; getElementById(id: string): unknown };
  sameDocument?: boolean;
  Chart?: { getChart(canvas: unknown): { data: { datasets: { data: unknown[] }[] } } | undefined };
}

/** A port free now, for a daemon that must come back on the same one. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** A night of finished work in the archive, so the timeline and history have something to draw. */
async function seedNight(home: string, now: number): Promise<{ attempts: number }> {
  const at = (h: number) => new Date(now - h * HOUR).toISOString();
  const attempt = (n: number, fromH: number, toH: number, outcome: 'succeeded' | 'failed', cost: number) => ({
    n,
    startedAt: at(fromH),
    endedAt: at(toH),
    outcome,
    reason: outcome === 'succeeded' ? 'Claude Code finished after 14 turns' : 'Claude Code reported an error: 3 tests failed',
    logPath: join(home, 'logs', 'seed.log'),
    builder: 'Claude Code',
    counts: true,
    durationMs: (fromH - toH) * HOUR,
    demo: false,
    usage: { inputTokens: 120_000, outputTokens: 6_000, costUsd: cost },
    resources: { wallMs: (fromH - toH) * HOUR, cpuMs: 400_000, peakRssBytes: 420 * 1024 * 1024, samples: 100 },
  });
  const tasks: Task[] = [
    ['Build the invoice CSV export', [attempt(1, 9, 8.2, 'succeeded', 1.84)]],
    ['Add dark mode to the settings page', [attempt(1, 8, 7.7, 'failed', 0.61), attempt(2, 7.6, 6.9, 'succeeded', 1.2)]],
    ['Fix the flaky login test', [attempt(1, 6.5, 6.2, 'succeeded', 0.4)]],
    ['Migrate the billing cron to the queue', [attempt(1, 6, 4.9, 'succeeded', 2.9)]],
    ['Write the onboarding email templates', [attempt(1, 4.5, 4.1, 'succeeded', 0.75)]],
    ['Upgrade the charting library', [attempt(1, 3.8, 3.5, 'failed', 0.3), attempt(2, 3.4, 2.6, 'succeeded', 1.1)]],
  ].map(([title, attempts], i) =>
    makeTask({
      id: `t-${i + 1}`,
      title: title as string,
      request: `build: ${(title as string).toLowerCase()}`,
      spec: `build: ${(title as string).toLowerCase()}`,
      status: 'done',
      createdAt: at(10),
      updatedAt: (attempts as { endedAt: string }[]).at(-1)!.endedAt,
      attempts: attempts as Task['attempts'],
    }),
  );
  await runCli(['status'], cliEnv(home)); // a store to add the archive to
  await writeFile(join(home, 'archive.jsonl'), tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
  return { attempts: tasks.reduce((n, t) => n + t.attempts.length, 0) };
}

async function dashboard(home: string, port = '0'): Promise<{ d: DaemonProcess; url: string; gate: string; env: NodeJS.ProcessEnv }> {
  const gate = join(home, 'gate');
  const env = cliEnv(home, {
    PATH: [FAKE_CLI_DIR, process.env.PATH ?? ''].join(delimiter),
    AGENT_SANDBOXED: 'true',
    BUILDER: 'claude',
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    BUILDER_ENV_ALLOW: 'FAKE_CLI_STEP_MS,FAKE_CLI_GATE',
    FAKE_CLI_STEP_MS: '60',
    FAKE_CLI_GATE: gate,
    DASHBOARD_PORT: port,
    DASHBOARD_TOKEN: TOKEN,
  });
  const d = startDaemon(env);
  await d.waitForOutput(/Type a request/);
  const url = /Dashboard: (http:\/\/\S+?)\/? /.exec(d.stdout)?.[1];
  if (!url) throw new Error(`no dashboard address in:\n${d.stdout}\n${d.stderr}`);
  return { d, url, gate, env };
}

async function shot(page: Page, name: string): Promise<void> {
  const dir = SHOTS ?? (await tempDir());
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  await page.screenshot({ path: file, fullPage: true });
  expect((await readFile(file)).subarray(1, 4).toString()).toBe('PNG');
}

describe('the dashboard in Chromium', () => {
  it('a build goes from queued to done on the open page without a reload; its page shows attempts, summary, diff and log', { timeout: 90_000 }, async () => {
    const home = await tempDir();
    await seedNight(home, Date.now());
    const { d, url, gate } = await dashboard(home);
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000); // a wait that fails names itself before the test's own timeout
    await page.goto(`${url}/?token=${TOKEN}`);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar for a cookie
    await page.waitForSelector('body[data-live-connected="1"]');
    await page.evaluate(() => ((globalThis as unknown as Browserish).sameDocument = true)); // gone if the page reloads

    d.type('urgent: build the Stripe webhook handler');
    d.type('low priority: tidy up the README');
    await page.waitForSelector('.running[data-task="t-7"]');
    // Progress moves in place: the step the agent is on, read from its stream. The fake agent
    // stops at its gate on "Run the tests" (its todo list's step in progress); the steps before it
    // go by too fast to be caught every time.
    await page.waitForFunction(() => /working on: Run the tests/.test((globalThis as unknown as Browserish).document.querySelector('.running[data-task="t-7"] [data-step]')?.textContent ?? ''));
    await page.waitForSelector('tr[data-task="t-8"]'); // waiting for approval, in the queue with why
    expect(await page.textContent('tr[data-task="t-8"]')).toMatch(/waiting for your approval/);
    await shot(page, 'dashboard-now.png');

    // The build's own page, while it runs: the agent's plan (its todo list) as a checklist.
    const live = await context.newPage();
    live.setDefaultTimeout(20_000);
    await live.goto(`${url}/tasks/t-7`);
    await live.waitForSelector('ul.plan li.in_progress');
    expect(await live.textContent('ul.plan li.done')).toMatch(/Write the feature/);
    expect(await live.textContent('ul.plan li.in_progress')).toMatch(/Run the tests/);
    await live.close();

    await writeFile(gate, 'go');
    await page.waitForSelector('tr[data-task="t-7"] .pill.done');
    expect(await page.evaluate(() => (globalThis as unknown as Browserish).sameDocument)).toBe(true);
    expect(await page.$('.running[data-task="t-7"]')).toBeNull();
    // The console's "done" line points at the task's page, not a local log path.
    expect(d.stdout).toMatch(new RegExp(`t-7 "Build the Stripe webhook handler" is done .* · ${url.replace(/[.]/g, '\\.')}/tasks/t-7`));

    await page.click('a[href="/tasks/t-7"]');
    await page.waitForSelector('h1 .pill.done');
    const text = (await page.textContent('main')) ?? '';
    expect(text).toMatch(/Attempts/);
    expect(text).toMatch(/succeeded/);
    expect(text).toMatch(/Claude Code finished after 9 turns/);
    expect(text).toMatch(/\$0\.41/); // the cost the agent reported
    expect(text).toMatch(/Added src\/feature\.ts and committed it/); // its summary
    expect(await page.textContent('ul.plan')).toMatch(/Write the feature[\s\S]*Run the tests/); // the plan it left
    expect(await page.textContent('.d2h-file-name')).toBe('src/feature.ts'); // the diff, rendered
    expect(await page.textContent('#log')).toMatch(/Added src\/feature\.ts/); // the log's words, not its JSON
    const log = await page.request.get(`${url}/tasks/t-7/attempts/1/log`);
    expect(log.status()).toBe(200);
    expect(await log.text()).toMatch(/"type":"result"/); // the whole raw log is a link away
    await shot(page, 'dashboard-task.png');

    // The owner (holding the token) approves from the page.
    await page.goto(`${url}/tasks/t-8`);
    await page.click('button[data-action="approve"]');
    await page.waitForFunction(() => !/waiting for approval/.test((globalThis as unknown as Browserish).document.querySelector('h1 .pill')?.textContent ?? ''));
    await context.close();
  });

  it('a page open while nightshift restarts catches up once it is back: what changed meanwhile is shown', async () => {
    const home = await tempDir();
    const port = await freePort();
    const first = await dashboard(home, String(port));
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${first.url}/?token=${TOKEN}`);
    await page.waitForSelector('body[data-live-connected="1"]');
    first.d.child.kill('SIGTERM');
    await first.d.exited;
    await page.waitForFunction(() => /reconnecting/.test((globalThis as unknown as Browserish).document.querySelector('#live-state')?.textContent ?? ''));
    // A task added while nightshift is down: no event of it ever reaches the page.
    expect((await runCli(['add', 'tidy up the README', '--priority', 'low'], first.env)).stdout).toMatch(/t-1 /);
    await dashboard(home, String(port)); // the page's EventSource connects again by itself
    await page.waitForSelector('tr[data-task="t-1"]');
    expect(await page.textContent('tr[data-task="t-1"]')).toMatch(/waiting for your approval/);
    await context.close();
  });

  it('the night timeline and the history charts are drawn from the archive', async () => {
    const home = await tempDir();
    const { attempts } = await seedNight(home, Date.now());
    const { url } = await dashboard(home);
    const context = await browser.newContext({ viewport: { width: 1200, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${url}/night?token=${TOKEN}`);
    await page.waitForFunction(() => Boolean((globalThis as unknown as Browserish).Chart?.getChart((globalThis as unknown as Browserish).document.getElementById('night-chart'))));
    const drawn = await page.evaluate(() => (globalThis as unknown as Browserish).Chart?.getChart((globalThis as unknown as Browserish).document.getElementById('night-chart'))?.data.datasets[0]?.data.length);
    expect(drawn).toBe(attempts); // one bar per attempt
    await shot(page, 'dashboard-night.png');
    await page.goto(`${url}/history`);
    await page.waitForFunction(() => Boolean((globalThis as unknown as Browserish).Chart?.getChart((globalThis as unknown as Browserish).document.getElementById('builder-chart'))));
    expect(await page.textContent('main')).toMatch(/6 finished tasks · 6 done/);
    await shot(page, 'dashboard-history.png');
    await context.close();
  });

  it('with a token set, a request without it is refused, and actions need it', async () => {
    const home = await tempDir();
    const { url } = await dashboard(home);
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused = await page.goto(`${url}/`);
    expect(refused?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/needs its token \(DASHBOARD_TOKEN\)/);
    expect((await fetch(`${url}/api/tasks`)).status).toBe(401);
    expect((await fetch(`${url}/api/tasks`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    // Holding the token is not enough to act: the page's own script sends a header no other site can.
    expect((await fetch(`${url}/tasks/t-1/cancel`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(403);
    // Another name for this machine (DNS rebinding) is not served.
    const status = await new Promise<number | undefined>((resolve, reject) =>
      request(`${url}/`, { headers: { host: 'evil.example', authorization: `Bearer ${TOKEN}` } }, (res) => resolve(res.resume().statusCode)).on('error', reject).end(),
    );
    expect(status).toBe(421);
    await context.close();
  });
});

// The screenshots the README shows exist (UPDATE_SCREENSHOTS=1 npm test refreshes them).
describe('the README screenshots', () => {
  it('are in docs/screenshots', () => {
    for (const name of ['dashboard-now.png', 'dashboard-task.png', 'dashboard-night.png']) {
      expect(existsSync(fileURLToPath(new URL(`../docs/screenshots/${name}`, import.meta.url))), name).toBe(true);
    }
  });
});
