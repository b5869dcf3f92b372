// The paper's triplet loss (docs/method.md#triplet-t-s). Embeddings are L2-normalised, d(u, v) = ‖u − v‖²:
//   L_triplet = (1/m) Σ max(0, d(e_S(a'), e_T(p)) − d(e_S(a'), e_S(n')) + α)
//   L = (1 − λ) · L_task + λ · L_triplet
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './kd';

/** Row-wise L2 normalisation; [n, d] → [n, d]. The epsilon keeps an all-zero row finite. */
export function l2Normalize(x: tf.Tensor2D, epsilon = 1e-12): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), epsilon))));
}

/** Row-wise squared Euclidean distance of two [n, d] tensors → [n]. */
export function squaredDistance(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.square(tf.sub(u, v)), 1));
}

/**
 * @param anchor [m, d] student embeddings of occluded anchors (raw; normalised here)
 * @param positive [m, d] teacher embeddings of full-face positives (raw; no gradient)
 * @param negative [m, d] student embeddings of occluded negatives (raw)
 * @param weights optional [m] 0/1 mask: anchors without a valid triplet count neither in the sum nor in m
 */
export function tripletLoss(
  anchor: tf.Tensor2D,
  positive: tf.Tensor2D,
  negative: tf.Tensor2D,
  margin: number,
  weights?: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    const a = l2Normalize(anchor);
    const p = l2Normalize(stopGradient(positive));
    const n = l2Normalize(negative);
    const hinge = tf.relu(tf.add(tf.sub(squaredDistance(a, p), squaredDistance(a, n)), margin));
    if (!weights) return tf.mean(hinge);
    // (1/m) over the valid triplets only; max(m, 1) keeps an empty batch at 0 instead of NaN.
    return tf.div(tf.sum(tf.mul(hinge, weights)), tf.maximum(tf.sum(weights), 1));
  });
}
