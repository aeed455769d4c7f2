// A real engine on a real store for the chat adapters' end-to-end tests: a fake agent builds,
// a failed attempt is retried after 100 ms, and the hourly tick stays out of the way (events drive
// everything). Options change only what a test is about.
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/core/engine.ts';
import { defaultPolicy, type Policy } from '../../src/core/policy.ts';
import { silentLogger, systemClock, type Clock } from '../../src/core/ports.ts';
import { LowdbTaskStore } from '../../src/store/index.ts';
import type { CheckCommand } from '../../src/builders/project-check.ts';
import type { agent } from './agents.ts';
import { fakeAgentBuilder } from './builders.ts';

export interface ChatEngineOptions {
  script?: Parameters<typeof agent>[0];
  /** The fake agent's environment, on top of PATH and FAKE_STEP_MS=150. */
  env?: Record<string, string>;
  policy?: Partial<Policy>;
  /** BUILD_CHECK: the project's check, run after the agent finishes with changes. */
  check?: CheckCommand;
  clock?: Clock;
  runBuilds?: boolean;
  /** When the last morning summary went out (unset: the first run only sets the baseline). */
  lastSummaryAt?: string;
}

/**
 * Built work that fails the project's check, escalated at once: the `answer` agent writes the wrong
 * answer and never fixes it, the check (test/fixtures/checks) fails it, and one attempt is the
 * budget. What "Accept anyway" is for.
 */
export const failingChecks: ChatEngineOptions = {
  script: 'answer',
  env: { FAKE_NEVER_FIX: '1' },
  check: { argv: [process.execPath, fileURLToPath(new URL('../fixtures/checks/answer-check.mjs', import.meta.url))], timeoutMs: 30_000 },
  policy: { maxAttempts: 1 },
};

export async function chatEngine(dir: string, opts: ChatEngineOptions = {}): Promise<{ store: LowdbTaskStore; engine: Engine }> {
  const store = new LowdbTaskStore({ dir });
  await store.open();
  if (opts.lastSummaryAt) await store.setMeta('lastSummaryAt', opts.lastSummaryAt);
  const engine = new Engine({
    store,
    builder: fakeAgentBuilder(opts.script ?? 'succeed', dir, { env: { PATH: process.env.PATH ?? '', FAKE_STEP_MS: '150', ...opts.env }, ...(opts.check ? { commandsFor: () => ({ check: opts.check }) } : {}) }),
    policy: defaultPolicy({ timeZone: 'Europe/London', retryBackoffMs: [100], tickMs: 3_600_000, ...opts.policy }),
    clock: opts.clock ?? systemClock,
    logger: silentLogger,
    runBuilds: opts.runBuilds ?? true,
  });
  return { store, engine };
}
