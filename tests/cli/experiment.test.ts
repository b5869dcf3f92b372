// The headless runner end to end: results.json with the grid and history, every model saved in tfjs
// LayersModel format that tf.loadLayersModel loads and that reproduces the grid's predictions; bad
// configs and arguments get messages naming the field.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoWasmThreads, parseArgs } from '../../src/cli/args';
import { loadConfig, main } from '../../src/cli/experiment';
import { presetConfig, type SynthDatasetConfig } from '../../src/core/config';
import { taskHead } from '../../src/core/data/batching';
import { synthSplits } from '../../src/core/data/synthSplits';
import { evaluateModel } from '../../src/core/distill/evaluate';
import { dirHandler } from '../../src/platform/node/modelFiles';
import { gzip, makeTar } from '../helpers/archives';
import { encodeImage, fakeFace } from '../helpers/images';
import { ortOutputs, tfjsOutputs } from '../helpers/onnx';
import { maxAbsDiff } from '../core/models/helpers';

describe('experiment runner', () => {
  it('writes results.json and loadable models that reproduce the grid', async () => {
    const out = await mkdtemp(join(tmpdir(), 'odl-run-'));
    const cfgFile = join(out, 'cfg.json');
    // A config file lists only what differs from the defaults: here, the fixture-tiny preset minus extras.
    const cfg = { ...presetConfig('fixture-tiny'), trainOtherHalfStudent: false, sameBudgetControl: false };
    await writeFile(cfgFile, JSON.stringify(cfg));
    expect(await main(['--config', cfgFile, '--out', out, '--quiet', '--backend', 'cpu'])).toBe(0);
    const res = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(res.backend).toBe('cpu');
    expect(res.config).toEqual(cfg);
    expect(res.grid.map((r: { model: string }) => r.model)).toEqual([
      'teacher',
      'teacher',
      'teacher',
      'student',
      'standard',
      'triplet',
      'svm',
      'svmStandard',
      'svmTriplet',
    ]);
    expect(res.history.length).toBeGreaterThan(0);
    expect(Object.keys(res.models).sort()).toEqual(['standard', 'student', 'teacher', 'triplet']);

    const data = synthSplits(cfg.dataset as SynthDatasetConfig);
    const before = tf.memory().numTensors;
    for (const row of res.grid.filter(
      (r: { test: string; model: string }) => (r.model !== 'teacher' || r.test === 'full') && res.models[r.model],
    )) {
      const model = await tf.loadLayersModel(dirHandler(join(out, res.models[row.model])));
      const ev = await evaluateModel(model, data.test, row.test, 'expression', taskHead('expression'), 32);
      expect(Array.from(ev.predictions)).toEqual(row.predictions);
      expect(ev.metrics.accuracy).toBeCloseTo(row.metrics.accuracy, 10);
      model.dispose();
    }
    // model.onnx beside each model.json: ONNX Runtime gives the tfjs model's probabilities and embedding.
    const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 9);
    const xs = x.dataSync() as Float32Array;
    for (const [stage, path] of Object.entries(res.models as Record<string, string>)) {
      const model = await tf.loadLayersModel(dirHandler(join(out, path)));
      const [probs, emb] = tfjsOutputs(model, x, { kind: 'classification' });
      model.dispose();
      const got = await ortOutputs(new Uint8Array(await readFile(join(out, path, 'model.onnx'))), xs, [4, 16, 16, 1]);
      expect(maxAbsDiff(got.probabilities.data, probs), stage).toBeLessThan(1e-4);
      expect(maxAbsDiff(got.embedding.data, emb), stage).toBeLessThan(1e-4);
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names every wrong field of a bad config, and bad arguments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odl-bad-'));
    const f = join(dir, 'bad.json');
    await writeFile(f, JSON.stringify({ task: 'age', triplet: { margin: 'big' }, teacher: { epochs: -1 }, modle: {} }));
    const err = await loadConfig({ config: f, quiet: true }).catch((e: Error) => e.message);
    expect(err).toMatch(/triplet\.margin: must be a finite number \(got "big"\)/);
    expect(err).toMatch(/teacher\.epochs: must be between 0 and 1000 \(got -1\)/);
    expect(err).toMatch(/modle: is not a known setting/);
    await writeFile(f, '{ "task": ');
    await expect(loadConfig({ config: f, quiet: true })).rejects.toThrow(/bad\.json is not valid JSON/);
    await expect(loadConfig({ config: join(dir, 'missing.json'), quiet: true })).rejects.toThrow(
      /Cannot read the config file .*missing\.json/,
    );
    expect(() => parseArgs(['--config'])).toThrow(/--config needs a value/);
    expect(() => parseArgs(['--preset', 'x', '--config', 'y'])).toThrow(/exactly one of/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/Unknown argument "--frobnicate"/);
    expect(parseArgs(['--preset', 'x']).wasmThreads).toBeUndefined();
    expect(parseArgs(['--preset', 'x', '--wasm-threads', '2']).wasmThreads).toBe(2);
    expect(parseArgs(['--preset', 'x', '--wasm-threads', 'auto']).wasmThreads).toBe('auto');
    expect(() => parseArgs(['--preset', 'x', '--wasm-threads', 'many'])).toThrow(/--wasm-threads takes/);
    expect(() => parseArgs(['--preset', 'x', '--wasm-threads', '1.5'])).toThrow(/--wasm-threads takes/);
    await expect(loadConfig({ preset: 'nope', quiet: true })).rejects.toThrow(
      /Unknown preset "nope". Presets: demo-expression-lower, demo-gender-upper, demo-age-upper, demo-expression-budget, workshop-expression-lower/,
    );
  });

  it("--dataset imports a UTKFace .tar.gz at the config's size and trains on it, writing the import report", async () => {
    const out = await mkdtemp(join(tmpdir(), 'odl-utk-'));
    const files = [];
    for (let i = 0; i < 90; i++) {
      const name = `UTKFace/${10 + (i % 50)}_${i % 2}_${i % 5}_20170116174525${String(i).padStart(3, '0')}.jpg.chip.jpg`;
      files.push({ name, data: await encodeImage(fakeFace(40, 40, 3, i), 40, 40, 3, 'jpeg') });
    }
    files.push({ name: 'UTKFace/61_3_20170109150557335.jpg.chip.jpg', data: files[0].data });
    const archive = join(out, 'UTKFace.tar.gz');
    await writeFile(archive, gzip(makeTar(files)));
    const cfgFile = join(out, 'cfg.json');
    const cfg = {
      ...presetConfig('fixture-tiny'),
      task: 'gender',
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
      teacher: { epochs: 1, batchSize: 16 },
    };
    await writeFile(cfgFile, JSON.stringify(cfg));
    expect(await main(['--config', cfgFile, '--dataset', archive, '--out', out, '--quiet'])).toBe(0);
    const res = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(res.config.dataset).toEqual({
      source: 'file',
      path: archive,
      ferplus: null,
      labels: null,
      format: 'auto',
      height: 16,
      width: 16,
      channels: 1,
      seed: 3,
    });
    expect(res.grid.length).toBeGreaterThan(3);
    const report = JSON.parse(await readFile(join(out, 'import-report.json'), 'utf8'));
    expect(report.images).toBe(90);
    expect(report.rejected).toEqual([
      { where: 'UTKFace/61_3_20170109150557335.jpg.chip.jpg', reason: expect.stringMatching(/race is missing/) },
    ]);
    // A task the dataset has no labels for is refused by name.
    await writeFile(cfgFile, JSON.stringify({ ...cfg, task: 'expression' }));
    await expect(main(['--config', cfgFile, '--dataset', archive, '--out', out, '--quiet'])).rejects.toThrow(
      /has labels for gender and age, but the experiment's task is expression/,
    );
    expect(() => parseArgs(['--preset', 'fixture-tiny', '--ferplus', 'x.csv'])).toThrow(
      /--ferplus goes with --dataset/,
    );
  });

  it('--sweep runs one curriculum per value and keeps the best on validation', async () => {
    const out = await mkdtemp(join(tmpdir(), 'odl-sweep-'));
    const cfgFile = join(out, 'cfg.json');
    await writeFile(
      cfgFile,
      JSON.stringify({
        ...presetConfig('fixture-tiny'),
        trainOtherHalfStudent: false,
        sameBudgetControl: false,
        ensemble: { enabled: false, cGrid: [1], epsilon: 0.1, singles: false },
      }),
    );
    expect(await main(['--config', cfgFile, '--sweep', 'triplet.margin=0.1,0.4', '--out', out, '--quiet'])).toBe(0);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8'));
    expect(sweep.path).toBe('triplet.margin');
    expect(sweep.stage).toBe('triplet');
    expect(sweep.runs.map((r: { value: number }) => r.value)).toEqual([0.1, 0.4]);
    const best = sweep.validation[0] >= sweep.validation[1] ? 0.1 : 0.4;
    expect(sweep.chosen).toBe(best);
    const first = JSON.parse(await readFile(join(sweep.runs[0].dir, 'results.json'), 'utf8'));
    expect(first.config.triplet.margin).toBe(0.1);
    expect(await readFile(join(out, 'sweep.txt'), 'utf8')).toMatch(/<- chosen on validation/);
    await expect(main(['--config', cfgFile, '--sweep', 'triplet.margn=1,2', '--out', out, '--quiet'])).rejects.toThrow(
      /"triplet.margn" is not a numeric setting/,
    );
  });
});

describe('--wasm-threads auto', () => {
  it('takes the threaded build only with at least 2 idle cores', () => {
    expect(autoWasmThreads(2, 0.1)).toBe(2);
    expect(autoWasmThreads(2, 0.6)).toBe(0); // one core idle: the single-threaded SIMD build
    expect(autoWasmThreads(2, 3.5)).toBe(0);
    expect(autoWasmThreads(8, 2.2)).toBe(6);
    expect(autoWasmThreads(1, 0)).toBe(0);
  });
});
