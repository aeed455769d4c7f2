// Pieces every parser uses: a progress emitter that drops exact repeats, a bounded memory of the
// last plain-text lines (for failure reasons), reading one line of a JSON-lines stream, and how an
// exit is said in words.
import type { PlanStep } from '../../core/task.ts';
import { parseJsonObject, type Json } from './json-line.ts';
import type { AgentEvent, AgentExit, OutputStream } from './preset.ts';
import { clip, stripAnsi } from './text.ts';
import type { UsageLimitWatch } from './usage-limit.ts';

export class ProgressEmitter {
  private last = '';

  /** Zero or one event: the same message and percent twice in a row is said once. */
  emit(message: string, percent: number | null = null, plan?: PlanStep[]): AgentEvent[] {
    const m = clip(message);
    if (m === '') return [];
    const key = `${percent ?? ''}|${m}|${plan ? JSON.stringify(plan) : ''}`;
    if (key === this.last) return [];
    this.last = key;
    return [{ type: 'progress', message: m, percent, ...(plan ? { plan } : {}) }];
  }
}

/** The last few non-JSON lines, stderr preferred, to quote when a run ends without a verdict. */
export class TailLines {
  /** A ring: the line pushed n-th is at n % keep. */
  private readonly ring: Array<{ text: string; stderr: boolean }> = [];
  private pushed = 0;

  constructor(private readonly keep = 8) {}

  push(raw: string, stderr: boolean): string {
    const text = stripAnsi(raw).trim();
    if (text === '') return text;
    this.ring[this.pushed % this.keep] = { text, stderr };
    this.pushed++;
    return text;
  }

  all(): string[] {
    return this.ordered().map((l) => l.text);
  }

  /** The last stderr line, else the last line; quoted and clipped, or '' when there is none. */
  quote(): string {
    const lines = this.ordered();
    const pick = [...lines].reverse().find((l) => l.stderr) ?? lines[lines.length - 1];
    return pick ? `; last output: "${clip(pick.text, 160)}"` : '';
  }

  private ordered(): Array<{ text: string; stderr: boolean }> {
    const start = this.pushed % this.keep;
    return this.pushed <= this.keep ? this.ring.slice(0, this.pushed) : [...this.ring.slice(start), ...this.ring.slice(0, start)];
  }
}

/**
 * The JSON object on one line of a JSON-lines stream; null for any other line, which is kept in
 * `tail` (to quote when the run fails) and shown to `limit` (a usage-limit text may come as plain text).
 */
export function readJsonLine(text: string, stream: OutputStream, tail: TailLines, limit: UsageLimitWatch): Json | null {
  const msg = parseJsonObject(text);
  if (msg) return msg;
  const plain = tail.push(text, stream === 'stderr');
  if (plain) limit.text(plain);
  return null;
}

/** "exited with code 2", "was killed by SIGTERM", "exited with code 143 (SIGTERM)". */
export function describeExit(exit: AgentExit): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  if (exit.code === null) return 'ended without an exit code';
  const bySignal: Record<number, string> = { 130: 'SIGINT', 137: 'SIGKILL', 143: 'SIGTERM' };
  const sig = bySignal[exit.code];
  return sig ? `exited with code ${exit.code} (${sig})` : `exited with code ${exit.code}`;
}
