// An agent's output on its way to the attempt log, with every secret redacted. Redaction works on
// whole lines, so a secret split across two chunks of output is still caught: complete lines go
// through at once, a partial line waits for its end (or for the attempt's end, or for 64 KiB).
const MAX_CARRY = 64 * 1024;

export class RedactingLines {
  private carry = '';

  constructor(
    private readonly redact: (text: string) => string,
    private readonly out: (text: string) => void,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.carry + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const end = text.lastIndexOf('\n');
    if (end < 0 && text.length < MAX_CARRY) {
      this.carry = text;
      return;
    }
    const cut = end < 0 ? text.length : end + 1;
    this.carry = text.slice(cut);
    this.out(this.redact(text.slice(0, cut)));
  }

  /** Writes what is left of a last line without an end. */
  flush(): void {
    if (this.carry === '') return;
    const rest = this.carry;
    this.carry = '';
    this.out(this.redact(rest));
  }
}
