// Waiting for the fake's state to reach a condition, without polling: every change calls
// `notify()`, which re-runs the pending checks. A wait that times out rejects with what it waited for.

interface Pending {
  check: () => boolean;
  resolve: () => void;
}

export class Waiters {
  private readonly pending = new Set<Pending>();

  /** `who` names the fake in timeout errors ("fake Slack", "fake Discord"). */
  constructor(private readonly who: string) {}

  /** Resolves once `check()` is true (checked now and after every `notify()`); rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const entry: Pending = {
        check,
        resolve: () => {
          clearTimeout(timer);
          this.pending.delete(entry);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.pending.delete(entry);
        reject(new Error(`${this.who}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.pending.add(entry);
    });
  }

  notify(): void {
    for (const entry of [...this.pending]) if (entry.check()) entry.resolve();
  }
}
