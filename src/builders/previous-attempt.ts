// What a retry is told about the attempt before it: how it ended and why, what the agent said last
// (read out of the end of its log, already redacted) and its own summary, so the next attempt does
// not start blind. Also given to custom commands as NIGHTSHIFT_PREVIOUS_* variables.
import { readableTail } from '../core/readable-tail.ts';
import { readEnd } from '../file-tail.ts';
import type { Attempt, Task } from '../core/task.ts';

/** How much of the end of the previous log is read for its last words. */
const TAIL_BYTES = 16 * 1024;

const ENDED: Partial<Record<Attempt['outcome'], string>> = {
  failed: 'failed',
  timed_out: 'timed out',
  interrupted: 'was interrupted',
  usage_limited: 'stopped at a usage limit',
  cancelled: 'was cancelled',
  succeeded: 'finished',
};

async function tailOf(file: string): Promise<string> {
  // nightshift's own "#" lines are not the agent's words.
  return (await readEnd(file, TAIL_BYTES)).split('\n').filter((l) => !l.startsWith('# ')).join('\n');
}

export interface PreviousAttempt {
  /** For the prompt's {{previous}}: a few lines a person (or an agent) can act on. */
  text: string;
  /** For custom commands. */
  env: Record<string, string>;
}

/** What attempt `n` is told of the attempt before it; the first attempt is told it is the first. */
export async function previousAttempt(task: Task, n: number): Promise<PreviousAttempt> {
  const before = task.attempts.filter((a) => a.n < n && a.outcome !== 'running').at(-1);
  if (!before) return { text: '(this is the first attempt)', env: {} };
  const said = readableTail(await tailOf(before.logPath), 12);
  const lines = [`This is attempt ${n}. Attempt ${before.n} ${ENDED[before.outcome] ?? before.outcome}${before.reason ? `: ${before.reason}` : ''}.`];
  if (said.length) lines.push('', 'What it said last:', ...said.map((l) => `  ${l}`));
  if (task.deliverables.summary) lines.push('', 'Its own summary:', ...task.deliverables.summary.split('\n').slice(0, 12).map((l) => `  ${l}`));
  lines.push('', 'The work it committed is on this branch: build on it where it helps, and fix what made it fail.');
  return {
    text: lines.join('\n'),
    env: {
      NIGHTSHIFT_PREVIOUS_ATTEMPT: String(before.n),
      NIGHTSHIFT_PREVIOUS_OUTCOME: before.outcome,
      ...(before.reason ? { NIGHTSHIFT_PREVIOUS_REASON: before.reason } : {}),
    },
  };
}
