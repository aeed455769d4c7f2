// One attempt's log, bounded by LOG_MAX_BYTES: the head of the output (where the agent's plan and
// first errors are) and a rotating tail (the newest output), with a `# nightshift: …` line saying
// what was dropped between them.
//
// On disk, with B = LOG_MAX_BYTES and a quarter Q = (B - 4 KiB) / 4:
// - `attempt-N.log` gets everything until it holds Q bytes (cut at a line end when there is one);
//   then one line saying where the rest goes, and nothing more until the attempt ends;
// - the rest goes to `attempt-N.tail.log`; when that holds Q bytes it is renamed over
//   `attempt-N.tail.old.log` (whose bytes are the ones dropped) and a new one is started, so
//   `tail -F attempt-N.tail.log` follows the newest output across the rotations;
// - when the attempt ends (or, after a crash, when it is reaped), the two tail files are moved into
//   `attempt-N.log` after a line saying how much was dropped, oldest first, each deleted once it is
//   copied. The last quarter of B is the room that copy needs: the attempt's files never hold more
//   than B bytes in total at any moment, and the finished log holds at most 3/4 of B.
// Writes are appended in order by one queue; whatever arrives while a write is under way goes out
// with the next one (one writev), so a chatty agent costs one write per burst, never one per line.
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatBytes } from './byte-size.ts';

export const DEFAULT_LOG_MAX_BYTES = 8 * 1024 * 1024;
export const MIN_LOG_MAX_BYTES = 64 * 1024;

/** Room for nightshift's own marker lines, outside the quarters. */
const RESERVE = 4 * 1024;
const MAX_MARKER = 1024;
const COPY_CHUNK = 128 * 1024;
const NEWLINE = 0x0a;
const LIVE_MARKER = '# nightshift: LOG_MAX_BYTES caps this log.';
/** Room kept after the tail for nightshift's last lines of a reaped attempt. */
const TRAILER_ROOM = 256;

/** The rotating tail files of the log at `logPath` (attempt-N.log). */
export function tailPaths(logPath: string): { current: string; previous: string } {
  const stem = logPath.replace(/\.log$/, '');
  return { current: `${stem}.tail.log`, previous: `${stem}.tail.old.log` };
}

/** How LOG_MAX_BYTES is shared: the head, and each of the two tail files. */
export function logBudget(maxBytes: number): { head: number; segment: number } {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < MIN_LOG_MAX_BYTES) {
    throw new RangeError(`the log cap must be at least ${MIN_LOG_MAX_BYTES} bytes, got ${maxBytes}`);
  }
  const quarter = Math.floor((maxBytes - RESERVE) / 4);
  return { head: quarter, segment: quarter };
}

type Op = { kind: 'write'; to: 'main' | 'tail'; bufs: Buffer[] } | { kind: 'start-tail' } | { kind: 'rotate' };

export interface AttemptLogOptions {
  /** attempt-N.log; its directory must exist. */
  path: string;
  /** LOG_MAX_BYTES. Default 8 MiB. */
  maxBytes?: number;
  /** Told once about the first failed write (a full disk); the build goes on without its log. */
  onError?: (error: unknown) => void;
}

export class AttemptLog {
  private readonly maxBytes: number;
  private readonly head: number;
  private readonly segment: number;
  private readonly paths: { current: string; previous: string };
  private readonly queue: Op[] = [];
  private running: Promise<void> | null = null;
  private tail: FileHandle | null = null;
  private failed = false;
  private closing: Promise<void> | null = null;

  /** Bytes given to attempt-N.log (what was there before, the head, and then the marker). */
  private mainBytes: number;
  /** Where the head ends and the marker begins, once the head is full. */
  private headEnd: number | null = null;
  private currentBytes = 0;
  private previousBytes = 0;
  private currentLines = 0;
  private previousLines = 0;
  /** Everything that went past the head, in bytes and lines. */
  private tailBytes = 0;
  private tailLines = 0;
  private rotations = 0;
  /** The last byte given to attempt-N.log was a newline. */
  private mainEndsLine = true;
  /** The head ends mid-line (the marker then starts on a line of its own). */
  private headCutMidLine = false;

