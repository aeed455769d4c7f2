// Group commit: changes submitted while a flush is on disk wait for it, then go to disk together
// in the next flush (one write + one fsync for all of them), in the order they were submitted.
// Exclusive sections (compaction, close) run between flushes, never during one.

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

type Item<C> = { kind: 'change'; change: C; waiter: Waiter } | { kind: 'section'; run: () => Promise<void> };

export class WriteQueue<C> {
  private readonly items: Item<C>[] = [];
  private draining: Promise<void> | null = null;

  /**
   * `flush` makes a batch durable (or throws: every change in the batch then rejects with that
   * error); `afterFlush` runs after each batch has been acknowledged, before the next one starts.
   */
  constructor(
    private readonly flush: (batch: C[]) => Promise<void>,
    private readonly afterFlush: () => Promise<void> = async () => {},
  ) {}

  /** Resolves once the change is durable. */
  write(change: C): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.items.push({ kind: 'change', change, waiter: { resolve, reject } });
      this.start();
    });
  }

  /** Runs `fn` alone: after every change submitted before it, before any submitted after it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.items.push({ kind: 'section', run: () => fn().then(resolve, reject) });
      this.start();
    });
  }

  /** Resolves when everything submitted so far has been handled. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private start(): void {
    this.draining ??= this.drain();
  }

  /** Nothing in it throws: failures go to the waiters. */
  private async drain(): Promise<void> {
    // Let calls made in the same tick (Promise.all of many puts) join the first batch.
    await Promise.resolve();
    for (;;) {
      const head = this.items[0];
      if (!head) {
        this.draining = null; // in the same step as the check: a write() after this starts a new drain
        return;
      }
      if (head.kind === 'section') {
        this.items.shift();
        await head.run();
        continue;
      }
      let end = 0;
      while (this.items[end]?.kind === 'change') end++;
      const batch = this.items.splice(0, end) as Extract<Item<C>, { kind: 'change' }>[];
      try {
        await this.flush(batch.map((b) => b.change));
      } catch (e) {
        for (const b of batch) b.waiter.reject(e);
        continue;
      }
      for (const b of batch) b.waiter.resolve();
      // The hook reports its own failures; one that escapes must not stall the changes queued behind it.
      await this.afterFlush().catch(() => undefined);
    }
  }
}
