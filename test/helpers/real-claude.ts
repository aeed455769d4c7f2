// Where the real Claude Code CLI is (installed by `npm test` into test/real-claude-code, see
// scripts/test-tools.mjs), and a directory to put first on PATH so BUILDER=claude finds it as `claude`.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolReady } from './test-tools.ts';

const SCOPE = fileURLToPath(new URL('../real-claude-code/node_modules/@anthropic-ai/', import.meta.url));

/** `npm test` installs the CLI beside the suite: waits for an install under way. */
export const realClaudeInstalled = (): Promise<void> => toolReady('claude-code');

/** The native binary of the platform package npm chose (`claude-code-linux-x64`, `…-darwin-arm64`, …). */
export function realClaudeBinary(): string {
  const found = existsSync(SCOPE)
    ? readdirSync(SCOPE)
        .filter((d) => d.startsWith('claude-code-'))
        .flatMap((d) => ['claude', 'claude.exe'].map((f) => join(SCOPE, d, f)))
        .find((f) => existsSync(f))
    : undefined;
  if (!found) throw new Error(`the real Claude Code CLI is not installed under ${SCOPE}: run \`npm test\` (or \`node scripts/test-tools.mjs\`), which installs it`);
  return found;
}

/** A directory holding only `claude`, a link to the real binary. */
export async function realClaudeOnPath(home: string): Promise<string> {
  await realClaudeInstalled();
  const dir = join(home, 'real-claude-bin');
  await mkdir(dir, { recursive: true });
  await symlink(realClaudeBinary(), join(dir, 'claude'));
  return dir;
}