  private constructor(
    private readonly main: FileHandle,
    existing: number,
    private readonly opts: AttemptLogOptions,
  ) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    ({ head: this.head, segment: this.segment } = logBudget(this.maxBytes));
    this.paths = tailPaths(opts.path);
    this.mainBytes = existing;
  }

  /** Opens (appending to) attempt-N.log. */
  static async open(opts: AttemptLogOptions): Promise<AttemptLog> {
    logBudget(opts.maxBytes ?? DEFAULT_LOG_MAX_BYTES); // a bad cap fails here, before anything is written
    const main = await open(opts.path, 'a');
    const { size } = await main.stat();
    return new AttemptLog(main, size, opts);
  }

  /** Appends output (or one of nightshift's own lines). Never blocks, never throws. */
  write(data: Buffer | string): void {
    if (this.closing) return;
    let buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (buf.length === 0) return;
    if (this.headEnd === null) {
      const room = this.head - this.mainBytes;
      if (buf.length <= room) {
        this.toMain(buf);
        return;
      }
      // Cut at the last line end that fits, when the chunk has one; else exactly at the limit.
      const nl = room > 0 ? buf.lastIndexOf(NEWLINE, room - 1) : -1;
      const cut = nl >= 0 ? nl + 1 : Math.max(0, room);
      if (cut > 0) this.toMain(buf.subarray(0, cut));
      this.startTail();
      buf = buf.subarray(cut);
    }
    this.toTail(buf);
  }

  /** Resolves once everything written so far is on disk (not synced: no fsync is ever asked for). */
  flushed(): Promise<void> {
    return this.settled();
  }

  /** Writes what is queued and, when the head was passed, moves the tail into attempt-N.log. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.settled();
      try {
        if (this.headEnd !== null) {
          await this.tail?.close();
          this.tail = null;
          const headBytes = this.headEnd;
          await moveTail(this.main, this.headEnd, this.paths, this.maxBytes, this.rotations > 1, (kept) => {
            if (kept.bytes >= this.tailBytes) return ''; // nothing dropped: the head and the tail join up
            const keptLines = this.previousLines + this.currentLines - (kept.partialLine ? 1 : 0);
            const line = finalMarker(this.tailBytes - kept.bytes, this.tailLines - keptLines, this.maxBytes, headBytes, kept.bytes);
            return this.headCutMidLine ? `\n${line}` : line;
          });
        }
      } catch (e) {
        this.fail(e);
      } finally {
        await this.main.close().catch(() => {});
      }
    })();
    return this.closing;
  }

  private toMain(buf: Buffer): void {
    this.mainBytes += buf.length;
    this.mainEndsLine = buf[buf.length - 1] === NEWLINE;
    this.enqueue('main', buf);
  }

  private startTail(): void {
    this.headEnd = this.mainBytes;
    this.headCutMidLine = !this.mainEndsLine;
    const atLineStart = this.mainEndsLine;
    const marker = clipLine(
      `${atLineStart ? '' : '\n'}${LIVE_MARKER} The first ${formatBytes(this.head)} of output are above; the newest output is in ` +
        `${basename(this.paths.current)} (follow it with tail -F; it rotates) and moves here when the attempt ends.\n`,
    );
    this.toMain(Buffer.from(marker, 'utf8'));
    this.queue.push({ kind: 'start-tail' });
    this.kick();
  }

  private toTail(data: Buffer): void {
    let buf = data;
    this.tailBytes += buf.length;
    while (buf.length > 0) {
      if (this.currentBytes === this.segment) {
        this.previousBytes = this.currentBytes;
        this.previousLines = this.currentLines;
        this.currentBytes = 0;
        this.currentLines = 0;
        this.rotations++;
        this.queue.push({ kind: 'rotate' });
      }
      const piece = buf.subarray(0, this.segment - this.currentBytes);
      const lines = countLines(piece);
      this.currentBytes += piece.length;
      this.currentLines += lines;
      this.tailLines += lines;
      this.enqueue('tail', piece);
      buf = buf.subarray(piece.length);
    }
  }

  private enqueue(to: 'main' | 'tail', buf: Buffer): void {
    const last = this.queue[this.queue.length - 1];
    if (last?.kind === 'write' && last.to === to) last.bufs.push(buf);
    else this.queue.push({ kind: 'write', to, bufs: [buf] });
    this.kick();
  }

  private kick(): void {
    this.running ??= this.drain();
  }

  private async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (let op = this.queue.shift(); op; op = this.queue.shift()) {
        try {
          await this.run(op);
        } catch (e) {
          this.fail(e);
        }
      }
    } finally {
      this.running = null;
    }
  }

  private async run(op: Op): Promise<void> {
    switch (op.kind) {
      case 'write': {
        const file = op.to === 'main' ? this.main : this.tail;
        if (file) await file.writev(op.bufs);
        return;
      }
      case 'start-tail':
        this.tail = await open(this.paths.current, 'w');
        return;
      case 'rotate':
        // The old tail's bytes go with the rename; the new file is made only after, so the two
        // files never hold more than two segments.
        await this.tail?.close();
        this.tail = null;
        await rename(this.paths.current, this.paths.previous);
        this.tail = await open(this.paths.current, 'w');
        return;
    }
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.opts.onError?.(e);
  }
}

/**
 * After a crash: moves what is left in the tail files of the log at `logPath` into it, so nothing
 * stays split. False when there was nothing to do.
 */
