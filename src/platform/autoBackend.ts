// `auto` resolved by measurement (core/autoBackend.ts): every backend of the order that starts here and
// is not a software GPU gets the calibration's few timed steps of the config's own model; tfjs is left on
// the fastest. Used by the worker's calibration (the page keeps the pick per machine and model) and by
// the Node runner.
import type { BackendName } from '../core/backends';
import { notWorthTiming, pickFastest, type AutoPick, type BackendTiming } from '../core/autoBackend';
import { calibrate } from '../core/distill/calibrate';
import { estimateDuration, type DatasetDims, type StepCost } from '../core/distill/estimate';
import type { ExperimentConfig } from '../core/config/config';
import { softwareReason } from './backend';

export interface AutoChoice extends AutoPick {
  /** The pick's calibration (for the duration estimate). */
  cost: StepCost;
  timings: BackendTiming[];
}

export interface TimeBackendsDeps {
  /** Makes `name` tfjs's backend, alone (selectBackend([name], ...)); throws when it cannot start. */
  start: (name: BackendName) => Promise<void>;
  /** Times the active backend (calibrate()). */
  time: () => Promise<StepCost>;
  /** Why `name` runs in software here (then not timed), or null. Default: platform/backend.ts softwareReason. */
  software?: (name: BackendName) => Promise<string | null>;
  /** Ranks the timed backends (lower is faster); default: training ms per image. */
  score?: (c: StepCost) => number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Times each backend of `order` and leaves tfjs on the fastest; throws when none could be timed. */
export async function timeBackends(order: readonly BackendName[], deps: TimeBackendsDeps): Promise<AutoChoice> {
  const timings: BackendTiming[] = [];
  let current: BackendName | null = null;
  const software = deps.software ?? softwareReason;
  for (const backend of order) {
    const skip = notWorthTiming(backend, timings);
    if (skip) {
      timings.push({ backend, skipped: skip });
      continue;
    }
    try {
      const soft = await software(backend);
      if (soft) {
        timings.push({ backend, skipped: `skipped: ${soft}` });
        continue;
      }
      current = null;
      await deps.start(backend);
      current = backend;
    } catch (e) {
      timings.push({ backend, skipped: `did not start: ${message(e)}` });
      continue;
    }
    try {
      timings.push({ backend, cost: await deps.time() });
    } catch (e) {
      timings.push({ backend, skipped: `failed while timed: ${message(e)}` });
    }
  }
  const pick = pickFastest(timings, deps.score);
  if (!pick)
    throw new Error(`no backend could be timed: ${timings.map((t) => `${t.backend} (${t.skipped})`).join('; ')}`);
  if (current !== pick.backend) await deps.start(pick.backend);
  return { ...pick, cost: timings.find((t) => t.backend === pick.backend)!.cost!, timings };
}

/** `auto` for `cfg`: times it on each backend of `order` (`start` starts one alone), ranks them by the
 *  whole config's estimated duration, and leaves tfjs on the fastest. */
export function chooseBackend(
  cfg: ExperimentConfig,
  dims: DatasetDims,
  order: readonly BackendName[],
  start: (name: BackendName) => Promise<void>,
  software?: (name: BackendName) => Promise<string | null>,
): Promise<AutoChoice> {
  return timeBackends(order, {
    start,
    software,
    time: () => calibrate(cfg, dims),
    score: (c) => estimateDuration(cfg, dims, c).maxS,
  });
}
