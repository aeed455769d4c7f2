// The built `nightshift` as a user runs it: the compiled output (no TypeScript at run time), a
// version, stack traces that name src/ lines, and each command loading only what it uses.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../src/builders/process-tree.ts';
import { agent, hangPids, waitFor } from './helpers/agents.ts';
import { keeperRecorded } from './helpers/agent-env.ts';
import { cliEnv, DaemonProcess, runCli } from './helpers/cli.ts';
import { killStrays } from './helpers/strays.ts';
import { tempDir } from './helpers/temp-dir.ts';

const RECORDER = fileURLToPath(new URL('./fixtures/loader/record-imports.mjs', import.meta.url));
const PACKAGE = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) {
    d.child.kill('SIGKILL');
    await d.exited;
    killStrays(d.home);
  }
});

/** Runs the binary with every loaded module recorded; returns the npm packages and our own files it loaded. */
async function loadedBy(args: string[], env: NodeJS.ProcessEnv): Promise<{ packages: Set<string>; files: string[]; stdout: string; stderr: string; code: number | null }> {
  const record = join(env.NIGHTSHIFT_HOME ?? '', `imports-${args.join('-')}.txt`);
  const r = await runCli(args, { ...env, RECORD_IMPORTS_FILE: record, NODE_OPTIONS: `--import=${RECORDER}` });
  const urls = (await readFile(record, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  // A package bundled into dist/vendor (scripts/build.mjs) counts as that package: "chrono-node__en.js" is chrono-node.
  const vendored = (u: string) => /\/dist\/vendor\/(?!chunk-)((?:@[^/_]+__)?[^/_]+)(?:__[^/]+)?\.js$/.exec(u)?.[1]?.replace('__', '/');
  const packages = new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? vendored(u) ?? []));
  const files = urls.filter((u) => !u.includes('node_modules') && !u.includes('/dist/vendor/'));
  return { packages, files, ...r };
}

const HEAVY = ['@slack/bolt', 'discord.js', 'chrono-node', 'pidusage', 'pidtree', 'bottleneck', 'date-fns-tz', 'tsx', 'typescript'];

describe('the built nightshift', () => {
  it('--version names the package version, and the binary runs the compiled output, not TypeScript', async () => {
    const home = await tempDir();
    const r = await loadedBy(['--version'], cliEnv(home));
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`nightshift ${PACKAGE.version} (Node.js ${process.version})`);
    expect(r.files.some((f) => f.endsWith('/dist/cli.js'))).toBe(true);
    expect(r.files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect([...r.packages]).toEqual(['commander']);
  });

  it('an unexpected error prints a stack trace that names src/ files and lines', async () => {
    const home = await tempDir();
    const breakStdout = join(home, 'break-stdout.mjs');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(breakStdout, "process.stdout.write = () => { throw new Error('stdout is broken'); };\n");
    const r = await runCli(['status'], { ...cliEnv(home), NODE_OPTIONS: `--import=${breakStdout}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nightshift: Error: stdout is broken/);
    expect(r.stderr).toMatch(/\/src\/cli\.ts:\d+:\d+/);
    expect(r.stderr).not.toMatch(/\/dist\/[\w-]+\.js:\d+/);
  });

  it('--help loads commander and nothing else', async () => {
    const home = await tempDir();
    const r = await loadedBy(['--help'], cliEnv(home));
    expect(r.stdout).toMatch(/Usage: nightshift/);
    expect([...r.packages]).toEqual(['commander']);
  });

  it('a one-shot with no daemon reads the store, and loads no chat SDK, intake, builder or process tools', async () => {
    const home = await tempDir();
    const env = cliEnv(home);
    const status = await loadedBy(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Nothing is building/i);
    expect(status.packages.has('lowdb')).toBe(true);
    for (const p of HEAVY) expect(status.packages, p).not.toContain(p);
    // `add` needs the intake (chrono-node) and nothing heavier
    const add = await loadedBy(['add', 'a hello-world CLI', '--priority', 'medium'], env);
    expect(add.stdout).toMatch(/t-1 "Build a hello-world CLI"/);
    expect(add.packages.has('chrono-node')).toBe(true);
    for (const p of HEAVY.filter((x) => x !== 'chrono-node')) expect(add.packages, p).not.toContain(p);
  });

  it('a one-shot that reaches a running daemon loads only the socket client: no store, no engine, no schema, no SDK', async () => {
    const home = await tempDir();
    const env = cliEnv(home);
    const d = new DaemonProcess(env);
    daemons.push(d);
    await d.waitForOutput(/Type a request/);
    for (const args of [['status'], ['add', 'a hello-world CLI', '--priority', 'medium'], ['approve', 't-1']]) {
      const r = await loadedBy(args, env);
      expect([...r.packages], args.join(' ')).toEqual(['commander']);
    }
    const status = await runCli(['status', 't-1', '--json'], env);
    expect((JSON.parse(status.stdout) as { id: string }).id).toBe('t-1');
  });

  it('the daemon with no chat tokens loads neither chat SDK', async () => {
    const home = await tempDir();
    const record = join(home, 'imports-daemon.txt');
    const d = new DaemonProcess({ ...cliEnv(home), RECORD_IMPORTS_FILE: record, NODE_OPTIONS: `--import=${RECORDER}` });
    daemons.push(d);
    await d.waitForOutput(/Type a request/);
    const loaded = await readFile(record, 'utf8');
    expect(loaded).toMatch(/\/dist\/vendor\/lowdb\.js/);
    expect(loaded).not.toMatch(/node_modules\/@slack\/bolt\//);
    expect(loaded).not.toMatch(/node_modules\/discord\.js\//);
  });

  it('a one-shot that finds an agent still at work after a crash leaves it be, says it is building, and a one-shot cancel ends it', async () => {
    const home = await tempDir();
    const d = new DaemonProcess(cliEnv(home, { BUILDER: agent('hang') }));
    daemons.push(d);
    await d.waitForOutput(/Type a request/);
    d.type('urgent: build the invoice CSV export');
    const pids = await hangPids(join(home, 'workspaces', 't-1'));
    await keeperRecorded(cliEnv(home), 't-1'); // what tells a one-shot the agent is its attempt's
    d.child.kill('SIGKILL');
    await d.exited;
    const r = await runCli(['status', 't-1', '--json'], cliEnv(home));
    const task = JSON.parse(r.stdout) as { status: string; attempts: { outcome: string; reason?: string }[] };
    expect([task.status, task.attempts[0]?.outcome]).toEqual(['building', 'running']);
    expect(pids.every(isAlive)).toBe(true); // left at work
    const cancel = await runCli(['cancel', 't-1'], cliEnv(home)); // loads the runner after all, to end it
    expect(cancel.stdout).toMatch(/t-1 .* cancelled/);
    await waitFor(() => !pids.some(isAlive), 5_000, 'the agent to be ended');
  });
});
