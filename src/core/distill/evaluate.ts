// Inference passes over an ImageSet without gradients: evaluation (metrics + per-image predictions) and
// embedding (for mining and, later, the SVM). Fixed batch shapes: the last batch is padded.
import * as tf from '@tensorflow/tfjs';
import { AGE_OFFSET, AGE_SCALE, evaluationBatches, fillImages, labelsOf, type TaskHead } from '../data/batching';
import type { ImageSet, Task, Visibility } from '../data/types';
import {
  accuracy,
  argmaxRows,
  confusionMatrix,
  CONFUSION_MAX_CLASSES,
  meanAbsoluteError,
  weightedAccuracy,
  type Metrics,
} from '../metrics';

export interface Evaluation {
  metrics: Metrics;
  /** Class index or age in years, per image. */
  predictions: Float32Array;
}

/** Runs `model` over `indices` of `set` (all when null) in fixed-size batches; calls `onBatch` with the
 *  [batch, ...] outputs of the real (unpadded) rows, in order. Outputs are disposed after the callback.
 *  A batch's outputs are read back while the next batch is already queued (no GPU stall per batch). */
async function forEachBatch(
  model: tf.LayersModel,
  set: ImageSet,
  indices: Int32Array | null,
  visibility: Visibility,
  batchSize: number,
  onBatch: (outs: Float32Array[], widths: number[], offset: number, valid: number) => void,
): Promise<void> {
  const n = indices ? indices.length : set.count;
  const imgLen = set.height * set.width * set.channels;
  // One buffer serves every batch: its tensor lives only inside the tidy below (uploaded or copied there).
  const buf = new Float32Array(batchSize * imgLen);
  const bs = Math.min(batchSize, Math.max(1, n));
  type Queued = { outs: tf.Tensor[]; reads: Promise<unknown>[]; offset: number; valid: number };
  let queued: Queued | null = null;
  const settle = async (q: Queued) => {
    let data: Float32Array[];
    try {
      data = (await Promise.all(q.reads)) as Float32Array[];
    } finally {
      tf.dispose(q.outs);
    }
    onBatch(
      data,
      q.outs.map((o) => o.shape.slice(1).reduce((a, b) => a * (b ?? 1), 1)),
      q.offset,
      q.valid,
    );
  };
  try {
    for (const { indices: local, valid } of evaluationBatches(n, bs)) {
      const global = indices ? local.map((i) => indices[i]) : local;
      fillImages(set, global, visibility, buf);
      const outs = tf.tidy(() => {
        const x = tf.tensor4d(buf.subarray(0, bs * imgLen), [bs, set.height, set.width, set.channels]);
        const y = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
        return Array.isArray(y) ? y : [y];
      });
      const next: Queued = { outs, reads: outs.map((o) => o.data()), offset: local[0], valid };
      const prev = queued;
      queued = next;
      if (prev) await settle(prev);
    }
    const last = queued;
    queued = null;
    if (last) await settle(last);
  } finally {
    if (queued) {
      const q: Queued = queued;
      await Promise.allSettled(q.reads);
      tf.dispose(q.outs);
    }
  }
}

/** Metrics of a model's `logits` output on a split seen with `visibility`. */
export async function evaluateModel(
  model: tf.LayersModel,
  set: ImageSet,
  visibility: Visibility,
  task: Task,
  head: TaskHead,
  batchSize: number,
): Promise<Evaluation> {
  const truth = labelsOf(set, task);
  const n = set.count;
  const predictions = new Float32Array(n);
  let lossSum = 0;
  await forEachBatch(model, set, null, visibility, batchSize, ([out], [k], offset, valid) => {
    for (let i = 0; i < valid; i++) {
      const row = out.subarray(i * k, (i + 1) * k);
      const t = truth[offset + i];
      if (head.kind === 'classification') {
        predictions[offset + i] = argmaxRows(row, k)[0];
        // log-softmax computed stably on the CPU for the loss figure.
        let m = -Infinity;
        for (const v of row) m = Math.max(m, v);
        let z = 0;
        for (const v of row) z += Math.exp(v - m);
        lossSum += -(row[t] - m - Math.log(z));
      } else {
        const years = row[0] * AGE_SCALE + AGE_OFFSET;
        predictions[offset + i] = years;
        lossSum += Math.abs(years - t) / AGE_SCALE;
      }
    }
  });
  const metrics: Metrics = { count: n, loss: lossSum / Math.max(1, n) };
  if (head.kind === 'classification') {
    const cm = confusionMatrix(truth, predictions, head.units);
    metrics.accuracy = accuracy(truth, predictions);
    metrics.weightedAccuracy = weightedAccuracy(cm);
    if (cm.length <= CONFUSION_MAX_CLASSES) metrics.confusion = cm;
  } else {
    metrics.mae = meanAbsoluteError(truth, predictions);
  }
  return { metrics, predictions };
}

