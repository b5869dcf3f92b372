// Standardised features for the SVMs: each column centred on the training mean and scaled to unit
// standard deviation, with the training split's statistics applied to every split.
import { checkRows } from './solver';

export interface Standardizer {
  mean: Float32Array;
  scale: Float32Array;
}

/** Mean and 1/std per feature from rows [n, d] (std 0 -> scale 1). */
export function fitStandardizer(x: Float32Array, n: number, d: number): Standardizer {
  checkRows('fitStandardizer', x, n, d);
  const sum = new Float64Array(d);
  for (let i = 0, off = 0; i < n; i++, off += d) for (let k = 0; k < d; k++) sum[k] += x[off + k];
  const mean = new Float64Array(d);
  for (let k = 0; k < d; k++) mean[k] = n > 0 ? sum[k] / n : 0;
  // Two passes (mean, then squared deviations) rather than E[x²] - E[x]², which cancels badly in float.
  const ss = new Float64Array(d);
  for (let i = 0, off = 0; i < n; i++, off += d) {
    for (let k = 0; k < d; k++) {
      const t = x[off + k] - mean[k];
      ss[k] += t * t;
    }
  }
  const scale = new Float32Array(d);
  for (let k = 0; k < d; k++) {
    const sd = n > 0 ? Math.sqrt(ss[k] / n) : 0;
    // A constant feature carries no information: leave it at 0 after centring rather than dividing by ~0.
    scale[k] = sd > 1e-12 ? 1 / sd : 1;
  }
  return { mean: Float32Array.from(mean), scale };
}

export function standardize(x: Float32Array, n: number, d: number, s: Standardizer): Float32Array {
  checkRows('standardize', x, n, d);
  if (s.mean.length !== d || s.scale.length !== d) {
    throw new Error(`standardize: standardizer has ${s.mean.length} features, data ${d}`);
  }
  const out = new Float32Array(n * d);
  for (let i = 0, off = 0; i < n; i++, off += d) {
    for (let k = 0; k < d; k++) out[off + k] = (x[off + k] - s.mean[k]) * s.scale[k];
  }
  return out;
}
