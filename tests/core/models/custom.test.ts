// The `custom` architecture: a layout from data equals the same network written by hand in tfjs, parameter
// for parameter; its sizes equal the hand count; PyTorch-style initialisation has PyTorch's bounds per
// layer; a bad layout or one that shrinks away is refused with the field named.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildModel,
  customLayoutSize,
  EMBEDDING_LAYER,
  LAST_CONV_LAYER,
  modelSize,
  OUTPUT_LAYER,
  withLastConv,
  type CustomLayout,
  type ModelSpec,
} from '../../../src/core/models';
import { inputBatch, maxAbsDiff, run, TINY_CUSTOM } from './helpers';

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

/** The common tutorial net (the reference-cnn-28 preset): conv 32 and 64, 3x3 same, ReLU, max-pool 2, dense 128. */
const REFERENCE: CustomLayout = {
  convs: [
    { filters: 32, kernel: 3, stride: 1, padding: 'same', batchNorm: false, pool: 2 },
    { filters: 64, kernel: 3, stride: 1, padding: 'same', batchNorm: false, pool: 2 },
  ],
  dense: [128],
};
const refSpec = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  arch: 'custom',
  custom: REFERENCE,
  inputShape: [28, 28, 1],
  outputUnits: 10,
  seed: 5,
  dropout: 0,
  ...over,
});

/** The same network written by hand with tfjs layers (what a course's Keras notebook holds). */
function handWritten(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}

describe('the reference CNN from a config', () => {
  it('equals the hand-written tfjs network parameter for parameter, and computes the same function', () => {
    const mine = buildModel(refSpec());
    const hand = handWritten();
    expect(mine.weights.map((w) => w.shape)).toEqual(hand.weights.map((w) => w.shape));
    expect(mine.countParams()).toBe(hand.countParams());
    // Hand count: conv1 9·1·32+32, conv2 9·32·64+64, fc 7·7·64·128+128, logits 128·10+10.
    const params = 320 + 18_496 + 401_536 + 1_290;
    expect(hand.countParams()).toBe(params);
    // Multiply-adds: 28²·9·32 + 14²·9·32·64 + 3136·128 + 128·10 = 4.24 M (the 4.2 M).
    const macs = 28 * 28 * 288 + 14 * 14 * 18_432 + 3_136 * 128 + 1_280;
    expect(macs).toBe(4_241_152);
    expect(modelSize(refSpec())).toEqual({ macs, trainableParams: params, totalParams: params });
    expect(customLayoutSize(REFERENCE, [28, 28, 1], 10)).toEqual({
      macs,
      trainableParams: params,
      output: [7, 7, 64],
      error: null,
    });
    // Same weights in → same outputs out: the layers are the same operations in the same order.
    mine.setWeights(hand.getWeights());
    const x = inputBatch(3, [28, 28, 1]);
    expect(maxAbsDiff(run(mine, x)[0], run(hand, x)[0])).toBeLessThan(1e-5);
    x.dispose();
    // The layer-name contract: embedding (dense 128, post-ReLU), logits (linear), last_conv (4D, pre-pool).
    expect(mine.getLayer(EMBEDDING_LAYER).outputShape).toEqual([null, 128]);
    expect(mine.getLayer(EMBEDDING_LAYER).getConfig().activation).toBe('relu');
    expect(mine.getLayer(OUTPUT_LAYER).getConfig().activation).toBe('linear');
    expect(mine.getLayer(LAST_CONV_LAYER).outputShape).toEqual([null, 14, 14, 64]);
    mine.dispose();
    hand.dispose();
  });

  it('BatchNorm, strides, valid padding and several dense layers: sizes by hand, CountGraph and tfjs agree', () => {
    const layout: CustomLayout = {
      convs: [
        { filters: 8, kernel: 5, stride: 2, padding: 'valid', batchNorm: true, pool: 0 },
        { filters: 12, kernel: 3, stride: 1, padding: 'same', batchNorm: true, pool: 3 },
      ],
      dense: [20, 6],
    };
    const spec: ModelSpec = { arch: 'custom', custom: layout, inputShape: [21, 17, 3], outputUnits: 4, seed: 1 };
    // 21x17 → valid 5x5 stride 2 → 9x7 → same 3x3 → 9x7 → pool 3 → 3x2; flatten 3·2·12 = 72.
    const params = 25 * 3 * 8 + 2 * 8 + (9 * 8 * 12 + 2 * 12) + (72 * 20 + 20) + (20 * 6 + 6) + (6 * 4 + 4);
    const macs = 9 * 7 * 25 * 3 * 8 + 9 * 7 * 9 * 8 * 12 + 72 * 20 + 20 * 6 + 6 * 4;
    expect(modelSize(spec)).toEqual({ macs, trainableParams: params, totalParams: params + 2 * (8 + 12) });
    expect(customLayoutSize(layout, [21, 17, 3], 4)).toEqual({
      macs,
      trainableParams: params,
      output: [3, 2, 12],
      error: null,
    });
    const m = buildModel(spec);
    expect(m.countParams()).toBe(params + 2 * (8 + 12));
    // A conv followed by BatchNorm has no bias (BN's β takes its place).
    expect(m.getLayer('conv1').getConfig().useBias).toBe(false);
    expect(m.getLayer('fc1').outputShape).toEqual([null, 20]);
    expect(m.getLayer(EMBEDDING_LAYER).outputShape).toEqual([null, 6]);
    m.dispose();
  });

  it('width and embeddingSize scale the custom layout as every architecture; the page’s count follows', () => {
    const spec: ModelSpec = {
      arch: 'custom',
      custom: TINY_CUSTOM,
      inputShape: [16, 16, 1],
      outputUnits: 3,
      width: 0.5,
      embeddingSize: 5,
      seed: 2,
    };
    const size = modelSize(spec);
    const page = customLayoutSize(TINY_CUSTOM, [16, 16, 1], 3, 0.5, 5);
    expect(page.trainableParams).toBe(size.trainableParams);
    expect(page.macs).toBe(size.macs);
    const m = buildModel(spec);
    expect(m.getLayer('conv1').getConfig().filters).toBe(8);
    expect(m.getLayer(EMBEDDING_LAYER).outputShape).toEqual([null, 5]);
    m.dispose();
  });

  it('Grad-CAM’s view reads the last block’s map', () => {
    const m = buildModel(refSpec());
    const v = withLastConv(m);
    const x = inputBatch(1, [28, 28, 1]);
    const shapes = tf.tidy(() => (v.predict(x) as tf.Tensor[]).map((t) => t.shape));
    expect(shapes).toEqual([
      [1, 14, 14, 64],
      [1, 10],
    ]);
    x.dispose();
    m.dispose();
  });
});

