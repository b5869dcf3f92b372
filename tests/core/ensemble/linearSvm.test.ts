// Linear SVM / SVR by dual coordinate descent: hand-worked optima, agreement with libsvm (libsvm-js, the reference
// implementation) on seeded synthetic data, and fitGrid (best C, abort, warm starts).
import { describe, expect, it } from 'vitest';
import { fitGrid, fitGridAsync } from '../../../src/core/ensemble/grid';
import type { SvcModel, SvrModel } from '../../../src/core/ensemble/solver';
import { fitStandardizer, standardize } from '../../../src/core/ensemble/standardize';
import { decisionValues, fitSvc, fitSvcStats, predictSvc } from '../../../src/core/ensemble/svc';
import { fitSvr, fitSvrStats, predictSvr } from '../../../src/core/ensemble/svr';
import { Rng } from '../../../src/core/random';
import { LibSVM } from '../../helpers/libsvm';

const SVM = LibSVM;

const f32 = (a: number[]) => Float32Array.from(a);
const i32 = (a: number[]) => Int32Array.from(a);
const rowsOf = (x: Float32Array, n: number, d: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));

/** libsvm's prediction with the same settings as ours: linear kernel, same C (and epsilon), quiet. */
function libsvm(
  type: 'svc' | 'svr',
  C: number,
  xTrain: Float32Array,
  y: ArrayLike<number>,
  n: number,
  xTest: Float32Array,
  nTest: number,
  d: number,
): number[] {
  const svm = new SVM({
    type: type === 'svc' ? SVM.SVM_TYPES.C_SVC : SVM.SVM_TYPES.EPSILON_SVR,
    kernel: SVM.KERNEL_TYPES.LINEAR,
    cost: C,
    epsilon: 0.1,
    quiet: true,
  });
  try {
    svm.train(rowsOf(xTrain, n, d), Array.from(y));
    return svm.predict(rowsOf(xTest, nTest, d));
  } finally {
    svm.free();
  }
}

interface Split {
  xTrain: Float32Array;
  xTest: Float32Array;
  yTrain: Int32Array | Float32Array;
  yTest: Int32Array | Float32Array;
}

/**
 * 300 train + 300 test rows, 20 dims, standardised with the training split's statistics (as the lab does).
 * svc: 3 overlapping Gaussian classes with unequal spreads, labels 0,1,2,0,1,2,... (libsvm numbers classes by first
 * appearance, so this keeps its numbering, and its tie-break, equal to ours). svr: a linear target plus noise,
 * offset far from 0 like an age.
 */
function synthetic(kind: 'svc' | 'svr', seed: number): Split {
  const rng = new Rng(seed);
  const n = 600,
    d = 20,
    K = 3;
  const mu = Array.from({ length: K }, () => Array.from({ length: d }, () => rng.normal(0, 0.6)));
  const u = Array.from({ length: d }, () => rng.normal());
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  const target = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % K;
    labels[i] = c;
    let s = 0;
    for (let k = 0; k < d; k++) {
      const v = (kind === 'svc' ? mu[c][k] : 0) + rng.normal() * (1 + k / d) + 3;
      x[i * d + k] = v;
      s += u[k] * v;
    }
    target[i] = 40 + 2 * s + rng.normal(0, 3);
  }
  const nTrain = 300;
  const st = fitStandardizer(x.subarray(0, nTrain * d), nTrain, d);
  const xs = standardize(x, n, d, st);
  const y = kind === 'svc' ? labels : target;
  return {
    xTrain: xs.slice(0, nTrain * d),
    xTest: xs.slice(nTrain * d),
    yTrain: y.slice(0, nTrain),
    yTest: y.slice(nTrain),
  };
}

