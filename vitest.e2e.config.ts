import { defineConfig } from 'vitest/config';

// Browser end-to-end tests: the built lab (dist/, built by `npm run test:e2e`) served on 127.0.0.1 by
// the tests, driven in Debian's headless Chromium through playwright-core. One file at a time: the
// software WebGPU adapter and the two cores are shared.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
  },
});
