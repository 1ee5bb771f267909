import { defineConfig } from 'vitest/config';

// Tests spawn the built bin (run `build` first; `pnpm test` does via turbo). Timeouts are upper
// bounds on a busy 2-core machine, not expectations. --expose-gc lets the store test measure
// what small values hold.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
