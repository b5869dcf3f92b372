// Significance tests and confidence intervals for comparing runs on the same test items (McNemar, Wilcoxon signed-rank,
// seeded percentile bootstrap). Plain numbers only, no tensors, so it runs in Node, in a worker and in the browser.
import { createRng } from '../random';
import { hash32 } from '../hash';

// ---------------------------------------------------------------------------------------------------------------------
// Distribution tails

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * Complementary error function for x >= 0. Two regimes, both close to machine precision (far beyond the 1e-7 the
 * tests need): a positive-term series for erf below 3 (no cancellation, since every term is positive), and a
 * continued fraction for erfc above it, where 1 - erf would lose all relative accuracy in the tail.
 */
function erfcNonNeg(x: number): number {
  if (x < 3) {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_{k>=0} (2x^2)^k x / (1*3*...*(2k+1))
    const x2 = x * x;
    let term = x,
      sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (2 * x2) / (2 * k + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x2) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated by modified Lentz.
  const tiny = 1e-300;
  let f = x,
    c = x,
    d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

function erfc(x: number): number {
  return x >= 0 ? erfcNonNeg(x) : 2 - erfcNonNeg(-x);
}

/** Standard normal upper tail P(Z > z). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Chi-square with 1 degree of freedom, P(X > x): X = Z^2, so this is P(|Z| > sqrt(x)) = erfc(sqrt(x / 2)). */
export function chi2Sf1(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return erfc(Math.sqrt(x / 2));
}

/**
 * P[X <= k] for X ~ Bin(n, 1/2), with k <= n / 2 as in a two-sided test. Up to n = 1000 the binomial coefficients and
 * 2^-n are all normal doubles, so the sum is done directly (exact for small n, where C(n, i) are exact integers).
 * Beyond that 2^-n underflows and C(n, k) overflows, so the terms are summed relative to the largest one (term k,
 * since terms grow up to n / 2), and that one is formed with its scale kept in range.
 */
function binomHalfCdfLower(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (n <= 1000) {
    let choose = 1,
      sum = 1;
    for (let i = 1; i <= k; i++) {
      choose = (choose * (n - i + 1)) / i;
      sum += choose;
    }
    return Math.min(1, sum * 2 ** -n);
  }
  let rel = 1,
    sum = 1; // term_i / term_k, walking down from i = k
  for (let i = k; i > 0; i--) {
    rel *= i / (n - i + 1);
    sum += rel;
    if (rel < sum * 1e-17) break;
  }
  // term_k = C(n, k) * 2^-n, built as a product of ratios >= 1 with the n halvings interleaved (exact operations) so it
  // stays in range; summing thousands of logs instead would lose ~1e-11 of relative accuracy.
  let term = 1,
    halvings = n;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - k + i)) / i;
    while (term >= 1 && halvings > 0) {
      term *= 0.5;
      halvings--;
    }
  }
  return Math.min(1, sum * term * 2 ** -halvings);
}

// ---------------------------------------------------------------------------------------------------------------------
// McNemar

/**
 * McNemar's test of two classifiers on the same items. b = items only A got right, c = items only B got right.
 * Exact two-sided binomial test (p = min(1, 2 * P[X <= min(b, c)]), X ~ Bin(b + c, 1/2)) when b + c < 25, else the
 * chi-square statistic with continuity correction ((|b - c| - 1)^2 / (b + c), 1 d.o.f.). b + c = 0 -> p = 1.
 * `statistic` is null for the exact test (b and c are the statistic there). n = b + c, the discordant items.
 */
/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularised incomplete beta I_x(a, b), by its continued fraction (modified Lentz). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - (lnGamma(a) + lnGamma(b) - lnGamma(a + b))) / a;
  const tiny = 1e-300;
  let f = 1,
    c = 1,
    d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = Math.floor(i / 2);
    let num: number;
    if (i === 0) num = 1;
    else if (i % 2 === 0) num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-15) break;
  }
  return front * (f - 1);
}

/** Student's t with `df` degrees of freedom, two-sided P(|T| > |t|). */
export function tTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || df <= 0) return NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface PairedT {
  n: number;
  meanDiff: number;
  sdDiff: number;
  t: number;
  df: number;
  p: number;
}

