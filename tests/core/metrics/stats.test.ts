// Significance tests and bootstrap CIs against hand-derived and textbook values; reference numbers marked "scipy" were
// computed once with scipy 1.17 (stats.norm.sf, stats.chi2.sf, stats.binomtest, stats.wilcoxon) and pasted here.
import { describe, expect, it } from 'vitest';
import {
  accuracyCi,
  bootstrapCi,
  chi2Sf1,
  maeCi,
  mcnemar,
  normalSf,
  wilcoxonSignedRank,
} from '../../../src/core/metrics/stats';

/** Correctness vectors with b items only A got right, c only B got right, plus `both` right and `neither` right. */
function pairs(b: number, c: number, both = 0, neither = 0): { a: boolean[]; bb: number[] } {
  const a: boolean[] = [],
    bb: number[] = [];
  const push = (x: boolean, y: number, k: number) => {
    for (let i = 0; i < k; i++) {
      a.push(x);
      bb.push(y);
    }
  };
  push(true, 0, b);
  push(false, 1, c);
  push(true, 1, both);
  push(false, 0, neither);
  return { a, bb };
}

describe('normalSf and chi2Sf1', () => {
  it('hits the textbook critical values', () => {
    expect(normalSf(0)).toBe(0.5);
    expect(Math.abs(normalSf(1.959963985) - 0.025)).toBeLessThan(1e-7);
    expect(Math.abs(chi2Sf1(3.841458821) - 0.05)).toBeLessThan(1e-7);
    expect(Math.abs(normalSf(-1.959963985) - 0.975)).toBeLessThan(1e-7);
    expect(chi2Sf1(0)).toBe(1);
    expect(chi2Sf1(-1)).toBe(1);
  });
  it('keeps relative accuracy across both regimes and far into the tail (scipy)', () => {
    const ref: [number, number][] = [
      [-3, 0.9986501019683699],
      [0.3, 0.3820885778110474],
      [1, 0.15865525393145707],
      [2.5, 0.006209665325776132],
      [2.99, 0.0013948872354922468],
      [3, 0.0013498980316300933],
      [3.01, 0.0013062384487694675],
      [5, 2.866515718791933e-7],
      [8, 6.22096057427174e-16],
      [20, 2.7536241186061556e-89],
      [30, 4.906713927147908e-198],
    ];
    for (const [z, p] of ref) expect(Math.abs(normalSf(z) / p - 1)).toBeLessThan(1e-12);
    // chi-square(1) is the square of a normal: P(X > z^2) = 2 P(Z > z)
    expect(chi2Sf1(4)).toBeCloseTo(2 * normalSf(2), 15);
  });
});

describe('mcnemar', () => {
  it('exact binomial for b + c < 25', () => {
    // b = 1, c = 9: p = 2 * P(X <= 1), X ~ Bin(10, 1/2) = 2 * (1 + 10) / 1024
    const { a, bb } = pairs(1, 9, 40, 7);
    const r = mcnemar(a, bb);
    expect(r).toEqual({ b: 1, c: 9, n: 10, method: 'exact', statistic: null, p: 0.021484375 });
    // swapping the classifiers swaps b and c, not p
    expect(mcnemar(bb, a)).toMatchObject({ b: 9, c: 1, p: 0.021484375 });
    const even = pairs(5, 5, 3);
    expect(mcnemar(even.a, even.bb)).toMatchObject({ n: 10, method: 'exact', p: 1 });
    // b + c = 24 is still exact; scipy binomtest(10, 24) = 0.5412561893463135
    const edge = pairs(10, 14);
    const re = mcnemar(edge.a, edge.bb);
    expect(re.method).toBe('exact');
    expect(re.p).toBeCloseTo(0.5412561893463135, 14);
  });
  it('no discordant items gives p = 1', () => {
    const { a, bb } = pairs(0, 0, 20, 5);
    expect(mcnemar(a, bb)).toEqual({ b: 0, c: 0, n: 0, method: 'exact', statistic: null, p: 1 });
    expect(mcnemar([], []).p).toBe(1);
  });
  it('chi-square with continuity correction for b + c >= 25', () => {
    // (|25 - 10| - 1)^2 / 35 = 196 / 35 = 5.6; scipy chi2.sf(5.6, 1) = 0.01796047752607879
    const { a, bb } = pairs(25, 10, 50, 15);
    const r = mcnemar(a, bb);
    expect(r.method).toBe('chi2');
    expect(r.n).toBe(35);
    expect(r.statistic).toBeCloseTo(5.6, 12);
    expect(Math.abs(r.p - 0.01796)).toBeLessThan(1e-5);
    expect(r.p).toBeCloseTo(chi2Sf1(5.6), 15);
  });
  it('rejects mismatched lengths', () => {
    expect(() => mcnemar([true], [true, false])).toThrow(/1 results for A but 2/);
  });
});

