// The owner's terminal, drawn in three parts from the top: lines printed once (replies, "t-1 is
// done"), one live line per running build redrawn in place (log-update erases and redraws it), and
// the prompt with whatever the owner is typing. Only used on a TTY; piped output stays plain lines.
//
// log-update erases upwards from the cursor the lines it last drew, so every write starts from the
// line just below the live block: the prompt line, which is cleared first and redrawn last.
import { clearLine, cursorTo, moveCursor } from 'node:readline';
import type { Writable } from 'node:stream';
import { createLogUpdate } from 'log-update';
import { withoutUnsafeChars } from '../../core/safe-text.ts';

/** Text from a task or a builder as the terminal should show it: no escape sequences, no bidi tricks. */
export const terminalSafe = withoutUnsafeChars;

export class TerminalScreen {
  private readonly live = new Map<string, string>();
  private readonly update: ReturnType<typeof createLogUpdate>;
  private drawTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: Writable & { columns?: number },
    /** Redraws the prompt and the input typed so far. */
    private readonly redrawPrompt: () => void,
    private readonly everyMs = 100,
  ) {
    this.update = createLogUpdate(out, { showCursor: true });
  }

  /** Prints lines above the live block, for good. */
  print(text: string): void {
    this.clearPromptLine();
    this.update.clear();
    this.out.write(`${terminalSafe(text)}\n`);
    this.drawNow();
  }

  /** The owner pressed Enter: what they typed stays above the live block, as a terminal shows it. */
  entered(echo: string): void {
    moveCursor(this.out, 0, -1);
    this.print(echo);
  }

  /** Sets (or replaces) a build's live line; drawn within `everyMs`. */
  set(id: string, line: string): void {
    this.live.set(id, terminalSafe(line));
    this.scheduleDraw();
  }

  remove(id: string): void {
    if (this.live.delete(id)) this.scheduleDraw();
  }

  /** Erases the live block and the prompt line, for a clean exit. */
  close(): void {
    if (this.drawTimer) clearTimeout(this.drawTimer);
    this.drawTimer = null;
    this.clearPromptLine();
    this.update.clear();
    this.live.clear();
  }

  private scheduleDraw(): void {
    this.drawTimer ??= setTimeout(() => {
      this.drawTimer = null;
      this.clearPromptLine();
      this.drawNow();
    }, this.everyMs);
  }

  private drawNow(): void {
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    // One row per build: a line longer than the terminal is cut, so it never wraps into two.
    const block = [...this.live.values()].map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    if (block.length > 0) this.update(block.join('\n'));
    else this.update.clear();
    this.redrawPrompt();
  }

  private clearPromptLine(): void {
    clearLine(this.out, 0);
    cursorTo(this.out, 0);
  }
}