/** Paired t-test of a − b (e.g. one grid row against another over seeds). With a zero spread of the
 *  differences the test is undefined: p is 1 when they are all 0, else NaN. */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>): PairedT {
  const n = Math.min(a.length, b.length);
  const d = Array.from({ length: n }, (_, i) => a[i] - b[i]);
  const mean = d.reduce((s, x) => s + x, 0) / Math.max(1, n);
  const sd = n > 1 ? Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : NaN;
  const df = n - 1;
  if (n < 2 || !(sd > 0)) return { n, meanDiff: mean, sdDiff: sd, t: NaN, df, p: n >= 2 && mean === 0 ? 1 : NaN };
  const t = mean / (sd / Math.sqrt(n));
  return { n, meanDiff: mean, sdDiff: sd, t, df, p: tTwoSided(t, df) };
}

export interface McNemar {
  b: number;
  c: number;
  n: number;
  method: 'exact' | 'chi2';
  statistic: number | null;
  p: number;
}

export function mcnemar(correctA: ArrayLike<boolean | number>, correctB: ArrayLike<boolean | number>): McNemar {
  if (correctA.length !== correctB.length) {
    throw new Error(`mcnemar: ${correctA.length} results for A but ${correctB.length} for B`);
  }
  let b = 0,
    c = 0;
  for (let i = 0; i < correctA.length; i++) {
    // Numbers count as correct when non-zero (and not NaN), so 0/1 arrays and boolean arrays behave the same.
    const okA = !!correctA[i],
      okB = !!correctB[i];
    if (okA && !okB) b++;
    else if (okB && !okA) c++;
  }
  const n = b + c;
  if (n < 25) {
    const p = n === 0 ? 1 : Math.min(1, 2 * binomHalfCdfLower(Math.min(b, c), n));
    return { b, c, n, method: 'exact', statistic: null, p };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, n, method: 'chi2', statistic, p: chi2Sf1(statistic) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Wilcoxon signed-rank

/**
 * Wilcoxon signed-rank test, two-sided, on paired samples (e.g. absolute errors of two regressors on the same images).
 * Zero differences are dropped (Wilcoxon's method), tied |differences| get average ranks. Exact null distribution when
 * n <= 25 with no ties, else the normal approximation with tie and continuity corrections. n is the count after
 * dropping zeros; z is null for the exact method. z is signed like W+ - n(n+1)/4: positive when a tends to exceed b.
 */
export interface Wilcoxon {
  n: number;
  wPlus: number;
  wMinus: number;
  method: 'exact' | 'normal';
  z: number | null;
  p: number;
}

const WILCOXON_EXACT_MAX_N = 25;

/** counts[s] = number of subsets of {1..n} with rank sum s; 2^25 and the largest count both fit a double exactly. */
function signedRankCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) {
    // Downwards so each rank is used at most once (0/1 knapsack).
    for (let s = (r * (r + 1)) / 2; s >= r; s--) counts[s] += counts[s - r];
  }
  return counts;
}

