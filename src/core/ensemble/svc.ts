// Linear C-SVC on embedding features: one-vs-one like libsvm (one-vs-rest beyond OVO_MAX_CLASSES classes),
// each binary problem solved in the dual by coordinate descent; prediction by voting.
import { abortError, checkC, checkRows, problem, run, SVC_TOL, warmDuals } from './solver';
import type { FitOptions, FitStats, FitSteps, Problem, SvcModel, SvcPair } from './solver';
import { axpy, axpyDot, dot, dot64, shuffle } from './vector';

/**
 * Up to this many classes the C-SVC is one-vs-one, as libsvm (k(k-1)/2 binary problems, 1,225 at 50 classes);
 * beyond, one-vs-rest (k problems over all rows): 3,000 classes would be 4.5 million one-vs-one problems per C,
 * each with its own weight vector (18 GB of them at 1,024 features).
 */
export const OVO_MAX_CLASSES = 50;

/**
 * Over-relaxation ω of the coordinate steps, α ← clip(α - ω·G/Q_ii), in (0, 2) (projected SOR, Mangasarian &
 * Musicant 1999): every step still lowers the dual objective, and on the many nearly collinear free duals of
 * embedding features ω = 1.5 takes fewer epochs per C than plain steps.
 */
const SVC_RELAXATION = 1.5;

/**
 * Linear C-SVC, one-vs-one like libsvm (k(k-1)/2 binary problems, prediction by voting, ties to the lower class
 * index as libsvm does); each binary problem: L2-regularised hinge loss, solved in the dual by coordinate descent
 * with a random permutation each epoch and optional shrinking; the bias as an extra constant feature (see
 * biasFeatureFor). labels: Int32Array of class indices 0..classes-1.
 */
export function fitSvc(
  x: Float32Array,
  labels: Int32Array,
  n: number,
  d: number,
  classes: number,
  o: FitOptions,
): SvcModel {
  return run(svcSteps(x, labels, n, d, classes, o)).model;
}

/** fitSvc plus the epoch count (fitGrid reports it). */
export function fitSvcStats(
  x: Float32Array,
  labels: Int32Array,
  n: number,
  d: number,
  classes: number,
  o: FitOptions,
): { model: SvcModel; stats: FitStats } {
  return run(svcSteps(x, labels, n, d, classes, o));
}

