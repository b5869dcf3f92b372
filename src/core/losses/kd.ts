// Standard teacher-student loss for many-class classification (Hinton et al. 2015, docs/method.md#standard-t-s):
//   L = (1 − λ) · H(softmax(z_T/τ), softmax(z_S/τ)) + λ · H(y, softmax(z_S))
// The teacher's logits come from the full face, the student's from the occluded one; z_T carries no
// gradient (it is wrapped in stopGradient here as a second line of defence).
import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from './task';

export interface KdOptions {
  lambda: number;
  temperature: number;
  /** Multiply the soft term by τ² (Hinton's gradient-scale correction). Off by default. */
  scaleByTemperatureSquared?: boolean;
}

/**
 * H(softmax(zT/τ), softmax(zS/τ)) averaged over the batch.
 * @param studentLogits [batch, classes]
 * @param teacherLogits [batch, classes]
 */
export function softCrossEntropy(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const pT = tf.softmax(tf.div(stopGradient(teacherLogits), temperature));
    const logQ = tf.logSoftmax(tf.div(studentLogits, temperature));
    return tf.neg(tf.mean(tf.sum(tf.mul(pT, logQ), 1))) as tf.Scalar;
  });
}

/** Returns [total, soft term, ground-truth term] (the terms unweighted, for charts). */
export function kdLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  opts: KdOptions,
): { total: tf.Scalar; soft: tf.Scalar; hard: tf.Scalar } {
  const soft = softCrossEntropy(studentLogits, teacherLogits, opts.temperature);
  const hard = crossEntropyLoss(studentLogits, labels);
  const scale = opts.scaleByTemperatureSquared ? opts.temperature * opts.temperature : 1;
  const total = tf.tidy(() => tf.add(tf.mul(soft, (1 - opts.lambda) * scale), tf.mul(hard, opts.lambda)) as tf.Scalar);
  return { total, soft, hard };
}

/** Identity in the forward pass, zero gradient in the backward pass. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return { value: tf.clone(a), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as T;
}
