// Splits a stream of text chunks into whole lines; a chunk may end mid-line.
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const line of parts) this.onLine(line);
    // A builder that prints a huge line without newline must not grow memory without bound.
    if (this.rest.length > 64 * 1024) {
      this.onLine(this.rest);
      this.rest = '';
    }
  }

  flush(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}
