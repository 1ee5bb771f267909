import { defineConfig } from 'vitest/config';

// Tests spawn the built bin (run `build` first; `pnpm test` does via turbo). Timeouts are upper
// bounds on a busy 2-core machine, not expectations.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 30_000 },
});