/** fitSvcStats in steps (see FitSteps). */
export function* svcSteps(
  x: Float32Array,
  labels: Int32Array,
  n: number,
  d: number,
  classes: number,
  o: FitOptions,
): FitSteps<{ model: SvcModel; stats: FitStats }> {
  checkRows('fitSvc', x, n, d);
  checkC('fitSvc', o.C);
  if (labels.length !== n) throw new Error(`fitSvc: ${n} rows but ${labels.length} labels`);
  if (!(classes >= 2)) throw new Error(`fitSvc: need at least 2 classes, got ${classes}`);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!(c >= 0 && c < classes)) throw new Error(`fitSvc: label ${c} at row ${i} is outside 0..${classes - 1}`);
    byClass[c].push(i);
  }
  const pb = problem(x, n, d, o, o.tol ?? SVC_TOL);
  const warm = o.warm && o.warm.kind === 'svc' && o.warm.d === d && o.warm.classes === classes ? o.warm : null;
  const pairs: SvcPair[] = [];
  const stats: FitStats = { epochs: 0, converged: true, visits: 0, updates: 0 };
  const w = new Float64Array(d + 1);
  if (classes > OVO_MAX_CLASSES) {
    // One-vs-rest: class a (+1) against every other row (-1), all rows in row order.
    const rows = new Int32Array(n).map((_, i) => i);
    for (let a = 0; a < classes; a++) {
      const y = Float64Array.from(labels, (c) => (c === a ? 1 : -1));
      const alpha = new Float64Array(n);
      const prev = warm?.scheme === 'ovr' ? warm.pairs[a] : undefined;
      const useWarm = !!prev?.dual && prev.dual.length === n;
      if (useWarm) warmDuals(prev!.dual!, warm!.C, o, alpha, 0);
      const r = yield* solveSvc(pb, rows, y, alpha, w, useWarm ? prev!.bias : 0);
      stats.epochs += r.epochs;
      stats.converged &&= r.converged;
      pairs.push({ a, b: -1, w: Float32Array.from(w.subarray(0, d)), bias: r.bias, dual: Float32Array.from(alpha) });
      o.onProblem?.(a + 1, classes);
    }
    stats.visits = pb.visits;
    stats.updates = pb.updates;
    return { model: { kind: 'svc', d, classes, pairs, C: o.C, scheme: 'ovr' }, stats };
  }
  const problems = (classes * (classes - 1)) / 2;
  for (let a = 0; a < classes; a++) {
    for (let b = a + 1; b < classes; b++) {
      // Rows of both classes in row order (so a warm start's duals line up), y = +1 for a, -1 for b.
      const m = byClass[a].length + byClass[b].length;
      const rows = new Int32Array(m);
      const y = new Float64Array(m);
      let ia = 0,
        ib = 0;
      for (let t = 0; t < m; t++) {
        const ra = ia < byClass[a].length ? byClass[a][ia] : Infinity;
        const rb = ib < byClass[b].length ? byClass[b][ib] : Infinity;
        if (ra < rb) {
          rows[t] = ra;
          y[t] = 1;
          ia++;
        } else {
          rows[t] = rb;
          y[t] = -1;
          ib++;
        }
      }
      const alpha = new Float64Array(m);
      const prev = warm?.pairs.find((p) => p.a === a && p.b === b);
      const useWarm = !!prev?.dual && prev.dual.length === m;
      if (useWarm) warmDuals(prev!.dual!, warm!.C, o, alpha, 0);
      const r = yield* solveSvc(pb, rows, y, alpha, w, useWarm ? prev!.bias : 0);
      stats.epochs += r.epochs;
      stats.converged &&= r.converged;
      pairs.push({ a, b, w: Float32Array.from(w.subarray(0, d)), bias: r.bias, dual: Float32Array.from(alpha) });
      o.onProblem?.(pairs.length, problems);
    }
  }
  stats.visits = pb.visits;
  stats.updates = pb.updates;
  return { model: { kind: 'svc', d, classes, pairs, C: o.C }, stats };
}

/**
 * One binary L1-loss SVM: rounds of dual coordinate descent (cdSvc), re-centring the bias penalty after each
 * (see biasFeatureFor) until the bias moves by less than tol. alpha is read (warm start) and written; w gets the
 * weights (w[d] is the constant feature's); bias0 is the bias to start from.
 */
function* solveSvc(
  p: Problem,
  rows: Int32Array,
  y: Float64Array,
  alpha: Float64Array,
  w: Float64Array,
  bias0: number,
): FitSteps<{ bias: number; epochs: number; converged: boolean }> {
  const { x, d, B } = p;
  w.fill(0);
  for (let t = 0; t < rows.length; t++) if (alpha[t] !== 0) axpy(w, alpha[t] * y[t], x, rows[t] * d, d, B);
  // Decision values are w·x + b0 + B·w[d]: start from the warm model's own decision function.
  let b0 = bias0 - B * w[d];
  let epochs = 0;
  for (;;) {
    const r = yield* cdSvc(p, rows, y, alpha, w, b0, p.maxEpochs - epochs);
    epochs += r.epochs;
    const step = B * w[d];
    b0 += step; // the bias this round's solution uses, and the next round's centre
    if (!r.converged) return { bias: b0, epochs, converged: false };
    if (Math.abs(step) <= p.tol) return { bias: b0, epochs, converged: true };
    if (epochs >= p.maxEpochs) return { bias: b0, epochs, converged: false };
  }
}

/**
 * Dual coordinate descent for min_α ½αᵀQα - Σ(1 - y_i b0)α_i, 0 ≤ α ≤ C, Q_ij = y_i y_j x̄_iᵀx̄_j with x̄ = [x, B]
 * (Hsieh et al. 2008, with their shrinking). Keeps w = Σ α_i y_i x̄_i so each step costs O(d); a step's update of w
 * and the next active row's dot product share one pass (axpyDot).
 */
