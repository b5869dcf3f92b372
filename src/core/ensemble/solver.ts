// What the linear SVM solvers share (svc.ts: one-vs-one C-SVC, svr.ts: epsilon-SVR, both by dual coordinate
// descent, Hsieh et al. 2008; Ho & Lin 2012): the model and option types, the bias as a re-centred constant
// feature, warm starts, the problem's rows and stopping rules, fits as resumable steps, and input checks.
import { Rng } from '../random';
import { rowSquares } from './vector';

export interface SvcPair {
  a: number;
  /** The other class, or -1 in a one-vs-rest model (class a against all the others). */
  b: number;
  w: Float32Array;
  bias: number;
  /** Dual variables (one per training row of classes a and b, in row order): only for warm starts, safe to drop. */
  dual?: Float32Array;
}

export interface SvcModel {
  kind: 'svc';
  d: number;
  classes: number;
  /** one-vs-one pairs (a<b), each w [d] and bias; decision > 0 votes for a. One-vs-rest (more than
   *  OVO_MAX_CLASSES classes): one per class (b = -1), the largest decision wins. */
  pairs: SvcPair[];
  /** 'ovr' for one-vs-rest; absent or 'ovo' for one-vs-one. */
  scheme?: 'ovo' | 'ovr';
  /** The C it was fitted with (informative; warm starts clip the duals to the new C). */
  C?: number;
}

export interface SvrModel {
  kind: 'svr';
  d: number;
  w: Float32Array;
  bias: number;
  /** Dual variables (one per training row): only for warm starts, safe to drop. */
  dual?: Float32Array;
  C?: number;
}

export interface FitOptions {
  C: number;
  /**
   * Stop when the projected-gradient gap max(0, max PG) - min(0, min PG) over all duals is below this, and the last
   * re-centring of the bias moved it by less than this. SVC: 0.1 (liblinear's default; PG is in units of the
   * margin). SVR: min(0.1, 0.01 * std(y)) (PG is in units of y, so a fixed value would be loose on small targets).
   */
  tol?: number;
  /** Epochs per binary problem (one epoch = one pass over the still-active duals). Default 1000. */
  maxEpochs?: number;
  /** Seeds the per-epoch permutations. Default 1. */
  seed?: number;
  /** warm start from a model fitted with a smaller C (same data); uses its `dual`, so a model without one starts cold */
  warm?: SvcModel | SvrModel | null;
  signal?: AbortSignal;
  /** Value of the constant feature that carries the bias; default from biasFeatureFor. */
  biasFeature?: number;
  /** Shrinking (skip duals stuck at a bound; re-checked on all duals before stopping). Default true. */
  shrinking?: boolean;
  /** Warm start: duals at the old C's bound start at the new C's (see warmDuals). Default false; fitGrid turns
   *  it on for SVR. */
  scaleBounds?: boolean;
  /** Called after each binary problem of a C-SVC fit with the number done and the total. */
  onProblem?: (done: number, total: number) => void;
}

/**
 * Per-fit diagnostics for fitGrid's report: epochs summed over the binary problems, whether all converged, and the
 * work done: rows visited (one dot product of d each) and dual updates (one more pass of d each), a measure of cost
 * that does not depend on how busy the machine is.
 */
export interface FitStats {
  epochs: number;
  converged: boolean;
  visits: number;
  updates: number;
}

export const DEFAULT_MAX_EPOCHS = 1000;
export const SVC_TOL = 0.1;

/**
 * The bias is the weight v of an extra constant feature B, so the dual keeps plain box constraints (no pairwise
 * steps), but a plain bias feature regularises the bias by v²/2 = (b/B)²/2, which libsvm does not: Σα·y = 0 in
 * libsvm becomes Σα·y = v/B. At large C, where |b| grows with ‖w‖, that visibly moved predictions away from
 * libsvm's (94.7% agreement at C = 10 with B = 1 in our trials), and a B large enough to hide it slows coordinate
 * descent in proportion to (‖x‖² + B²) / ‖x‖² (B² = 10·d took 4.6x the time of B = 1 over a C grid).
 * So the penalty is centred on the current bias instead, and re-centred until the bias stops moving: a
 * proximal-point iteration on b (the solution of min f(b) + (b - b₀)²/(2B²) is the next b₀). At its fixed point
 * the penalty is zero and the problem is libsvm's; B only sets the step, B²·Σα·y per round, and the speed.
 * B² = max(1, 1/C): 1 (liblinear's default) keeps Q_ii = ‖x‖² + B² close to ‖x‖² (B² = mean ‖x‖² ≈ d took 1.75x
 * the time on three mid-grid values of C, 7,000 × 512 embeddings); 1/C at small C, so an imbalance of one dual at
 * its bound C still moves the bias by a margin unit (SVR: a unit of y) per round, and a last move below tol leaves
 * |Σα·y| ≤ tol·C, a tenth of one such dual.
 */
