// Offline hard-example mining, once per epoch (docs/method.md#hard-example-mining): for each anchor a' (occluded,
// embedded by the current student) the positive is the FARTHEST same-class pool member embedded by the teacher
// on the full face, and the negative the CLOSEST other-class pool member embedded by the student on the
// occluded face. For age "same class" means |age difference| < threshold.
// Our documented variants (docs/method.md#hard-example-mining): `semihard` takes the closest negative that is still
// farther than the chosen positive (FaceNet's semi-hard rule; the hardest when none is), and the
// `teacher-correct` modes draw positives only from pool faces the teacher gets right on the full face,
// since the farthest "positive" is disproportionately often a mislabelled face.
import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from '../losses/triplet';

export type PositiveRule = { kind: 'class' } | { kind: 'age'; thresholdYears: number };

export interface MiningInput {
  /** [A, d] student embeddings of the occluded anchors. */
  anchorEmb: tf.Tensor2D;
  /** [A] labels of the anchors (class index, or age in years). */
  anchorLabels: Float32Array;
  /** [P, d] teacher embeddings of the full-face positive pool. */
  positiveEmb: tf.Tensor2D;
  positiveLabels: Float32Array;
  /** [N, d] student embeddings of the occluded negative pool. */
  negativeEmb: tf.Tensor2D;
  negativeLabels: Float32Array;
  /** [N] the anchor class each negative-pool member was drawn for (a pool drawn per class, pool.ts):
   *  it serves only anchors of that class. Absent: every member of another class serves. */
  negativeFor?: Int32Array | null;
  rule: PositiveRule;
  /** Negative choice: the closest (hardest, the paper) or the closest farther than the positive. */
  negatives?: 'hardest' | 'semihard';
  /** [P] 1 where a positive-pool member may be chosen (e.g. the teacher classifies it correctly);
   *  absent: every member. */
  positiveAllowed?: Uint8Array;
  /** Anchors per block; bounds the [block, pool] distance matrices. */
  blockSize?: number;
}

export interface MinedTriplets {
  /** Index into the positive pool, per anchor (−1 when none qualifies). */
  positive: Int32Array;
  /** Index into the negative pool, per anchor (−1 when none qualifies). */
  negative: Int32Array;
  /** 1 when the anchor has both a positive and a negative. */
  valid: Uint8Array;
}

/** [a, p] boolean: is pool member p a positive for anchor a? */
function positiveMask(aLab: tf.Tensor1D, pLab: tf.Tensor1D, rule: PositiveRule): tf.Tensor2D {
  const a = tf.expandDims(aLab, 1);
  const p = tf.expandDims(pLab, 0);
  return (rule.kind === 'class' ? tf.equal(a, p) : tf.less(tf.abs(tf.sub(a, p)), rule.thresholdYears)) as tf.Tensor2D;
}

/** Squared distances of L2-normalised rows: ‖u − v‖² = 2 − 2 u·v. [a, d] × [p, d] → [a, p]. */
function pairwiseSquared(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(2, tf.mul(2, tf.matMul(a, b, false, true)));
}

export async function mineHardTriplets(input: MiningInput): Promise<MinedTriplets> {
  const A = input.anchorEmb.shape[0];
  const block = input.blockSize ?? 1024;
  const positive = new Int32Array(A).fill(-1);
  const negative = new Int32Array(A).fill(-1);
  const valid = new Uint8Array(A);
  const semihard = input.negatives === 'semihard';
  const nFor = input.negativeFor ? tf.tensor1d(Float32Array.from(input.negativeFor)) : null;
  const [pNorm, nNorm, pLab, nLab, pOk] = tf.tidy(() => [
    l2Normalize(input.positiveEmb),
    l2Normalize(input.negativeEmb),
    tf.tensor1d(input.positiveLabels),
    tf.tensor1d(input.negativeLabels),
    tf.tensor1d(input.positiveAllowed ?? new Uint8Array(input.positiveLabels.length).fill(1), 'bool'),
  ]);
  try {
    for (let s = 0; s < A; s += block) {
      const e = Math.min(A, s + block);
      const out = tf.tidy(() => {
        const a = l2Normalize(tf.slice(input.anchorEmb, [s, 0], [e - s, -1]));
        const aLab = tf.tensor1d(input.anchorLabels.subarray(s, e));
        const posMask = tf.logicalAnd(positiveMask(aLab, pLab, input.rule), tf.expandDims(pOk, 0)) as tf.Tensor2D;
        let negMask = tf.logicalNot(positiveMask(aLab, nLab, input.rule)) as tf.Tensor2D;
        if (nFor)
          negMask = tf.logicalAnd(negMask, tf.equal(tf.expandDims(aLab, 1), tf.expandDims(nFor, 0))) as tf.Tensor2D;
        // Farthest positive: masked-out entries get −1 (all real distances are ≥ 0).
        const dP = tf.where(posMask, pairwiseSquared(a, pNorm), tf.fill(posMask.shape, -1));
        // Closest negative: masked-out entries get 5 (all real distances are ≤ 4).
        const dN = tf.where(negMask, pairwiseSquared(a, nNorm), tf.fill(negMask.shape, 5));
        let nIdx = tf.argMin(dN, 1);
        if (semihard) {
          // The closest negative farther than the chosen positive; the hardest where there is none.
          const dPmax = tf.expandDims(tf.max(dP, 1), 1);
          const dSemi = tf.where(tf.greater(dN, dPmax), dN, tf.fill(dN.shape, 5));
          const found = tf.less(tf.min(dSemi, 1), 5);
          nIdx = tf.where(found, tf.argMin(dSemi, 1), nIdx);
        }
        return [tf.argMax(dP, 1), nIdx, tf.any(posMask, 1), tf.any(negMask, 1)];
      });
      const [pi, ni, hasP, hasN] = await Promise.all(out.map((t) => t.data()));
      tf.dispose(out);
      for (let i = 0; i < e - s; i++) {
        const ok = hasP[i] && hasN[i];
        valid[s + i] = ok ? 1 : 0;
        positive[s + i] = hasP[i] ? pi[i] : -1;
        negative[s + i] = hasN[i] ? ni[i] : -1;
      }
    }
  } finally {
    tf.dispose([pNorm, nNorm, pLab, nLab, pOk]);
    nFor?.dispose();
  }
  return { positive, negative, valid };
}