describe('initialisation', () => {
  /** Every kernel and bias of a model with its layer name and fan-in (kernel² · in channels, or in units). */
  function params(m: tf.LayersModel): { name: string; kind: 'kernel' | 'bias'; fanIn: number; values: Float32Array }[] {
    const out: { name: string; kind: 'kernel' | 'bias'; fanIn: number; values: Float32Array }[] = [];
    for (const l of m.layers) {
      const cls = l.getClassName();
      if (cls !== 'Conv2D' && cls !== 'Dense') continue;
      const [kernel, bias] = l.getWeights();
      const fanIn = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      out.push({ name: l.name, kind: 'kernel', fanIn, values: kernel.dataSync() as Float32Array });
      if (bias) out.push({ name: l.name, kind: 'bias', fanIn, values: bias.dataSync() as Float32Array });
    }
    return out;
  }

  it('pytorch: every conv and dense weight and bias lies in ±1/√fan_in, and fills it (kaiming_uniform, a = √5)', () => {
    // The bound PyTorch derives: gain = √(2 / (1 + a²)) = √(1/3) at a = √5; std = gain / √fan_in;
    // bound = √3 · std = 1 / √fan_in. The fan-ins of the reference net, by hand:
    const a = Math.sqrt(5);
    const gain = Math.sqrt(2 / (1 + a * a));
    const fanIns: Record<string, number> = { last_conv: 9 * 32, conv1: 9 * 1, embedding: 7 * 7 * 64, logits: 128 };
    const m = buildModel(refSpec({ init: 'pytorch' }));
    const ps = params(m);
    expect(ps.map((p) => `${p.name}/${p.kind}`)).toEqual([
      'conv1/kernel',
      'conv1/bias',
      'last_conv/kernel',
      'last_conv/bias',
      'embedding/kernel',
      'embedding/bias',
      'logits/kernel',
      'logits/bias',
    ]);
    for (const p of ps) {
      expect(p.fanIn).toBe(fanIns[p.name]);
      const bound = gain * Math.sqrt(3 / p.fanIn);
      expect(Math.abs(bound - 1 / Math.sqrt(p.fanIn))).toBeLessThan(1e-12);
      const v = Array.from(p.values);
      const max = v.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
      expect(max, `${p.name} ${p.kind}`).toBeLessThanOrEqual(bound * (1 + 1e-6));
      // Uniform on ±bound: the largest of n draws is near the bound, the variance bound²/3.
      const fill = p.values.length >= 1000 ? 0.99 : p.values.length >= 32 ? 0.8 : 0.5;
      expect(max, `${p.name} ${p.kind} fills its range`).toBeGreaterThan(fill * bound);
      if (p.values.length >= 1000) {
        const mean = v.reduce((s, x) => s + x, 0) / v.length;
        const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
        expect(Math.abs(variance / ((bound * bound) / 3) - 1)).toBeLessThan(0.1);
      }
    }
    // Seeded: same spec, same weights; the bias is drawn apart from the kernel.
    const again = buildModel(refSpec({ init: 'pytorch' }));
    params(again).forEach((p, i) => expect(maxAbsDiff(p.values, ps[i].values)).toBe(0));
    again.dispose();
    m.dispose();
  });

  it('he (default): He-normal ReLU kernels, Glorot logits, zero biases, as before', () => {
    const m = buildModel(refSpec());
    for (const p of params(m)) {
      if (p.kind === 'bias') expect(p.values.every((x) => x === 0)).toBe(true);
      else if (p.values.length >= 1000) {
        const v = Array.from(p.values);
        const variance = v.reduce((s, x) => s + x * x, 0) / v.length;
        // He-normal: truncated normal with variance 2/fan_in (tfjs truncates at 2σ: variance × 0.774).
        const expected = p.name === 'logits' ? 2 / (p.fanIn + 10) : (2 / p.fanIn) * 0.774;
        expect(Math.abs(variance / expected - 1), p.name).toBeLessThan(0.15);
      }
    }
    m.dispose();
  });

  it('init is refused when unknown', () => {
    expect(() => buildModel(refSpec({ init: 'xavier' as never }))).toThrow(
      'ModelSpec.init must be one of he, pytorch; got "xavier"',
    );
  });
});