describe('standardizer', () => {
  it('centres and scales each feature; a constant feature keeps scale 1', () => {
    // feature 0: 1, 3 (mean 2, std 1); feature 1: 5, 5 (std 0)
    const x = f32([1, 5, 3, 5]);
    const s = fitStandardizer(x, 2, 2);
    expect(Array.from(s.mean)).toEqual([2, 5]);
    expect(Array.from(s.scale)).toEqual([1, 1]);
    expect(Array.from(standardize(x, 2, 2, s))).toEqual([-1, 0, 1, 0]);
    const y = f32([0, 0, 4, 0]); // feature 0: mean 2, std 2 -> scale 0.5
    expect(Array.from(fitStandardizer(y, 2, 2).scale)).toEqual([0.5, 1]);
  });
});

describe('hand-worked optima', () => {
  it('two separable points in 1-D: boundary at 0, |w| = 1, duals 1/2', () => {
    // Class 0 at x = -1, class 1 at x = +1. Pair (0, 1) scores class 0 positive (libsvm's convention), so the
    // max-margin solution is w = -1, bias = 0 (both points exactly on the margin), alpha = (1/2, 1/2).
    const m = fitSvc(f32([-1, 1]), i32([0, 1]), 2, 1, 2, { C: 1000, tol: 1e-6 });
    const p = m.pairs[0];
    expect([p.a, p.b]).toEqual([0, 1]);
    expect(p.w[0]).toBeCloseTo(-1, 4);
    expect(p.bias).toBeCloseTo(0, 4);
    expect(Array.from(p.dual!)).toEqual([expect.closeTo(0.5, 4), expect.closeTo(0.5, 4)]);
    const xs = f32([-2, -0.5, -0.01, 0.01, 0.5, 2]);
    expect(Array.from(predictSvc(m, xs, 6))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(decisionValues(m, xs, 6))).toEqual(
      [2, 0.5, 0.01, -0.01, -0.5, -2].map((v) => expect.closeTo(v, 4)),
    );
  });

  it('the bias is not regularised: points at 1 and 3 put the boundary at 2, as libsvm does', () => {
    // Max margin: w = -1, bias = 2. A plain bias feature (penalising the bias) would pull it towards 0.
    const m = fitSvc(f32([1, 3]), i32([0, 1]), 2, 1, 2, { C: 1000, tol: 1e-6 });
    expect(m.pairs[0].w[0]).toBeCloseTo(-1, 3);
    expect(m.pairs[0].bias).toBeCloseTo(2, 3);
    expect(Array.from(predictSvc(m, f32([1.99, 2.01]), 2))).toEqual([0, 1]);
  });

  it('voting ties go to the lower class index, as in libsvm', () => {
    // Hand-set pairs: w = 0, bias > 0 votes for a, < 0 for b.
    const pair = (a: number, b: number, winner: number) => ({ a, b, w: f32([0]), bias: winner === a ? 1 : -1 });
    const three: SvcModel = { kind: 'svc', d: 1, classes: 3, pairs: [pair(0, 1, 1), pair(0, 2, 0), pair(1, 2, 2)] };
    expect(Array.from(predictSvc(three, f32([0]), 1))).toEqual([0]); // 1-1-1
    const four: SvcModel = {
      kind: 'svc',
      d: 1,
      classes: 4,
      pairs: [pair(0, 1, 1), pair(0, 2, 2), pair(0, 3, 0), pair(1, 2, 1), pair(1, 3, 3), pair(2, 3, 2)],
    };
    expect(Array.from(predictSvc(four, f32([0]), 1))).toEqual([1]); // votes 1, 2, 2, 1
  });

  it('SVR on y = 2x + 1 (epsilon 0.1, large C): slope ≈ 2, bias ≈ 1', () => {
    const xs = Array.from({ length: 21 }, (_, i) => -2 + i / 5);
    const m = fitSvr(f32(xs), f32(xs.map((v) => 2 * v + 1)), 21, 1, { C: 100, epsilon: 0.1 });
    expect(Math.abs(m.w[0] - 2)).toBeLessThan(0.1);
    expect(Math.abs(m.bias - 1)).toBeLessThan(0.1);
    // Exactly: the flattest line inside the ±0.1 tube through the end points (-2, -3) and (2, 5) has slope 1.95.
    expect(m.w[0]).toBeCloseTo(1.95, 2);
    expect(Array.from(predictSvr(m, f32([0, 1]), 2))).toEqual([expect.closeTo(1, 2), expect.closeTo(2.95, 2)]);
  });
});

