// A small sweep (docs/method.md#triplet-t-s: the paper tunes the margin α on validation): one numeric setting given a
// list of values, one curriculum per value, the value kept whose stage did best on validation. Pure
// helpers; the runner (and tests) drive them.
import type { ExperimentConfig, StageName } from '../config/config';
import type { EpochRecord, GridRow } from '../events';
import { getPath, setPath } from '../config/paths';

export interface SweepSpec {
  /** Dotted path of a numeric setting, e.g. `triplet.margin`, `triplet.lambda`, `standard.temperature`. */
  path: string;
  values: number[];
}

/** `triplet.margin=0.1,0.2,0.4` -> a spec, or an Error naming what is wrong (checked against `cfg`). */
export function parseSweep(text: string, cfg: ExperimentConfig): SweepSpec {
  const m = /^([A-Za-z][\w.]*)=(.+)$/.exec(text.trim());
  if (!m) throw new Error(`--sweep wants <setting>=<v1>,<v2>,... (e.g. triplet.margin=0.1,0.2,0.4); got "${text}"`);
  const values = m[2].split(',').map((v) => Number(v.trim()));
  const spec = { path: m[1], values };
  const err = sweepError(spec, cfg);
  if (err) throw new Error(err);
  return spec;
}

/** Why a sweep cannot run on `cfg`, or null. */
export function sweepError(spec: SweepSpec, cfg: ExperimentConfig): string | null {
  if (typeof getPath(cfg, spec.path) !== 'number')
    return `sweep.path: "${spec.path}" is not a numeric setting of the experiment`;
  if (
    !Array.isArray(spec.values) ||
    spec.values.length < 2 ||
    spec.values.length > 20 ||
    spec.values.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  ) {
    return `sweep.values: must be 2 to 20 numbers (got ${JSON.stringify(spec.values)})`;
  }
  return null;
}

/** The config with the swept setting set to `value` (the original is untouched). */
export function withSweepValue(cfg: ExperimentConfig, path: string, value: number): ExperimentConfig {
  return setPath(cfg, path, value);
}

/** The stage whose validation decides: the one the setting belongs to (triplet for triplet.*, ...), else the triplet stage. */
export function sweepStage(path: string): StageName {
  const head = path.split('.')[0];
  return (['teacher', 'student', 'standard', 'triplet'] as string[]).includes(head) ? (head as StageName) : 'triplet';
}

/** The stage's best validation value (accuracy, or MAE for age), or null when it has no epoch. */
export function bestValidation(
  history: EpochRecord[],
  stage: StageName,
  task: ExperimentConfig['task'],
): number | null {
  const vals = history
    .filter((h) => h.stage === stage)
    .map((h) => (task === 'age' ? h.val.mae : h.val.accuracy))
    .filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
  if (!vals.length) return null;
  return task === 'age' ? Math.min(...vals) : Math.max(...vals);
}

/** Index of the value with the best validation figure (first on ties), or -1. */
export function chooseSweep(val: (number | null)[], task: ExperimentConfig['task']): number {
  let best = -1;
  val.forEach((v, i) => {
    if (v === null) return;
    if (best < 0 || (task === 'age' ? v < val[best]! : v > val[best]!)) best = i;
  });
  return best;
}

/** The config of a sweep's i-th run: the value set, no nested sweep, the value in its name. */
export function sweepRunConfig(cfg: ExperimentConfig, spec: SweepSpec, i: number): ExperimentConfig {
  const value = spec.values[i];
  return {
    ...withSweepValue(cfg, spec.path, value),
    sweep: null,
    name: `${cfg.name} [sweep ${i + 1}/${spec.values.length}: ${spec.path} = ${value}]`,
  };
}

/** What a finished sweep shows, from its runs (null: a run that did not finish): the deciding stage's
 *  best validation figure and its test figure per value, and the value chosen on validation. */
export function sweepOutcome(
  runs: ({ history: EpochRecord[]; rows: GridRow[] } | null)[],
  stage: StageName,
  task: ExperimentConfig['task'],
  scenario: ExperimentConfig['scenario'],
): { validation: (number | null)[]; test: (number | null)[]; chosen: number } {
  const validation = runs.map((r) => (r ? bestValidation(r.history, stage, task) : null));
  const test = runs.map((r) => {
    const m = r?.rows.find((x) => x.model === stage && x.test === scenario)?.metrics;
    return (task === 'age' ? m?.mae : m?.accuracy) ?? null;
  });
  return { validation, test, chosen: chooseSweep(validation, task) };
}
