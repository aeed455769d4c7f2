// What a running builder prints, on its way in: each chunk goes to the log as it came and counts as
// activity (the stall watch); its lines go to the preset's parser, whose events become progress,
// and the last few are kept for escalation messages. Chunks are decoded per stream, so a character
// cut between two chunks arrives whole.
import { StringDecoder } from 'node:string_decoder';
import type { Progress } from '../core/ports.ts';
import { LineSplitter } from './line-splitter.ts';
import type { AgentStreamParser, OutputStream } from './presets/index.ts';

export interface AgentOutputOptions {
  parser: AgentStreamParser;
  onProgress(progress: Progress): void;
  /** Every chunk, as it came: the log. */
  onChunk?(chunk: Buffer): void;
  /** Called once per chunk: the builder did something. */
  onActivity?(): void;
  /** How many of the last lines tail() gives. Default 40. */
  tailLines?: number;
}

export class AgentOutput {
  private readonly keep: number;
  /** A ring: the line seen n-th is at n % keep. */
  private readonly ring: string[] = [];
  private seen = 0;
  private readonly streams: Record<OutputStream, { decoder: StringDecoder; splitter: LineSplitter }>;

  constructor(private readonly opts: AgentOutputOptions) {
    this.keep = Math.max(1, opts.tailLines ?? 40);
    const reader = (stream: OutputStream) => ({ decoder: new StringDecoder('utf8'), splitter: new LineSplitter((line) => this.line(line, stream)) });
    this.streams = { stdout: reader('stdout'), stderr: reader('stderr') };
  }

  chunk(chunk: Buffer, stream: OutputStream): void {
    this.opts.onChunk?.(chunk);
    this.opts.onActivity?.();
    const s = this.streams[stream];
    s.splitter.push(s.decoder.write(chunk));
  }

  /** The stream ended: its last, unterminated line is read too. */
  end(stream: OutputStream): void {
    const s = this.streams[stream];
    s.splitter.push(s.decoder.end());
    s.splitter.flush();
  }

  /** The last lines, oldest first, joined by newlines. */
  tail(): string {
    const start = this.seen % this.keep;
    const lines = this.seen <= this.keep ? this.ring.slice(0, this.seen) : [...this.ring.slice(start), ...this.ring.slice(0, start)];
    return lines.join('\n');
  }

  private line(line: string, stream: OutputStream): void {
    this.ring[this.seen % this.keep] = line;
    this.seen++;
    const events = this.opts.parser.line(line, stream);
    if (events.length === 0) return;
    const at = new Date().toISOString();
    for (const ev of events) this.opts.onProgress({ at, percent: ev.percent, message: ev.message, ...(ev.plan ? { plan: ev.plan } : {}) });
  }
}
