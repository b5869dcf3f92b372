// Grad-CAM against hand-computed maps on a model with hand-set weights, against a finite-difference
// estimate of ∂score/∂A on every architecture (ResNet's skip connections included), for classes and
// for regression; and no tensor is left behind.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { forwardWithConv, gradCam } from '../../../src/core/explain/gradcam';
import { buildModel } from '../../../src/core/models/registry';
import { ARCH_NAMES, type ArchName } from '../../../src/core/models/spec';
import { TINY_CUSTOM } from '../models/helpers';

/** input [2, 2, 1] → 1x1 conv "last_conv" with 2 filters (A0 = x, A1 = 2x) → global mean → dense 2 (W). */
function handModel(w: number[][]): tf.LayersModel {
  const input = tf.input({ shape: [2, 2, 1] });
  const conv = tf.layers.conv2d({
    filters: 2,
    kernelSize: 1,
    useBias: false,
    name: 'last_conv',
    weights: [tf.tensor4d([1, 2], [1, 1, 1, 2])],
  });
  const pool = tf.layers.globalAveragePooling2d({});
  const dense = tf.layers.dense({
    units: 2,
    useBias: true,
    name: 'logits',
    weights: [tf.tensor2d(w), tf.tensor1d([0.5, -0.5])],
  });
  const out = dense.apply(pool.apply(conv.apply(input))) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('Grad-CAM', () => {
  it('equals the hand-computed map on hand-set weights (chosen and predicted class)', async () => {
    // y_c = Σ_k W[k][c]·mean(A_k) + b_c, so ∂y_c/∂A_k = W[k][c]/4 everywhere and
    // map_c = ReLU((W[0][c] + 2·W[1][c])/4 · x), normalised by its max.
    const m = handModel([
      [1, -1],
      [0.5, -2],
    ]);
    const x = tf.tensor4d([0.1, 0.4, 0.2, 0.8], [1, 2, 2, 1]);
    const before = tf.memory().numTensors;
    const c0 = await gradCam(m, x, { kind: 'class', classes: [0] });
    expect(Array.from(c0.coarse)).toEqual(
      [0.125, 0.5, 0.25, 1].map((v) => expect.closeTo(v, 6)) as unknown as number[],
    );
    expect(c0.targets).toEqual([0]);
    // y_0 = 1·mean(x) + 0.5·2·mean(x) + 0.5 = 2·0.375 + 0.5
    expect(c0.scores[0]).toBeCloseTo(1.25, 6);
    // class 1: (-1 - 4)/4 < 0 → ReLU gives an all-zero map (not NaN)
    const c1 = await gradCam(m, x, { kind: 'class', classes: [1] });
    expect(Array.from(c1.coarse)).toEqual([0, 0, 0, 0]);
    // predicted class (null): class 0 wins (1.25 vs -2.375)
    const p = await gradCam(m, x, { kind: 'class', classes: null });
    expect(p.targets).toEqual([0]);
    expect(p.maps.length).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x]);
    m.dispose();
  });

  const tiny = (arch: ArchName, units: number) =>
    buildModel({
      arch,
      inputShape: arch === 'resnet-50' || arch === 'vgg-face' ? [32, 32, 1] : [40, 40, 1],
      outputUnits: units,
      width: 0.0625,
      seed: 7,
      ...(arch === 'custom' ? { custom: TINY_CUSTOM } : {}),
    });

  it.each(ARCH_NAMES.map((a) => [a]))(
    '%s: the gradient weights match finite differences of the score',
    async (arch) => {
      const m = tiny(arch as ArchName, 3);
      const [h, w] = m.inputs[0].shape.slice(1, 3) as number[];
      const x = tf.randomUniform([2, h, w, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const cam = await gradCam(m, x, { kind: 'class', classes: [1, 2] });
      expect(tf.memory().numTensors).toBe(before);
      expect(cam.maps.length).toBe(2 * h * w);
      expect(Math.max(...cam.maps)).toBeLessThanOrEqual(1);
      // Finite differences at a few elements of A (image 1, class 2), against tf.grad of the same score.
      const { a, g } = tf.tidy(() => {
        const conv = forwardWithConv(m, x, null).conv;
        const grad = tf.grad((c: tf.Tensor) => forwardWithConv(m, x, c).output.slice([1, 2], [1, 1]).sum())(conv);
        return { a: conv, g: grad };
      });
      const av = await a.data();
      const gv = await g.data();
      const score = (arr: Float32Array) =>
        tf.tidy(() => forwardWithConv(m, x, tf.tensor(arr, a.shape)).output.slice([1, 2], [1, 1]).dataSync()[0]);
      // ReLU and max-pooling are not smooth everywhere: an element where the one-sided differences
      // disagree sits on a kink and is skipped; the others must match the gradient.
      const base = score(Float32Array.from(av));
      let checked = 0;
      let nonzero = 0;
      const order = Array.from({ length: av.length / 2 }, (_, i) => av.length / 2 + i).sort(
        (p, q) => Math.abs(gv[q]) - Math.abs(gv[p]),
      );
      for (const k of [...order.slice(0, 20), ...order.slice(-3)]) {
        if (checked >= 8) break;
        // A larger step drowns float32 noise in deep nets, a smaller one stays off kinks: take the first
        // step at which both one-sided differences agree.
        const diffs = [1e-3, 1e-4]
          .map((eps) => {
            const up = Float32Array.from(av);
            up[k] += eps;
            const dn = Float32Array.from(av);
            dn[k] -= eps;
            return { fwd: (score(up) - base) / eps, bwd: (base - score(dn)) / eps };
          })
          .filter((d) => Math.abs(d.fwd - d.bwd) <= 1e-2 * Math.max(1, Math.abs(d.fwd)));
        if (!diffs.length) continue;
        const { fwd, bwd } = diffs[0];
        expect((fwd + bwd) / 2).toBeCloseTo(gv[k], 2);
        checked++;
        if (Math.abs(gv[k]) > 1e-3) nonzero++;
      }
      expect(checked).toBeGreaterThanOrEqual(3);
      expect(nonzero).toBeGreaterThanOrEqual(2);
      tf.dispose([a, g, x]);
      m.dispose();
    },
  );

  it('explains a regression output (the predicted value)', async () => {
    const m = tiny('small', 1);
    const x = tf.randomUniform([3, 40, 40, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const cam = await gradCam(m, x, { kind: 'regression' });
    expect(tf.memory().numTensors).toBe(before);
    expect(cam.targets).toEqual([-1, -1, -1]);
    const pred = m.predict(x) as tf.Tensor;
    expect(cam.scores[2]).toBeCloseTo((await pred.data())[2], 4);
    tf.dispose([pred, x]);
    m.dispose();
  });
});
