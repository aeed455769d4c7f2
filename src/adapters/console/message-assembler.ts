// Lines typed or pasted at the prompt → messages. A chat message may span lines ("these three
// things would be cool to have tomorrow:" and a list below it); at a prompt each line arrives alone.
// Two rules make such a message one message, as Slack and Discord deliver it:
//   - a paste is one message: the terminal marks it (bracketed paste: readline reports
//     'paste-start' and 'paste-end'); a paste that ends mid-line is sent with the Enter that
//     follows, so its last line can be finished or checked first;
//   - a line that ends with ":" opens a message that goes on until an empty line (typed or piped).
// Everything else is one line, one message, as before.

export type Emit = (message: string) => void;

/**
 * A paste's lines arrive together; a line this long after the last one is typed, so a paste whose
 * end mark never came (a terminal or multiplexer that dropped it) ends there instead of swallowing
 * everything typed after it.
 */
const PASTE_GAP_MS = 1_000;

export class MessageAssembler {
  private lines: string[] = [];
  private pasting = false;
  private lastPasteLineAt = 0;
  /** 'colon': collecting until an empty line; 'pasted': the next Enter sends what was pasted. */
  private mode: 'colon' | 'pasted' | null = null;

  constructor(
    private readonly emit: Emit,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while lines are being collected into one message (the prompt says so). */
  get continuing(): boolean {
    return this.mode !== null || this.pasting;
  }

  pasteStart(): void {
    this.pasting = true;
    this.lastPasteLineAt = this.now();
  }

  /** `partial`: what the paste left on the input line, not yet entered. */
  pasteEnd(partial: string): void {
    this.pasting = false;
    if (this.mode === 'colon') return; // the empty line still ends it
    if (partial.trim() === '' && this.lines.length > 0) this.flush();
    else if (this.lines.length > 0 || partial.trim() !== '') this.mode = 'pasted';
  }

  line(text: string): void {
    if (this.pasting && this.now() - this.lastPasteLineAt > PASTE_GAP_MS) this.pasteEnd(''); // its end mark was lost
    if (this.pasting) {
      this.lines.push(text);
      this.lastPasteLineAt = this.now();
      return;
    }
    if (this.mode === 'pasted') {
      if (text.trim() !== '') this.lines.push(text);
      this.flush();
      return;
    }
    if (this.mode === 'colon') {
      if (text.trim() === '') this.flush();
      else this.lines.push(text);
      return;
    }
    if (text.trim() === '') return;
    if (/:\s*$/.test(text)) {
      this.mode = 'colon';
      this.lines.push(text);
      return;
    }
    this.emit(text.trim());
  }

  /** The input ended: whatever was being collected is sent. */
  end(): void {
    this.pasting = false;
    this.flush();
  }

  private flush(): void {
    const message = this.lines.join('\n').trim();
    this.lines = [];
    this.mode = null;
    if (message !== '') this.emit(message);
  }
}
