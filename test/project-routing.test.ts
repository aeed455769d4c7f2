// Which project a request builds in (core/project-routing.ts), and what PROJECTS_FILE accepts
// (projects/projects-file.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeRequest } from '../src/core/project-routing.ts';
import type { Project, ProjectCatalog } from '../src/core/projects.ts';
import { isCloneUrl, loadProjectsFile, type ProjectsFileError } from '../src/projects/projects-file.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { fileURLToPath } from 'node:url';

const project = (name: string, channels: string[] = []): Project => ({ name, repo: { kind: 'path', path: `/src/${name}` }, copy: [], channels, push: true, pullRequest: 'off' });
const catalog = (defaultName: string | null, ...projects: Project[]): ProjectCatalog => ({ projects, defaultName, file: '/etc/projects.yml' });
const three = catalog('api-server', project('api-server', ['C0API']), project('api-gateway'), project('web', ['C0WEB', '1234567890']));

describe('routing a request to a project', () => {
  it('by --project (any case), taken out of the text', () => {
    expect(routeRequest(three, 'add a health endpoint --project WEB by tonight')).toEqual({ kind: 'project', name: 'web', how: 'flag', text: 'add a health endpoint by tonight' });
    expect(routeRequest(three, 'add a page —project="web"')).toMatchObject({ kind: 'project', name: 'web', text: 'add a page' });
  });

  it('by name in the words: "in X", "into X", "for the X project", "in the X repo"; the phrase leaves the title', () => {
    expect(routeRequest(three, 'add a /health endpoint in api-server by tonight')).toEqual({ kind: 'project', name: 'api-server', how: 'named', text: 'add a /health endpoint by tonight' });
    expect(routeRequest(three, 'add dark mode for the web project')).toMatchObject({ name: 'web', text: 'add dark mode' });
    expect(routeRequest(three, 'fix the flaky test in the `api-gateway` repo, please')).toMatchObject({ name: 'api-gateway', text: 'fix the flaky test, please' });
  });

  it('"for X" alone is what the work is for, not where it is built', () => {
    expect(routeRequest(three, 'write a client for api-gateway')).toMatchObject({ kind: 'project', name: 'api-server', how: 'default', text: 'write a client for api-gateway' });
  });

  it('by channel, then the default; a named project beats the channel', () => {
    expect(routeRequest(three, 'add a footer', 'C0WEB')).toMatchObject({ name: 'web', how: 'channel' });
    expect(routeRequest(three, 'add a footer', '1234567890')).toMatchObject({ name: 'web', how: 'channel' });
    expect(routeRequest(three, 'add a footer', 'C0OTHER')).toMatchObject({ name: 'api-server', how: 'default' });
    expect(routeRequest(three, 'add a footer in api-gateway', 'C0WEB')).toMatchObject({ name: 'api-gateway', how: 'named' });
  });

  it('words after "in" that are no project stay in the request', () => {
    expect(routeRequest(three, 'build a tiny CLI in go')).toMatchObject({ name: 'api-server', how: 'default', text: 'build a tiny CLI in go' });
    expect(routeRequest(three, 'rewrite the parser in rust')).toMatchObject({ how: 'default' });
  });

  it('an unknown name said as a project, or given to --project, is unknown', () => {
    expect(routeRequest(three, 'add invoices in the billing project')).toEqual({ kind: 'unknown', said: 'billing' });
    expect(routeRequest(three, 'add invoices --project billing')).toEqual({ kind: 'unknown', said: 'billing' });
  });

  it('half a name, two names, or no project and no default: asked, with the candidates', () => {
    expect(routeRequest(three, 'add rate limits in api')).toEqual({ kind: 'ambiguous', said: 'api', candidates: ['api-server', 'api-gateway'], text: 'add rate limits' });
    expect(routeRequest(three, 'add rate limits --project api')).toMatchObject({ kind: 'ambiguous', candidates: ['api-server', 'api-gateway'], text: 'add rate limits' });
    expect(routeRequest(three, 'fix login in web and in api-server')).toMatchObject({ kind: 'ambiguous', said: null, candidates: ['web', 'api-server'] });
    expect(routeRequest(catalog(null, project('a1'), project('b2')), 'add a footer')).toMatchObject({ kind: 'ambiguous', said: null, candidates: ['a1', 'b2'] });
    // One project is its own default.
    expect(routeRequest(catalog(null, project('solo')), 'add a footer')).toMatchObject({ kind: 'project', name: 'solo', how: 'default' });
  });

  it('--project twice or without a name is a clear error', () => {
    expect(routeRequest(three, 'x --project web --project api-server')).toEqual({ kind: 'invalid', error: '--project given twice' });
    expect(routeRequest(three, 'add a page --project')).toMatchObject({ kind: 'invalid', error: expect.stringMatching(/^--project needs a project name: api-server, api-gateway, web/) });
  });
});

