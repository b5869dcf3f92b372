// The C grid: one fit per C (ascending, each warm-started from the previous), scored on validation, the best
// kept; synchronous (fitGrid) or handing the thread back to the event loop between epochs (fitGridAsync).
import { abortError, checkC, checkRows, run } from './solver';
import type { FitOptions, FitStats, FitSteps, SvcModel, SvrModel } from './solver';
import { predictSvc, svcSteps } from './svc';
import { predictSvr, svrSteps } from './svr';

export interface GridData {
  xTrain: Float32Array;
  yTrain: Int32Array | Float32Array;
  nTrain: number;
  xVal: Float32Array;
  yVal: Int32Array | Float32Array;
  nVal: number;
  d: number;
  classes: number;
}

export interface GridOptions {
  epsilon?: number;
  tol?: number;
  /** Epochs per binary problem and C (FitOptions.maxEpochs). */
  maxEpochs?: number;
  /** Warm-start each C from the previous one's duals (default true; false only to measure). */
  warmStart?: boolean;
  /** Called after each C with the number of values done so far (1..total). */
  onProgress?: (i: number, total: number) => void;
  /** Called inside a C-SVC fit after each binary problem: C number (1-based), problems done, their total. */
  onFitProgress?: (i: number, done: number, total: number) => void;
  /** Checked before every epoch of every fit: an abort stops the grid mid-fit with an AbortError. */
  signal?: AbortSignal;
}

/** One C of the grid: validation score, fit time, epochs summed over binary problems, and whether all converged. */
export interface GridScore {
  C: number;
  score: number;
  ms: number;
  epochs: number;
  converged: boolean;
  visits: number;
  updates: number;
}

/**
 * Fits every C of the grid (ascending, warm-started), scores each on validation (accuracy, or -MAE for SVR),
 * returns the best C's model plus the per-C validation scores and timings (epochs summed over binary problems).
 * A tie in score goes to the smaller C. onProgress(i, total) after each C; throws an Error named AbortError
 * when signal aborts (checked every epoch; the call is synchronous, so an abort can only come from onProgress or
 * from another thread's view of the same signal: in a worker use fitGridAsync).
 */
export function fitGrid(task: 'svc' | 'svr', data: GridData, grid: number[], o: GridOptions): GridResult {
  return run(gridSteps(task, data, grid, o));
}

export type GridResult = { best: SvcModel | SvrModel; bestC: number; scores: GridScore[] };

/** How long fitGridAsync computes before handing the thread back to the event loop. */
export const GRID_YIELD_MS = 50;

/**
 * fitGrid that hands the thread back to the event loop (a macrotask) at the first epoch boundary after every
 * yieldMs of work, within a C's fit as well as between C values, so a worker sees pause and cancel messages while a
 * fit runs: a cancel that aborts o.signal stops the fit at its next epoch (an epoch of the lab's largest fits is tens
 * of milliseconds) and rejects with an AbortError. Same results as fitGrid.
 */
export async function fitGridAsync(
  task: 'svc' | 'svr',
  data: GridData,
  grid: number[],
  o: GridOptions,
  yieldMs = GRID_YIELD_MS,
): Promise<GridResult> {
  const steps = gridSteps(task, data, grid, o);
  let last = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - last >= yieldMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
  }
}

/** The grid in steps: one per epoch of each fit (see FitSteps). */
export function* gridSteps(task: 'svc' | 'svr', data: GridData, grid: number[], o: GridOptions): FitSteps<GridResult> {
  if (grid.length === 0) throw new Error('fitGrid: empty C grid');
  for (const C of grid) checkC('fitGrid', C);
  const { xTrain, yTrain, nTrain, xVal, yVal, nVal, d } = data;
  if (yVal.length !== nVal) throw new Error(`fitGrid: ${nVal} validation rows but ${yVal.length} targets`);
  checkRows('fitGrid (validation)', xVal, nVal, d);
  if (task === 'svc' && !(yTrain instanceof Int32Array && yVal instanceof Int32Array)) {
    throw new Error('fitGrid: svc needs Int32Array class labels');
  }
  if (task === 'svr' && !(yTrain instanceof Float32Array && yVal instanceof Float32Array)) {
    throw new Error('fitGrid: svr needs Float32Array targets');
  }
  const Cs = [...grid].sort((a, b) => a - b);
  const scores: GridScore[] = [];
  let best: SvcModel | SvrModel | null = null;
  let bestC = NaN;
  let bestScore = -Infinity;
  let prev: SvcModel | SvrModel | null = null;
  for (let i = 0; i < Cs.length; i++) {
    if (o.signal?.aborted) throw abortError();
    const C = Cs[i];
    // Time spent in the driver between steps (a yield to the event loop) is not the fit's.
    let ms = 0;
    let t0 = performance.now();
    const pause = () => {
      ms += performance.now() - t0;
    };
    const resume = () => {
      t0 = performance.now();
    };
    let model: SvcModel | SvrModel;
    let stats: FitStats;
    let score: number;
    const fo: FitOptions = {
      C,
      tol: o.tol,
      maxEpochs: o.maxEpochs,
      scaleBounds: task === 'svr',
      warm: o.warmStart === false ? null : prev,
      signal: o.signal,
      ...(o.onFitProgress ? { onProblem: (done: number, total: number) => o.onFitProgress!(i + 1, done, total) } : {}),
    };
    const fit =
      task === 'svc'
        ? svcSteps(xTrain, yTrain as Int32Array, nTrain, d, data.classes, fo)
        : svrSteps(xTrain, yTrain as Float32Array, nTrain, d, { ...fo, epsilon: o.epsilon ?? 0.1 });
    for (;;) {
      const r = fit.next();
      if (r.done) {
        ({ model, stats } = r.value);
        break;
      }
      pause();
      yield;
      resume();
    }
    if (model.kind === 'svc') {
      const pred = predictSvc(model, xVal, nVal);
      let ok = 0;
      for (let j = 0; j < nVal; j++) if (pred[j] === yVal[j]) ok++;
      score = nVal > 0 ? ok / nVal : NaN;
    } else {
      const pred = predictSvr(model, xVal, nVal);
      let err = 0;
      for (let j = 0; j < nVal; j++) err += Math.abs(pred[j] - yVal[j]);
      score = nVal > 0 ? -err / nVal : NaN;
    }
    pause();
    scores.push({
      C,
      score,
      ms,
      epochs: stats.epochs,
      converged: stats.converged,
      visits: stats.visits,
      updates: stats.updates,
    });
    if (best === null || score > bestScore) {
      best = model;
      bestC = C;
      bestScore = score;
    }
    prev = model;
    o.onProgress?.(i + 1, Cs.length);
    yield;
  }
  return { best: best!, bestC, scores };
}
