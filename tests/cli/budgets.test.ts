// The runner's budget sweep on a FER-layout CSV (--dataset): budgets.json in the shape (one value
// per seed for every row of every budget) and budgets.txt with the table and the sentences, the same as
// on the built-in faces.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/experiment';
import { presetConfig, type SynthDatasetConfig } from '../../src/core/config';
import { synthSplits } from '../../src/core/data/synthSplits';

describe('runner budget sweep', () => {
  it('runs on a FER-layout CSV and writes budgets.json / budgets.txt', async () => {
    const out = await mkdtemp(join(tmpdir(), 'odl-budgets-'));
    const base = presetConfig('fixture-tiny');
    const splits = synthSplits(base.dataset as SynthDatasetConfig);
    // FER2013's layout: emotion (0-6), the pixels of a square grey image, Usage.
    const lines = ['emotion,pixels,Usage'];
    for (const [set, usage] of [
      [splits.train, 'Training'],
      [splits.val, 'PublicTest'],
      [splits.test, 'PrivateTest'],
    ] as const) {
      const per = set.height * set.width;
      for (let i = 0; i < set.count; i++) {
        lines.push(
          `${set.expression![i] % 7},${Array.from(set.pixels.subarray(i * per, (i + 1) * per)).join(' ')},${usage}`,
        );
      }
    }
    const csv = join(out, 'fer.csv');
    await writeFile(csv, `${lines.join('\n')}\n`);
    const cfgFile = join(out, 'cfg.json');
    await writeFile(cfgFile, JSON.stringify({ ...base, ensemble: { ...base.ensemble, singles: false } }));
    expect(
      await main([
        '--config',
        cfgFile,
        '--dataset',
        csv,
        '--budgets',
        '32,100%',
        '--repeats',
        '2',
        '--out',
        out,
        '--quiet',
      ]),
    ).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'budgets.json'), 'utf8'));
    expect(json.metric).toBe('accuracy');
    expect(json.config.dataset.source).toBe('file');
    expect(json.seeds).toEqual([3, 4]);
    expect(json.budgets.map((b: { images: number }) => b.images)).toEqual([32, 96]);
    for (const b of json.budgets) {
      expect(Object.keys(b.models).sort()).toEqual(['control', 'standard', 'student', 'svm', 'triplet']);
      for (const v of Object.values(b.models) as number[][])
        expect(v.every((x) => typeof x === 'number' && x >= 0 && x <= 1)).toBe(true);
    }
    const text = await readFile(join(out, 'budgets.txt'), 'utf8');
    expect(text).toMatch(/gain vs control/);
    expect(text).toMatch(/With 32 labelled half-faces, standard distillation/);
    expect(text).toMatch(/With all 96 labelled half-faces/);
  });
});