describe('PROJECTS_FILE', () => {
  const defaults = { openPr: false, checkTimeoutMs: 900_000 };
  /** The problems a file is refused with (none: it was accepted). */
  const problemsOf = (file: string): Promise<string[]> =>
    loadProjectsFile(file, defaults).then(
      () => [],
      (e: unknown) => (e as ProjectsFileError).problems,
    );

  async function fileWith(yaml: string, repos: string[] = ['api']) {
    const dir = await tempDir();
    for (const r of repos) await mkdir(join(dir, r));
    const file = join(dir, 'projects.yml');
    await writeFile(file, yaml);
    return { dir, file };
  }

  it('reads every field: a string command runs under sh -c, a list is an argv; timeouts, copy, channels, push and pull requests', async () => {
    const { dir, file } = await fileWith(
      ['projects:', '  api:', '    repo: ./api', '    base: develop', '    setup: npm ci && npm run build', '    setup_timeout: 10m', '    check: [npm, test]', '    copy: [.env, config/local.json]', '    channels: [C0API, 1234567890123]', '    pull_request: ready', '  lib:', '    repo: git@github.com:me/lib.git', '    push: false'].join('\n'),
    );
    const c = await loadProjectsFile(file, defaults);
    expect(c.defaultName).toBeNull();
    const [api, lib] = c.projects;
    expect(api).toEqual({
      name: 'api',
      repo: { kind: 'path', path: join(dir, 'api') },
      base: 'develop',
      setup: { argv: ['sh', '-c', 'npm ci && npm run build'], shown: 'npm ci && npm run build', timeoutMs: 600_000 },
      check: { argv: ['npm', 'test'], shown: 'npm test', timeoutMs: 900_000 },
      copy: ['.env', join('config', 'local.json')],
      copyFrom: join(dir, 'api'),
      channels: ['C0API', '1234567890123'],
      push: true,
      pullRequest: 'ready',
    });
    expect(lib).toMatchObject({ repo: { kind: 'url', url: 'git@github.com:me/lib.git' }, push: false, pullRequest: 'off', copy: [] });
  });

  it('lists every problem at once, each with its field', async () => {
    const { file } = await fileWith(
      ['default: nope', 'projects:', '  api:', '    repo: ./missing', '    channels: [C1]', '  web:', '    repo: https://example.com/web.git', '    copy: [.env]', '    channels: [C1]', '  "bad name!":', '    repo: ./api'].join('\n'),
    );
    expect(await problemsOf(file)).toEqual([
      expect.stringMatching(/^projects\.api\.repo: .*\/missing does not exist; expected a local checkout or a clone URL$/),
      'projects.web.copy_from: a cloned project copies its files from a directory of yours; name it (copy_from: ~/secrets/web)',
      'projects.web.channels: C1 is already mapped to api; a channel builds in one project',
      'projects.bad name!: a project name is letters, digits, ".", "_" and "-" (64 at most), starting and ending with a letter or digit',
      'default: "nope" is not one of the projects (api, web, bad name!)',
    ]);
    await expect(loadProjectsFile(file, defaults)).rejects.toThrow(`PROJECTS_FILE (${file}) is not valid:`);
  });

  it('says what is wrong with a file that is missing, is not YAML, or has no projects', async () => {
    expect(await problemsOf('/nonexistent/projects.yml')).toEqual(['the file does not exist']);
    const { file } = await fileWith('projects: [unclosed');
    expect((await problemsOf(file))[0]).toMatch(/^it is not valid YAML: /);
    const empty = await fileWith('projects: {}');
    expect(await problemsOf(empty.file)).toEqual(['projects: expected at least one project']);
  });

  it('docs/projects.example.yml uses every field as the schema reads it (only its example paths are missing here)', async () => {
    const example = fileURLToPath(new URL('../docs/projects.example.yml', import.meta.url));
    const problems = await problemsOf(example);
    expect(problems).toEqual([expect.stringMatching(/^projects\.api-server\.repo: .*\/code\/api-server does not exist/)]);
  });

  it('tells clone URLs from paths', () => {
    for (const url of ['https://github.com/me/api.git', 'ssh://git@host/x.git', 'file:///srv/git/api.git', 'git@github.com:me/api.git']) expect(isCloneUrl(url)).toBe(true);
    for (const path of ['./api', '/srv/api', '~/code/api', 'api@2']) expect(isCloneUrl(path)).toBe(false);
  });
});
