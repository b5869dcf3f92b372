// Sizes: modelFlops / modelSize against hand counts (a tiny net; the faithful 224x224 layouts against the
// published parameter counts), and the faithful models built once to confirm tfjs agrees.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildModel, modelFlops, modelSize, type ModelSpec } from '../../../src/core/models';

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

const trainable = (m: tf.LayersModel) => m.trainableWeights.reduce((s, w) => s + w.read().size, 0);
const faithful = (arch: ModelSpec['arch']): ModelSpec => ({
  arch,
  inputShape: [224, 224, 3],
  outputUnits: 1000,
  seed: 1,
});

it('small at 8x8x1, width 1/8, 2 units: MACs and parameters equal the hand count', () => {
  const spec: ModelSpec = { arch: 'small', inputShape: [8, 8, 1], outputUnits: 2, width: 0.125, seed: 1 };
  // filters 4, 8, 16; spatial 8 → pool 4 → pool 2 → pool 1; embedding 16
  const macs = 8 * 8 * 9 * 1 * 4 + 4 * 4 * 9 * 4 * 8 + 2 * 2 * 9 * 8 * 16 + 16 * 16 + 16 * 2;
  expect(macs).toBe(11808);
  expect(modelFlops(spec)).toBe(macs);
  // convs have no bias (BatchNorm follows): kernels + BN γ, β; dense kernels + biases
  const params = 9 * 4 + 8 + 9 * 4 * 8 + 16 + 9 * 8 * 16 + 32 + (16 * 16 + 16) + (16 * 2 + 2);
  const bnMoving = 2 * (4 + 8 + 16);
  expect(modelSize(spec)).toEqual({ macs, trainableParams: params, totalParams: params + bnMoving });
  const m = buildModel(spec);
  expect(trainable(m)).toBe(params);
  expect(m.countParams()).toBe(params + bnMoving);
  m.dispose();
});

it('vgg-f at 224: the CNN-F hand count (6x6x256 before fc6, ~61M params, ~0.72 GMAC)', () => {
  const params =
    11 * 11 * 3 * 64 +
    64 +
    (5 * 5 * 64 * 256 + 256) +
    3 * (3 * 3 * 256 * 256 + 256) +
    (6 * 6 * 256 * 4096 + 4096) +
    (4096 * 4096 + 4096) +
    (4096 * 1000 + 1000);
  const macs =
    54 * 54 * 11 * 11 * 3 * 64 +
    27 * 27 * 5 * 5 * 64 * 256 +
    3 * 13 * 13 * 3 * 3 * 256 * 256 +
    6 * 6 * 256 * 4096 +
    4096 * 4096 +
    4096 * 1000;
  expect(params).toBe(60_834_536);
  expect(modelSize(faithful('vgg-f'))).toEqual({ macs, trainableParams: params, totalParams: params });
  // The spatial sizes themselves, built narrow so it is cheap: 224 → 54 → 27 → 13 → 6.
  const m = buildModel({ ...faithful('vgg-f'), width: 1 / 16 });
  expect(
    [m.getLayer('conv1'), m.getLayer('pool1'), m.getLayer('pool2'), m.getLayer('last_conv'), m.getLayer('pool5')].map(
      (l) => (l.outputShape as number[])[1],
    ),
  ).toEqual([54, 27, 13, 13, 6]);
  m.dispose();
});

it('vgg-face at 224: VGG-16 with 1000 classes is 138,357,544 params and ~15.5 GMAC; built once', () => {
  const spec = faithful('vgg-face');
  const size = modelSize(spec);
  expect(size.trainableParams).toBe(138_357_544);
  expect(size.totalParams).toBe(138_357_544);
  expect(Math.abs(size.macs / 15.5e9 - 1)).toBeLessThan(0.01);
  const m = buildModel(spec);
  expect(m.countParams()).toBe(138_357_544);
  expect(m.getLayer('last_conv').outputShape).toEqual([null, 14, 14, 512]);
  expect(m.getLayer('flatten').outputShape).toEqual([null, 7 * 7 * 512]);
  m.dispose();
});

it('resnet-50 at 224: standard backbone + our 512-unit embedding head, ~4.1 GMAC; built once', () => {
  // torchvision's ResNet-50 (no conv biases) has 25,557,032 params, of which fc 2048→1000 is 2,049,000.
  const backbone = 25_557_032 - (2048 * 1000 + 1000);
  const head = 2048 * 512 + 512 + (512 * 1000 + 1000);
  const bnChannels =
    64 +
    3 * (64 + 64 + 256) +
    256 +
    4 * (128 + 128 + 512) +
    512 +
    6 * (256 + 256 + 1024) +
    1024 +
    3 * (512 + 512 + 2048) +
    2048;
  const size = modelSize(faithful('resnet-50'));
  expect(size.trainableParams).toBe(backbone + head);
  expect(size.trainableParams).toBe(25_070_120);
  expect(size.totalParams).toBe(backbone + head + 2 * bnChannels);
  expect(Math.abs(size.macs / 4.09e9 - 1)).toBeLessThan(0.01);
  const m = buildModel(faithful('resnet-50'));
  expect(trainable(m)).toBe(25_070_120);
  expect(m.countParams()).toBe(size.totalParams);
  expect(m.getLayer('last_conv').outputShape).toEqual([null, 7, 7, 2048]);
  m.dispose();
});

it('norm: batchnorm swaps LRN for BatchNorm in vgg-f and adds it to vgg-face', () => {
  for (const arch of ['vgg-f', 'vgg-face'] as const) {
    const spec: ModelSpec = {
      arch,
      inputShape: [32, 32, 1],
      outputUnits: 2,
      width: 1 / 16,
      norm: 'batchnorm',
      seed: 2,
    };
    const m = buildModel(spec);
    const classes = m.layers.map((l) => l.getClassName());
    expect(classes).not.toContain('LRN');
    expect(classes.filter((c) => c === 'BatchNormalization')).toHaveLength(arch === 'vgg-f' ? 5 : 13);
    expect(m.countParams()).toBe(modelSize(spec).totalParams);
    m.dispose();
  }
});
