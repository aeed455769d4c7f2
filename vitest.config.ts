import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most of the suite waits on child processes and sockets rather than the CPU: two workers on
    // two cores keep CI well inside its five minutes (one worker is vitest's default there).
    maxWorkers: 2,
  },
});
