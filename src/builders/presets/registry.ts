// The agent presets in BUILDER=auto preference order (detect.ts says why this order).
import { aider } from './aider.ts';
import { claude } from './claude.ts';
import { codex } from './codex.ts';
import { gemini } from './gemini.ts';
import { opencode } from './opencode.ts';
import type { AgentName, AgentPreset } from './preset.ts';

export const AGENT_PRESETS: readonly AgentPreset[] = [claude, codex, gemini, opencode, aider];

export const PRESETS_BY_NAME: Readonly<Record<AgentName, AgentPreset>> = { claude, codex, gemini, opencode, aider };