export async function completeAttemptLog(logPath: string, maxBytes = DEFAULT_LOG_MAX_BYTES): Promise<boolean> {
  const paths = tailPaths(logPath);
  const [previous, current] = await Promise.all([stat(paths.previous).catch(() => null), stat(paths.current).catch(() => null)]);
  if (!previous && !current) return false;
  const main = await open(logPath, 'a+');
  try {
    const { size } = await main.stat();
    const end = Buffer.alloc(Math.min(size, 4 * MAX_MARKER));
    await main.read(end, 0, end.length, size - end.length);
    const text = end.toString('latin1'); // byte offsets: the marker itself is ASCII
    const at = text.lastIndexOf(LIVE_MARKER);
    // The marker is the last line while the attempt runs; elsewhere, the move had already begun.
    const live = at !== -1 && text.indexOf('\n', at) === text.length - 1 ? size - end.length + at : null;
    const cap = `LOG_MAX_BYTES=${formatBytes(maxBytes)}`;
    const note =
      live === null
        ? `# nightshift: moving the tail into this log was interrupted (nightshift stopped); it goes on here, and may repeat some lines (${cap} caps this log).\n`
        : previous
          ? `# nightshift: output was dropped here (${cap} caps this log); nightshift stopped during the attempt, so how much is not known. The newest output follows.\n`
          : '# nightshift: the rest of the output follows (nothing was dropped); nightshift stopped during the attempt.\n';
    await moveTail(main, live, paths, maxBytes, previous !== null, () => clipLine(note));
    await main.write('# nightshift stopped during this attempt; this log was completed when the attempt was reaped.\n');
  } finally {
    await main.close();
  }
  return true;
}

/**
 * Truncates `main` to `headEnd` (when given), writes the marker, then appends the previous and the
 * current tail file, each deleted once copied. The previous file's first, partial line is skipped,
 * and only the newest bytes that fit under `maxBytes` are kept.
 */
