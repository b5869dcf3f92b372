// Standard teacher-student loss for binary classification and regression (Romero et al. 2015 "hints",
// METHOD.md §3a):  L = (1 − λ) · L_task(y, ŷ_S) + λ · mean_batch ‖e_S(x') − e_T(x)‖²
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './kd';

/**
 * mean over the batch of the squared Euclidean distance between embeddings.
 * @param studentEmb [batch, d] student embedding of the occluded image
 * @param teacherEmb [batch, d] teacher embedding of the full image (no gradient)
 */
export function hintLoss(studentEmb: tf.Tensor2D, teacherEmb: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(studentEmb, stopGradient(teacherEmb))), 1)));
}

/** Returns the weighted total and both terms unweighted. */
export function hintTotal(task: tf.Scalar, hint: tf.Scalar, lambda: number): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mul(task, 1 - lambda), tf.mul(hint, lambda)));
}