function* cdSvc(
  p: Problem,
  rows: Int32Array,
  y: Float64Array,
  alpha: Float64Array,
  w: Float64Array,
  b0: number,
  maxEpochs: number,
): FitSteps<{ epochs: number; converged: boolean }> {
  const { x, d, B, C, tol, shrinking, rng, signal } = p;
  const omega = SVC_RELAXATION;
  const m = rows.length;
  const B2 = B * B;
  const active = new Int32Array(m);
  for (let t = 0; t < m; t++) active[t] = t;
  let nActive = m;
  // Bounds from the previous epoch: a dual at 0 whose gradient is above pgMaxOld (or at C and below pgMinOld)
  // is unlikely to move, so it is set aside until the active set has converged.
  let pgMaxOld = Infinity,
    pgMinOld = -Infinity;
  let epochs = 0;
  while (epochs < maxEpochs) {
    if (signal?.aborted) throw abortError();
    shuffle(active, nActive, rng);
    p.visits += nActive; // every row active at the start of the epoch gets its dot product, shrunk ones included
    let pgMax = 0,
      pgMin = 0;
    // wx: w·x of the row at active[s], computed ahead (by axpyDot when fused).
    let wx = nActive > 0 ? dot64(w, x, rows[active[0]] * d, d) : 0;
    for (let s = 0; s < nActive; s++) {
      const t = active[s];
      const off = rows[t] * d;
      const yt = y[t];
      const G = yt * (wx + w[d] * B + b0) - 1;
      const at = alpha[t];
      let pg = 0;
      let shrink = false;
      if (at === 0) {
        if (shrinking && G > pgMaxOld) shrink = true;
        else if (G < 0) pg = G;
      } else if (at === C) {
        if (shrinking && G < pgMinOld) shrink = true;
        else if (G > 0) pg = G;
      } else {
        pg = G;
      }
      if (shrink) {
        // Swap it behind the active set; the row swapped in is visited next, at the same position.
        active[s--] = active[--nActive];
        active[nActive] = t;
        if (s + 1 < nActive) wx = dot64(w, x, rows[active[s + 1]] * d, d);
        continue;
      }
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      let delta = 0;
      if (pg !== 0) {
        // The minimiser along this coordinate is at - G/Q_tt; over-relaxed by omega, clipped to the box.
        let next = at - (omega * G) / (p.sq[rows[t]] + B2);
        next = next < 0 ? 0 : next > C ? C : next;
        delta = next - at;
        if (delta !== 0) {
          alpha[t] = next;
          p.updates++;
        }
      }
      const nextOff = s + 1 < nActive ? rows[active[s + 1]] * d : -1;
      if (delta !== 0) {
        if (nextOff >= 0) wx = axpyDot(w, delta * yt, x, off, nextOff, d, B);
        else axpy(w, delta * yt, x, off, d, B);
      } else if (nextOff >= 0) {
        wx = dot64(w, x, nextOff, d);
      }
    }
    epochs++;
    yield;
    if (pgMax - pgMin <= tol) {
      if (nActive === m) return { epochs, converged: true };
      // Converged on the shrunk set only: check every dual again before stopping.
      nActive = m;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMax > 0 ? pgMax : Infinity;
    pgMinOld = pgMin < 0 ? pgMin : -Infinity;
  }
  return { epochs, converged: false };
}

/** Decision values w·x + bias, one per pair, rows [n, pairs]. */
export function decisionValues(m: SvcModel, x: Float32Array, n: number): Float32Array {
  const d = m.d;
  checkRows('decisionValues', x, n, d);
  const P = m.pairs.length;
  const out = new Float32Array(n * P);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let p = 0; p < P; p++) {
      const pr = m.pairs[p];
      out[i * P + p] = dot(pr.w, x, off, d) + pr.bias;
    }
  }
  return out;
}

export function predictSvc(m: SvcModel, x: Float32Array, n: number): Int32Array {
  const P = m.pairs.length;
  const dv = decisionValues(m, x, n);
  const out = new Int32Array(n);
  const votes = new Int32Array(m.classes);
  if (m.scheme === 'ovr') {
    // The largest decision value; a tie goes to the lower class index.
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let p = 1; p < P; p++) if (dv[i * P + p] > dv[i * P + best]) best = p;
      out[i] = m.pairs[best].a;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    votes.fill(0);
    for (let p = 0; p < P; p++) votes[dv[i * P + p] > 0 ? m.pairs[p].a : m.pairs[p].b]++;
    // Strictly greater: a tie goes to the lower class index, as in libsvm.
    let best = 0;
    for (let c = 1; c < m.classes; c++) if (votes[c] > votes[best]) best = c;
    out[i] = best;
  }
  return out;
}