async function moveTail(
  main: FileHandle,
  headEnd: number | null,
  paths: { current: string; previous: string },
  maxBytes: number,
  /** The previous file does not start where the head ends (output was dropped between them). */
  startsMidway: boolean,
  marker: (kept: { bytes: number; partialLine: boolean }) => string,
): Promise<void> {
  if (headEnd !== null) await main.truncate(headEnd);
  const files: { path: string; size: number; handle: FileHandle; open: boolean }[] = [];
  try {
    for (const path of [paths.previous, paths.current]) {
      const handle = await open(path, 'r').catch(() => null);
      if (handle) files.push({ path, size: (await handle.stat()).size, handle, open: true });
    }
    const first = files[0];
    const partial = startsMidway && first?.path === paths.previous ? await partialLine(first.handle, first.size) : 0;
    const total = files.reduce((n, f) => n + f.size, 0);
    const skip = bytesToSkip(maxBytes, (await main.stat()).size + MAX_MARKER + TRAILER_ROOM, files.map((f) => f.size), partial);
    const line = marker({ bytes: total - skip, partialLine: partial > 0 });
    if (line) await main.write(line);
    let toSkip = skip;
    for (const f of files) {
      const from = Math.min(toSkip, f.size);
      toSkip -= from;
      await copy(f.handle, from, f.size, main);
      f.open = false;
      await f.handle.close();
      await unlink(f.path);
    }
  } finally {
    for (const f of files) if (f.open) await f.handle.close().catch(() => {});
  }
}

/**
 * How many bytes, from the start of the tail files taken one after the other, to leave out so that
 * `main` (`fixed` bytes before the tail is copied) and the files not yet deleted never hold more
 * than `maxBytes` together: while file k is copied, the files from k on are still there.
 */
export function bytesToSkip(maxBytes: number, fixed: number, sizes: readonly number[], atLeast = 0): number {
  const total = sizes.reduce((n, x) => n + x, 0);
  let skip = Math.min(atLeast, total);
  let before = 0; // bytes of the files before k
  for (let k = 0; k < sizes.length; k++) {
    const size = sizes[k] ?? 0;
    const stillThere = sizes.slice(k).reduce((n, x) => n + x, 0);
    const copiedByEnd = Math.max(0, before + size - skip); // kept bytes of files 0..k
    const over = fixed + copiedByEnd + stillThere - maxBytes;
    if (over > 0) skip = Math.min(before + size, skip + over);
    before += size;
  }
  // Whatever was there before (a cap lowered since) may leave no room at all.
  return Math.min(total, skip);
}

/** The length of the first line of a file that starts mid-line (0 when the file is one line). */
async function partialLine(handle: FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(Math.min(size, COPY_CHUNK));
  const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
  const nl = buf.subarray(0, bytesRead).indexOf(NEWLINE);
  return nl === -1 || nl + 1 >= size ? 0 : nl + 1;
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(NEWLINE); i !== -1; i = buf.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

async function copy(from: FileHandle, start: number, end: number, to: FileHandle): Promise<void> {
  const buf = Buffer.alloc(Math.min(COPY_CHUNK, Math.max(1, end - start)));
  for (let pos = start; pos < end; ) {
    const { bytesRead } = await from.read(buf, 0, Math.min(buf.length, end - pos), pos);
    if (bytesRead === 0) return;
    await to.write(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}

function finalMarker(droppedBytes: number, droppedLines: number, maxBytes: number, headBytes: number, keptBytes: number): string {
  return clipLine(
    `# nightshift: ${formatBytes(droppedBytes)} of output (${droppedLines} lines) dropped here. LOG_MAX_BYTES=${formatBytes(maxBytes)} ` +
      `caps this log: it keeps the first ${formatBytes(headBytes)} (above) and the last ${formatBytes(keptBytes)} (below).\n`,
  );
}

function clipLine(line: string): string {
  return Buffer.byteLength(line) <= MAX_MARKER ? line : `${line.slice(0, MAX_MARKER / 4)}…\n`;
}
