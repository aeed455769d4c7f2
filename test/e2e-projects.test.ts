// Projects (issue 16), through the real binary: two local repositories named in PROJECTS_FILE, each
// with its own setup and check. A request is routed by name (or --project); its worktree is made in
// its own project's repository with the listed .env copied in and setup run before the agent; the
// project's check decides "done". An unknown or ambiguous name is answered, never guessed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentEnv, cleanUpAgents, task } from './helpers/agent-env.ts';
import { waitFor } from './helpers/agents.ts';
import { runCli } from './helpers/cli.ts';
import { git, PROJECT_AGENT, tryGitOut, twoProjects } from './helpers/projects.ts';

afterEach(cleanUpAgents);

interface ProjectTask {
  status: string;
  project?: string;
  retryAt: string | null;
  deliverables: { branch?: string; workspace?: string };
  attempts: { outcome: string; reason?: string; logPath: string; checks?: { outcome: string } }[];
}

/** `run --until-idle` as cron runs it, again after each retry back-off, until none of `ids` waits to retry. */
async function untilSettled(env: NodeJS.ProcessEnv, ids: string[]): Promise<string> {
  let out = '';
  for (let i = 0; i < 8; i++) {
    const run = await runCli(['run', '--until-idle'], env);
    out += run.stdout + run.stderr;
    const waiting = (await Promise.all(ids.map((id) => task(env, id)))).map((t) => t.retryAt).filter((r): r is string => r !== null);
    if (waiting.length === 0) break;
    const next = Math.min(...waiting.map((r) => Date.parse(r)));
    await waitFor(() => Date.now() >= next, 10_000, 'the back-off to end');
  }
  return out;
}

const get = async (env: NodeJS.ProcessEnv, id: string) => (await task(env, id)) as unknown as ProjectTask;

