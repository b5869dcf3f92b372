// From an ImageSet to model inputs: float pixels in [0, 1] with the hidden half zeroed, targets per
// task, and fixed-size batches (the ragged last training batch is dropped, evaluation pads it) so the
// WebGPU backend never sees a new tensor shape (docs/architecture.md#platform-constraints).
import { hiddenRows } from './occlusion';
import { type ImageSet, type Task, type Visibility, EXPRESSION_CLASSES, GENDER_CLASSES } from './types';

/** Age is learned in standardised units, (years − AGE_OFFSET) / AGE_SCALE, so Adam's small steps reach
 *  the right range quickly; MAE is always reported back in years. */
export const AGE_OFFSET = 40;
export const AGE_SCALE = 20;

export interface TaskHead {
  kind: 'classification' | 'regression';
  /** Output units of the model's `logits` layer. */
  units: number;
  classNames: string[];
}

export function taskHead(task: Task, set?: ImageSet): TaskHead {
  if (task === 'age') return { kind: 'regression', units: 1, classNames: [] };
  const names =
    task === 'expression'
      ? (set?.classNames.expression ?? [...EXPRESSION_CLASSES])
      : (set?.classNames.gender ?? [...GENDER_CLASSES]);
  return { kind: 'classification', units: names.length, classNames: names };
}

/** Throws unless the set carries the labels the task needs. */
export function requireLabels(set: ImageSet, task: Task, what = 'dataset'): void {
  // An empty split first: it has no labels of any task, and saying so would send people after the wrong fix.
  if (set.count === 0)
    throw new Error(`The ${what} has no images (0 rows); every split (train, val, test) needs some.`);
  const ok = task === 'expression' ? set.expression : task === 'gender' ? set.gender : set.age;
  if (!ok) throw new Error(`The ${what} has no ${task} labels; choose another task or dataset.`);
}

/**
 * Writes images `indices` into `out` as floats in [0, 1], hidden rows zero.
 * @param out [indices.length, h, w, c] flat, preallocated; rows past indices.length are left alone
 */
export function fillImages(
  set: ImageSet,
  indices: ArrayLike<number>,
  visibility: Visibility,
  out: Float32Array,
): Float32Array {
  const { height, width, channels, pixels } = set;
  const rowLen = width * channels;
  const imgLen = height * rowLen;
  const [h0, h1] = hiddenRows(height, visibility);
  const inv = 1 / 255;
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * imgLen;
    const dst = b * imgLen;
    for (let i = 0; i < imgLen; i++) out[dst + i] = pixels[src + i] * inv;
    if (h1 > h0) out.fill(0, dst + h0 * rowLen, dst + h1 * rowLen);
  }
  return out;
}

/** Targets of `indices`: class indices (classification) or standardised age (regression). */
export function fillTargets(set: ImageSet, task: Task, indices: ArrayLike<number>, out: Float32Array): Float32Array {
  requireLabels(set, task);
  const src = task === 'expression' ? set.expression! : task === 'gender' ? set.gender! : set.age!;
  for (let b = 0; b < indices.length; b++) {
    const v = src[indices[b]];
    out[b] = task === 'age' ? (v - AGE_OFFSET) / AGE_SCALE : v;
  }
  return out;
}

/** Raw labels of the whole set: class indices, or age in years. */
export function labelsOf(set: ImageSet, task: Task): Float32Array {
  requireLabels(set, task);
  const src = task === 'expression' ? set.expression! : task === 'gender' ? set.gender! : set.age!;
  return Float32Array.from(src as ArrayLike<number>);
}

/** Training batches of an epoch: the order's consecutive slices of `batchSize`, ragged tail dropped. */
export function trainingBatches(order: Int32Array, batchSize: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let s = 0; s + batchSize <= order.length; s += batchSize) out.push(order.subarray(s, s + batchSize));
  return out;
}

/** Evaluation batches cover every index; the last one is padded by repeating index 0 and `valid` says
 *  how many entries are real. */
export function evaluationBatches(count: number, batchSize: number): { indices: Int32Array; valid: number }[] {
  const out: { indices: Int32Array; valid: number }[] = [];
  for (let s = 0; s < count; s += batchSize) {
    const valid = Math.min(batchSize, count - s);
    const idx = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) idx[i] = i < valid ? s + i : 0;
    out.push({ indices: idx, valid });
  }
  return out;
}

/** Indices of each class (classification), for mining. */
export function indicesByClass(labels: ArrayLike<number>, classes: number): Int32Array[] {
  const lists: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) lists[labels[i]].push(i);
  return lists.map((l) => Int32Array.from(l));
}