describe('agreement with libsvm (libsvm-js, linear kernel)', () => {
  // At C = 100 on 20 features the dual coordinate descent needs thousands of (cheap: ~25 active rows) epochs per
  // binary problem, as liblinear's would: the default cap of 1000 stops it early, so that case raises the cap and
  // also prints what the default gives.
  const capFor = (C: number) => (C >= 100 ? 100_000 : undefined);

  it.each([[0.01], [1], [100]])('C-SVC, 3 overlapping classes, C = %s: ≥ 97% of test predictions agree', (C) => {
    const s = synthetic('svc', 11);
    const d = 20;
    const ref = libsvm('svc', C, s.xTrain, s.yTrain, 300, s.xTest, 300, d);
    const run = (maxEpochs: number | undefined) => {
      const r = fitSvcStats(s.xTrain, s.yTrain as Int32Array, 300, d, 3, { C, maxEpochs });
      const ours = predictSvc(r.model, s.xTest, 300);
      let agree = 0,
        acc = 0;
      for (let i = 0; i < 300; i++) {
        if (ours[i] === ref[i]) agree++;
        if (ours[i] === s.yTest[i]) acc++;
      }
      return { agree: agree / 300, acc: acc / 300, epochs: r.stats.epochs, converged: r.stats.converged };
    };
    let accRef = 0;
    for (let i = 0; i < 300; i++) if (ref[i] === s.yTest[i]) accRef++;
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    const r = run(capFor(C));
    let line =
      `SVC C=${C}: agreement with libsvm ${pct(r.agree)} of 300 test points; accuracy ours ${pct(r.acc)}, ` +
      `libsvm ${pct(accRef / 300)}; ${r.epochs} epochs over 3 pairs${r.converged ? '' : ' (not converged)'}`;
    if (capFor(C)) {
      const capped = run(undefined);
      line += `; with the default cap of 1000 epochs: ${pct(capped.agree)}${capped.converged ? '' : ' (not converged)'}`;
    }
    console.log(line);
    expect(r.converged).toBe(true);
    expect(r.agree).toBeGreaterThanOrEqual(0.97);
  });

  it.each([[0.01], [1], [100]])('epsilon-SVR (epsilon 0.1), C = %s: predictions and MAE match', (C) => {
    const s = synthetic('svr', 12);
    const d = 20;
    const yTest = s.yTest as Float32Array;
    const ref = libsvm('svr', C, s.xTrain, s.yTrain, 300, s.xTest, 300, d);
    let mean = 0;
    for (const v of yTest) mean += v;
    mean /= 300;
    let sd = 0,
      maeRef = 0;
    for (let i = 0; i < 300; i++) {
      sd += (yTest[i] - mean) ** 2;
      maeRef += Math.abs(ref[i] - yTest[i]);
    }
    sd = Math.sqrt(sd / 300);
    maeRef /= 300;
    const run = (maxEpochs: number | undefined) => {
      const r = fitSvrStats(s.xTrain, s.yTrain as Float32Array, 300, d, { C, epsilon: 0.1, maxEpochs });
      const ours = predictSvr(r.model, s.xTest, 300);
      let diff = 0,
        mae = 0;
      for (let i = 0; i < 300; i++) {
        diff += Math.abs(ours[i] - ref[i]);
        mae += Math.abs(ours[i] - yTest[i]);
      }
      return { diff: diff / 300, mae: mae / 300, epochs: r.stats.epochs, converged: r.stats.converged };
    };
    const r = run(capFor(C));
    const rel = (v: number) => `${(((v - maeRef) / maeRef) * 100).toFixed(2)}%`;
    let line =
      `SVR C=${C}: mean |ours - libsvm| ${r.diff.toFixed(4)} = ${((r.diff / sd) * 100).toFixed(2)}% of std(y) ` +
      `(${sd.toFixed(2)}); MAE ours ${r.mae.toFixed(4)}, libsvm ${maeRef.toFixed(4)} (${rel(r.mae)}); ` +
      `${r.epochs} epochs${r.converged ? '' : ' (not converged)'}`;
    if (capFor(C)) {
      const capped = run(undefined);
      line +=
        `; with the default cap of 1000 epochs: ${((capped.diff / sd) * 100).toFixed(2)}% of std(y), ` +
        `MAE ${rel(capped.mae)}`;
    }
    console.log(line);
    expect(r.converged).toBe(true);
    expect(r.diff / sd).toBeLessThan(0.02);
    expect(Math.abs(r.mae - maeRef) / maeRef).toBeLessThan(0.02);
  });
});

