// How the project's check went, in the words every message uses.
import { formatDuration } from './durations.ts';
import type { CheckResult, Task } from './task.ts';

/** What ran and how it ended, for inside the brackets: "npm test, 42s", "npm test exited with code 1 after 42s". */
function checkDetail(c: CheckResult): string {
  const took = formatDuration(c.durationMs);
  if (c.outcome === 'passed') return `${c.command}, ${took}`;
  if (c.outcome === 'timed_out') return `${c.command} ran past ${took}`;
  return `${c.command} exited with code ${c.exitCode ?? '?'} after ${took}`;
}

/** "checks passed (npm test, 42s)", "checks failing (npm test exited with code 1 after 42s)". */
export function checkSummary(c: CheckResult | undefined): string {
  if (!c) return 'no checks configured';
  if (c.outcome === 'passed') return `checks passed (${checkDetail(c)})`;
  if (c.outcome === 'timed_out') return `checks timed out (${checkDetail(c)})`;
  return `checks failing (${checkDetail(c)})`;
}

/** How a chat platform writes a person (Slack's <@U…>) and plain words (escaped for its markup). */
export interface Wording {
  who: (by: string) => string;
  text: (plain: string) => string;
}

const PLAIN: Wording = { who: (by) => by, text: (plain) => plain };

/**
 * Work the owner took as it was: "accepted by Ann with checks failing (npm test exited with code 1
 * after 3s)". A check that timed out did not pass either, so it reads as failing too: the words
 * people look for are the same.
 */
export function acceptedSummary(by: string, c: CheckResult, w: Wording = PLAIN): string {
  return `${w.text('accepted by ')}${w.who(by)}${w.text(` with checks failing (${checkDetail(c)})`)}`;
}

/**
 * How a finished task's checks read in every message (console, status, chat, the briefing):
 * "checks passed (…)", "no checks configured", or for work accepted anyway "accepted by Ann with
 * checks failing (…)", so accepted work is never said to have passed. Worded from the accept event's
 * `by` and the last attempt's check rather than the event's stored text, so old tasks read the same
 * and a chat platform can show the person as a mention.
 */
export function doneCheckSummary(task: Task, w: Wording = PLAIN): string {
  const checks = task.attempts.at(-1)?.checks;
  const accepted = task.events.findLast((e) => e.type === 'accepted');
  return accepted && checks ? acceptedSummary(accepted.by ?? 'the owner', checks, w) : w.text(checkSummary(checks));
}
