// The prompt template, BUILDER=auto detection and the preset registry.
import { accessSync, constants, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AGENT_NAMES,
  AGENT_PRESETS,
  DEFAULT_PROMPT_TEMPLATE,
  DEFAULT_RULES,
  PresetError,
  PromptTemplateError,
  checkPromptTemplate,
  detectPreset,
  presetByName,
  renderPrompt,
  type PromptVars,
} from '../src/builders/presets/index.ts';
import { FAKE_CLI_DIR } from './fixtures/fake-clis/harness.ts';

const VARS: PromptVars = {
  title: 'Spotify playlist export',
  spec: 'Export my playlists to CSV.\n',
  clarifications: ['Only public playlists.', 'Include the\nadded-at date.'],
  deadline: '07:00 Fri 22 Aug',
  repository: '/home/me/code/tools',
  branch: 'nightshift/t-7-spotify-playlist-export',
  rules: DEFAULT_RULES,
};

describe('renderPrompt', () => {
  it('the default template carries the task, its context and the rules', () => {
    const prompt = renderPrompt(DEFAULT_PROMPT_TEMPLATE, VARS);
    expect(prompt).toContain('# Task: Spotify playlist export\n\nExport my playlists to CSV.\n\n## Clarifications');
    expect(prompt).toContain('- Only public playlists.\n- Include the\n  added-at date.');
    expect(prompt).toContain('- Repository: /home/me/code/tools');
    expect(prompt).toContain('- Branch: nightshift/t-7-spotify-playlist-export');
    expect(prompt).toContain('- Deadline: 07:00 Fri 22 Aug');
    expect(prompt).toMatch(/Stay inside the current directory/);
    expect(prompt).toMatch(/Commit your work on the current branch/);
    expect(prompt).toMatch(/short summary: what you did, what is left/);
    expect(prompt).not.toMatch(/\{\{/);
    expect(prompt.startsWith('-')).toBe(false); // safe as an argv element
  });

  it('says "none" for a missing deadline and "(none)" for no clarifications', () => {
    const prompt = renderPrompt(DEFAULT_PROMPT_TEMPLATE, { ...VARS, deadline: null, clarifications: [] });
    expect(prompt).toContain('- Deadline: none');
    expect(prompt).toContain('## Clarifications\n\n(none)');
  });

  it('inserts values in one pass: placeholders inside the spec stay as written', () => {
    const spec = 'Render {{title}} and {{nonsense}} literally; $& $1 too.';
    expect(renderPrompt('{{ spec }}|{{title}}', { ...VARS, spec })).toBe(`${spec}|Spotify playlist export`);
  });

  it('a custom template may use any subset of the placeholders', () => {
    expect(renderPrompt('Do this in {{repository}}: {{spec}}', VARS)).toBe('Do this in /home/me/code/tools: Export my playlists to CSV.');
  });

  it.each([
    ['{{spec}} {{task}}', ['task'], /unknown placeholder \{\{task\}\}; known: \{\{title\}\}, \{\{spec\}\}/],
    ['{{spec}} {{owner}} {{ due }} {{owner}}', ['owner', 'due'], /unknown placeholders \{\{owner\}\}, \{\{due\}\}/],
    ['{{spec}} {{}}', [''], /unknown placeholder \{\{\}\}/],
    ['{{Spec}}', ['Spec'], /\{\{Spec\}\}/],
  ])('unknown placeholders are an error that names them: %j', (template, unknown, message) => {
    let error: unknown;
    try {
      renderPrompt(template, VARS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PromptTemplateError);
    expect((error as PromptTemplateError).unknown).toEqual(unknown);
    expect((error as PromptTemplateError).message).toMatch(message);
    expect(() => checkPromptTemplate(template)).toThrow(PromptTemplateError);
  });

  it('a template without {{spec}} is refused: the agent would never see the task', () => {
    expect(() => renderPrompt('Work on {{title}}.', VARS)).toThrow(/never uses \{\{spec\}\}/);
  });

  it('the default template passes its own check', () => {
    expect(() => checkPromptTemplate(DEFAULT_PROMPT_TEMPLATE)).not.toThrow();
  });
});

describe('detectPreset (BUILDER=auto)', () => {
  const onPath = (...paths: string[]) => (p: string) => paths.includes(p);

  it.each([
    ['nothing installed', ['/usr/bin', '/usr/local/bin'], [], null],
    ['only aider', ['/usr/bin'], ['/usr/bin/aider'], '/usr/bin/aider'],
    ['claude is preferred over aider', ['/usr/bin'], ['/usr/bin/aider', '/usr/bin/claude'], '/usr/bin/claude'],
    ['preference beats PATH order', ['/a', '/b'], ['/a/opencode', '/b/codex'], '/b/codex'],
    ['the first PATH entry holding the chosen agent', ['/a', '/b'], ['/a/gemini', '/b/gemini'], '/a/gemini'],
    ['gemini before opencode before aider', ['/x'], ['/x/aider', '/x/opencode', '/x/gemini'], '/x/gemini'],
    ['empty and relative PATH entries are skipped', ['', '.', 'bin', '/opt/bin'], ['claude', './claude', 'bin/claude', '/opt/bin/aider'], '/opt/bin/aider'],
  ])('%s', (_what, dirs, present, expected) => {
    const found = detectPreset(dirs, onPath(...present));
    expect(found?.path ?? null).toBe(expected);
    if (found) expect(found.path.endsWith(`/${found.preset.binary}`)).toBe(true);
  });

  it('the documented preference order', () => {
    expect(AGENT_PRESETS.map((p) => p.name)).toEqual(['claude', 'codex', 'gemini', 'opencode', 'aider']);
    expect([...AGENT_NAMES]).toEqual(['claude', 'codex', 'gemini', 'opencode', 'aider']);
  });

  it('finds the fake CLIs on a real PATH with a real executable check', () => {
    const executable = (p: string) => {
      try {
        accessSync(p, constants.X_OK);
        return statSync(p).isFile();
      } catch {
        return false;
      }
    };
    const found = detectPreset(['/nonexistent-dir', FAKE_CLI_DIR], executable);
    expect(found?.preset.name).toBe('claude');
    expect(found?.path).toBe(`${FAKE_CLI_DIR.replace(/\/$/, '')}/claude`);
  });
});

describe('presetByName', () => {
  it('finds each agent by its BUILDER name', () => {
    for (const name of AGENT_NAMES) expect(presetByName(name).name).toBe(name);
  });

  it('builds the custom preset from the configured command', () => {
    expect(presetByName('custom', ['/opt/agent', '-q']).binary).toBe('/opt/agent');
    expect(() => presetByName('custom')).toThrow(PresetError);
  });

  it('an unknown name lists the known ones', () => {
    expect(() => presetByName('cursor')).toThrow('no agent preset is called "cursor": expected one of claude, codex, gemini, opencode, aider, custom');
  });
});
