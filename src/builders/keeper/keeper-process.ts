// Whether an attempt's keeper still runs, from /proc alone: light enough for a one-shot, which must
// leave an agent at work alone rather than end it.
import { readFileSync } from 'node:fs';

/** True when `pid` is this attempt's keeper, still running (not a pid reused by something else). */
export const isKeeperOf = (pid: number, taskId: string, attempt: number): boolean => isLiveAttemptProcess(pid, taskId, attempt, 'attempt-keeper');

/**
 * True when `pid` runs, is not a zombie, carries the attempt's markers in its environment and has
 * `command` in its command line: a process of that attempt, not one that reused its pid.
 */
export function isLiveAttemptProcess(pid: number, taskId: string, attempt: number, command: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return (
      stat[stat.lastIndexOf(')') + 2] !== 'Z' && // a zombie has ended; it only waits to be reaped
      env.includes(`NIGHTSHIFT_TASK_ID=${taskId}`) &&
      env.includes(`NIGHTSHIFT_ATTEMPT=${attempt}`) &&
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(command)
    );
  } catch {
    return false;
  }
}
