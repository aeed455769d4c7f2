// The body of a task's pull request: what was asked, what the agent says it did, how the checks
// went, and where the conversation about it is. It fits what GitHub accepts: the request and the
// summary are cut when they must be, never the checks or the links.
import { cutToFit, MAX_BODY_CHARS } from './pull-request.ts';

export interface PullRequestBodyInput {
  taskId: string;
  /** The request as the task holds it. */
  spec: string;
  /** What the agent says it did, when it said. */
  summary?: string;
  /** The checkSummary line: "checks passed (npm test, 42s)", "no checks configured". */
  checks: string;
  /** The task's chat thread, where questions about it go. */
  threadUrl?: string;
  /** The task's dashboard page. */
  taskPageUrl?: string;
}

const SAID = '\n\n## What the agent says it did\n\n';

export function pullRequestBody(input: PullRequestBodyInput): string {
  const head = `Built by nightshift for ${input.taskId}.\n\n## Request\n\n`;
  const links = [input.threadUrl && `- Thread: ${input.threadUrl}`, input.taskPageUrl && `- Task: ${input.taskPageUrl}`].filter((l): l is string => !!l);
  const tail = ['', '', '## Checks', '', input.checks, ...(links.length ? ['', '## Links', '', ...links] : [])].join('\n');
  const summary = input.summary?.trim() ?? '';
  const room = MAX_BODY_CHARS - head.length - tail.length - (summary ? SAID.length : 0);
  // When both are long, the request keeps at least half the room; either may use what the other leaves.
  const spec = cutToFit(input.spec.trim(), Math.max(room - summary.length, Math.ceil(room / 2)));
  const said = summary ? `${SAID}${cutToFit(summary, room - spec.length)}` : '';
  return `${head}${spec}${said}${tail}`;
}
