// Linear epsilon-SVR on embedding features (L1 loss, epsilon-insensitive), solved in the dual by coordinate
// descent with the bias as a re-centred constant feature (see solver.ts).
import { abortError, checkC, checkRows, problem, run, warmDuals } from './solver';
import type { FitOptions, FitStats, FitSteps, Problem, SvrModel } from './solver';
import { axpy, axpyDot, dot, dot64, median, shuffle } from './vector';

/** Linear epsilon-SVR (L1 loss, epsilon-insensitive), dual coordinate descent, bias as an extra feature. */
export function fitSvr(
  x: Float32Array,
  y: Float32Array,
  n: number,
  d: number,
  o: FitOptions & { epsilon: number },
): SvrModel {
  return run(svrSteps(x, y, n, d, o)).model;
}

/** fitSvr plus the epoch count (fitGrid reports it). */
export function fitSvrStats(
  x: Float32Array,
  y: Float32Array,
  n: number,
  d: number,
  o: FitOptions & { epsilon: number },
): { model: SvrModel; stats: FitStats } {
  return run(svrSteps(x, y, n, d, o));
}

/** fitSvrStats in steps (see FitSteps). */
export function* svrSteps(
  x: Float32Array,
  y: Float32Array,
  n: number,
  d: number,
  o: FitOptions & { epsilon: number },
): FitSteps<{ model: SvrModel; stats: FitStats }> {
  checkRows('fitSvr', x, n, d);
  checkC('fitSvr', o.C);
  if (y.length !== n) throw new Error(`fitSvr: ${n} rows but ${y.length} targets`);
  if (!(o.epsilon >= 0)) throw new Error(`fitSvr: epsilon must be >= 0, got ${o.epsilon}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= Math.max(n, 1);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i] - mean) * (y[i] - mean);
  const sd = Math.sqrt(ss / Math.max(n, 1));
  const pb = problem(x, n, d, o, o.tol ?? Math.min(0.1, 0.01 * (sd > 0 ? sd : 1)));
  const beta = new Float64Array(n);
  const warm = o.warm && o.warm.kind === 'svr' && o.warm.d === d && o.warm.dual?.length === n ? o.warm : null;
  if (warm) warmDuals(warm.dual!, warm.C, o, beta, -o.C);
  const w = new Float64Array(d + 1);
  // Cold starts begin at the median, the L1 loss's own centre (ages sit far from 0).
  const r = yield* solveSvr(pb, n, y, o.epsilon, beta, w, warm ? warm.bias : median(y));
  const model: SvrModel = {
    kind: 'svr',
    d,
    w: Float32Array.from(w.subarray(0, d)),
    bias: r.bias,
    dual: Float32Array.from(beta),
    C: o.C,
  };
  return { model, stats: { epochs: r.epochs, converged: r.converged, visits: pb.visits, updates: pb.updates } };
}

/** SVR counterpart of solveSvc: rounds of cdSvr, re-centring the bias penalty until the bias settles. */
function* solveSvr(
  p: Problem,
  n: number,
  y: Float32Array,
  eps: number,
  beta: Float64Array,
  w: Float64Array,
  bias0: number,
): FitSteps<{ bias: number; epochs: number; converged: boolean }> {
  const { x, d, B } = p;
  w.fill(0);
  for (let i = 0; i < n; i++) if (beta[i] !== 0) axpy(w, beta[i], x, i * d, d, B);
  let b0 = bias0 - B * w[d];
  let epochs = 0;
  for (;;) {
    const r = yield* cdSvr(p, n, y, eps, beta, w, b0, p.maxEpochs - epochs);
    epochs += r.epochs;
    const step = B * w[d];
    b0 += step;
    if (!r.converged) return { bias: b0, epochs, converged: false };
    if (Math.abs(step) <= p.tol) return { bias: b0, epochs, converged: true };
    if (epochs >= p.maxEpochs) return { bias: b0, epochs, converged: false };
  }
}

/**
 * Dual coordinate descent for L1-loss epsilon-SVR (Ho & Lin 2012): min_β ½βᵀQβ - (y - b0)ᵀβ + ε‖β‖₁, -C ≤ β ≤ C,
 * Q = X̄X̄ᵀ, w = Σ β_i x̄_i. Each coordinate's subproblem f(δ) = ½Q_ii δ² + gδ + ε|β+δ| has a closed-form minimiser
 * (a soft threshold, then the box). The stopping measure v_i is the smallest-magnitude element of the projected
 * subgradient; shrinking sets aside duals whose v is 0 (or blocked at ±C) by more than last epoch's max |v|.
 */
function* cdSvr(
  p: Problem,
  n: number,
  y: Float32Array,
  eps: number,
  beta: Float64Array,
  w: Float64Array,
  b0: number,
  maxEpochs: number,
): FitSteps<{ epochs: number; converged: boolean }> {
  const { x, d, B, C, tol, shrinking, rng, signal } = p;
  const B2 = B * B;
  const active = new Int32Array(n);
  for (let i = 0; i < n; i++) active[i] = i;
  let nActive = n;
  let mOld = Infinity;
  let epochs = 0;
  while (epochs < maxEpochs) {
    if (signal?.aborted) throw abortError();
    shuffle(active, nActive, rng);
    p.visits += nActive;
    let vMax = 0,
      vMin = 0;
    let wx = nActive > 0 ? dot64(w, x, active[0] * d, d) : 0;
    for (let s = 0; s < nActive; s++) {
      const i = active[s];
      const off = i * d;
      const g = wx + w[d] * B + b0 - y[i]; // gradient of the smooth part: prediction - target
      const gp = g + eps,
        gn = g - eps;
      const bi = beta[i];
      let v = 0;
      let shrink = false;
      if (bi === 0) {
        if (shrinking && gp > mOld && gn < -mOld) shrink = true;
        else v = gp < 0 ? gp : gn > 0 ? gn : 0;
      } else if (bi === C) {
        if (shrinking && gp < -mOld) shrink = true;
        else v = gp > 0 ? gp : 0; // at the upper bound only a positive gradient (a step down) is feasible
      } else if (bi === -C) {
        if (shrinking && gn > mOld) shrink = true;
        else v = gn < 0 ? gn : 0;
      } else {
        v = bi > 0 ? gp : gn;
      }
      if (shrink) {
        active[s--] = active[--nActive];
        active[nActive] = i;
        if (s + 1 < nActive) wx = dot64(w, x, active[s + 1] * d, d);
        continue;
      }
      if (v > vMax) vMax = v;
      if (v < vMin) vMin = v;
      let delta = 0;
      if (v !== 0) {
        const qii = p.sq[i] + B2;
        const u = bi - g / qii;
        const th = eps / qii;
        let next = u > th ? u - th : u < -th ? u + th : 0;
        next = next > C ? C : next < -C ? -C : next;
        delta = next - bi;
        if (delta !== 0) {
          beta[i] = next;
          p.updates++;
        }
      }
      const nextOff = s + 1 < nActive ? active[s + 1] * d : -1;
      if (delta !== 0) {
        if (nextOff >= 0) wx = axpyDot(w, delta, x, off, nextOff, d, B);
        else axpy(w, delta, x, off, d, B);
      } else if (nextOff >= 0) {
        wx = dot64(w, x, nextOff, d);
      }
    }
    epochs++;
    yield;
    if (vMax - vMin <= tol) {
      if (nActive === n) return { epochs, converged: true };
      nActive = n;
      mOld = Infinity;
      continue;
    }
    const m = Math.max(vMax, -vMin);
    mOld = m > 0 ? m : Infinity;
  }
  return { epochs, converged: false };
}

export function predictSvr(m: SvrModel, x: Float32Array, n: number): Float32Array {
  checkRows('predictSvr', x, n, m.d);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = dot(m.w, x, i * m.d, m.d) + m.bias;
  return out;
}
