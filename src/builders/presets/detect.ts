// BUILDER=auto: the first agent found on PATH, in a fixed preference order. Pure: the directories
// and the file check are given, so tests need no real PATH.
//
// The order: agents with a structured stream, a terminal event and a reported cost first (Claude
// Code, then Codex), then the other structured streams (Gemini CLI, OpenCode), and Aider last: plain
// text, exit code 0 whatever happened, and no shell commands when headless.
import { isAbsolute, join } from 'node:path';
import type { AgentPreset } from './preset.ts';
import { AGENT_PRESETS } from './registry.ts';

export interface DetectedPreset {
  preset: AgentPreset;
  /** The executable that was found: spawn this, and say it at start. */
  path: string;
}

/**
 * The first preset of `presets` (in order) whose binary exists in one of `pathDirs` (in PATH order).
 * `exists` should be true only for an executable regular file. Empty and relative PATH entries are
 * skipped: they would pick up a `claude` from whatever directory happens to be current.
 */
export function detectPreset(
  pathDirs: readonly string[],
  exists: (path: string) => boolean,
  presets: readonly AgentPreset[] = AGENT_PRESETS,
): DetectedPreset | null {
  const dirs = pathDirs.filter((d) => d !== '' && isAbsolute(d));
  for (const preset of presets) {
    for (const dir of dirs) {
      const path = join(dir, preset.binary);
      if (exists(path)) return { preset, path };
    }
  }
  return null;
}