describe('fitGrid', () => {
  const grid = [10, 0.001, 0.1, 1, 0.01]; // unsorted on purpose: fitGrid walks it in ascending order

  function gridData() {
    const s = synthetic('svc', 21);
    // first 200 test rows as validation
    return {
      xTrain: s.xTrain,
      yTrain: s.yTrain,
      nTrain: 300,
      xVal: s.xTest.slice(0, 200 * 20),
      yVal: s.yTest.slice(0, 200),
      nVal: 200,
      d: 20,
      classes: 3,
    };
  }

  it("scores every C on validation (ascending) and returns the best one's model", () => {
    const data = gridData();
    const progress: [number, number][] = [];
    const r = fitGrid('svc', data, grid, { onProgress: (i, total) => progress.push([i, total]) });
    expect(r.scores.map((s) => s.C)).toEqual([0.001, 0.01, 0.1, 1, 10]);
    expect(progress).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
    for (const s of r.scores) {
      expect(s.score).toBeGreaterThan(0.4);
      expect(s.ms).toBeGreaterThanOrEqual(0);
      expect(s.epochs).toBeGreaterThan(0);
    }
    const top = Math.max(...r.scores.map((s) => s.score));
    // ties go to the smaller C
    expect(r.bestC).toBe(r.scores.find((s) => s.score === top)!.C);
    const pred = predictSvc(r.best as SvcModel, data.xVal, 200);
    let ok = 0;
    for (let i = 0; i < 200; i++) if (pred[i] === data.yVal[i]) ok++;
    expect(ok / 200).toBe(top);
    const each = r.scores.map((s) => `C=${s.C} acc ${(s.score * 100).toFixed(1)}% ${s.epochs} ep`);
    console.log(`fitGrid svc: ${each.join(', ')}; best C ${r.bestC}`);
  });

  it('SVR: the score is -MAE on validation', () => {
    const s = synthetic('svr', 22);
    const data = {
      xTrain: s.xTrain,
      yTrain: s.yTrain,
      nTrain: 300,
      xVal: s.xTest,
      yVal: s.yTest,
      nVal: 300,
      d: 20,
      classes: 0,
    };
    const r = fitGrid('svr', data, [0.001, 0.1, 10], { epsilon: 0.1 });
    const pred = predictSvr(r.best as ReturnType<typeof fitSvr>, s.xTest, 300);
    let mae = 0;
    for (let i = 0; i < 300; i++) mae += Math.abs(pred[i] - s.yTest[i]);
    expect(Math.max(...r.scores.map((c) => c.score))).toBeCloseTo(-mae / 300, 4);
    expect(r.best.kind).toBe('svr');
  });

  it('aborts with an AbortError, before starting and between values of C', () => {
    const data = gridData();
    const pre = new AbortController();
    pre.abort();
    expect(() => fitGrid('svc', data, grid, { signal: pre.signal })).toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
    const mid = new AbortController();
    let calls = 0;
    const run = () =>
      fitGrid('svc', data, grid, {
        signal: mid.signal,
        onProgress: () => {
          calls++;
          mid.abort();
        },
      });
    expect(run).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(calls).toBe(1);
  });

  it("a warm start from a smaller C gives the cold fit's predictions in fewer epochs", () => {
    const s = synthetic('svc', 23);
    const y = s.yTrain as Int32Array;
    const small = fitSvc(s.xTrain, y, 300, 20, 3, { C: 0.3 });
    const cold = fitSvcStats(s.xTrain, y, 300, 20, 3, { C: 1 });
    const warm = fitSvcStats(s.xTrain, y, 300, 20, 3, { C: 1, warm: small });
    const a = predictSvc(cold.model, s.xTest, 300),
      b = predictSvc(warm.model, s.xTest, 300);
    let agree = 0;
    for (let i = 0; i < 300; i++) if (a[i] === b[i]) agree++;
    console.log(
      `warm start SVC (C 0.3 -> 1): ${warm.stats.epochs} epochs vs ${cold.stats.epochs} cold; ` +
        `${agree}/300 predictions agree`,
    );
    expect(agree / 300).toBeGreaterThanOrEqual(0.98);
    expect(warm.stats.epochs).toBeLessThan(cold.stats.epochs);

    const r = synthetic('svr', 24);
    const t = r.yTrain as Float32Array;
    const smallR = fitSvr(r.xTrain, t, 300, 20, { C: 0.3, epsilon: 0.1 });
    const coldR = fitSvrStats(r.xTrain, t, 300, 20, { C: 1, epsilon: 0.1 });
    const warmR = fitSvrStats(r.xTrain, t, 300, 20, { C: 1, epsilon: 0.1, warm: smallR });
    const pa = predictSvr(coldR.model, r.xTest, 300),
      pb = predictSvr(warmR.model, r.xTest, 300);
    let diff = 0;
    for (let i = 0; i < 300; i++) diff += Math.abs(pa[i] - pb[i]);
    console.log(
      `warm start SVR (C 0.3 -> 1): ${warmR.stats.epochs} epochs vs ${coldR.stats.epochs} cold; ` +
        `mean |diff| ${(diff / 300).toFixed(4)}`,
    );
    expect(diff / 300).toBeLessThan(0.1);
    expect(warmR.stats.epochs).toBeLessThan(coldR.stats.epochs);
  });

  it("warm starts along the C path (bound duals moved to the new C) reach the cold fits' solutions", () => {
    // Tight tolerance, so both starts end near the one optimum: w is unique (strictly convex primal), the duals
    // need not be. Relative distance of w and of the decision values on the test rows.
    const Cs = [0.01, 0.1, 1];
    const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let num = 0,
        den = 0;
      for (let i = 0; i < a.length; i++) {
        num += (a[i] - b[i]) ** 2;
        den += b[i] ** 2;
      }
      return Math.sqrt(num / den);
    };
    const s = synthetic('svc', 25);
    const data = {
      xTrain: s.xTrain,
      yTrain: s.yTrain,
      nTrain: 300,
      xVal: s.xTest,
      yVal: s.yTest,
      nVal: 300,
      d: 20,
      classes: 3,
    };
    let prev: SvcModel | null = null;
    for (const C of Cs) {
      const cold = fitSvcStats(s.xTrain, s.yTrain as Int32Array, 300, 20, 3, { C, tol: 1e-4, maxEpochs: 100_000 });
      const warm = fitSvcStats(s.xTrain, s.yTrain as Int32Array, 300, 20, 3, {
        C,
        tol: 1e-4,
        maxEpochs: 100_000,
        warm: prev,
        scaleBounds: true,
      });
      const dw = Math.max(...cold.model.pairs.map((p, k) => rel(warm.model.pairs[k].w, p.w)));
      const dv = rel(decisionValues(warm.model, s.xTest, 300), decisionValues(cold.model, s.xTest, 300));
      console.log(
        `SVC C=${C}: warm ${warm.stats.epochs} epochs / ${warm.stats.visits + warm.stats.updates} row passes, ` +
          `cold ${cold.stats.epochs} / ${cold.stats.visits + cold.stats.updates}; w differs by ${dw.toExponential(1)}, decisions by ${dv.toExponential(1)}`,
      );
      expect(warm.stats.converged && cold.stats.converged).toBe(true);
      expect(dw).toBeLessThan(5e-3);
      expect(dv).toBeLessThan(5e-3);
      prev = warm.model;
    }
    const g = fitGrid('svc', data, Cs, { tol: 1e-4, maxEpochs: 100_000 });
    const g0 = fitGrid('svc', data, Cs, { tol: 1e-4, maxEpochs: 100_000, warmStart: false });
    expect(g.scores.map((c) => c.score)).toEqual(g0.scores.map((c) => c.score));

    const r = synthetic('svr', 26);
    const t = r.yTrain as Float32Array;
    let prevR: SvrModel | null = null;
    for (const C of Cs) {
      const cold = fitSvrStats(r.xTrain, t, 300, 20, { C, epsilon: 0.1, tol: 1e-4, maxEpochs: 100_000 });
      const warm = fitSvrStats(r.xTrain, t, 300, 20, {
        C,
        epsilon: 0.1,
        tol: 1e-4,
        maxEpochs: 100_000,
        warm: prevR,
        scaleBounds: true,
      });
      const dw = rel(warm.model.w, cold.model.w);
      const dp = rel(predictSvr(warm.model, r.xTest, 300), predictSvr(cold.model, r.xTest, 300));
      console.log(
        `SVR C=${C}: warm ${warm.stats.epochs} epochs / ${warm.stats.visits + warm.stats.updates} row passes, ` +
          `cold ${cold.stats.epochs} / ${cold.stats.visits + cold.stats.updates}; w differs by ${dw.toExponential(1)}, predictions by ${dp.toExponential(1)}`,
      );
      expect(warm.stats.converged && cold.stats.converged).toBe(true);
      expect(dw).toBeLessThan(5e-3);
      expect(dp).toBeLessThan(1e-3);
      prevR = warm.model;
    }
  });

  it("fitGridAsync: an abort from a timer (as a worker's cancel message arrives) stops a fit mid-C", async () => {
    // tol -1 never converges and the cap is out of reach: the fit only ends if the abort gets through mid-fit.
    const data = gridData();
    for (const task of ['svc', 'svr'] as const) {
      const y =
        task === 'svc' ? data : { ...data, yTrain: Float32Array.from(data.yTrain), yVal: Float32Array.from(data.yVal) };
      const ac = new AbortController();
      let done = 0;
      setTimeout(() => ac.abort(), 30);
      const run = fitGridAsync(
        task,
        y,
        [1],
        {
          tol: -1,
          maxEpochs: 1e12,
          signal: ac.signal,
          onProgress: () => {
            done++;
          },
        },
        5,
      );
      await expect(run).rejects.toMatchObject({ name: 'AbortError', message: 'SVM fitting was aborted.' });
      expect(done).toBe(0);
    }
    // and the same grid unaborted gives fitGrid's result
    const a = await fitGridAsync('svc', data, grid, {}, 20);
    const b = fitGrid('svc', data, grid, {});
    expect(a.scores.map((c) => [c.C, c.score, c.epochs])).toEqual(b.scores.map((c) => [c.C, c.score, c.epochs]));
  });

  it('rejects bad input', () => {
    expect(() => fitSvc(f32([0, 1]), i32([0, 2]), 2, 1, 2, { C: 1 })).toThrow(/outside/);
    expect(() => fitSvc(f32([0, 1]), i32([0, 1]), 2, 1, 2, { C: 0 })).toThrow(/C must be/);
    expect(() => fitGrid('svc', gridData(), [], {})).toThrow(/empty/);
  });
});
