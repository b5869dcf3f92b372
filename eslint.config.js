// Lint: typescript-eslint's recommended rules, plus the import walls of docs/architecture.md#lint-walls: data flows
// core ← platform ← worker ← state ← ui, core runs unchanged in Node and in a worker (principle 1),
// contracts live in core (principle 12) and each library sits behind one module (principle 8).
// ESLint keeps only the LAST block's `no-restricted-imports` for a file, so every block below states
// its folder's whole wall (walls() builds it); tests/lint/walls.test.ts proves each wall fails a probe.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const NODE = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'url', 'zlib'];
const BACKENDS = [
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-wasm/*',
  '@tensorflow/tfjs-node',
];
const REACT = ['react', 'react/*', 'react-dom', 'react-dom/*', 'recharts'];
const ZUSTAND = ['zustand', 'zustand/*'];
const TFJS = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'];

/** A relative import that reaches into one of the named top-level folders of src/. */
const into = (...folders) => `^(\\.\\.?/)+(?:\\.\\./)*(?:src/)?(${folders.join('|')})(/|$)`;

/** The whole wall of a folder: packages it may not use and src/ folders it may not import. */
function walls({ packages = [], folders = [], regex = [], message }) {
  const patterns = [];
  if (packages.length) patterns.push({ group: packages, message });
  if (folders.length) patterns.push({ regex: into(...folders), message });
  for (const r of regex) patterns.push({ regex: r, message });
  return { 'no-restricted-imports': ['error', { paths: [], patterns }] };
}

/** worker/ internals: everything but the three workers' protocols and clients (worker/{lab,import,tryit}/). */
const WORKER_INTERNALS = '^(\\.\\./)+worker/(?!(lab|import|tryit)/(protocol|client)$)';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // React's rules of hooks, complete dependency lists (as errors) and the React Compiler's checks, where React is.
  {
    files: ['src/ui/**/*.ts', 'src/ui/**/*.tsx', 'src/state/react.ts', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs['recommended-latest'].rules, 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['src/core/**/*.ts', 'src/core/**/*.tsx'],
    rules: {
      ...walls({
        packages: ['idb', ...REACT, ...ZUSTAND, ...BACKENDS, ...NODE],
        folders: ['platform', 'worker', 'state', 'ui', 'cli'],
        message:
          'src/core is the bottom layer and runs unchanged in Node and in a worker: no DOM, React, idb, Node, backend packages, and no import of platform/, worker/, state/, ui/ or cli/.',
      }),
      'no-restricted-globals': ['error', 'document', 'window', 'indexedDB', 'localStorage', 'navigator'],
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: walls({
      packages: [...REACT, ...ZUSTAND],
      folders: ['worker', 'state', 'ui', 'cli'],
      message:
        "src/platform implements core's ports: it imports core only (no worker/, state/, ui/, cli/, React or zustand).",
    }),
  },
  {
    files: ['src/worker/**/*.ts'],
    rules: walls({
      packages: ['idb', ...REACT, ...ZUSTAND],
      folders: ['state', 'ui', 'cli'],
      message:
        'src/worker runs the engine over core and platform: no state/, ui/, cli/, React, zustand or idb (storage comes through platform).',
    }),
  },
  {
    files: ['src/state/**/*.ts'],
    ignores: ['src/state/react.ts'],
    rules: walls({
      packages: ['idb', ...REACT, ...BACKENDS, ...TFJS, ...NODE],
      folders: ['platform', 'ui', 'cli'],
      regex: [WORKER_INTERNALS],
      message:
        "src/state talks to the worker only through its protocol and clients (worker/lab, worker/import and worker/tryit: protocol.ts and client.ts) and to storage through core's port: no platform/, worker internals, ui/, tfjs or React (state/react.ts binds React).",
    }),
  },
  {
    files: ['src/state/react.ts'],
    rules: walls({
      packages: ['idb', ...BACKENDS, ...TFJS, ...NODE],
      folders: ['platform', 'ui', 'cli', 'worker'],
      message: 'state/react.ts only binds the store to React.',
    }),
  },
  {
    files: ['src/ui/**/*.ts', 'src/ui/**/*.tsx'],
    rules: walls({
      packages: ['idb', ...ZUSTAND, ...BACKENDS, ...TFJS, ...NODE],
      folders: ['platform', 'cli'],
      regex: [WORKER_INTERNALS],
      message:
        'src/ui draws the store: no platform/, worker internals, cli/, tfjs (the worker owns it), idb or zustand (use state/react.ts).',
    }),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: walls({
      packages: ['idb', ...REACT, ...ZUSTAND],
      folders: ['worker', 'state', 'ui'],
      message: 'src/cli runs core over platform/node: no worker/, state/, ui/, React, zustand or idb.',
    }),
  },
  {
    files: ['src/main.tsx', 'src/*.ts'],
    rules: walls({
      packages: [...ZUSTAND, ...TFJS, ...BACKENDS, ...NODE],
      regex: [WORKER_INTERNALS.replace('(\\.\\./)+', '\\./')],
      message: 'main.tsx wires the page: no tfjs (the worker owns it), zustand (state/ does) or worker internals.',
    }),
  },
);
