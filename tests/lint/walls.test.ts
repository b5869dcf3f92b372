// The import walls of eslint.config.js hold: a probe file placed (virtually) in each layer that imports
// what the layer may not is reported once per forbidden import, and the imports a layer may use pass.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The restricted-import messages ESLint gives `code` as if it were the file at `path`. */
async function restricted(path: string, code: string): Promise<number[]> {
  const [res] = await eslint.lintText(code, { filePath: path });
  return res.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.line);
}

/** One import per line, each of a module that must be refused. */
const probe = (mods: string[]) => mods.map((m, i) => `import * as m${i} from '${m}';`).join('\n') + '\n';
const lines = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('import walls', () => {
  it('src/core refuses React, idb, node:*, backends and every upper layer', async () => {
    const mods = [
      'react',
      'idb',
      'node:fs',
      'fs',
      '@tensorflow/tfjs-backend-wasm',
      'zustand',
      '../platform/backend',
      '../../platform/browser/db',
      '../worker/lab/protocol',
      '../state/store',
      '../ui/format',
      '../cli/experiment',
    ];
    expect(await restricted('src/core/distill/probe.ts', probe(mods))).toEqual(lines(mods.length));
    expect(await restricted('src/core/probe.ts', probe(['./platform-free', '../core/records']))).toEqual([]);
  });

  it('src/core allows tfjs and its own modules', async () => {
    expect(
      await restricted(
        'src/core/distill/probe.ts',
        probe(['@tensorflow/tfjs', '../records', './mining', '../data/types']),
      ),
    ).toEqual([]);
  });

  it('src/ui refuses platform, worker internals, tfjs, idb and zustand, and allows the worker protocol', async () => {
    const mods = [
      '../../platform/browser/db',
      '../../platform/import/run',
      '../../worker/lab/engine',
      '../../worker/lab/inProcess',
      '@tensorflow/tfjs',
      'idb',
      'zustand',
      '../../cli/experiment',
    ];
    expect(await restricted('src/ui/results/Probe.tsx', probe(mods))).toEqual(lines(mods.length));
    expect(
      await restricted(
        'src/ui/results/Probe.tsx',
        probe([
          '../../worker/lab/protocol',
          '../../worker/tryit/client',
          '../../core/records',
          '../../state/react',
          'react',
        ]),
      ),
    ).toEqual([]);
  });

  it('src/state talks to the worker only through its protocol and clients', async () => {
    const mods = [
      '../worker/lab/engine',
      '../worker/lab/lab.worker',
      '../worker/models',
      '../worker/tryit/engine',
      '../platform/memoryStorage',
      '../ui/format',
      'react',
      '@tensorflow/tfjs',
    ];
    expect(await restricted('src/state/probe.ts', probe(mods))).toEqual(lines(mods.length));
    expect(
      await restricted(
        'src/state/probe.ts',
        probe([
          '../worker/lab/protocol',
          '../worker/lab/client',
          '../worker/import/protocol',
          '../worker/import/client',
          'zustand/vanilla',
        ]),
      ),
    ).toEqual([]);
  });

  it('src/cli does not import worker/, src/platform nothing above it, src/worker nothing of the page', async () => {
    expect(await restricted('src/cli/probe.ts', probe(['../worker/lab/protocol', '../state/store', 'react']))).toEqual(
      lines(3),
    );
    expect(await restricted('src/cli/probe.ts', probe(['../platform/backend', '../core/records', 'node:fs']))).toEqual(
      [],
    );
    expect(
      await restricted(
        'src/platform/probe.ts',
        probe(['../worker/lab/protocol', '../state/store', '../ui/format', 'react']),
      ),
    ).toEqual(lines(4));
    expect(await restricted('src/worker/lab/probe.ts', probe(['../../state/store', '../../ui/format', 'idb']))).toEqual(
      lines(3),
    );
  });

  it('the tree itself has no wrong-way import', async () => {
    const results = await eslint.lintFiles(['src']);
    const bad = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line}`),
    );
    expect(bad).toEqual([]);
  }, 120_000);
});
