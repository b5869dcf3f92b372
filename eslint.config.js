// Lint: typescript-eslint's recommended rules, plus import walls that keep src/core runnable in Node
// and in a worker (ARCHITECTURE.md principle 1) and libraries behind one module each (principle 8).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const platformOnly = ['idb', 'react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*', 'recharts',
  '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-wasm/*', '@tensorflow/tfjs-node', 'node:*', 'fs', 'path', 'os', 'worker_threads'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: platformOnly, message: 'src/core must run unchanged in Node and in a worker: no DOM, React, idb, Node or backend imports.' }],
      }],
      'no-restricted-globals': ['error', 'document', 'window', 'indexedDB', 'localStorage', 'navigator'],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/platform/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'idb', message: 'Only src/platform imports idb.' }] }],
    },
  },
);
