// Typed failures of the task store. None of them is worth retrying: each needs a person to act,
// so every message names the file, says what is wrong and what to do about it.

/** db.json is unreadable and so is its last-good backup. Nothing on disk was changed. */
export class StoreCorruptError extends Error {
  override readonly name = 'StoreCorruptError';
  readonly retryable = false;

  constructor(
    /** The document that could not be read. */
    readonly file: string,
    /** What is wrong with it: a zod issue path and message, or the JSON parser's complaint. */
    readonly problem: string,
    /** The backup that was tried next, and what is wrong with it (null when there is none). */
    readonly backup: { file: string; problem: string } | null,
  ) {
    const backupPart = backup
      ? `, and its backup ${backup.file} is unusable too (${backup.problem})`
      : `, and there is no backup ${file}.bak to restore from`;
    super(
      `${file} is unreadable (${problem})${backupPart}. Nothing was changed. ` +
        `To continue: move it aside to start empty, or restore it from ${file}.bak ` +
        `(or from your own copy of the data directory).`,
    );
  }
}

/** The document was written by a newer version of nightshift; reading it could lose data. */
export class StoreFormatTooNewError extends Error {
  override readonly name = 'StoreFormatTooNewError';
  readonly retryable = false;

  constructor(
    readonly file: string,
    readonly foundVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `${file} was written by a newer nightshift (format ${foundVersion}; this one reads up to ${supportedVersion}). ` +
        `Upgrade nightshift, or point it at another data directory.`,
    );
  }
}

/** A method was called before open() or after close(). A programming error, not a disk problem. */
export class StoreNotOpenError extends Error {
  override readonly name = 'StoreNotOpenError';
  readonly retryable = false;

  constructor(method: string) {
    super(`TaskStore.${method}() was called while the store is not open; call open() first.`);
  }
}

/**
 * db.json and db.json.bak are both missing, yet the directory has a past (an archive, logs,
 * worktrees): starting empty would drop the live queue without a word, so the store refuses.
 */
export class StoreMissingError extends Error {
  override readonly name = 'StoreMissingError';
  readonly retryable = false;

  constructor(
    readonly dir: string,
    /** What was found instead: "archive.jsonl (12 finished tasks)", "logs/ (14 tasks)". */
    readonly found: string[],
  ) {
    super(
      `${dir} has no db.json and no db.json.bak, but it is not new: ${found.join(', ')}. ` +
        `Starting empty would lose the queue without a word, so nightshift stops here. Restore db.json from a backup ` +
        `of this directory; or, to go on with an empty queue (the history in archive.jsonl is kept), start once with ` +
        `"nightshift start --empty-queue".`,
    );
  }
}
