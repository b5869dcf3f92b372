// The solvers' vector kernels over rows of a flat Float32Array [n, d]: dot products, w += a·x, both in one
// pass, row norms, and the small helpers of the coordinate-descent loops. Unrolled by four: V8 keeps the
// independent accumulators in registers.
import type { Rng } from '../random';

/** w[0..d) · x[off..off+d); four accumulators so the adds do not wait on each other. */
export function dot(w: Float64Array | Float32Array, x: Float32Array, off: number, d: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let k = 0;
  const d4 = d - (d % 4);
  for (; k < d4; k += 4) {
    s0 += w[k] * x[off + k];
    s1 += w[k + 1] * x[off + k + 1];
    s2 += w[k + 2] * x[off + k + 2];
    s3 += w[k + 3] * x[off + k + 3];
  }
  for (; k < d; k++) s0 += w[k] * x[off + k];
  return s0 + s1 + (s2 + s3);
}

/** dot for the solvers' Float64Array w (a copy of dot, so each stays monomorphic in V8's hot loops). */
export function dot64(w: Float64Array, x: Float32Array, off: number, d: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let k = 0;
  const d4 = d - (d % 4);
  for (; k < d4; k += 4) {
    s0 += w[k] * x[off + k];
    s1 += w[k + 1] * x[off + k + 1];
    s2 += w[k + 2] * x[off + k + 2];
    s3 += w[k + 3] * x[off + k + 3];
  }
  for (; k < d; k++) s0 += w[k] * x[off + k];
  return s0 + s1 + (s2 + s3);
}

/**
 * axpy(w, a, x, offA, d, B) then dot64(w, x, offB, d) in one pass over w: each w[k] is updated, then read for the
 * dot, in the same order and with the same accumulators as the two calls, so the result is bit for bit theirs.
 */
export function axpyDot(
  w: Float64Array,
  a: number,
  x: Float32Array,
  offA: number,
  offB: number,
  d: number,
  B: number,
): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let k = 0;
  const d4 = d - (d % 4);
  for (; k < d4; k += 4) {
    const w0 = w[k] + a * x[offA + k];
    const w1 = w[k + 1] + a * x[offA + k + 1];
    const w2 = w[k + 2] + a * x[offA + k + 2];
    const w3 = w[k + 3] + a * x[offA + k + 3];
    w[k] = w0;
    w[k + 1] = w1;
    w[k + 2] = w2;
    w[k + 3] = w3;
    s0 += w0 * x[offB + k];
    s1 += w1 * x[offB + k + 1];
    s2 += w2 * x[offB + k + 2];
    s3 += w3 * x[offB + k + 3];
  }
  for (; k < d; k++) {
    const wk = w[k] + a * x[offA + k];
    w[k] = wk;
    s0 += wk * x[offB + k];
  }
  w[d] += a * B;
  return s0 + s1 + (s2 + s3);
}

/** w += a·[x_row, B] (w has d + 1 entries, the last for the constant feature). */
export function axpy(w: Float64Array, a: number, x: Float32Array, off: number, d: number, B: number): void {
  let k = 0;
  const d4 = d - (d % 4);
  for (; k < d4; k += 4) {
    // unrolled: ~30% faster than the plain loop in V8
    w[k] += a * x[off + k];
    w[k + 1] += a * x[off + k + 1];
    w[k + 2] += a * x[off + k + 2];
    w[k + 3] += a * x[off + k + 3];
  }
  for (; k < d; k++) w[k] += a * x[off + k];
  w[d] += a * B;
}

/** Squared norm of each row of x [n, d]. */
export function rowSquares(x: Float32Array, n: number, d: number): Float64Array {
  const sq = new Float64Array(n);
  for (let i = 0, off = 0; i < n; i++, off += d) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[off + k] * x[off + k];
    sq[i] = s;
  }
  return sq;
}

/** Fisher-Yates on the first `len` entries. */
export function shuffle(a: Int32Array, len: number, rng: Rng): void {
  for (let i = len - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** The median of y (0 when empty). */
export function median(y: Float32Array): number {
  if (y.length === 0) return 0;
  const s = Float64Array.from(y).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
