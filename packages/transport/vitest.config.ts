import { defineConfig } from 'vitest/config';

// Timeouts are upper bounds on a busy 2-core machine (turbo runs several suites at once), not
// expectations: a test that needs long should wait for an event, not for the clock.
// --expose-gc lets the memory tests prove that an idle connection keeps no chunk alive;
// --allow-natives-syntax lets them check that handles stay small integers (%IsSmi).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--expose-gc', '--allow-natives-syntax'] } },
  },
});
