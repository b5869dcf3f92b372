// Standard teacher-student loss for binary classification and regression (Romero et al. 2015 "hints",
// docs/method.md#standard-t-s):  L = (1 − λ) · L_task(y, ŷ_S) + λ · mean_batch ‖e_S(x') − e_T(x)‖²
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './kd';

/**
 * Mean over the batch of the squared Euclidean distance between embeddings: summed over the d
 * dimensions (`sum`, the paper's ‖·‖²) or averaged over them (`mean` = sum / d, our default, so the
 * term's size does not grow with the embedding's width).
 * @param studentEmb [batch, d] student embedding of the occluded image
 * @param teacherEmb [batch, d] teacher embedding of the full image (no gradient)
 */
export function hintLoss(studentEmb: tf.Tensor2D, teacherEmb: tf.Tensor2D, scale: 'sum' | 'mean' = 'sum'): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.square(tf.sub(studentEmb, stopGradient(teacherEmb)));
    return tf.mean(scale === 'sum' ? tf.sum(sq, 1) : tf.mean(sq, 1));
  });
}

/** Returns the weighted total and both terms unweighted. */
export function hintTotal(task: tf.Scalar, hint: tf.Scalar, lambda: number): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mul(task, 1 - lambda), tf.mul(hint, lambda)));
}
