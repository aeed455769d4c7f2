// `projects`: the repositories nightshift builds in, and how to ask for one. Also the words a
// request's project is confirmed, refused or asked about with (build.ts).
import { projectList, type Project, type ProjectCatalog } from '../core/projects.ts';
import type { Routing } from '../core/project-routing.ts';
import type { CommandContext } from './context.ts';
import type { Reply } from './reply.ts';

function repoText(p: Project): string {
  switch (p.repo.kind) {
    case 'path':
      return p.repo.path;
    case 'url':
      return `${p.repo.url} (cloned into NIGHTSHIFT_HOME/projects/${p.name})`;
    case 'own':
      return 'a fresh repository in NIGHTSHIFT_HOME/repo';
  }
}

function details(p: Project): string {
  const bits = [
    p.setup ? `setup: ${p.setup.shown}` : null,
    p.check ? `check: ${p.check.shown}` : 'no checks configured',
    p.copy.length ? `copies ${p.copy.join(', ')}` : null,
    p.channels.length ? `channels: ${p.channels.join(', ')}` : null,
    p.pullRequest !== 'off' ? `pull requests: ${p.pullRequest}` : p.push && p.repo.kind !== 'own' ? 'pushes its branch when there is a remote' : null,
  ];
  return bits.filter((b) => b !== null).join(' · ');
}

export function projectsText(catalog: ProjectCatalog): string {
  if (catalog.file === null) {
    const [only] = catalog.projects;
    const where = only ? `${repoText(only)}${only.repo.kind === 'path' ? ' (BUILD_REPO)' : ''} · ${details(only)}` : '';
    return `One project (no PROJECTS_FILE): ${where}\nSet PROJECTS_FILE to build in several repositories (README, "Projects").`;
  }
  const lines = [`Projects (${catalog.file}):`];
  for (const p of catalog.projects) {
    lines.push(`  ${p.name}${p.name === catalog.defaultName ? ' (default)' : ''}: ${repoText(p)}${p.base ? `, base ${p.base}` : ''}`, `    ${details(p)}`);
  }
  const example = catalog.projects[0]?.name ?? 'api-server';
  lines.push(`Ask for one by name: "build X in ${example}", or --project ${example}.`);
  return lines.join('\n');
}

export function projectsReply(ctx: CommandContext): Reply {
  const catalog = ctx.engine.projects;
  if (!catalog) return { kind: 'help', ok: true, text: 'No projects are loaded here.', tasks: [], json: [] };
  return { kind: 'help', ok: true, text: projectsText(catalog), tasks: [], json: catalog.projects };
}

/** What to tell someone whose request's project is not clear; null when it is. */
export function projectQuestion(catalog: ProjectCatalog, routing: Exclude<Routing, { kind: 'project' }>, viaCli: boolean): string {
  const howToAnswer = viaCli ? 'Add it again with --project <name>' : 'Say its name, or ask again with --project <name>';
  switch (routing.kind) {
    case 'invalid':
      return `${routing.error}. Nothing was queued.`;
    case 'unknown':
      return `There is no project called "${routing.said}". Projects: ${projectList(catalog)}. Nothing was queued.`;
    case 'ambiguous': {
      const options = orList(routing.candidates);
      if (routing.said !== null && routing.candidates.length === 1) {
        return `There is no project called "${routing.said}"; did you mean ${options}? ${viaCli ? `Add it again with --project ${options}` : `Say "${options}" to build it there`}. Nothing is queued yet.`;
      }
      if (routing.said !== null) return `"${routing.said}" could be ${options}: which one? ${howToAnswer}. Nothing is queued yet.`;
      if (routing.candidates.length < catalog.projects.length || catalog.defaultName) {
        return `That names ${routing.candidates.length} projects, ${andList(routing.candidates)}: which one should build it? ${howToAnswer} (one project per request). Nothing is queued yet.`;
      }
      return `Which project should build it: ${options}? ${howToAnswer}, or set a default in ${catalog.file ?? 'PROJECTS_FILE'}. Nothing is queued yet.`;
    }
  }
}

const orList = (names: readonly string[]): string => joinWith(names, 'or');
const andList = (names: readonly string[]): string => joinWith(names, 'and');
function joinWith(names: readonly string[], word: string): string {
  if (names.length <= 2) return names.join(` ${word} `);
  return `${names.slice(0, -1).join(', ')} ${word} ${names.at(-1) ?? ''}`;
}
