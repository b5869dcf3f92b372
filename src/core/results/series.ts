// The loss chart's points: one per training batch, thinned as the run grows so the page never holds or
// draws more than about MAX_LOSS_POINTS. Thinning depends on the step number alone (keep x % stride == 0),
// so the worker's stored series and the page's live one agree however the events were batched.
import type { LossPoint } from '../records';

/** 256: a chart a few hundred pixels wide shows no more, and each redraw of the live chart (several a
 *  second, up to five lines) stays short on the page's main thread (1,024 points took tens of ms). */
export const MAX_LOSS_POINTS = 256;

/** The smallest power of two that keeps steps 0..x within `max` points. */
export function strideFor(x: number, max = MAX_LOSS_POINTS): number {
  let s = 1;
  while ((x + 1) / s > max) s *= 2;
  return s;
}

/** Appends `p` if its step survives thinning, dropping earlier points that no longer do. Returns the
 *  same array when nothing changed, a new one otherwise (store-friendly). */
export function appendLossPoint(series: LossPoint[], p: LossPoint, max = MAX_LOSS_POINTS): LossPoint[] {
  const s = strideFor(p.x, max);
  const last = series[series.length - 1];
  const kept = !last || strideFor(last.x, max) === s ? series : series.filter((q) => q.x % s === 0);
  if (p.x % s !== 0) return kept;
  return [...kept, p];
}
