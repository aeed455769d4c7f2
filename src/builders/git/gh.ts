// Finding and running GitHub's CLI, `gh`: never prompting, never colouring, never checking for its
// own updates, and ended after a timeout. A failure is returned with the words gh gave for it.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { firstLine, gitEnv, type GitEnv } from './git.ts';
import { hideCredentials } from './origin.ts';

const run = promisify(execFile);

/** Why no pull request was opened, and what to do about it: said at start and in every "done" message. */
export const GH_MISSING = 'gh (the GitHub CLI) is not on PATH; install it from https://cli.github.com and run "gh auth login"';

/** The first executable file called `name` in the env's PATH (empty entries, meaning ".", are ignored). */
export async function findOnPath(name: string, env: GitEnv = process.env): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(path: string): Promise<boolean> {
  const s = await stat(path).catch(() => null);
  if (!s?.isFile()) return false;
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The gh to run: `ghPath` when given (and executable), else the one on the env's PATH; or why there is none. */
export async function locateGh(ghPath: string | undefined, env?: GitEnv): Promise<{ gh: string } | { missing: string }> {
  if (ghPath !== undefined) return (await isExecutableFile(ghPath)) ? { gh: ghPath } : { missing: `gh is not an executable at ${ghPath}` };
  const found = await findOnPath('gh', env);
  return found ? { gh: found } : { missing: GH_MISSING };
}

export interface GhRun {
  gh: string;
  cwd: string;
  env?: GitEnv;
  timeoutMs: number;
}

export type GhResult = { ok: true; stdout: string } | { ok: false; stderr: string; why: string };

/** Runs gh with an argv array; a failure says why in one line (its first stderr line, or the timeout), without credentials. */
export async function runGh(args: readonly string[], o: GhRun): Promise<GhResult> {
  try {
    const { stdout } = await run(o.gh, args, {
      cwd: o.cwd,
      env: { ...gitEnv(o.env), GH_PROMPT_DISABLED: '1', GH_NO_UPDATE_NOTIFIER: '1', NO_COLOR: '1' },
      timeout: o.timeoutMs,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    });
    return { ok: true, stdout };
  } catch (e) {
    const f = e as { stderr?: string; killed?: boolean; message?: string };
    const stderr = f.stderr ?? '';
    const why = f.killed ? `timed out after ${o.timeoutMs} ms` : firstLine(stderr) || firstLine(f.message ?? '') || 'no message';
    return { ok: false, stderr, why: hideCredentials(why) };
  }
}