export function biasFeatureFor(C: number): number {
  return Math.sqrt(Math.max(1, 1 / C));
}

/**
 * A warm start's duals for the new C: each old dual clipped to the new box [lo, C]; with o.scaleBounds, a dual that
 * sat at its bound ±C_old (a row beyond the margin, or outside the tube) starts at ±C instead, where many of them end
 * (any start in the box leads to the same solution). Measured on the C grid of the bench's embedding-shaped data, in
 * row passes (FitStats): SVR 3,000 x 256 5.7M vs 8.4M, 7,000 x 512 19.7M vs 28.6M; but SVC 7,000 x 512 31.2M vs
 * 25.7M (worse; 2,000 x 256: 2.4M vs 3.6M), and on the tests' small 20-dimensional problems it can cost more epochs
 * than a cold start. So fitGrid turns it on for SVR only, and a plain fit only when asked.
 */
export function warmDuals(
  old: Float32Array,
  oldC: number | undefined,
  o: FitOptions,
  out: Float64Array,
  lo: number,
): void {
  const C = o.C;
  // Duals are stored as float32: compare with the old C rounded the same way.
  const bound = o.scaleBounds && oldC != null && oldC < C ? Math.fround(oldC) : NaN;
  for (let i = 0; i < out.length; i++) {
    const b = old[i];
    if (b === bound) out[i] = C;
    else if (b === -bound && lo < 0) out[i] = -C;
    else out[i] = b < lo ? lo : b > C ? C : b;
  }
}

/** What both coordinate-descent solvers share: the rows, their squared norms, and the stopping rules. */
export interface Problem {
  x: Float32Array;
  d: number;
  sq: Float64Array;
  B: number;
  C: number;
  tol: number;
  maxEpochs: number;
  shrinking: boolean;
  rng: Rng;
  signal: AbortSignal | undefined;
  /** Work counters (FitStats). */
  visits: number;
  updates: number;
}

export function problem(x: Float32Array, n: number, d: number, o: FitOptions, tol: number): Problem {
  return {
    x,
    d,
    sq: rowSquares(x, n, d),
    B: o.biasFeature ?? biasFeatureFor(o.C),
    C: o.C,
    tol,
    maxEpochs: o.maxEpochs ?? DEFAULT_MAX_EPOCHS,
    shrinking: o.shrinking ?? true,
    rng: new Rng(o.seed ?? 1),
    signal: o.signal,
    visits: 0,
    updates: 0,
  };
}

/**
 * A fit in steps: it yields after every epoch (one pass over the active duals), checking its signal before each, so
 * a driver can hand control back to the event loop mid-fit (fitGridAsync) or run it straight through (run).
 */
export type FitSteps<T> = Generator<void, T, void>;

/** Runs a fit's steps to the end, synchronously. */
export function run<T>(steps: FitSteps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export function checkRows(where: string, x: Float32Array, n: number, d: number): void {
  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(d) && d >= 1)) {
    throw new Error(`${where}: bad shape [${n}, ${d}]`);
  }
  if (x.length < n * d) throw new Error(`${where}: ${x.length} values, need ${n} x ${d}`);
}

export function checkC(where: string, C: number): void {
  if (!(C > 0 && Number.isFinite(C))) throw new Error(`${where}: C must be a positive finite number, got ${C}`);
}

/** The error an aborted fit throws (name AbortError, as fetch and streams use). */
export function abortError(): Error {
  const e = new Error('SVM fitting was aborted.');
  e.name = 'AbortError';
  return e;
}
