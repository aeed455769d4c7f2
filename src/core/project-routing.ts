// Which project a new request builds in. Pure: the catalog and the channel come in.
//
// In order: `--project api-server` in the message; a project named in the words ("… in api-server",
// "for the web project", "in the api-server repo"; "for api-server" alone is not a place); the project the channel is mapped to; the
// default. A name that is not a project is said so, with the list; a name that could be several
// ("in api" with api-server and api-gateway), a message that names two projects, or a request with
// no project where there is no default, is asked about: never guessed.
import type { ProjectCatalog } from './projects.ts';

export type Routing =
  | { kind: 'project'; name: string; how: 'flag' | 'named' | 'channel' | 'default'; text: string }
  /** `said`: the name as written; nothing matches it. */
  | { kind: 'unknown'; said: string }
  /** `said`: the name as written (null when the request named none); `text`: the request without it. */
  | { kind: 'ambiguous'; said: string | null; candidates: string[]; text: string }
  | { kind: 'invalid'; error: string };

/** `--project api-server`, `--project=api-server`, "—project api-server" (chat apps turn "--" into a dash). */
const FLAG = /(^|\s)(?:--|[—–])project(?=[\s=]|$)(?:=|[ \t]+)?(?:"([^"\n]*)"|'([^'\n]*)'|(\S+))?/gi;
const NAME = String.raw`[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?`;
/** "in api-server", "for the web project", "in the repo api-server", "into `web`". */
const MENTION = new RegExp(
  String.raw`\b(in|into|for|on|to)\s+(?:the\s+)?(?:(project|repo|repository)\s+)?[\`"']?(${NAME})[\`"']?(?:\s+(project|repo|repository)\b)?`,
  'gi',
);
/** Unmarked names shorter than this are never taken as a half-typed project name ("in go"). */
const MIN_PREFIX = 3;

type Match = { kind: 'exact'; name: string } | { kind: 'close'; candidates: string[] } | { kind: 'none' };

/** One name against the catalog: itself (any case), or the projects it begins (or is a part of). */
export function matchProject(catalog: ProjectCatalog, said: string): Match {
  const lower = said.toLowerCase();
  const names = catalog.projects.map((p) => p.name);
  const exact = names.find((n) => n.toLowerCase() === lower);
  if (exact) return { kind: 'exact', name: exact };
  if (lower.length < MIN_PREFIX) return { kind: 'none' };
  const close = names.filter((n) => n.toLowerCase().startsWith(lower) || n.toLowerCase().split(/[-_.]/).includes(lower));
  return close.length ? { kind: 'close', candidates: close } : { kind: 'none' };
}

const squash = (text: string): string => text.replace(/[ \t]{2,}/g, ' ').replace(/\s+([,.;:!?])/g, '$1').trim();

export function routeRequest(catalog: ProjectCatalog, text: string, channel?: string): Routing {
  const flags = [...text.matchAll(FLAG)];
  if (flags.length > 1) return { kind: 'invalid', error: '--project given twice' };
  const flag = flags[0];
  if (flag) {
    const said = (flag[2] ?? flag[3] ?? flag[4] ?? '').trim();
    if (said === '' || said.startsWith('-')) return { kind: 'invalid', error: `--project needs a project name: ${catalog.projects.map((p) => p.name).join(', ')}` };
    const rest = squash(text.slice(0, flag.index) + (flag[1] ?? '') + text.slice(flag.index + flag[0].length));
    const m = matchProject(catalog, said);
    if (m.kind === 'exact') return { kind: 'project', name: m.name, how: 'flag', text: rest };
    if (m.kind === 'close') return { kind: 'ambiguous', said, candidates: m.candidates, text: rest };
    return { kind: 'unknown', said };
  }

  const named = new Map<string, { start: number; end: number }>();
  const close: { said: string; candidates: string[]; start: number; end: number }[] = [];
  for (const m of text.matchAll(MENTION)) {
    const [whole, preposition = '', before, said = '', after] = m;
    const marked = before !== undefined || after !== undefined;
    // "a client for api-server" may well live in another project: only "in"/"into" route unmarked.
    const placing = /^in(?:to)?$/i.test(preposition);
    if (!marked && !placing) continue;
    const found = matchProject(catalog, said);
    if (found.kind === 'exact') {
      if (!named.has(found.name)) named.set(found.name, { start: m.index, end: m.index + whole.length });
    } else if (marked && found.kind === 'none') {
      // "in the billing project": a project by its own word, and there is none by that name.
      return { kind: 'unknown', said };
    } else if (found.kind === 'close') {
      close.push({ said, candidates: found.candidates, start: m.index, end: m.index + whole.length });
    }
  }
  if (named.size > 1) return { kind: 'ambiguous', said: null, candidates: [...named.keys()], text };
  const [only] = named;
  if (only) {
    const [name, at] = only;
    return { kind: 'project', name, how: 'named', text: squash(text.slice(0, at.start) + text.slice(at.end)) };
  }
  const [unsure] = close;
  // Once answered, the request is built without the half name in its title.
  if (unsure) return { kind: 'ambiguous', said: unsure.said, candidates: unsure.candidates, text: squash(text.slice(0, unsure.start) + text.slice(unsure.end)) };

  const mapped = channel === undefined ? undefined : catalog.projects.find((p) => p.channels.includes(channel));
  if (mapped) return { kind: 'project', name: mapped.name, how: 'channel', text };
  const fallback = catalog.defaultName ?? (catalog.projects.length === 1 ? catalog.projects[0]?.name : undefined);
  if (fallback) return { kind: 'project', name: fallback, how: 'default', text };
  return { kind: 'ambiguous', said: null, candidates: catalog.projects.map((p) => p.name), text };
}
