// Classification and regression metrics on plain arrays (docs/method.md#tasks-and-metrics).

/** counts[t][p]: test images of true class t predicted as p. */
export function confusionMatrix(truth: ArrayLike<number>, pred: ArrayLike<number>, classes: number): number[][] {
  if (truth.length !== pred.length)
    throw new Error(`confusionMatrix: ${truth.length} labels but ${pred.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i],
      p = pred[i];
    if (t < 0 || t >= classes || p < 0 || p >= classes)
      throw new Error(`confusionMatrix: class index out of range at ${i} (true ${t}, predicted ${p})`);
    m[t][p]++;
  }
  return m;
}

/** Fraction of correct predictions; NaN for an empty set. */
export function accuracy(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  if (truth.length === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) ok++;
  return ok / truth.length;
}

/** Per-class recall; NaN for a class with no test image. */
export function perClassRecall(cm: number[][]): number[] {
  return cm.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n === 0 ? NaN : row[c] / n;
  });
}

/** Weighted accuracy = mean of per-class recall over the classes present in the truth (FER+ practice). */
export function weightedAccuracy(cm: number[][]): number {
  const r = perClassRecall(cm).filter((x) => !Number.isNaN(x));
  return r.length ? r.reduce((a, b) => a + b, 0) / r.length : NaN;
}

/** Mean absolute error. */
export function meanAbsoluteError(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  if (truth.length !== pred.length)
    throw new Error(`meanAbsoluteError: ${truth.length} targets but ${pred.length} predictions`);
  if (truth.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += Math.abs(truth[i] - pred[i]);
  return s / truth.length;
}

/** Index of the largest value in each row of a flat [n, k] array. */
export function argmaxRows(values: ArrayLike<number>, k: number): Int32Array {
  const n = Math.floor(values.length / k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[i * k + j] > values[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Confusion matrices are kept (in a grid row, results.json, the page's views) for at most this many
 *  classes: at the 1,000-class cap one matrix is a million counts, and no view can show it. */
export const CONFUSION_MAX_CLASSES = 100;

/** The metrics of one evaluation. Classification fills accuracy/weightedAccuracy/confusion (up to
 *  CONFUSION_MAX_CLASSES classes); age fills mae. */
export interface Metrics {
  count: number;
  loss: number;
  accuracy?: number;
  weightedAccuracy?: number;
  confusion?: number[][];
  mae?: number;
}

/** The number the lab ranks models by: accuracy (higher is better) or MAE (lower is better). */
export function primaryMetric(m: Metrics): { name: 'accuracy' | 'mae'; value: number; higherIsBetter: boolean } {
  return m.mae !== undefined
    ? { name: 'mae', value: m.mae, higherIsBetter: false }
    : { name: 'accuracy', value: m.accuracy ?? NaN, higherIsBetter: true };
}

/** True when `a` is strictly better than `b` (NaN is never better). */
export function isBetter(a: Metrics, b: Metrics | null): boolean {
  const pa = primaryMetric(a);
  if (Number.isNaN(pa.value)) return false;
  if (!b) return true;
  const pb = primaryMetric(b);
  if (Number.isNaN(pb.value)) return true;
  return pa.higherIsBetter ? pa.value > pb.value : pa.value < pb.value;
}
