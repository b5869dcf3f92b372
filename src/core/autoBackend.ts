// `auto` by measurement: the calibration (distill/calibrate.ts) times a few training steps of the config's
// own model on each backend that starts here, and `auto` takes the fastest. A GPU backend wins only when it
// measured faster: an integrated or old GPU, or a small model whose steps are all dispatch overhead, can be
// slower than wasm. No tfjs here (the page uses it): the platform does the timing (platform/autoBackend.ts).
import { BACKEND_ORDER, type BackendName } from './backends';
import type { StepCost } from './distill/estimate';

/** One backend's calibration, or why it has none (did not start, software GPU, not worth timing). */
export interface BackendTiming {
  backend: BackendName;
  cost?: StepCost;
  skipped?: string;
}

export interface AutoPick {
  backend: BackendName;
  /** For people: which backend and why, with every backend's figure. */
  why: string;
}

/** Why `auto` need not time `name` after `sofar` (null: time it). tfjs's plain-JavaScript `cpu` backend
 *  is many times slower than wasm on every model: it is timed only when wasm did not start. */
export function notWorthTiming(name: BackendName, sofar: readonly BackendTiming[]): string | null {
  if (name === 'cpu' && sofar.some((t) => t.backend === 'wasm' && t.cost))
    return 'not timed: wasm works, and is faster';
  return null;
}

const figure = (c: StepCost): string =>
  `${c.trainMsPerImage < 10 ? c.trainMsPerImage.toFixed(2) : c.trainMsPerImage.toFixed(1)} ms per training image`;

/**
 * The fastest of the measured backends by `score` (default: training ms per image; callers pass the
 * whole config's estimated duration), ties to the earlier in BACKEND_ORDER; null when none was measured.
 */
export function pickFastest(
  timings: readonly BackendTiming[],
  score: (c: StepCost) => number = (c) => c.trainMsPerImage,
): AutoPick | null {
  const rank = (b: BackendName) => BACKEND_ORDER.indexOf(b);
  const measured = timings
    .filter((t): t is BackendTiming & { cost: StepCost } => !!t.cost && Number.isFinite(score(t.cost)))
    .sort((a, b) => score(a.cost) - score(b.cost) || rank(a.backend) - rank(b.backend));
  if (!measured.length) return null;
  const best = measured[0];
  const others = measured.slice(1).map((t) => `${t.backend} ${figure(t.cost)}`);
  const skipped = timings.filter((t) => !t.cost && t.skipped).map((t) => `${t.backend} ${t.skipped}`);
  const why =
    measured.length === 1
      ? `${best.backend}, the only backend timed here (${figure(best.cost)})`
      : `${best.backend}, the fastest measured for this model here: ${figure(best.cost)}, against ${others.join(', ')}`;
  return { backend: best.backend, why: skipped.length ? `${why}; ${skipped.join('; ')}` : why };
}

/** The order a run tries under `auto` after a calibration: the usual order with the backends it measured
 *  slower than its pick moved to the end (kept there should the pick fail to start now). Backends that were
 *  not timed (software, did not start) stay in place: the run tries them again and names why it skips them. */
export function autoOrder(slower: readonly string[] | null | undefined): BackendName[] {
  const late = new Set(slower ?? []);
  return [...BACKEND_ORDER.filter((b) => !late.has(b)), ...BACKEND_ORDER.filter((b) => late.has(b))];
}

/** The backends measured slower than the pick (for autoOrder). */
export function slowerThanPick(timings: readonly BackendTiming[], pick: BackendName): BackendName[] {
  return timings.filter((t) => t.cost && t.backend !== pick).map((t) => t.backend);
}
