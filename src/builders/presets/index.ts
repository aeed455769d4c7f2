// Agent presets: how to run each coding-agent CLI unattended and read what it prints. The runner
// wires one of them into a builder; everything here is pure.
import { customPreset } from './custom.ts';
import { AGENT_NAMES, PresetError, type AgentName, type AgentPreset } from './preset.ts';
import { PRESETS_BY_NAME } from './registry.ts';

export * from './preset.ts';
export { AGENT_PRESETS, PRESETS_BY_NAME } from './registry.ts';
export { detectPreset, type DetectedPreset } from './detect.ts';
export { customPreset } from './custom.ts';
export { claude } from './claude.ts';
export { codex } from './codex.ts';
export { gemini } from './gemini.ts';
export { opencode } from './opencode.ts';
export { aider } from './aider.ts';
export { DEFAULT_PROMPT_TEMPLATE, DEFAULT_RULES, PROMPT_PLACEHOLDERS, PromptTemplateError, checkPromptTemplate, renderPrompt, type PromptVars } from './prompt.ts';

export const isAgentName = (name: string): name is AgentName => (AGENT_NAMES as readonly string[]).includes(name);

/** A preset by its BUILDER name; `custom` needs the configured command (an argv array). */
export function presetByName(name: string, customCommand?: readonly string[]): AgentPreset {
  if (isAgentName(name)) return PRESETS_BY_NAME[name];
  if (name === 'custom') {
    if (!customCommand) throw new PresetError('the custom preset needs a command: an argv array whose first element is the program');
    return customPreset(customCommand);
  }
  throw new PresetError(`no agent preset is called "${name}": expected one of ${[...AGENT_NAMES, 'custom'].join(', ')}`);
}
