// The duration estimate: the work a config asks for, priced at a measured cost, worked out by hand; and
// the calibration that measures the cost leaves no tensor behind.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../src/core/config/config';
import { calibrate } from '../../../src/core/distill/calibrate';
import { calibrationKey, configDims, estimateDuration, formatEstimate } from '../../../src/core/distill/estimate';

describe('estimateDuration', () => {
  it('counts every stage to its cap, validation per epoch, test rows and mining', () => {
    const cfg = makeConfig({
      dataset: { source: 'synth', train: 1000, val: 100, test: 200, height: 16, width: 16, channels: 1 },
      teacher: { epochs: 2, batchSize: 100 },
      student: { epochs: 1, batchSize: 100 },
      standard: { epochs: 1, batchSize: 100 },
      triplet: {
        epochs: 1,
        batchSize: 100,
        positivePool: { percent: 10, of: 'class' },
        negativePool: { percent: 10, of: 'class' },
      },
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
      ensemble: { enabled: false },
    });
    const e = estimateDuration(cfg, configDims(cfg)!, { trainMsPerImage: 1, evalMsPerImage: 0.1, backend: 'wasm' });
    // training: teacher 2·1000·1 + student 1000·1 + standard 1000·(1 + 0.1 teacher pass) + triplet 1000·2 = 6100 ms
    expect(e.parts.training).toBeCloseTo(6.1, 10);
    // validation: (2 + 1 + 1 + 1) epochs · 100 · 0.1 = 50 ms; test: (3 teacher + 3 other rows) · 200 · 0.1 = 120 ms
    expect(e.parts.validation).toBeCloseTo(0.05, 10);
    expect(e.parts.test).toBeCloseTo(0.12, 10);
    // mining: 1 epoch · 1000 · (1 + 2·10%) · 0.1 = 120 ms
    expect(e.parts.mining).toBeCloseTo(0.12, 10);
    expect(e.parts.ensemble).toBe(0);
    expect(e.maxS).toBeCloseTo(6.39, 10);
    expect(
      estimateDuration({ ...cfg, repeats: 3 }, configDims(cfg)!, {
        trainMsPerImage: 1,
        evalMsPerImage: 0.1,
        backend: 'wasm',
      }).maxS,
    ).toBeCloseTo(3 * 6.39, 10);
  });

  it('formats seconds and minutes; keys differ by backend and model', () => {
    expect(formatEstimate(42.4)).toBe('42 s');
    expect(formatEstimate(130)).toBe('2 min 10 s');
    expect(formatEstimate(60 * 14)).toBe('14 min');
    const cfg = makeConfig({});
    const dims = configDims(cfg)!;
    expect(calibrationKey(cfg, dims, 'wasm')).not.toBe(calibrationKey(cfg, dims, 'auto'));
    expect(calibrationKey(cfg, dims, 'wasm')).not.toBe(
      calibrationKey({ ...cfg, model: { ...cfg.model, width: 0.5 } }, dims, 'wasm'),
    );
    expect(configDims(makeConfig({ dataset: { source: 'stored', id: 'x' } }))).toBeNull();
  });
});

describe('calibrate', () => {
  it("times a few steps of the config's model and leaves no tensor behind", async () => {
    const cfg = makeConfig({ model: { width: 0.125 }, teacher: { batchSize: 8 } });
    const before = tf.memory().numTensors;
    const c = await calibrate(cfg, { height: 16, width: 16, channels: 1 }, 2);
    expect(c.trainMsPerImage).toBeGreaterThan(0);
    expect(c.evalMsPerImage).toBeGreaterThan(0);
    expect(c.trainMsPerImage).toBeGreaterThan(c.evalMsPerImage);
    expect(c.backend).toBe(tf.getBackend());
    expect(tf.memory().numTensors).toBe(before);
  });
});
