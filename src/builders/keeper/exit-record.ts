// How an agent ended, as its keeper recorded it (attempt-keeper.ts): beside the attempt's log, so
// that nightshift, or the next start after nightshift died, knows the agent's own exit.
import { readFile } from 'node:fs/promises';

export interface ExitRecord {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  endedAt: string;
  /** True when nightshift had stopped reading before the agent ended (its output went to the away log). */
  away: boolean;
  /** The agent could not be started at all. */
  spawnError?: { code: string; message: string };
  /** A signal the keeper passed on to the agent while it still ran (a cancel, a shutdown, a restart ending it): its end was caused. */
  forwarded?: NodeJS.Signals;
}

/** "attempt-1.log" → "attempt-1.exit.json". */
export const exitRecordPath = (logPath: string): string => logPath.replace(/\.log$/, '') + '.exit.json';

/** "attempt-1.log" → "attempt-1.away.log": what the agent printed while nightshift was not there. */
export const awayLogPath = (logPath: string): string => logPath.replace(/\.log$/, '') + '.away.log';

/** The record, or null when there is none or it is not one (a foreign or damaged file). */
export async function readExitRecord(file: string): Promise<ExitRecord | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as Partial<ExitRecord>;
    if (typeof r.endedAt !== 'string' || !('exitCode' in r) || !('signal' in r)) return null;
    return {
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      endedAt: r.endedAt,
      away: r.away === true,
      ...(r.spawnError ? { spawnError: r.spawnError } : {}),
      ...(r.forwarded ? { forwarded: r.forwarded } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * An end the agent reached by itself, cleanly: exit 0, no signal, none passed on to it. Such a
 * record found after nightshift began ending the attempt is still the agent's own (its keeper was
 * slower to write it than nightshift was to look).
 */
export const endedCleanlyAlone = (r: ExitRecord): boolean => r.exitCode === 0 && r.signal === null && !r.forwarded && !r.spawnError;
