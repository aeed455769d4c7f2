// Two local projects for the projects tests, each a git repository with its own files, and the
// PROJECTS_FILE that names them: api-server (the default, Slack channel C0API) and web (C0WEB),
// each with the fixture setup (it reads the copied .env) and the answer check.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.ts';

export const SETUP = fileURLToPath(new URL('../fixtures/projects/setup.mjs', import.meta.url));
export const CHECK = fileURLToPath(new URL('../fixtures/checks/answer-check.mjs', import.meta.url));
export const PROJECT_AGENT = fileURLToPath(new URL('../fixtures/agents/project-agent.mjs', import.meta.url));

export const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });
export const tryGitOut = (cwd: string, ...args: string[]): string | null => {
  try {
    return git(cwd, ...args);
  } catch {
    return null;
  }
};

/** A repository with one commit of `files`, and `.env` (ignored, never committed) beside them. */
export async function projectRepo(root: string, name: string, files: Record<string, string>, dotEnv: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  await writeFile(join(dir, '.gitignore'), '.env\n.setup-done\n');
  await writeFile(join(dir, 'PROJECT_NAME'), `${name}\n`);
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=Owner', '-c', 'user.email=owner@example.com', 'commit', '--quiet', '-m', `start ${name}`);
  await writeFile(join(dir, '.env'), `${dotEnv}\n`);
  return dir;
}

export interface TwoProjects {
  root: string;
  file: string;
  api: string;
  web: string;
  /** With apiOnGitHub: the bare repository api-server's GitHub origin is rewritten to (offline). */
  apiRemote?: string;
}

/**
 * api-server fixes what its check finds; web never does (NEVER_FIX). `apiEnv`: api-server's .env;
 * `apiYaml`: more of its fields; `apiOnGitHub`: its origin is github.com/acme/api-server, which
 * git rewrites to a local bare repository, so a push lands on disk.
 */
export async function twoProjects(opts: { apiEnv?: string; extraYaml?: string; apiYaml?: string[]; apiOnGitHub?: boolean } = {}): Promise<TwoProjects> {
  const root = await tempDir();
  const api = await projectRepo(root, 'api-server', { 'README.md': '# api-server\n' }, opts.apiEnv ?? 'API_MODE=local-dev');
  let apiRemote: string | undefined;
  if (opts.apiOnGitHub) {
    apiRemote = join(root, 'api-server.git');
    git(root, 'init', '--quiet', '--bare', apiRemote);
    git(api, 'remote', 'add', 'origin', 'https://github.com/acme/api-server.git');
    git(api, 'config', `url.file://${apiRemote}.insteadOf`, 'https://github.com/acme/api-server.git');
  }
  const web = await projectRepo(root, 'web', { 'README.md': '# web\n', NEVER_FIX: 'this agent cannot fix web\n' }, 'WEB_MODE=preview');
  const node = JSON.stringify(process.execPath);
  const file = join(root, 'projects.yml');
  const entry = (name: string, channel: string, more: string[] = []) => [
    `  ${name}:`,
    `    repo: ./${name}`,
    `    setup: [${node}, ${JSON.stringify(SETUP)}]`,
    `    check: [${node}, ${JSON.stringify(CHECK)}]`,
    '    copy: [.env]',
    `    channels: [${channel}]`,
    ...more.map((line) => `    ${line}`),
  ];
  await writeFile(file, ['default: api-server', 'projects:', ...entry('api-server', 'C0API', opts.apiYaml), ...entry('web', 'C0WEB'), opts.extraYaml ?? ''].join('\n'));
  return { root, file, api, web, ...(apiRemote ? { apiRemote } : {}) };
}
