// The code before issue 10 ("fast and lean") as a baseline measured in the same run: a git worktree
// of that commit in a temp directory, sharing this checkout's node_modules (its bin runs the
// TypeScript sources through tsx, which is still a dev dependency here).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The last commit before the work on issue 10; BENCH_BASELINE=<commit> picks another, "off" none. */
export const BASELINE_REF = process.env.BENCH_BASELINE ?? '03dccdc';
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface Baseline {
  ref: string;
  bin: string;
  remove(): Promise<void>;
}

export async function checkoutBaseline(): Promise<Baseline | null> {
  if (BASELINE_REF === 'off') return null;
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-baseline-'));
  const tree = join(dir, 'tree');
  try {
    execFileSync('git', ['worktree', 'add', '--detach', '--quiet', tree, BASELINE_REF], { cwd: REPO, stdio: 'pipe' });
  } catch (e) {
    console.log(`(no baseline: git could not check out ${BASELINE_REF}: ${String(e).split('\n')[0]})`);
    await rm(dir, { recursive: true, force: true });
    return null;
  }
  await symlink(join(REPO, 'node_modules'), join(tree, 'node_modules'), 'dir');
  const bin = join(tree, 'bin', 'nightshift.mjs');
  return {
    ref: BASELINE_REF,
    bin: existsSync(bin) ? bin : join(tree, 'bin', 'nightshift'),
    async remove() {
      execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: REPO, stdio: 'pipe' });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
