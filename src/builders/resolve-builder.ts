// BUILDER → what will run the builds: a coding-agent preset found on PATH, any command, or the
// bundled demo builder. Decided once at start; a choice that cannot work fails there, naming
// BUILDER and what to do.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { AGENT_NAMES, AGENT_PRESETS, detectPreset, isAgentName, type AgentName } from './presets/index.ts';

export type BuilderChoice =
  | { kind: 'demo'; why: string }
  | { kind: 'agent'; preset: AgentName; path: string; detected: boolean }
  | { kind: 'custom'; argv: string[] };

export const BUILDER_NAMES = ['auto', 'demo', ...AGENT_NAMES, 'custom'] as const;

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface BuilderRequest {
  builder: string;
  /** BUILDER_COMMAND, for BUILDER=custom. */
  command?: string[];
  pathEnv: string;
  /** The process's uid (undefined off POSIX). */
  uid?: number;
  sandboxed: boolean;
}

export function resolveBuilder(req: BuilderRequest): { ok: true; choice: BuilderChoice } | { ok: false; problem: string } {
  const dirs = req.pathEnv.split(delimiter);
  const value = req.builder.trim();
  let choice: BuilderChoice;
  if (value === 'demo') {
    choice = { kind: 'demo', why: 'BUILDER=demo' };
  } else if (value === 'auto') {
    const found = detectPreset(dirs, isExecutableFile);
    choice = found
      ? { kind: 'agent', preset: found.preset.name as AgentName, path: found.path, detected: true }
      : { kind: 'demo', why: `BUILDER=auto found no coding agent on PATH (looked for ${AGENT_PRESETS.map((p) => p.binary).join(', ')})` };
  } else if (isAgentName(value)) {
    const preset = AGENT_PRESETS.find((p) => p.name === value);
    const found = preset ? detectPreset(dirs, isExecutableFile, [preset]) : null;
    if (!found) return { ok: false, problem: `BUILDER=${value}: "${preset?.binary ?? value}" is not on PATH; install it, or set BUILDER to another agent (${AGENT_NAMES.join(', ')}), auto or demo` };
    choice = { kind: 'agent', preset: value, path: found.path, detected: false };
  } else if (value === 'custom') {
    const argv = req.command ?? [];
    if (argv.length === 0) return { ok: false, problem: 'BUILDER=custom needs BUILDER_COMMAND, a JSON array such as ["my-agent", "--fast"]' };
    choice = { kind: 'custom', argv };
  } else if (value.includes('/')) {
    const path = resolve(value);
    if (!isExecutableFile(path)) return { ok: false, problem: `BUILDER: "${value}" is not an executable file (check the path and chmod +x)` };
    choice = { kind: 'custom', argv: [path] };
  } else {
    return { ok: false, problem: `BUILDER: expected ${BUILDER_NAMES.join(', ')}, or the path of an executable (got "${value}")` };
  }
  if (choice.kind === 'agent' && req.uid === 0 && !req.sandboxed) {
    const preset = AGENT_PRESETS.find((p) => p.name === (choice as { preset: AgentName }).preset);
    if (preset?.whenRoot) {
      return {
        ok: false,
        problem: `BUILDER=${choice.detected ? `auto chose ${choice.preset}` : choice.preset}: ${preset.displayName} will not run unattended as root (${preset.whenRoot.why}); run nightshift as a normal user, or set AGENT_SANDBOXED=true if this machine is a disposable sandbox`,
      };
    }
  }
  return { ok: true, choice };
}
