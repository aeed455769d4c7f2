// The one way nightshift runs git: execFile with an argv array (task titles and ids end up in
// branch names and commit messages, so no shell ever sees them), a fixed English locale so the
// output we parse reads the same everywhere, and nothing that could wait for a password.
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The environment git is given (`process.env` when omitted). Tests pass an isolated one. */
export type GitEnv = Readonly<Record<string, string | undefined>>;

export interface GitOptions {
  /** Where git runs: a repository, one of its worktrees, or a directory inside one. */
  cwd: string;
  env?: GitEnv;
  /** Git is ended after this long. Default 60_000 ms; network calls set their own. */
  timeoutMs?: number;
}

/** Identity for commits nightshift itself makes in a repository that has none configured. */
export const DEFAULT_IDENTITY = { name: 'nightshift', email: 'nightshift@localhost' } as const;

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Variables that would point git at another repository than the one `cwd` is in (set, for
 * example, when nightshift itself runs from a git hook). We always locate repositories by cwd.
 */
const REPOSITORY_LOCATORS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

/** Git's environment: the given one, without repository locators, never prompting, in English. */
export function gitEnv(env: GitEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !REPOSITORY_LOCATORS.includes(k)) out[k] = v;
  out.GIT_TERMINAL_PROMPT = '0';
  out.LC_ALL = 'C';
  out.LANGUAGE = 'C';
  return out;
}

/** A workspace or repository problem a person has to fix; retrying will not help. */
export class WorkspaceError extends Error {
  override readonly name = 'WorkspaceError';
  readonly retryable = false;

  constructor(
    message: string,
    /** The directory the problem is about. */
    readonly path?: string,
  ) {
    super(message);
  }
}

/** A git command failed unexpectedly (a lock held by another git, a full disk): may be worth retrying. */
export class GitError extends Error {
  override readonly name = 'GitError';
  readonly retryable = true;

  constructor(
    readonly args: readonly string[],
    readonly cwd: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed in ${cwd}${exitCode === null ? '' : ` (exit ${exitCode})`}: ${firstLine(stderr) || 'no message'}`);
  }
}

export interface GitResult {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

interface ExecFailure {
  code?: number | string | null;
  killed?: boolean;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
}

/**
 * Runs git and reports how it ended instead of throwing for a non-zero exit. Throws
 * WorkspaceError only when git itself cannot be run (not installed, cwd missing).
 */
/**
 * Settings that would let code from the repository run inside nightshift's own git calls: an
 * agent can write the worktree's config (core.fsmonitor is a command git runs on `git status`;
 * hooks run on commit and push). nightshift's git never runs them.
 */
const NO_REPO_CODE = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null'];

export async function tryGit(args: readonly string[], opts: GitOptions): Promise<GitResult> {
  try {
    const { stdout, stderr } = await run('git', [...NO_REPO_CODE, ...args], {
      cwd: opts.cwd,
      env: gitEnv(opts.env),
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: MAX_OUTPUT_BYTES,
      encoding: 'utf8',
    });
    return { ok: true, exitCode: 0, stdout, stderr };
  } catch (e) {
    const f = e as ExecFailure;
    if (f.code === 'ENOENT') {
      throw new WorkspaceError(
        `could not run git in ${opts.cwd}: either git is not installed (not on PATH) or the directory does not exist`,
        opts.cwd,
      );
    }
    const stderr = f.killed ? `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms\n${f.stderr ?? ''}` : (f.stderr ?? '');
    return { ok: false, exitCode: typeof f.code === 'number' ? f.code : null, stdout: f.stdout ?? '', stderr };
  }
}

/** Runs git and returns its stdout; a non-zero exit throws GitError. */
export async function git(args: readonly string[], opts: GitOptions): Promise<string> {
  const r = await tryGit(args, opts);
  if (!r.ok) throw new GitError(args, opts.cwd, r.exitCode, r.stderr);
  return r.stdout;
}

/**
 * `-c user.name=… -c user.email=…` for a commit nightshift makes itself, only for what the
 * repository (with the global and system config git reads) does not already say.
 */
export async function identityArgs(cwd: string, env?: GitEnv): Promise<string[]> {
  // Both keys in one git call (a commit takes several already): entries are "key\nvalue", NUL-ended,
  // in the order git reads its files, so the last of a key is the one that applies (as --get).
  const r = await tryGit(['config', '-z', '--get-regexp', '^user\\.(name|email)$'], { cwd, env });
  const set = new Map<string, string>();
  if (r.ok) {
    for (const entry of splitZ(r.stdout)) {
      const nl = entry.indexOf('\n');
      if (nl > 0) set.set(entry.slice(0, nl), entry.slice(nl + 1));
    }
  }
  const args: string[] = [];
  for (const key of ['name', 'email'] as const) {
    if ((set.get(`user.${key}`) ?? '').trim() === '') args.push('-c', `user.${key}=${DEFAULT_IDENTITY[key]}`);
  }
  return args;
}

/**
 * Arguments for a commit nightshift makes on someone's behalf: the identity where none is
 * configured, and no signing or hooks, which could wait for a passphrase or refuse a record
 * of the agent's work that a person is about to review anyway.
 */
export async function ownCommitArgs(cwd: string, env?: GitEnv): Promise<string[]> {
  return [...(await identityArgs(cwd, env)), '-c', 'commit.gpgsign=false'];
}

export function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

/** Splits NUL-separated output (`-z`) into its entries. */
export function splitZ(text: string): string[] {
  return text.split('\0').filter((s) => s !== '');
}

export function splitLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
}

/**
 * The canonical form of a path for comparisons: symlinks resolved (macOS's /var is /private/var)
 * as far as the path exists; a missing tail is joined on as given.
 */
export async function canonicalPath(path: string): Promise<string> {
  const abs = resolve(path);
  try {
    return await realpath(abs);
  } catch {
    const parent = dirname(abs);
    if (parent === abs) return abs;
    return join(await canonicalPath(parent), basename(abs));
  }
}

/** True when `inner` is `outer` or lies below it (both canonical). */
export function isWithin(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  const prefix = outer.endsWith('/') ? outer : `${outer}/`;
  return inner.startsWith(prefix);
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call for the same repository has settled: worktree and branch
 * bookkeeping in one repository happens one change at a time within this process.
 */
export async function withRepoLock<T>(repo: string, fn: () => Promise<T>): Promise<T> {
  const key = await canonicalPath(repo);
  const before = queues.get(key) ?? Promise.resolve();
  const mine = before.catch(() => {}).then(fn);
  const tail = mine.catch(() => {});
  queues.set(key, tail);
  try {
    return await mine;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}
