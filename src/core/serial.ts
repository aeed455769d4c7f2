// Runs async sections one at a time, in call order: every change to the task set goes through it,
// so a cancel and a build's end can never interleave and lose an update.
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
