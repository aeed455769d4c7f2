// The contract every agent preset fulfils: how to invoke one coding-agent CLI unattended (argv,
// stdin, extra env, the auth variables it needs) and how to read what it prints back (progress
// lines and a verdict). Pure: no spawning, no file system, no process.env. The runner owns those.
// The facts behind each preset are in agent-clis.md (shared notes); each preset file cites the section.

import type { PlanStep } from '../../core/task.ts';

/** Agents with a preset, in BUILDER=auto preference order (see detect.ts for why). */
export const AGENT_NAMES = ['claude', 'codex', 'gemini', 'opencode', 'aider'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];
export type PresetName = AgentName | 'custom';

export interface ArgvInput {
  /** The rendered prompt (prompt.ts). Reaches the agent verbatim: argv element or stdin, never a shell. */
  prompt: string;
  /** The task's worktree. The runner also spawns the agent with cwd = workspace. */
  workspace: string;
  /** Model name or alias as the CLI spells it; omitted: the CLI's own default. */
  model?: string;
  /** Appended after the preset's own flags (before a positional prompt), e.g. ['--max-turns', '40']. */
  extraArgs?: string[];
  /**
   * A directory outside the workspace where the agent may keep its own history files (aider).
   * Omitted: such files go to /dev/null rather than into the worktree.
   */
  stateDir?: string;
  /**
   * The agent session this attempt runs in (presets with `sessions`): a new one under this id
   * ('named' sessions only), or, with `resume`, an earlier attempt's session continued in the same worktree.
   */
  session?: { id: string; resume: boolean };
}

export interface AgentInvocation {
  /** Arguments after the executable. */
  args: string[];
  /**
   * Written to the child's stdin, which is then closed. null: close stdin at once, with nothing
   * written. Never leave it open and never write the spec there for such presets: codex, gemini and
   * opencode read piped stdin to EOF and append it to the prompt.
   */
  stdin: string | null;
}

export interface ProgressEvent {
  type: 'progress';
  /** A short human line: "editing src/spotify.ts", "running tests", "thinking". */
  message: string;
  /** 0-100 when the agent's own plan says how far it is, null when unknown (the usual case). */
  percent: number | null;
  /** The agent's whole plan, when this event is its todo list. */
  plan?: PlanStep[];
}

export type AgentEvent = ProgressEvent;

/** What the agent itself reported. Absent fields were not reported (never guessed). */
export interface AgentUsage {
  /** All input tokens the model read, cache reads included. */
  inputTokens?: number;
  /** The part of inputTokens served from the provider's prompt cache. */
  cachedInputTokens?: number;
  outputTokens?: number;
  /** The agent's own estimate, in US dollars. */
  costUsd?: number;
  /** Model round-trips (Claude num_turns, OpenCode steps, Aider LLM calls). */
  turns?: number;
}

export const AGENT_OUTCOMES = ['succeeded', 'failed', 'usage_limited'] as const;
export type AgentOutcome = (typeof AGENT_OUTCOMES)[number];

export interface AgentVerdict {
  /** Decided from the agent's terminal event, not its exit code (agent-clis.md §0). */
  outcome: AgentOutcome;
  /** A sentence a user can act on. */
  reason: string;
  /** The agent's own final text, trimmed to about 1500 characters. */
  summary?: string;
  usage?: AgentUsage;
  /** ISO instant at which a usage limit resets, when the agent said so in a form we can read. */
  resetsAt?: string;
  /** The agent's session/thread id, the handle for a later resume. */
  sessionId?: string;
  /** False for a failure that trying again cannot fix (a rejected API key): escalated at once. */
  retryable?: boolean;
  /** True when the session asked for could not be resumed: the next attempt starts a fresh one. */
  sessionLost?: boolean;
}

export interface AgentExit {
  code: number | null;
  signal: string | null;
}

export type OutputStream = 'stdout' | 'stderr';

/** One per attempt: feed it every output line, then the exit. */
export interface AgentStreamParser {
  /** One line of output, without its newline. Unknown event types and non-JSON lines yield no events. */
  line(text: string, stream?: OutputStream): AgentEvent[];
  /** Called once, after the process has exited. Works whether or not a terminal event was seen. */
  end(exit: AgentExit): AgentVerdict;
}

export interface ParserOptions {
  /** Absolute file paths inside it are shown relative to it ("editing src/x.ts"). */
  workspace?: string;
  /** The clock, for reset times written as a time of day ("resets 3pm"). */
  now?: () => Date;
  /** Zone of clock times printed without one (the CLI runs on this machine: its zone by default). */
  timeZone?: string;
}

/** Extra environment an agent needs when it runs as uid 0, and why. The runner decides whether to grant it. */
export interface RootRequirement {
  env: Readonly<Record<string, string>>;
  why: string;
}

export interface AgentPreset {
  readonly name: PresetName;
  /** The executable searched on PATH (custom: the configured command's first element). */
  readonly binary: string;
  readonly displayName: string;
  /** Auth and config variables to add to the builder's env allow-list (when set, they pass through). */
  readonly authEnv: readonly string[];
  /** Name prefixes that configure the agent (AIDER_*), for an allow-list that supports prefixes. */
  readonly authEnvPrefixes: readonly string[];
  /** Extra environment always set for this agent. */
  readonly env: Readonly<Record<string, string>>;
  /** Set when the agent refuses to run unattended as root unless told it is sandboxed. */
  readonly whenRoot?: RootRequirement;
  argv(input: ArgvInput): AgentInvocation;
  createParser(options?: ParserOptions): AgentStreamParser;
  /** A sentence naming what is wrong with a configured model name, or null when it is acceptable. */
  checkModel?(model: string): string | null;
  /**
   * How a later attempt continues the agent's session: 'named', nightshift names it up front
   * (Claude Code's --session-id) and resumes it; 'reported', the agent names it in its stream
   * (Codex's thread id, Gemini's and OpenCode's session id) and nightshift resumes the one it
   * reported. Absent: every attempt starts afresh (with the previous attempt's story in its prompt).
   */
  readonly sessions?: 'named' | 'reported';
}

/** A preset asked for something it cannot do (unknown name, empty custom command). Not retryable. */
export class PresetError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'PresetError';
  }
}
