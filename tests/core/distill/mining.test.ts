// Hard-example mining on a hand-built case where the right indices are known.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mineHardTriplets } from '../../../src/core/distill/mining';
import { drawMiningPools } from '../../../src/core/distill/pool';

const ofClass = (percent: number) => ({ percent, of: 'class' as const });
const ofTrain = (percent: number) => ({ percent, of: 'train' as const });

describe('mineHardTriplets', () => {
  it('farthest same-class teacher positive, closest other-class student negative', async () => {
    const before = tf.memory().numTensors;
    // anchors: a0 = [1,0] class 0, a1 = [0,1] class 1
    const anchorEmb = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    // positives (teacher, full): p0 ≈ a0 (close), p1 ⟂ a0 (far) of class 0; p2 = [1,1] (d = 2 − √2 to a1), p3 ≈ a1 of class 1
    const positiveEmb = tf.tensor2d([
      [1, 0.1],
      [0, 1],
      [1, 1],
      [0.2, 1],
    ]);
    // negatives (student, occluded): n0 = a0 exactly, n1 diagonal, both class 1; n2 = a1 exactly, n3 = −a0, both class 0
    const negativeEmb = tf.tensor2d([
      [1, 0],
      [0.7, 0.7],
      [0, 1],
      [-1, 0],
    ]);
    const r = await mineHardTriplets({
      anchorEmb,
      anchorLabels: new Float32Array([0, 1]),
      positiveEmb,
      positiveLabels: new Float32Array([0, 0, 1, 1]),
      negativeEmb,
      negativeLabels: new Float32Array([1, 1, 0, 0]),
      rule: { kind: 'class' },
      blockSize: 1, // blocks of one anchor exercise the chunking
    });
    expect(Array.from(r.positive)).toEqual([1, 2]); // a0: p1 (orthogonal); a1: p2 (diagonal) not p3 (near)
    expect(Array.from(r.negative)).toEqual([0, 2]); // a0: n0 (identical, class 1); a1: n2 (identical, class 0)
    expect(Array.from(r.valid)).toEqual([1, 1]);
    tf.dispose([anchorEmb, positiveEmb, negativeEmb]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('age: positives within the threshold, negatives outside; invalid when none qualifies', async () => {
    const anchorEmb = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const positiveEmb = tf.tensor2d([
      [1, 0],
      [0, 1],
      [-1, 0],
    ]);
    const negativeEmb = tf.tensor2d([
      [1, 0],
      [0, 1],
      [0.6, 0.8],
    ]);
    const r = await mineHardTriplets({
      anchorEmb,
      anchorLabels: new Float32Array([30, 70]),
      // ages 32 and 27 are within 5 years of 30; 50 is not. Nobody is within 5 years of 70.
      positiveEmb,
      positiveLabels: new Float32Array([32, 27, 50]),
      // negatives for 30: ages 60 (n0) and 33 (n1, a positive, excluded), 45 (n2) → closest of n0, n2 to [1,0] is n0
      negativeEmb,
      negativeLabels: new Float32Array([60, 33, 45]),
      rule: { kind: 'age', thresholdYears: 5 },
    });
    expect(r.positive[0]).toBe(1); // 27 is orthogonal to the anchor: farther than 32 (identical)
    expect(r.negative[0]).toBe(0);
    expect(r.valid[0]).toBe(1);
    expect(r.positive[1]).toBe(-1);
    expect(r.valid[1]).toBe(0);
    tf.dispose([anchorEmb, positiveEmb, negativeEmb]);
  });
});

describe('mining variants (our documented choices)', () => {
  // One anchor a = [1,0] of class 0. Positives of class 0: p0 = [1,0.1] (near), p1 = [0,1] (far, d = 2),
  // p2 = [0.6,0.8] (d = 0.8). Negatives of class 1: n0 = [1,0] (d = 0), n1 = [0.8,0.6] (d = 0.4), n2 = [-1,0] (d = 4).
  const run = (extra: object) => {
    const anchorEmb = tf.tensor2d([[1, 0]]);
    const positiveEmb = tf.tensor2d([
      [1, 0.1],
      [0, 1],
      [0.6, 0.8],
    ]);
    const negativeEmb = tf.tensor2d([
      [1, 0],
      [0.8, 0.6],
      [-1, 0],
    ]);
    return mineHardTriplets({
      anchorEmb,
      anchorLabels: new Float32Array([0]),
      positiveEmb,
      positiveLabels: new Float32Array([0, 0, 0]),
      negativeEmb,
      negativeLabels: new Float32Array([1, 1, 1]),
      rule: { kind: 'class' },
      ...extra,
    }).finally(() => tf.dispose([anchorEmb, positiveEmb, negativeEmb]));
  };

  it('hardest: the farthest positive (p1) and the closest negative (n0)', async () => {
    const r = await run({});
    expect([r.positive[0], r.negative[0]]).toEqual([1, 0]);
  });

  it('teacher-correct: positives only among allowed pool members', async () => {
    const r = await run({ positiveAllowed: new Uint8Array([1, 0, 1]) });
    expect([r.positive[0], r.negative[0]]).toEqual([2, 0]); // p1 (misclassified by the teacher) is skipped
    const none = await run({ positiveAllowed: new Uint8Array([0, 0, 0]) });
    expect([none.positive[0], none.valid[0]]).toEqual([-1, 0]);
  });

  it('semi-hard: the closest negative farther than the positive, else the hardest', async () => {
    // Positive p2 (d = 0.8): negatives farther than 0.8 are n2 only (n1 at 0.4 is closer) → n2.
    const semi = await run({ negatives: 'semihard', positiveAllowed: new Uint8Array([1, 0, 1]) });
    expect([semi.positive[0], semi.negative[0]]).toEqual([2, 2]);
    // Positive p1 (d = 2): only n2 (d = 4) is farther → n2; with n2 removed none is, so the hardest (n0).
    const semi2 = await run({ negatives: 'semihard' });
    expect(semi2.negative[0]).toBe(2);
    const anchorEmb = tf.tensor2d([[1, 0]]);
    const positiveEmb = tf.tensor2d([[0, 1]]);
    const negativeEmb = tf.tensor2d([
      [1, 0],
      [0.8, 0.6],
    ]);
    const fallback = await mineHardTriplets({
      anchorEmb,
      anchorLabels: new Float32Array([0]),
      positiveEmb,
      positiveLabels: new Float32Array([0]),
      negativeEmb,
      negativeLabels: new Float32Array([1, 1]),
      rule: { kind: 'class' },
      negatives: 'semihard',
    });
    tf.dispose([anchorEmb, positiveEmb, negativeEmb]);
    expect(fallback.negative[0]).toBe(0);
  });
});

describe('drawMiningPools', () => {
  it('draws the percentage from every class, seeded, two independent pools', () => {
    const labels = new Int32Array(1000).map((_, i) => (i < 800 ? 0 : i < 950 ? 1 : 2));
    const a = drawMiningPools(labels, 3, labels.length, ofClass(10), ofClass(10), 7, 0);
    const b = drawMiningPools(labels, 3, labels.length, ofClass(10), ofClass(10), 7, 0);
    const c = drawMiningPools(labels, 3, labels.length, ofClass(10), ofClass(10), 7, 1);
    expect(Array.from(a.positives)).toEqual(Array.from(b.positives));
    expect(Array.from(a.positives)).not.toEqual(Array.from(c.positives));
    expect(Array.from(a.positives)).not.toEqual(Array.from(a.negatives));
    const per = [0, 0, 0];
    for (const i of a.positives) per[labels[i]]++;
    expect(per).toEqual([80, 15, 5]);
    expect(new Set(a.positives).size).toBe(a.positives.length);
    expect(a.negativeFor).toBeNull();
  });
  it('regression pools are uniform draws of the percentage, whatever they are “of”', () => {
    for (const of of ['class', 'train'] as const) {
      const p = drawMiningPools(null, 1, 500, { percent: 4, of }, { percent: 4, of }, 1, 0);
      expect(p.positives.length).toBe(20);
      expect(p.negatives.length).toBe(20);
      expect(p.negativeFor).toBeNull();
    }
  });
  it('of the training set, per class: p% of all 1,000 images from each class (at most the class), negatives per class from the others', () => {
    const labels = new Int32Array(1000).map((_, i) => (i < 800 ? 0 : i < 950 ? 1 : 2));
    const p = drawMiningPools(labels, 3, labels.length, ofTrain(10), ofTrain(10), 7, 0);
    const per = [0, 0, 0];
    for (const i of p.positives) per[labels[i]]++;
    // 10% of 1,000 = 100 per class: class 0 gives 100 of its 800, class 1 all its 150 → 100, class 2 all its 50.
    expect(per).toEqual([100, 100, 50]);
    expect(new Set(p.positives).size).toBe(p.positives.length);
    // Negatives: 100 for each class, drawn from the other classes (class 0's others are only 200 images).
    expect(p.negatives.length).toBe(300);
    const owners = Array.from(p.negativeFor!);
    for (const c of [0, 1, 2]) {
      const mine = Array.from(p.negatives).filter((_, j) => owners[j] === c);
      expect(mine.length).toBe(100);
      expect(mine.every((i) => labels[i] !== c)).toBe(true);
      expect(new Set(mine).size).toBe(100);
    }
    // At 5% and 8 balanced classes the per-class pool of the training set holds 8x the positives.
    const eight = new Int32Array(800).map((_, i) => i % 8);
    const byClass = drawMiningPools(eight, 8, 800, ofClass(5), ofClass(5), 1, 0);
    const byTrain = drawMiningPools(eight, 8, 800, ofTrain(5), ofClass(5), 1, 0);
    expect([byClass.positives.length, byTrain.positives.length]).toEqual([8 * 5, 8 * 40]);
    // The negative pool "of the class" is today's draw, whatever the positive pool is.
    expect(Array.from(byTrain.negatives)).toEqual(Array.from(byClass.negatives));
  });
});

describe('negatives drawn for a class serve only that class', () => {
  it('the closest negative drawn for the anchor’s class wins over a closer one drawn for another class', async () => {
    const before = tf.memory().numTensors;
    const anchorEmb = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const positiveEmb = tf.tensor2d([
      [1, 0.2],
      [0.2, 1],
    ]);
    // n0 (class 2) equals a0 but was drawn for class 1; n1 (class 1) was drawn for class 0; n2 (class 0) for class 1.
    const negativeEmb = tf.tensor2d([
      [1, 0],
      [0.6, 0.8],
      [0.1, 1],
    ]);
    const args = {
      anchorEmb,
      anchorLabels: new Float32Array([0, 1]),
      positiveEmb,
      positiveLabels: new Float32Array([0, 1]),
      negativeEmb,
      negativeLabels: new Float32Array([2, 1, 0]),
      rule: { kind: 'class' as const },
    };
    const shared = await mineHardTriplets(args);
    expect(Array.from(shared.negative)).toEqual([0, 2]);
    const perClass = await mineHardTriplets({ ...args, negativeFor: new Int32Array([1, 0, 1]) });
    expect(Array.from(perClass.negative)).toEqual([1, 2]);
    // A class none was drawn for has no negative: the anchor is not a valid triplet.
    const none = await mineHardTriplets({ ...args, negativeFor: new Int32Array([1, 1, 1]) });
    expect(Array.from(none.valid)).toEqual([0, 1]);
    tf.dispose([anchorEmb, positiveEmb, negativeEmb]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