export function wilcoxonSignedRank(a: ArrayLike<number>, b: ArrayLike<number>): Wilcoxon {
  if (a.length !== b.length) throw new Error(`wilcoxonSignedRank: ${a.length} values in a but ${b.length} in b`);
  const diffs: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    if (!Number.isFinite(d)) throw new Error(`wilcoxonSignedRank: non-finite difference at ${i} (${a[i]} - ${b[i]})`);
    if (d !== 0) diffs.push(d);
  }
  const n = diffs.length;
  if (n === 0) return { n: 0, wPlus: 0, wMinus: 0, method: 'exact', z: null, p: 1 };

  const order = diffs.map((_, i) => i).sort((i, j) => Math.abs(diffs[i]) - Math.abs(diffs[j]));
  let wPlus = 0,
    wMinus = 0,
    tieTerm = 0; // tieTerm = sum over tie groups of t^3 - t
  for (let start = 0; start < n;) {
    let end = start + 1;
    const mag = Math.abs(diffs[order[start]]);
    while (end < n && Math.abs(diffs[order[end]]) === mag) end++;
    const t = end - start;
    const rank = (start + 1 + end) / 2; // average of ranks start+1 .. end
    for (let k = start; k < end; k++) {
      if (diffs[order[k]] > 0) wPlus += rank;
      else wMinus += rank;
    }
    tieTerm += t * t * t - t;
    start = end;
  }

  if (n <= WILCOXON_EXACT_MAX_N && tieTerm === 0) {
    const counts = signedRankCounts(n);
    const w = Math.min(wPlus, wMinus); // an integer here: no ties means whole ranks
    let below = 0;
    for (let s = 0; s <= w; s++) below += counts[s];
    return { n, wPlus, wMinus, method: 'exact', z: null, p: Math.min(1, (2 * below) / 2 ** n) };
  }

  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const dev = wPlus - mean;
  // Continuity correction shrinks |dev| by 0.5 towards 0 but never past it (and gives +0, not -0, at the bottom).
  const corrected = Math.abs(dev) <= 0.5 ? 0 : dev - 0.5 * Math.sign(dev);
  const z = corrected / Math.sqrt(variance);
  return { n, wPlus, wMinus, method: 'normal', z, p: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Bootstrap

export interface BootstrapOptions {
  reps?: number;
  level?: number;
  seed?: number;
}
export interface BootstrapCi {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  reps: number;
}

/** Linear interpolation between order statistics (R's type 7), on an ascending array. */
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/**
 * Percentile bootstrap CI of a statistic over n items, seeded: resample indices with replacement `reps` times
 * (default 2000), evaluate the statistic on each resample, return the (1 - level)/2 and (1 + level)/2 percentiles
 * (default level 0.95) and the point estimate on the original items. One index buffer is reused across resamples,
 * so `stat` must not keep a reference to it. Resamples whose statistic is NaN are left out of the percentiles.
 */
export function bootstrapCi(n: number, stat: (indices: Int32Array) => number, o: BootstrapOptions = {}): BootstrapCi {
  const reps = o.reps ?? 2000;
  const level = o.level ?? 0.95;
  const seed = o.seed ?? 0;
  if (!Number.isInteger(n) || n < 0) throw new Error(`bootstrapCi: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`bootstrapCi: reps must be a positive integer, got ${reps}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrapCi: level must be in (0, 1), got ${level}`);

  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const estimate = stat(identity);
  if (n === 0) return { estimate, lo: NaN, hi: NaN, level, reps };

  // Hash the seed so that a caller reusing one seed for shuffling and for the bootstrap gets unrelated streams.
  const rng = createRng(hash32(seed, 0xb0075));
  const idx = new Int32Array(n);
  const values = new Float64Array(reps);
  let kept = 0;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    const v = stat(idx);
    if (!Number.isNaN(v)) values[kept++] = v;
  }
  if (kept === 0) return { estimate, lo: NaN, hi: NaN, level, reps };
  const sorted = values.subarray(0, kept).sort();
  const alpha = 1 - level;
  return { estimate, lo: quantileSorted(sorted, alpha / 2), hi: quantileSorted(sorted, 1 - alpha / 2), level, reps };
}

function meanOver(values: Float64Array): (indices: Int32Array) => number {
  return (indices) => {
    if (indices.length === 0) return NaN;
    let s = 0;
    for (let i = 0; i < indices.length; i++) s += values[indices[i]];
    return s / indices.length;
  };
}

/** Bootstrap CI for accuracy from per-item correctness (booleans, or numbers where non-zero means correct). */
export function accuracyCi(correct: ArrayLike<boolean | number>, o?: BootstrapOptions): BootstrapCi {
  const v = new Float64Array(correct.length);
  for (let i = 0; i < correct.length; i++) v[i] = correct[i] ? 1 : 0;
  return bootstrapCi(v.length, meanOver(v), o);
}

/** Bootstrap CI for the mean absolute error from per-item absolute errors. */
export function maeCi(absErrors: ArrayLike<number>, o?: BootstrapOptions): BootstrapCi {
  const v = Float64Array.from(absErrors);
  return bootstrapCi(v.length, meanOver(v), o);
}
