// The solvers' vector kernels: the fused step (w += a·[x_a, B], then w·x_b in the same pass) is bit for bit the
// two separate passes, and each kernel equals a plain loop; d = 19 and 20 cover the unrolled loops' remainder.
import { describe, expect, it } from 'vitest';
import { axpy, axpyDot, dot, dot64, median, rowSquares } from '../../../src/core/ensemble/vector';
import { Rng } from '../../../src/core/random';

const rows = (n: number, d: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => rng.normal());
};

describe('vector kernels', () => {
  for (const d of [19, 20]) {
    it(`axpyDot is axpy then dot64, bit for bit (d = ${d})`, () => {
      const x = rows(3, d, d);
      const rng = new Rng(7);
      const w0 = Float64Array.from({ length: d + 1 }, () => rng.normal());
      const fused = Float64Array.from(w0);
      const apart = Float64Array.from(w0);
      for (const [a, offA, offB] of [
        [0.37, 0, d],
        [-1.25, d, 2 * d],
        [2.5, 2 * d, 0],
      ]) {
        const s1 = axpyDot(fused, a, x, offA, offB, d, 1.5);
        axpy(apart, a, x, offA, d, 1.5);
        const s2 = dot64(apart, x, offB, d);
        expect(s1).toBe(s2);
      }
      expect(Array.from(fused)).toEqual(Array.from(apart));
    });
  }

  it('dot, axpy and rowSquares equal plain loops', () => {
    const d = 19;
    const x = rows(2, d, 3);
    const w = Float64Array.from({ length: d + 1 }, (_, k) => k / 7 - 1);
    let ref = 0;
    for (let k = 0; k < d; k++) ref += w[k] * x[d + k];
    expect(dot(w, x, d, d)).toBeCloseTo(ref, 12);
    expect(dot64(w, x, d, d)).toBeCloseTo(ref, 12);
    const v = Float64Array.from(w);
    axpy(v, 0.5, x, 0, d, 2);
    for (let k = 0; k < d; k++) expect(v[k]).toBeCloseTo(w[k] + 0.5 * x[k], 12);
    expect(v[d]).toBeCloseTo(w[d] + 1, 12);
    const sq = rowSquares(x, 2, d);
    for (let i = 0; i < 2; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k] ** 2;
      expect(sq[i]).toBeCloseTo(s, 9);
    }
    expect(median(Float32Array.from([5, 1, 3]))).toBe(3);
    expect(median(Float32Array.from([4, 1, 3, 2]))).toBe(2.5);
    expect(median(new Float32Array(0))).toBe(0);
  });
});
