// Splits a stream of text chunks into whole lines; a chunk may end mid-line. Each chunk is scanned
// once: only a line that spans chunks is joined, never the whole rest with every chunk.
export class LineSplitter {
  private rest = '';
  constructor(
    private readonly onLine: (line: string) => void,
    /** A builder that prints a huge line without newline must not grow memory without bound. */
    private readonly maxLine = 64 * 1024,
  ) {}

  push(chunk: string): void {
    let nl = chunk.indexOf('\n');
    if (nl === -1) {
      this.rest += chunk;
    } else {
      const first = this.rest === '' ? chunk.slice(0, nl) : this.rest + chunk.slice(0, nl);
      this.rest = '';
      this.onLine(first);
      let start = nl + 1;
      while ((nl = chunk.indexOf('\n', start)) !== -1) {
        this.onLine(chunk.slice(start, nl));
        start = nl + 1;
      }
      this.rest = chunk.slice(start);
    }
    if (this.rest.length > this.maxLine) {
      const long = this.rest;
      this.rest = '';
      this.onLine(long);
    }
  }

  flush(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}
