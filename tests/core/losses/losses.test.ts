// Every loss of docs/method.md against values computed by hand (derivations in the comments).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  crossEntropyLoss,
  hintLoss,
  kdLoss,
  maeLoss,
  softCrossEntropy,
  stopGradient,
  tripletLoss,
} from '../../../src/core/losses';

const val = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

describe('task losses', () => {
  it('cross-entropy = mean of −log softmax(z)[y]', () => {
    // Row 1: z = [1, 2, 3], y = 2 → −(3 − ln(e + e² + e³)) = 0.40760596.  Row 2: z = [0, 0, 0]... use 2 classes
    // padded: z = [0, 0, -inf-like]; simpler: second row z = [5, 5, 5], y = 0 → ln 3 = 1.09861229.
    const z = tf.tensor2d([
      [1, 2, 3],
      [5, 5, 5],
    ]);
    const y = tf.tensor1d([2, 0], 'int32');
    expect(val(crossEntropyLoss(z, y))).toBeCloseTo((0.40760596444438013 + Math.log(3)) / 2, 6);
    tf.dispose([z, y]);
  });
  it('MAE = mean |ŷ − y|', () => {
    // |1−2| + |2−2| + |4−1| = 4, over 3 → 1.3333
    const p = tf.tensor2d([[1], [2], [4]]);
    const y = tf.tensor1d([2, 2, 1]);
    expect(val(maeLoss(p, y))).toBeCloseTo(4 / 3, 6);
    tf.dispose([p, y]);
  });
});

describe('standard T-S, KD (Hinton)', () => {
  // z_T = [ln 3, 0] → softmax = [0.75, 0.25];  z_S = [ln 4, 0] → softmax = [0.8, 0.2];  y = 1.
  const zT = () => tf.tensor2d([[Math.log(3), 0]]);
  const zS = () => tf.tensor2d([[Math.log(4), 0]]);
  it('τ = 1: soft = −(0.75 ln 0.8 + 0.25 ln 0.2) = 0.56971714, hard = −ln 0.2 = 1.60943791', () => {
    const [s, t, y] = [zS(), zT(), tf.tensor1d([1], 'int32')];
    const r = kdLoss(s, t, y, { lambda: 0.25, temperature: 1 });
    expect(val(r.soft)).toBeCloseTo(0.5697171415941824, 6);
    expect(val(r.hard)).toBeCloseTo(1.6094379124341003, 6);
    // L = (1 − λ)·soft + λ·hard = 0.75·0.56971714 + 0.25·1.60943791
    expect(val(r.total)).toBeCloseTo(0.8296473343041619, 6);
    tf.dispose([s, t, y]);
  });
  it('τ = 2 with τ² scaling: p = [√3, 1]/(1+√3), q = [2/3, 1/3]', () => {
    const [s, t, y] = [zS(), zT(), tf.tensor1d([1], 'int32')];
    // soft = −(0.6339746 ln(2/3) + 0.3660254 ln(1/3)) = 0.65917458; total = 0.75·4·soft + 0.25·hard
    expect(val(softCrossEntropy(s, t, 2))).toBeCloseTo(0.6591745847546636, 6);
    const r = kdLoss(s, t, y, { lambda: 0.25, temperature: 2, scaleByTemperatureSquared: true });
    expect(val(r.total)).toBeCloseTo(2.379883232372516, 5);
    tf.dispose([r.soft, r.hard, s, t, y]);
  });
  it('the teacher logits receive no gradient', () => {
    const t = tf.variable(tf.tensor2d([[1, 0]]));
    const s = tf.variable(tf.tensor2d([[0, 1]]));
    const y = tf.tensor1d([0], 'int32');
    const { grads } = tf.variableGrads(() => kdLoss(s, t, y, { lambda: 0.1, temperature: 2 }).total, [t, s]);
    expect(Array.from(grads[t.name].dataSync())).toEqual([0, 0]);
    expect(Math.abs(grads[s.name].dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([t, s, y, ...Object.values(grads)]);
  });
});

describe('standard T-S, hints (Romero)', () => {
  it('mean over the batch of ‖e_S − e_T‖²', () => {
    // ‖[1,2] − [1,0]‖² = 4, ‖[0,0] − [3,4]‖² = 25 → 14.5
    const s = tf.tensor2d([
      [1, 2],
      [0, 0],
    ]);
    const t = tf.tensor2d([
      [1, 0],
      [3, 4],
    ]);
    expect(val(hintLoss(s, t))).toBeCloseTo(14.5, 6);
    // mean over the 2 dimensions instead of the sum: (4/2 + 25/2) / 2 = 7.25
    expect(val(hintLoss(s, t, 'mean'))).toBeCloseTo(7.25, 6);
    expect(val(hintLoss(s, t, 'sum'))).toBeCloseTo(14.5, 6);
    tf.dispose([s, t]);
  });
});

describe('triplet loss', () => {
  // Triplet 1: a = [1,0], p = [0,1], n = [2,2] → n̂ = [1,1]/√2. d(a,p) = 2, d(a,n) = 2 − √2.
  //   hinge = 2 − (2 − √2) + 0.2 = √2 + 0.2 = 1.61421356
  // Triplet 2: a = [0,3] → [0,1], p = [0,5] → [0,1], n = [−1,0]. d(a,p) = 0, d(a,n) = 2 → max(0, −1.8) = 0
  const make = () =>
    [
      tf.tensor2d([
        [1, 0],
        [0, 3],
      ]),
      tf.tensor2d([
        [0, 1],
        [0, 5],
      ]),
      tf.tensor2d([
        [2, 2],
        [-1, 0],
      ]),
    ] as tf.Tensor2D[];
  it('is the mean hinge over L2-normalised squared distances', () => {
    const [a, p, n] = make();
    expect(val(tripletLoss(a, p, n, 0.2))).toBeCloseTo(0.8071067811865476, 5);
    tf.dispose([a, p, n]);
  });
  it('weights select the valid anchors and m counts only them', () => {
    const [a, p, n] = make();
    const w1 = tf.tensor1d([1, 0]);
    const w2 = tf.tensor1d([0, 1]);
    const w0 = tf.tensor1d([0, 0]);
    expect(val(tripletLoss(a, p, n, 0.2, w1))).toBeCloseTo(1.614213562373095, 5);
    expect(val(tripletLoss(a, p, n, 0.2, w2))).toBeCloseTo(0, 6);
    expect(val(tripletLoss(a, p, n, 0.2, w0))).toBe(0);
    tf.dispose([a, p, n, w1, w2, w0]);
  });
  it('no gradient reaches the positive (teacher) embedding', () => {
    const [a0, p0, n0] = make();
    const [a, p, n] = [tf.variable(a0), tf.variable(p0), tf.variable(n0)];
    const { grads } = tf.variableGrads(() => tripletLoss(a, p, n, 0.2), [a, p, n]);
    expect(Array.from(grads[p.name].dataSync()).every((g) => g === 0)).toBe(true);
    expect(Array.from(grads[n.name].dataSync()).some((g) => g !== 0)).toBe(true);
    tf.dispose([a0, p0, n0, a, p, n, ...Object.values(grads)]);
  });
  it('stopGradient is the identity forward', () => {
    const x = tf.tensor1d([1, -2]);
    const y = stopGradient(x);
    expect(Array.from(y.dataSync())).toEqual([1, -2]);
    tf.dispose([x, y]);
  });
});
