// Small text helpers shared by the parsers: one-line clipping, summaries, ANSI stripping, file
// paths relative to the workspace, and what a shell command is doing in human words.
import { isAbsolute, relative, sep } from 'node:path';

const MAX_LINE = 100;
export const MAX_SUMMARY = 1500;

// CSI sequences (colours, cursor) and OSC sequences (titles, hyperlinks) that agents print.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export const stripAnsi = (text: string): string => (text.includes('\u001b') ? text.replace(ANSI, '') : text);

/** Whitespace other than single spaces between words: what clip() has to collapse. */
const UNTIDY = /\s\s|[^\S ]|^\s|\s$/;

/** One line, whitespace collapsed, at most `max` characters. */
export function clip(text: string, max = MAX_LINE): string {
  const one = UNTIDY.test(text) ? text.replace(/\s+/g, ' ').trim() : text;
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The first non-empty line, clipped. */
export function firstLine(text: string, max = MAX_LINE): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return clip(line, max);
}

/** The agent's final text, trimmed; head and tail kept when long (what is left is usually at the end). */
export function trimSummary(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  if (t.length <= MAX_SUMMARY) return t;
  const gap = '\n…\n';
  const tail = 400;
  return `${t.slice(0, MAX_SUMMARY - tail - gap.length).trimEnd()}${gap}${t.slice(-tail).trimStart()}`;
}

/** A path as a person wants to read it: relative when inside the workspace. */
export function displayPath(path: string, workspace: string | undefined): string {
  if (!workspace || !isAbsolute(path)) return path;
  const rel = relative(workspace, path);
  if (rel === '') return '.';
  if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return path;
  return rel;
}

// `bash -lc 'npm test'` → `npm test` (codex wraps every command like this).
const SHELL_WRAPPED = /^(?:\S*\/)?(?:ba|z|da)?sh\s+-[a-z]*c\s+(['"])([\s\S]*)\1\s*$/;

const KINDS: Array<[RegExp, string]> = [
  [/^(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test\b|^(?:npx\s+)?(?:vitest|jest|mocha|ava|tap)\b|^(?:python3?\s+-m\s+)?pytest\b|^(?:go|cargo|dotnet|mix|deno)\s+test\b|^(?:make|just)\s+(?:test|check)\b|^(?:bundle\s+exec\s+)?rspec\b|^(?:\.\/)?gradlew?\s+test\b|^mvn\s+test\b/, 'running tests'],
  [/^git\s+(?:-c\s+\S+\s+)*commit\b/, 'committing'],
  [/^(?:npm|pnpm|yarn|bun)\s+(?:install|ci|add|i)\b|^(?:pip3?|uv\s+pip|poetry|bundle)\s+(?:install|add)\b|^go\s+mod\s+(?:download|tidy)\b|^cargo\s+(?:add|fetch)\b/, 'installing dependencies'],
  [/^(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?lint\b|^(?:npx\s+)?(?:eslint|prettier|biome)\b|^(?:ruff|flake8|black|golangci-lint)\b|^cargo\s+(?:clippy|fmt)\b/, 'linting'],
  [/^(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:build|typecheck)\b|^(?:npx\s+)?tsc\b|^(?:go|cargo)\s+build\b|^make\b/, 'building'],
];

/** "npm test" → "running tests"; `git commit -m x` → "committing"; otherwise "running `ls -la`". */
export function describeCommand(command: string | readonly string[]): string {
  let cmd = (Array.isArray(command) ? command.join(' ') : String(command)).trim();
  const wrapped = SHELL_WRAPPED.exec(cmd);
  if (wrapped?.[2] !== undefined) cmd = wrapped[2].trim();
  const parts = cmd
    .split(/\s*(?:&&|\|\||;|\|)\s*/)
    .map((p) => p.replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, '').trim()) // leading VAR=value assignments
    .filter((p) => p !== '' && !/^cd\s/.test(p));
  for (const [pattern, kind] of KINDS) if (parts.some((p) => pattern.test(p))) return kind;
  return `running \`${clip(parts[0] ?? cmd, 60)}\``;
}

/** "3 of 5 steps done" style percentage from a plan's items; null when there is no plan. */
export function planPercent(items: ReadonlyArray<{ done: boolean }>): number | null {
  if (items.length === 0) return null;
  return Math.round((100 * items.filter((i) => i.done).length) / items.length);
}

/**
 * A prompt given as an argv element must not look like a flag to the CLI's option parser
 * ("-p --fix the tests" would be read as two options). A leading space is invisible to the model.
 */
export const asArgument = (prompt: string): string => (prompt.startsWith('-') ? ` ${prompt}` : prompt);
