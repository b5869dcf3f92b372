// The LRN layer: equals tfjs's op with the paper's parameters, one value by hand, gradient, and a
// save / load round trip of a VGG-F (which contains two LRN layers) through memory.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildModel, LRN, PAPER_LRN, withEmbedding } from '../../../src/core/models';
import { inputBatch, maxAbsDiff, run, tinySpec } from './helpers';

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

it('uses the paper parameters: 5-channel window, k = 1, alpha = 1e-4 / 5, beta = 0.75', () => {
  expect(PAPER_LRN).toEqual({ depthRadius: 2, bias: 1, alpha: 2e-5, beta: 0.75 });
});

it('forward equals tf.localResponseNormalization with the paper parameters', () => {
  const layer = new LRN({ name: 'lrn_test' });
  const x = tf.tidy(() => tf.randomNormal([2, 3, 4, 7], 0, 30, 'float32', 5).relu());
  const [a, b] = tf.tidy(() => [
    (layer.apply(x) as tf.Tensor).dataSync(),
    tf.localResponseNormalization(x as tf.Tensor4D, 2, 1, 2e-5, 0.75).dataSync(),
  ]);
  expect(maxAbsDiff(a, b)).toBe(0);
  x.dispose();
});

it('matches hand-computed values', () => {
  const layer = new LRN({ name: 'lrn_hand' });
  const y = tf.tidy(() => (layer.apply(tf.tensor4d([10, 20, 30, 40, 50, 60], [1, 1, 1, 6])) as tf.Tensor).dataSync());
  // channel 0: window = channels 0..2 → 10² + 20² + 30² = 1400 → 10 / (1 + 2e-5 · 1400)^0.75 = 10 / 1.028^0.75
  expect(y[0]).toBeCloseTo(9.79502, 4);
  // channel 3: window = channels 1..5 → 400 + 900 + 1600 + 2500 + 3600 = 9000 → 40 / 1.18^0.75
  expect(y[3]).toBeCloseTo(35.3304, 3);
});

it('serialises its config', () => {
  const layer = new LRN({ name: 'lrn_cfg', depthRadius: 3, alpha: 1e-3 });
  expect(layer.getConfig()).toMatchObject({ name: 'lrn_cfg', depthRadius: 3, bias: 1, alpha: 1e-3, beta: 0.75 });
  expect(LRN.className).toBe('LRN');
});

it('a VGG-F with LRN saves and reloads (tf.io.withSaveHandler / fromMemory) with identical predictions', async () => {
  const spec = tinySpec('vgg-f', { outputUnits: 2 });
  const m = buildModel(spec);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  expect(JSON.stringify(artifacts!.modelTopology)).toContain('"class_name":"LRN"');

  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
  expect(loaded.getLayer('norm1')).toBeInstanceOf(LRN);
  expect(loaded.getLayer('norm2').getConfig()).toMatchObject(PAPER_LRN);
  const x = inputBatch(2, spec.inputShape);
  expect(run(loaded, x)).toEqual(run(m, x));
  expect(run(withEmbedding(loaded), x)).toEqual(run(withEmbedding(m), x));
  x.dispose();
  loaded.dispose();
  m.dispose();
});
