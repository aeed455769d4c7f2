// How the project's check went, in the words every message uses.
import { formatDuration } from './durations.ts';
import type { CheckResult } from './task.ts';

/** "checks passed (npm test, 42s)", "checks failing (npm test exited with code 1 after 42s)". */
export function checkSummary(c: CheckResult | undefined): string {
  if (!c) return 'no checks configured';
  const took = formatDuration(c.durationMs);
  if (c.outcome === 'passed') return `checks passed (${c.command}, ${took})`;
  if (c.outcome === 'timed_out') return `checks timed out (${c.command} ran past ${took})`;
  return `checks failing (${c.command} exited with code ${c.exitCode ?? '?'} after ${took})`;
}
