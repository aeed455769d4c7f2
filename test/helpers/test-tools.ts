// The tools `npm test` installs beside the suite (scripts/test-tools.mjs): a test that needs one
// waits here while it installs, and fails saying why if it could not be installed.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../../src/builders/process-tree.ts';
import { waitFor } from './agents.ts';

const MARKS = fileURLToPath(new URL('../.tools/', import.meta.url));

export async function toolReady(name: 'claude-code' | 'chromium'): Promise<void> {
  const installing = `${MARKS}${name}.installing`;
  const over = () => {
    try {
      const pid = Number(readFileSync(installing, 'utf8'));
      return pid > 0 && !isAlive(pid); // left by an install that died
    } catch {
      return true; // no install under way
    }
  };
  await waitFor(over, 240_000, `the install of ${name} by npm test (scripts/test-tools.mjs)`);
  const failed = `${MARKS}${name}.install-failed`;
  if (existsSync(failed)) throw new Error(readFileSync(failed, 'utf8'));
}