describe('projects: the right repository, set up, and checked by its own check', () => {
  it('routes by name and --project; copies .env and runs setup before the agent; done only when the project\'s check passes', async () => {
    const projects = await twoProjects();
    const { env } = await agentEnv({ BUILDER: PROJECT_AGENT, PROJECTS_FILE: projects.file, RETRY_BACKOFF: '100ms' });

    const listed = await runCli(['projects'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`Projects (${projects.file}):`);
    expect(listed.stdout).toMatch(/ {2}api-server \(default\): .*\/api-server\n {4}setup: node .*setup\.mjs · check: node .*answer-check\.mjs · copies \.env · channels: C0API/);
    expect(listed.stdout).toMatch(/ {2}web: .*\/web\n {4}setup: .* · channels: C0WEB/);
    const json = JSON.parse((await runCli(['projects', '--json'], env)).stdout) as { name: string; channels: string[] }[];
    expect(json.map((p) => [p.name, p.channels])).toEqual([['api-server', ['C0API']], ['web', ['C0WEB']]]);

    const a = await runCli(['add', 'build the answer module in api-server', '-p', 'high'], env);
    expect(a.stdout).toMatch(/^t-1 "Build the answer module" in api-server · high priority/m);
    const b = await runCli(['add', 'build the answer module', '--project', 'web', '-p', 'high'], env);
    expect(b.stdout).toMatch(/^t-2 "Build the answer module" in web · high priority/m);

    const out = await untilSettled(env, ['t-1', 't-2']);
    const [t1, t2] = [await get(env, 't-1'), await get(env, 't-2')];
    expect(t1.project).toBe('api-server');
    expect((await runCli(['status', 't-1'], env)).stdout).toMatch(/^t-1 "Build the answer module" in api-server: done/);
    expect(t2.project).toBe('web');

    // api-server: the first answer fails its check, the second attempt is told and fixes it.
    expect(t1.status, out).toBe('done');
    expect(t1.attempts.map((x) => [x.outcome, x.checks?.outcome])).toEqual([['failed', 'failed'], ['succeeded', 'passed']]);
    expect(out).toMatch(/t-1 "Build the answer module" is done after .* · checks passed \(node .*answer-check\.mjs, \d+(ms|s)\)/);
    // Its branch is in api-server's repository, not web's, and holds what the agent found at start.
    const branch = t1.deliverables.branch as string;
    expect(branch).toMatch(/^nightshift\/t-1-/);
    expect(tryGitOut(projects.web, 'rev-parse', '--verify', '--quiet', branch)).toBeNull();
    const saw = JSON.parse(git(projects.api, 'show', `${branch}:agent-saw.json`)) as Record<string, string>;
    expect(saw).toEqual({ env: 'API_MODE=local-dev', setup: 'setup ran with API_MODE=local-dev', project: 'api-server' });
    // The copied .env (and setup's leftovers) are never committed.
    expect(git(projects.api, 'ls-tree', '-r', '--name-only', branch).split('\n')).not.toContain('.env');
    // Setup ran, with its output in the attempt's log, before the agent started.
    const log = await readFile(t1.attempts[0]!.logPath, 'utf8');
    const order = ['# setup: node', 'installing dependencies', '# setup passed (node', 'wrote answer.txt (wrong)', '# checks: node'].map((s) => log.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), log).toBe(true);

    // web: its agent never fixes it: escalated as "built, checks failing", with the failure's end.
    expect(t2.status, out).toBe('escalated');
    expect(t2.attempts.map((x) => x.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(t2.attempts.at(-1)?.reason).toMatch(/^built, checks failing \(node .*answer-check\.mjs exited with code 1/);
    expect(out).toMatch(/t-2 "Build the answer module" failed 3 times and needs you\. Last error: built, checks failing[^\n]*\n[\s\S]*FAIL answer\.test: expected "right", got "wrong"/);
    const webSaw = JSON.parse(git(projects.web, 'show', `${t2.deliverables.branch}:agent-saw.json`)) as Record<string, string>;
    expect(webSaw).toEqual({ env: 'WEB_MODE=preview', setup: 'setup ran with WEB_MODE=preview', project: 'web' });

    // The morning briefing counts t-1 as built (checks passed), and t-2 only as needing the owner.
    const summary = (await runCli(['summary'], env)).stdout;
    expect(summary).toMatch(/Built:\n {2}t-1 "Build the answer module"[^\n]*checks passed/);
    expect(summary).toMatch(/Needs you:\n {2}t-2 "Build the answer module" failed 3 times/);
    expect(summary.slice(summary.indexOf('Built:'), summary.indexOf('Needs you:') > summary.indexOf('Built:') ? summary.indexOf('Needs you:') : undefined)).not.toContain('t-2');
  }, 90_000);

  it('an unknown project name lists the projects; a half name or two names are asked about; nothing is queued', async () => {
    const projects = await twoProjects();
    const { env } = await agentEnv({ BUILDER: PROJECT_AGENT, PROJECTS_FILE: projects.file });

    const unknown = await runCli(['add', 'build the answer module in the billing project'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no project called "billing". Projects: api-server, web (default: api-server). Nothing was queued.');
    const flag = await runCli(['add', 'build the answer module', '--project', 'mobile'], env);
    expect(flag.stderr).toContain('There is no project called "mobile". Projects: api-server, web (default: api-server).');

    const half = await runCli(['add', 'build the answer module in api'], env);
    expect(half.code).toBe(1);
    expect(half.stdout + half.stderr).toContain('There is no project called "api"; did you mean api-server? Add it again with --project api-server. Nothing is queued yet.');
    const two = await runCli(['add', 'fix the login form in web and in api-server'], env);
    expect(two.stdout + two.stderr).toContain('That names 2 projects, web and api-server: which one should build it?');

    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as unknown[];
    expect(status).toEqual([]);

    // "in" a word that is no project is part of the request, which goes to the default project.
    const plain = await runCli(['add', 'build a tiny CLI in go'], env);
    expect(plain.stdout).toMatch(/t-1 "Build a tiny CLI in go" in api-server/);
    // `add --project` with words that are not a request on their own: read as "build …", without the flag.
    const bare = await runCli(['add', 'a dark mode toggle', '--project', 'web'], env);
    expect(bare.stdout).toMatch(/t-2 "Build a dark mode toggle" in web ·/);
  }, 60_000);

  it('a failing setup ends the attempt before the agent starts: escalated at once with setup\'s own words', async () => {
    const projects = await twoProjects({ apiEnv: 'FAIL_SETUP=1' });
    const { env } = await agentEnv({ BUILDER: PROJECT_AGENT, PROJECTS_FILE: projects.file, RETRY_BACKOFF: '100ms' });
    await runCli(['add', 'build the answer module in api-server', '-p', 'high'], env);
    const out = await untilSettled(env, ['t-1']);
    const t = await get(env, 't-1');
    expect(t.status, out).toBe('escalated');
    expect(t.attempts).toHaveLength(1); // trying again would run the same setup: the owner decides
    expect(t.attempts[0]!.reason).toMatch(/^setup failed \(node .*setup\.mjs exited with code 3 after \d+(ms|s)\)$/);
    expect(out).toMatch(/t-1 "Build the answer module" failed 1 time and needs you\. Last error: setup failed/);
    expect(out).toContain('npm ERR! could not resolve dependency left-pad@^99');
    // The agent never ran in the worktree.
    await expect(readFile(join(t.deliverables.workspace as string, 'agent-saw.json'))).rejects.toThrow();
  }, 60_000);

  it('a mistake in the projects file stops nightshift at start, naming the file and the field', async () => {
    const projects = await twoProjects({ extraYaml: '  mobile:\n    repo: ./mobile\n    copy: [../secrets.env]\n    colour: blue\n' });
    const { env } = await agentEnv({ PROJECTS_FILE: projects.file });
    const start = await runCli(['run', '--until-idle'], env);
    expect(start.code).toBe(78);
    expect(start.stderr).toContain(`PROJECTS_FILE (${projects.file}) is not valid:`);
    expect(start.stderr).toMatch(/projects\.mobile: Unrecognized key: "colour"/);
    expect(start.stderr).toMatch(/projects\.mobile\.copy\.0: expected a path inside the repository, like \.env or config\/local\.json \(got "\.\.\/secrets\.env"\)/);

    const both = await runCli(['projects'], { ...env, PROJECTS_FILE: projects.file, BUILD_REPO: projects.api });
    expect(both.code).toBe(78);
    expect(both.stderr).toContain('PROJECTS_FILE is set, and so is BUILD_REPO');
  }, 30_000);
});
