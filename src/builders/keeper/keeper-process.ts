// Whether an attempt's keeper still runs, from /proc alone: light enough for a one-shot, which must
// leave an agent at work alone rather than end it.
import { readFileSync } from 'node:fs';

/** True when `pid` is this attempt's keeper, still running (not a pid reused by something else). */
export function isKeeperOf(pid: number, taskId: string, attempt: number): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return (
      stat[stat.lastIndexOf(')') + 2] !== 'Z' &&
      env.includes(`NIGHTSHIFT_TASK_ID=${taskId}`) &&
      env.includes(`NIGHTSHIFT_ATTEMPT=${attempt}`) &&
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('attempt-keeper')
    );
  } catch {
    return false;
  }
}
