// Any command as the builder: a configured argv (never a shell string), the prompt on stdin, the
// PROGRESS protocol of progress-line.ts (`PROGRESS 40% message`, or any line as the latest text;
// `PLAN [...]` for its plan),
// and exit code 0 as success. Model and workspace are not passed: the command gets cwd = workspace.
import { basename } from 'node:path';
import { parsePlanLine, parseProgressLine, planProgress } from '../progress-line.ts';
import { PresetError, type AgentPreset, type AgentStreamParser, type AgentVerdict } from './preset.ts';
import { describeExit, TailLines } from './stream-kit.ts';

export function customPreset(command: readonly string[]): AgentPreset {
  const [binary, ...fixed] = command;
  if (!binary || binary.trim() === '') throw new PresetError('the custom preset needs a command: an argv array whose first element is the program');
  const display = `command ${basename(binary)}`;
  return {
    name: 'custom',
    binary,
    displayName: display,
    authEnv: [],
    authEnvPrefixes: [],
    env: {},
    argv: ({ prompt, extraArgs }) => ({ args: [...fixed, ...(extraArgs ?? [])], stdin: prompt }),
    createParser: () => createCustomParser(display),
  };
}

export function createCustomParser(display = 'the command'): AgentStreamParser {
  const tail = new TailLines();
  return {
    line(text, stream = 'stdout') {
      tail.push(text, stream === 'stderr');
      const plan = stream === 'stdout' ? parsePlanLine(text) : null;
      if (plan) {
        const p = planProgress(plan);
        return [{ type: 'progress', message: p.message, percent: p.percent, plan }];
      }
      const p = parseProgressLine(text);
      if (!p || p.message === '') return [];
      return [{ type: 'progress', message: p.message, percent: p.percent }];
    },
    end(exit): AgentVerdict {
      if (exit.code === 0 && !exit.signal) return { outcome: 'succeeded', reason: `${display} exited with code 0` };
      return { outcome: 'failed', reason: `${display} ${describeExit(exit)}${tail.quote()}` };
    },
  };
}