/**
 * Embeddings of `indices` of `set` seen with `visibility`, from a two-output [embedding, logits] model.
 * @returns [indices.length, d] tensor owned by the caller
 */
export async function embedImages(
  twoOutput: tf.LayersModel,
  set: ImageSet,
  indices: Int32Array,
  visibility: Visibility,
  batchSize: number,
): Promise<tf.Tensor2D> {
  let d = 0;
  let all: Float32Array | null = null;
  await forEachBatch(twoOutput, set, indices, visibility, batchSize, ([emb], [k], offset, valid) => {
    if (!all) {
      d = k;
      all = new Float32Array(indices.length * k);
    }
    all.set(emb.subarray(0, valid * k), offset * k);
  });
  return tf.tensor2d(all ?? new Float32Array(0), [indices.length, d]);
}

/**
 * Embeddings of `indices` (as embedImages) and, per image, whether the model's own prediction is right:
 * the class for classification, within `ageToleranceYears` for age.
 * @returns emb [indices.length, d] owned by the caller; correct [indices.length] 1/0
 */
export async function embedAndJudge(
  twoOutput: tf.LayersModel,
  set: ImageSet,
  indices: Int32Array,
  visibility: Visibility,
  batchSize: number,
  task: Task,
  head: TaskHead,
  ageToleranceYears: number,
): Promise<{ emb: tf.Tensor2D; correct: Uint8Array }> {
  const truth = labelsOf(set, task);
  const correct = new Uint8Array(indices.length);
  let d = 0;
  let all: Float32Array | null = null;
  await forEachBatch(twoOutput, set, indices, visibility, batchSize, ([emb, out], [k, u], offset, valid) => {
    if (!all) {
      d = k;
      all = new Float32Array(indices.length * k);
    }
    all.set(emb.subarray(0, valid * k), offset * k);
    for (let i = 0; i < valid; i++) {
      const t = truth[indices[offset + i]];
      const row = out.subarray(i * u, (i + 1) * u);
      correct[offset + i] =
        head.kind === 'classification'
          ? argmaxRows(row, u)[0] === t
            ? 1
            : 0
          : Math.abs(row[0] * AGE_SCALE + AGE_OFFSET - t) < ageToleranceYears
            ? 1
            : 0;
    }
  });
  return { emb: tf.tensor2d(all ?? new Float32Array(0), [indices.length, d]), correct };
}

/** Both outputs of a two-output [embedding, logits] model for every image of `set`, as plain arrays:
 *  emb [count, d] and out [count, u]. (The frozen teacher's outputs on the full faces, computed once
 *  per stage instead of once per batch.) */
export async function allOutputs(
  twoOutput: tf.LayersModel,
  set: ImageSet,
  visibility: Visibility,
  batchSize: number,
): Promise<{ emb: Float32Array; d: number; out: Float32Array; u: number }> {
  let d = 0,
    u = 0;
  let emb: Float32Array | null = null,
    out: Float32Array | null = null;
  await forEachBatch(twoOutput, set, null, visibility, batchSize, ([e, o], [k, w], offset, valid) => {
    if (!emb) {
      d = k;
      u = w;
      emb = new Float32Array(set.count * k);
      out = new Float32Array(set.count * w);
    }
    emb.set(e.subarray(0, valid * k), offset * k);
    out!.set(o.subarray(0, valid * w), offset * w);
  });
  return { emb: emb ?? new Float32Array(0), d, out: out ?? new Float32Array(0), u };
}
