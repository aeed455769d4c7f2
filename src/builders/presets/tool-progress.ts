// What an agent's tool call is doing, in a few words ("editing src/x.ts", "running tests"), for the
// CLIs that report each call as a tool name plus a JSON input (Claude Code, Gemini CLI, OpenCode).
// The phrases are shared; each preset keeps its own table from its CLI's tool names and input
// field names to them.
import type { PlanStep } from '../../core/task.ts';
import { arr, firstStr, obj, str, type Json } from './json-line.ts';
import { clip, describeCommand, displayPath, planPercent } from './text.ts';

export interface ToolProgress {
  message: string;
  /** From the agent's own plan (a todo list), else null. */
  percent: number | null;
  /** The plan itself, when the call was the agent writing its todo list. */
  plan?: PlanStep[];
}

const PLAN_STATUS: Record<string, PlanStep['status']> = { completed: 'done', in_progress: 'in_progress', pending: 'pending', failed: 'failed', error: 'failed', cancelled: 'failed' };

/** How one tool's call is put in words, from its input. */
export type ToolPhrase = (input: Json, workspace: string | undefined) => ToolProgress;

const plain = (message: string): ToolProgress => ({ message, percent: null });

/** The first of the named fields that holds a path, shown relative to the workspace. */
const pathIn = (input: Json, keys: readonly string[], workspace: string | undefined): string =>
  displayPath(firstStr(input, ...keys) ?? 'a file', workspace);

/** Phrases; those that name a file take the input fields to look in, first match wins. */
export const say = {
  /** Always the same words ("applying a patch"). */
  fixed: (message: string): ToolPhrase => () => plain(message),
  /** A shell command in `command`: "running tests", "committing", or "running `ls -la`". */
  running: (input: Json): ToolProgress => plain(describeCommand(str(input.command) ?? '')),
  editing: (...keys: string[]): ToolPhrase => (input, workspace) => plain(`editing ${pathIn(input, keys, workspace)}`),
  writing: (...keys: string[]): ToolPhrase => (input, workspace) => plain(`writing ${pathIn(input, keys, workspace)}`),
  reading: (...keys: string[]): ToolPhrase => (input, workspace) => plain(`reading ${pathIn(input, keys, workspace)}`),
  listing: (...keys: string[]): ToolPhrase => (input, workspace) => plain(`listing ${pathIn(input, keys, workspace)}`),
  /** A glob in `pattern`. */
  findingFiles: (input: Json): ToolProgress => plain(`looking for files matching ${str(input.pattern) ?? '…'}`),
  /** A text search for `pattern`. */
  searching: (input: Json): ToolProgress => plain(`searching for "${clip(str(input.pattern) ?? '…', 40)}"`),
  /** A web search for `query`. */
  searchingTheWeb: (input: Json): ToolProgress => plain(`searching the web for "${clip(str(input.query) ?? '…', 40)}"`),
  /** A page at `url`. */
  fetching: (input: Json): ToolProgress => plain(`fetching ${str(input.url) ?? 'a web page'}`),
  /** A subagent given a `description`. */
  delegating: (input: Json): ToolProgress => plain(`delegating: ${str(input.description) ?? 'a subtask'}`),
  /**
   * A todo list in `todos` (items with a `status`, "completed" when done): the percent done, and
   * with namingCurrent the `content` of the item "in_progress" as the message.
   */
  plan:
    ({ namingCurrent }: { namingCurrent: boolean }): ToolPhrase =>
    (input) => {
      const todos = arr(input.todos).map(obj);
      const current = namingCurrent ? todos.find((t) => t.status === 'in_progress') : undefined;
      // Claude Code and OpenCode name a step's text `content`; Gemini CLI's write_todos, `description`.
      const textOf = (t: Json) => str(t.content) ?? str(t.description);
      const message = current ? `working on: ${textOf(current) ?? 'the next step'}` : 'updating the plan';
      const plan = todos.map((t) => ({ text: clip(textOf(t) ?? '', 200), status: PLAN_STATUS[str(t.status) ?? ''] ?? 'pending' })).filter((s) => s.text !== '');
      return { message, percent: planPercent(todos.map((t) => ({ done: t.status === 'completed' }))), plan };
    },
};

/**
 * A describer from a CLI's table of tool names. A name not in the table (own keys only: a tool
 * called "constructor" is just unknown) is said by `unknown`, by default "using <name>".
 */
export function toolDescriber(
  table: Readonly<Record<string, ToolPhrase>>,
  unknown: (name: string) => string = (name) => `using ${name}`,
): (name: string, input: Json, workspace: string | undefined) => ToolProgress {
  const phrases = new Map(Object.entries(table));
  return (name, input, workspace) => phrases.get(name)?.(input, workspace) ?? plain(unknown(name));
}
