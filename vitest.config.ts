import { defineConfig } from 'vitest/config';
import SlowFirst from './test/setup/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/temp-root.ts', 'test/setup/build.ts', 'test/setup/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most of the suite waits on child processes and sockets rather than the CPU, so a third worker
    // on two cores fills the waits: measured here, 162 s with two workers, 123 s with three, 111 s
    // with four (one is vitest's default on two cores); again with the static checks beside it
    // (npm test), 258 s, 215 s and 210 s. Three keeps some headroom for the tests that time real
    // deadlines (Slack's 3 s ack, Discord's interaction window) on a loaded machine.
    maxWorkers: 3,
    // Test files in one worker share its loaded modules instead of importing src/ again each: on an
    // idle 2-core machine, paired, 186 s and 297 s of CPU isolated against 162 s and 249 s shared
    // (module import time summed over files, 31 s against 13 s). It is safe here because no test
    // file mocks a module or changes the environment, and each restores real timers after faking them;
    // a file that must do either needs `isolate: true` (a project of its own) instead.
    isolate: false,
    sequence: { sequencer: SlowFirst },
  },
});
