import { defineConfig } from 'vitest/config';

// Unit and Node end-to-end tests. tfjs runs on its pure-JS `cpu` backend here (set in
// tests/helpers/setup.ts), so test models stay tiny. Browser tests live in tests/e2e.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    setupFiles: ['tests/helpers/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
