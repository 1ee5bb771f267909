import { defineConfig } from 'vitest/config';

// Timeouts are upper bounds on a busy 2-core machine, not expectations.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
