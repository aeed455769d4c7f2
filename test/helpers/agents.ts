// Paths of the fake agent scripts in test/fixtures/agents.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const agent = (name: 'succeed' | 'planner' | 'fail' | 'answer' | 'flaky' | 'hang' | 'env-dump' | 'noop' | 'chatty' | 'daemonize' | 'partial' | 'detach' | 'fsmonitor' | 'leak' | 'leaky' | 'gated' | 'outlive'): string =>
  fileURLToPath(new URL(`../fixtures/agents/${name}.mjs`, import.meta.url));

export const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** The pids the `hang` agent wrote into its workspace (it writes them once it and its children run). */
export async function hangPids(workspace: string, timeoutMs = 10_000): Promise<number[]> {
  const file = join(workspace, 'hang-pids.json');
  await waitFor(async () => (await readFile(file, 'utf8').catch(() => '')) !== '', timeoutMs, 'the hang agent running');
  return Object.values(JSON.parse(await readFile(file, 'utf8')) as Record<string, number>);
}
