// PROJECTS_FILE: the repositories nightshift may build in, as YAML, checked by one zod schema.
// Every field is documented in docs/projects.example.yml. Read at start (a wrong value stops
// nightshift with the file, the field and what it expects) and by `nightshift projects`.
//
//   default: api-server
//   projects:
//     api-server:
//       repo: ~/code/api-server      # a local checkout, or a clone URL
//       setup: npm ci                # a string runs under sh -c; a list is an argv
//       check: npm test
//       copy: [.env]
//       channels: [C0123ABCD]
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, normalize, resolve, sep } from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../core/durations.ts';
import { describeCommand, type Project, type ProjectCatalog, type ProjectCommand, type PullRequestMode } from '../core/projects.ts';

export class ProjectsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`PROJECTS_FILE (${file}) is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee docs/projects.example.yml for every field.`);
    this.name = 'ConfigError';
  }
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/;
const DEFAULT_SETUP_TIMEOUT = '15m';

const durationText = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(String(v));
  if (ms === null || ms < 1_000) {
    ctx.addIssue({ code: 'custom', message: `expected a duration of at least 1s like 90s, 10m or 1h (got ${JSON.stringify(v)})` });
    return z.NEVER;
  }
  return ms;
});

const command = z.union([
  z.string().trim().min(1, 'expected a command, like "npm ci", or a list like [npm, ci]'),
  z.array(z.string()).min(1, 'expected at least the program, like [npm, ci]'),
]);

const relativePath = z.string().transform((v, ctx) => {
  const p = normalize(v);
  if (v.trim() === '' || isAbsolute(v) || p === '..' || p.startsWith(`..${sep}`)) {
    ctx.addIssue({ code: 'custom', message: `expected a path inside the repository, like .env or config/local.json (got ${JSON.stringify(v)})` });
    return z.NEVER;
  }
  return p;
});

const ProjectEntry = z.strictObject({
  repo: z.string().trim().min(1, 'expected the path of a local checkout or a clone URL'),
  base: z.string().trim().min(1).optional(),
  setup: command.optional(),
  setup_timeout: durationText.optional(),
  check: command.optional(),
  check_timeout: durationText.optional(),
  copy: z.array(relativePath).default([]),
  copy_from: z.string().optional(),
  channels: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
  push: z.boolean().optional(),
  pull_request: z.union([z.boolean(), z.enum(['off', 'draft', 'ready'])]).optional(),
});

const ProjectsFile = z.strictObject({
  default: z.string().optional(),
  projects: z.record(z.string(), ProjectEntry).refine((r) => Object.keys(r).length > 0, 'expected at least one project'),
});

/** A clone URL (https://, ssh://, file://, git@host:path) rather than a local path. */
export const isCloneUrl = (repo: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\s@]+@[^/\s:]+:/.test(repo);

function expandHome(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return resolve(baseDir, p);
}

function toCommand(raw: string | string[], timeoutMs: number): ProjectCommand {
  return typeof raw === 'string' ? { argv: ['sh', '-c', raw], shown: raw, timeoutMs } : { argv: raw, shown: describeCommand(raw), timeoutMs };
}

export interface ProjectDefaults {
  /** OPEN_PR: a pull request for every project that does not say. */
  openPr: boolean;
  /** BUILD_CHECK_TIMEOUT: the check's timeout when the project gives none. */
  checkTimeoutMs: number;
}

/** Reads and checks the file; every problem is listed at once, each with the field it is in. */
export async function loadProjectsFile(file: string, defaults: ProjectDefaults): Promise<ProjectCatalog> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ProjectsFileError(file, [e.code === 'ENOENT' ? 'the file does not exist' : `cannot read it: ${e.message}`]);
  });
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: true });
  } catch (e) {
    throw new ProjectsFileError(file, [`it is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`]);
  }
  const parsed = ProjectsFile.safeParse(raw ?? {});
  if (!parsed.success) throw new ProjectsFileError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`));
  const baseDir = dirname(resolve(file));
  const problems: string[] = [];
  const projects: Project[] = [];
  const channelOwner = new Map<string, string>();
  for (const [name, p] of Object.entries(parsed.data.projects)) {
    const at = `projects.${name}`;
    if (!NAME.test(name)) problems.push(`${at}: a project name is letters, digits, ".", "_" and "-" (64 at most), starting and ending with a letter or digit`);
    const url = isCloneUrl(p.repo);
    const repo: Project['repo'] = url ? { kind: 'url', url: p.repo } : { kind: 'path', path: expandHome(p.repo, baseDir) };
    if (repo.kind === 'path') {
      const s = await stat(repo.path).catch(() => null);
      if (!s?.isDirectory()) problems.push(`${at}.repo: ${repo.path} ${s ? 'is not a directory' : 'does not exist'}; expected a local checkout or a clone URL`);
    }
    const copyFrom = p.copy_from !== undefined ? expandHome(p.copy_from, baseDir) : repo.kind === 'path' ? repo.path : undefined;
    if (p.copy.length > 0 && copyFrom === undefined) problems.push(`${at}.copy_from: a cloned project copies its files from a directory of yours; name it (copy_from: ~/secrets/${name})`);
    for (const channel of p.channels) {
      const other = channelOwner.get(channel);
      if (other) problems.push(`${at}.channels: ${channel} is already mapped to ${other}; a channel builds in one project`);
      channelOwner.set(channel, name);
    }
    const pr: PullRequestMode = p.pull_request === undefined ? (defaults.openPr ? 'draft' : 'off') : p.pull_request === true ? 'draft' : p.pull_request === false ? 'off' : p.pull_request;
    projects.push({
      name,
      repo,
      ...(p.base ? { base: p.base } : {}),
      ...(p.setup ? { setup: toCommand(p.setup, p.setup_timeout ?? (parseDuration(DEFAULT_SETUP_TIMEOUT) as number)) } : {}),
      ...(p.check ? { check: toCommand(p.check, p.check_timeout ?? defaults.checkTimeoutMs) } : {}),
      copy: p.copy,
      ...(copyFrom ? { copyFrom } : {}),
      channels: p.channels,
      push: p.push ?? true,
      pullRequest: pr,
    });
  }
  const defaultName = parsed.data.default ?? null;
  if (defaultName !== null && !projects.some((p) => p.name === defaultName)) {
    problems.push(`default: "${defaultName}" is not one of the projects (${projects.map((p) => p.name).join(', ')})`);
  }
  if (problems.length) throw new ProjectsFileError(file, problems);
  return { projects, defaultName: defaultName ?? (projects.length === 1 ? (projects[0]?.name ?? null) : null), file };
}
