// The chaos agents' ledger as a file the run reads while it goes: everything so far, or the next
// event of a kind (the moment to kill at).
import { existsSync, readFileSync } from 'node:fs';
import { parseLedger, type LedgerEvent } from './ledger.ts';
import { pause } from './random.ts';

/** How long a kill waits for its moment before killing anyway (counted as missed). */
export const MOMENT_WAIT_MS = 10_000;

export class LedgerFile {
  constructor(readonly path: string) {}

  read(): LedgerEvent[] {
    return existsSync(this.path) ? parseLedger(readFileSync(this.path, 'utf8')) : [];
  }

  /** The first event of `kind` (and `also`) written from now on; null if `gone()` first or MOMENT_WAIT_MS pass. */
  async next(kind: LedgerEvent['ev'], gone: () => boolean, also: (e: LedgerEvent) => boolean = () => true): Promise<LedgerEvent | null> {
    const seen = this.read().length;
    const until = Date.now() + MOMENT_WAIT_MS;
    while (Date.now() < until && !gone()) {
      const fresh = this.read()
        .slice(seen)
        .find((e) => e.ev === kind && also(e));
      if (fresh) return fresh;
      await pause(10);
    }
    return null;
  }
}