describe('wilcoxonSignedRank', () => {
  const ranks = Array.from({ length: 10 }, (_, i) => i + 1);
  it('exact: all ten differences positive', () => {
    // W- = 0; only the empty set and the full set have W <= 0 on either side: p = 2 * 1/1024
    const r = wilcoxonSignedRank(ranks, new Array(10).fill(0));
    expect(r).toEqual({ n: 10, wPlus: 55, wMinus: 0, method: 'exact', z: null, p: 0.001953125 });
  });
  it('exact: one negative difference of rank 1', () => {
    // W- = 1; subsets with rank sum <= 1: {} and {1} -> P(W <= 1) = 2/1024, p = 4/1024
    const r = wilcoxonSignedRank([-1, ...ranks.slice(1)], new Array(10).fill(0));
    expect(r).toEqual({ n: 10, wPlus: 54, wMinus: 1, method: 'exact', z: null, p: 0.00390625 });
    // negatives at ranks 1 and 2: W- = 3; sums <= 3: {}, {1}, {2}, {3}, {1,2} -> p = 10/1024
    expect(wilcoxonSignedRank([-1, -2, ...ranks.slice(2)], new Array(10).fill(0)).p).toBe(10 / 1024);
    // paired form: a - b gives the same differences, and swapping a and b swaps W+ and W-
    const a = ranks.map((d, i) => 100 + d * (i === 0 ? -1 : 1)),
      b = new Array(10).fill(100);
    expect(wilcoxonSignedRank(b, a)).toMatchObject({ wPlus: 1, wMinus: 54, p: 0.00390625 });
  });
  it('exact p matches brute-force enumeration of all 2^12 sign patterns (and scipy)', () => {
    const d = [3.1, -1.2, 4.5, 2.2, -0.7, 5.9, 6.3, 7.4, 8.8, 9.6, -10.1, 11.5];
    const r = wilcoxonSignedRank(d, new Array(d.length).fill(0));
    // |d| ranks: 0.7->1, 1.2->2, 2.2->3, 3.1->4, ... ; negatives are ranks 1, 2 and 11
    expect(r.wMinus).toBe(14);
    expect(r.wPlus).toBe(78 - 14);
    let atMost = 0;
    for (let mask = 0; mask < 1 << 12; mask++) {
      let w = 0;
      for (let rank = 1; rank <= 12; rank++) if (mask & (1 << (rank - 1))) w += rank;
      if (w <= 14) atMost++;
    }
    expect(r.p).toBe((2 * atMost) / 4096);
    expect(r.p).toBe(0.05224609375); // scipy wilcoxon(d, method='exact')
  });
  it('p is capped at 1', () => {
    expect(wilcoxonSignedRank([2], [1])).toMatchObject({ n: 1, wPlus: 1, wMinus: 0, method: 'exact', p: 1 });
  });
  it('zero differences are dropped; all zero gives n = 0, p = 1', () => {
    expect(wilcoxonSignedRank([1, 2, 3], [1, 2, 3])).toEqual({
      n: 0,
      wPlus: 0,
      wMinus: 0,
      method: 'exact',
      z: null,
      p: 1,
    });
    expect(wilcoxonSignedRank([], [])).toMatchObject({ n: 0, p: 1 });
    const withZeros = wilcoxonSignedRank([5, ...ranks, 7], [5, ...new Array(10).fill(0), 7]);
    expect(withZeros).toMatchObject({ n: 10, wMinus: 0, p: 0.001953125 });
  });
  it('normal approximation with tie and continuity corrections, n = 30 (hand-derived, and scipy)', () => {
    // |d|: three 0.5s (ranks 1-3, average 2), 4..9 (ranks 4-9), two 10s (ranks 10-11, average 10.5), 12..30 (ranks 12-30).
    // Negatives: one 0.5 (rank 2), 5 (rank 5), one 10 (rank 10.5), 20 (rank 20) -> W- = 37.5, W+ = 465 - 37.5 = 427.5.
    const d = [
      0.5, -0.5, 0.5, 4, -5, 6, 7, 8, 9, -10, 10, 12, 13, 14, 15, 16, 17, 18, 19, -20, 21, 22, 23, 24, 25, 26, 27, 28,
      29, 30,
    ];
    const a = [...d.map((x) => 50 + x), 3, 3],
      b = [...new Array(30).fill(50), 3, 3]; // two zero differences, dropped
    const r = wilcoxonSignedRank(a, b);
    expect(r.method).toBe('normal');
    expect(r.n).toBe(30);
    expect(r.wMinus).toBe(37.5);
    expect(r.wPlus).toBe(427.5);
    const n = 30;
    const mean = (n * (n + 1)) / 4; // 232.5
    const variance = (n * (n + 1) * (2 * n + 1)) / 24 - (27 - 3 + (8 - 2)) / 48; // 2363.75 - 0.625
    const z = (427.5 - mean - 0.5) / Math.sqrt(variance);
    expect(r.z).toBeCloseTo(z, 12);
    expect(r.z).toBeCloseTo(4.00107100181907, 10); // scipy's |z|
    expect(r.p).toBeCloseTo(2 * normalSf(z), 15);
    expect(Math.abs(r.p / 6.305643205158711e-5 - 1)).toBeLessThan(1e-10); // scipy wilcoxon(..., correction=True, method='approx')
    // mirrored: z changes sign, p does not
    const m = wilcoxonSignedRank(b, a);
    expect(m.z).toBeCloseTo(-z, 12);
    expect(m.p).toBeCloseTo(r.p, 15);
  });
  it('ties force the normal approximation even for small n; continuity correction never crosses zero', () => {
    const r = wilcoxonSignedRank([1, -1, 2, 3], [0, 0, 0, 0]);
    expect(r.method).toBe('normal');
    expect(r.wPlus).toBe(1.5 + 3 + 4);
    // W+ - mean = 8.5 - 5 = 3.5; variance = 4*5*9/24 - (8 - 2)/48 = 7.5 - 0.125
    expect(r.z).toBeCloseTo(3 / Math.sqrt(7.375), 12);
    // |W+ - mean| = 0.5 here, so the corrected deviation is 0 and p = 1 (scipy agrees)
    const balanced = [
      1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 9, -9, 10, -10, 11, -11, 12, -12, 13, -13, 14, -14, 15,
      -16,
    ];
    const rb = wilcoxonSignedRank(balanced, new Array(30).fill(0));
    expect(rb.z).toBe(0);
    expect(rb.p).toBe(1);
  });
  it('n = 26 without ties uses the normal approximation', () => {
    const d = Array.from({ length: 26 }, (_, i) => i + 1);
    expect(wilcoxonSignedRank(d, new Array(26).fill(0)).method).toBe('normal');
    expect(wilcoxonSignedRank(d.slice(0, 25), new Array(25).fill(0)).method).toBe('exact');
  });
  it('rejects mismatched lengths and non-finite values', () => {
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow(/2 values in a but 1/);
    expect(() => wilcoxonSignedRank([NaN], [1])).toThrow(/non-finite/);
  });
});

