import { defineConfig } from 'vitest/config';

// Unit and Node end-to-end tests. tfjs runs on the wasm backend with the project's training kernels
// (chosen in tests/helpers/setup.ts; tests comparing against `cpu` switch explicitly), and test models
// stay tiny. Browser tests live in tests/e2e.
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
