// The branch's work as a readable diff (diff2html renders git's unified diff as HTML, escaping the
// text). git runs with an argv, never a shell; a diff too big for a page is cut, and says so.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Deliverables } from '../core/task.ts';

const MAX_DIFF_BYTES = 1024 * 1024;

function git(args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env, maxBuffer: MAX_DIFF_BYTES * 4, timeout: 10_000 }, (e, stdout) => (e ? reject(e) : resolve(stdout)));
  });
}

export async function branchDiff(d: Deliverables, env: Record<string, string>): Promise<{ html: string } | { none: string }> {
  if (!d.branch || !d.baseCommit) return { none: 'No work on a branch yet.' };
  if (!d.workspace || !existsSync(d.workspace)) return { none: `The worktree was cleaned up; the work is on the branch ${d.branch}.` };
  let text: string;
  try {
    text = await git(['diff', '--no-color', '--no-ext-diff', d.baseCommit, d.branch, '--'], d.workspace, env);
  } catch (e) {
    return { none: `git could not show the diff: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  if (text.trim() === '') return { none: 'The branch changes nothing yet.' };
  let cut = '';
  if (text.length > MAX_DIFF_BYTES) {
    text = text.slice(0, text.lastIndexOf('\ndiff --git ', MAX_DIFF_BYTES) + 1 || MAX_DIFF_BYTES);
    cut = `<p class="muted">The diff is longer than ${MAX_DIFF_BYTES / 1024} KiB: the rest is on the branch ${escape(d.branch)}.</p>`;
  }
  const { html } = await import('diff2html');
  return { html: html(text, { drawFileList: true, matching: 'lines', outputFormat: 'line-by-line' }) + cut };
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