describe('bootstrap CIs', () => {
  const correct = Array.from({ length: 100 }, (_, i) => i % 5 !== 0); // 80 of 100 right
  it('accuracy 80/100: contains 0.8, width near the normal-theory 2 * 1.96 * sqrt(0.8 * 0.2 / 100)', () => {
    const ci = accuracyCi(correct, { seed: 7 });
    expect(ci.estimate).toBe(0.8);
    expect(ci.level).toBe(0.95);
    expect(ci.reps).toBe(2000);
    expect(ci.lo).toBeLessThan(0.8);
    expect(ci.hi).toBeGreaterThan(0.8);
    const width = 2 * 1.96 * Math.sqrt((0.8 * 0.2) / 100); // 0.1568
    expect(Math.abs(ci.hi - ci.lo - width)).toBeLessThan(0.03);
    // numbers work as well as booleans
    expect(accuracyCi(correct.map(Number), { seed: 7 })).toEqual(ci);
  });
  it('is deterministic for a seed and varies with it', () => {
    const a = accuracyCi(correct, { seed: 3, reps: 500 });
    expect(accuracyCi(correct, { seed: 3, reps: 500 })).toEqual(a);
    const b = accuracyCi(correct, { seed: 4, reps: 500 });
    expect([b.lo, b.hi]).not.toEqual([a.lo, a.hi]);
  });
  it('a lower level gives a narrower interval', () => {
    const wide = accuracyCi(correct, { seed: 1 }),
      narrow = accuracyCi(correct, { seed: 1, level: 0.5 });
    expect(narrow.level).toBe(0.5);
    expect(narrow.hi - narrow.lo).toBeLessThan(wide.hi - wide.lo);
    expect(narrow.lo).toBeGreaterThanOrEqual(wide.lo);
    expect(narrow.hi).toBeLessThanOrEqual(wide.hi);
  });
  it('maeCi estimate is the mean absolute error', () => {
    const errs = [1.5, 0.25, 4, 2, 0, 3.25, 1, 0.5];
    const ci = maeCi(errs, { seed: 11 });
    expect(ci.estimate).toBeCloseTo(12.5 / 8, 15);
    expect(ci.lo).toBeLessThanOrEqual(ci.estimate);
    expect(ci.hi).toBeGreaterThanOrEqual(ci.estimate);
    expect(ci.lo).toBeGreaterThanOrEqual(0);
    expect(ci.hi).toBeLessThanOrEqual(4);
  });
  it('bootstrapCi resamples indices in range, evaluates the statistic reps times, and handles n = 0', () => {
    let calls = 0;
    const ci = bootstrapCi(
      10,
      (idx) => {
        calls++;
        expect(idx.length).toBe(10);
        for (const i of idx) expect(i >= 0 && i < 10).toBe(true);
        return idx[0];
      },
      { reps: 300, seed: 5 },
    );
    expect(calls).toBe(301); // one for the point estimate on 0..n-1
    expect(ci.estimate).toBe(0);
    expect(ci.lo).toBeGreaterThanOrEqual(0);
    expect(ci.hi).toBeLessThanOrEqual(9);
    const empty = maeCi([]);
    expect(Number.isNaN(empty.estimate) && Number.isNaN(empty.lo) && Number.isNaN(empty.hi)).toBe(true);
  });
  it('rejects bad options', () => {
    expect(() => accuracyCi(correct, { level: 1 })).toThrow(/level/);
    expect(() => accuracyCi(correct, { reps: 0 })).toThrow(/reps/);
    expect(() => bootstrapCi(-1, () => 0)).toThrow(/n must be/);
  });
});