describe('validation names the field', () => {
  const block = REFERENCE.convs[0];
  const bad: Array<[unknown, string]> = [
    [undefined, 'ModelSpec.custom must be { "convs": [...], "dense": [...] } for arch \'custom\''],
    [{ convs: [], dense: [8] }, 'ModelSpec.custom.convs must be a list of 1 to 16 conv blocks'],
    [
      { convs: [{ ...block, filters: 0 }], dense: [8] },
      'ModelSpec.custom.convs[0].filters must be a whole number 1-4096; got 0',
    ],
    [
      { convs: [block, { ...block, kernel: 2.5 }], dense: [8] },
      'ModelSpec.custom.convs[1].kernel must be a whole number',
    ],
    [{ convs: [{ ...block, stride: 0 }], dense: [8] }, 'ModelSpec.custom.convs[0].stride'],
    [
      { convs: [{ ...block, padding: 'full' }], dense: [8] },
      'ModelSpec.custom.convs[0].padding must be "same" or "valid"',
    ],
    [
      { convs: [{ ...block, batchNorm: 'yes' }], dense: [8] },
      'ModelSpec.custom.convs[0].batchNorm must be true or false',
    ],
    [
      { convs: [{ ...block, pool: 1 }], dense: [8] },
      'ModelSpec.custom.convs[0].pool must be 0 (none) or a window 2-8; got 1',
    ],
    [{ convs: [{ ...block, dilation: 2 }], dense: [8] }, 'ModelSpec.custom.convs[0].dilation is not a known field'],
    [
      { convs: [block], dense: [] },
      'ModelSpec.custom.dense must list 1 to 8 hidden layer sizes, the last one the embedding',
    ],
    [{ convs: [block], dense: [8, -1] }, 'ModelSpec.custom.dense[1] must be a whole number'],
    [{ convs: [block], dense: [8], extra: 1 }, 'ModelSpec.custom.extra is not a known field'],
  ];
  it.each(bad)('%j', (custom, message) => {
    const spec = { ...refSpec(), custom } as ModelSpec;
    expect(() => buildModel(spec)).toThrow(message);
    expect(() => modelSize(spec)).toThrow(message);
  });

  it('a custom layout on another architecture is refused', () => {
    expect(() => buildModel({ ...refSpec(), arch: 'small' })).toThrow("ModelSpec.custom is only for arch 'custom'");
  });

  it('a layout that shrinks the map below a window names the block', () => {
    const tiny: CustomLayout = {
      convs: [
        { ...block, pool: 4 },
        { ...block, kernel: 5, padding: 'valid' },
      ],
      dense: [8],
    };
    const spec = refSpec({ custom: tiny, inputShape: [12, 12, 1] });
    // 12 → pool 4 → 3: a 5x5 valid conv does not fit.
    const msg = "ModelSpec.custom.convs[1]: the map is 3x3 there, too small for a 5x5 'valid' conv";
    expect(() => modelSize(spec)).toThrow(msg);
    expect(() => buildModel(spec)).toThrow(msg);
    expect(customLayoutSize(tiny, [12, 12, 1], 10).error).toBe(
      "block 2: the map is 3x3 there, too small for a 5x5 'valid' conv",
    );
    const pooled = refSpec({ custom: { convs: [block, { ...block, pool: 8 }], dense: [8] }, inputShape: [12, 12, 1] });
    expect(() => modelSize(pooled)).toThrow(
      'ModelSpec.custom.convs[1].pool: the map is 6x6 after the conv, too small for a 8x8 max-pool',
    );
  });
});
