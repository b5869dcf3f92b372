// Task losses (docs/method.md#tasks-and-metrics): cross-entropy on logits for classification, mean
// absolute error for regression. Both are means over the batch.
import * as tf from '@tensorflow/tfjs';

/**
 * H(y, softmax(z)) averaged over the batch.
 * @param logits [batch, classes] pre-softmax scores
 * @param labels [batch] int32 class indices
 */
export function crossEntropyLoss(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/**
 * Mean absolute error.
 * @param pred [batch, 1] or [batch]
 * @param target [batch]
 */
export function maeLoss(pred: tf.Tensor, target: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.reshape(pred, [-1]), target))));
}

/** The task loss of a model head: cross-entropy with integer labels, or MAE with float targets. */
export function taskLoss(kind: 'classification' | 'regression', out: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  return kind === 'classification' ? crossEntropyLoss(out, y) : maeLoss(out, y);
}
