// The prompt an agent receives, from a template the owner can override. Placeholders are
// `{{name}}`; values are inserted in one pass, so a spec that contains `{{...}}` stays as written.
// A template naming a placeholder we do not know is an error that names it (caught at start).

export interface PromptVars {
  title: string;
  spec: string;
  clarifications: string[];
  /** Already formatted for people (the owner's zone), or null when there is none. */
  deadline: string | null;
  repository: string;
  branch: string;
  rules: string;
  /** What the attempt before this one did and why it ended ("(this is the first attempt)" on the first). */
  previous?: string;
}

export const PROMPT_PLACEHOLDERS = ['title', 'spec', 'clarifications', 'deadline', 'repository', 'branch', 'rules', 'previous'] as const satisfies ReadonlyArray<keyof PromptVars>;

export const DEFAULT_RULES = [
  '- Stay inside the current directory, a git worktree made for this task: do not read, write or delete anything outside it.',
  '- Commit your work on the current branch, in commits with clear messages. Do not switch branches, rewrite history or push.',
  '- Finish with a short summary: what you did, what is left, and anything a reviewer should check first.',
].join('\n');

export const DEFAULT_PROMPT_TEMPLATE = `You are working unattended on a task queued with nightshift. Nobody can answer questions while you work: make reasonable assumptions and say which in your summary.

# Task: {{title}}

{{spec}}

## Clarifications

{{clarifications}}

## Context

- Repository: {{repository}}
- Branch: {{branch}} (already checked out in the current directory)
- Deadline: {{deadline}}

## Previous attempt

{{previous}}

## Rules

{{rules}}
`;

/** The template is unusable: unknown placeholders, or no {{spec}} so the agent would never see the task. */
export class PromptTemplateError extends Error {
  readonly retryable = false;
  constructor(
    message: string,
    readonly unknown: string[],
  ) {
    super(message);
    this.name = 'PromptTemplateError';
  }
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const KNOWN = new Set<string>(PROMPT_PLACEHOLDERS);
const list = (names: Iterable<string>) => [...names].map((n) => `{{${n}}}`).join(', ');

/** Throws a PromptTemplateError naming every unknown placeholder; checks config at start. */
export function checkPromptTemplate(template: string): void {
  const used = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  const unknown = [...new Set(used.filter((n) => !KNOWN.has(n)))];
  if (unknown.length > 0) {
    const noun = unknown.length === 1 ? 'placeholder' : 'placeholders';
    throw new PromptTemplateError(`the prompt template uses unknown ${noun} ${list(unknown)}; known: ${list(PROMPT_PLACEHOLDERS)}`, unknown);
  }
  if (!used.includes('spec')) throw new PromptTemplateError('the prompt template never uses {{spec}}, so the agent would not see the task', []);
}

export function renderPrompt(template: string, vars: PromptVars): string {
  checkPromptTemplate(template);
  const values: Record<(typeof PROMPT_PLACEHOLDERS)[number], string> = {
    title: vars.title,
    spec: vars.spec.trim(),
    clarifications: vars.clarifications.length === 0 ? '(none)' : vars.clarifications.map((c) => `- ${c.trim().replace(/\n/g, '\n  ')}`).join('\n'),
    deadline: vars.deadline ?? 'none',
    repository: vars.repository,
    branch: vars.branch,
    rules: vars.rules.trim(),
    previous: vars.previous?.trim() || '(this is the first attempt)',
  };
  return template.replace(PLACEHOLDER, (_, name: string) => values[name as keyof typeof values]);
}
