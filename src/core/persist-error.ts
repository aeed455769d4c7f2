// A change that could not be made durable because NIGHTSHIFT_HOME cannot be written: the disk is
// full, the directory is read-only or not ours. Told to people as what happened and what was not
// done ("cannot write NIGHTSHIFT_HOME (disk full): nothing was queued"), never as a stack trace.
// The store throws it; the engine retries what a build's end must record; commands say it.

/** errno codes that mean "this directory cannot be written", and how a person says each. */
const REASONS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

export class PersistError extends Error {
  override readonly name = 'PersistError';

  constructor(
    /** "disk full", "read-only file system", ... */
    readonly reason: string,
    readonly code: string,
    override readonly cause?: unknown,
  ) {
    super(`cannot write NIGHTSHIFT_HOME (${reason})`);
  }
}

/** The error as a PersistError when it says the directory cannot be written; null otherwise. */
export function asPersistError(e: unknown): PersistError | null {
  if (e instanceof PersistError) return e;
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  const reason = REASONS[code];
  return reason ? new PersistError(reason, code, e) : null;
}

/** "Cannot write NIGHTSHIFT_HOME (disk full): nothing was queued. Free some space and try again." */
export function persistMessage(e: PersistError, notDone: string): string {
  const fix = e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'Free some space' : 'Make the directory writable';
  return `Cannot write NIGHTSHIFT_HOME (${e.reason}): ${notDone}. ${fix} and try again.`;
}
