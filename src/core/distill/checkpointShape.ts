// The shape of a checkpoint read back from outside (a file, storage): every field runCurriculum relies on is
// there with the right type, so a foreign or damaged one is refused with a message instead of failing deep
// inside a stage with a TypeError.
import type { StageName } from '../config/config';

const STAGES: readonly StageName[] = ['teacher', 'student', 'studentOther', 'standard', 'triplet', 'control'];

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isStage = (v: unknown): v is StageName => typeof v === 'string' && (STAGES as readonly string[]).includes(v);
const isWeights = (v: unknown) => Array.isArray(v) && v.every((a) => a instanceof Float32Array);
const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Throws `bad(reason)` unless `cp` has the shape of a Checkpoint (types, not values: runCurriculum checks
 *  weights against the model). */
export function checkCheckpointShape(cp: unknown, bad: (why: string) => Error): void {
  if (!isObj(cp)) throw bad('the checkpoint is not an object.');
  if (!isCount(cp.version)) throw bad('the checkpoint has no version.');
  if (!Array.isArray(cp.done) || !cp.done.every(isStage)) throw bad('"done" is not a list of stage names.');
  if (!isObj(cp.weights)) throw bad('"weights" is missing.');
  for (const [k, w] of Object.entries(cp.weights)) {
    if (!isStage(k) || !isWeights(w)) throw bad(`"weights.${k}" is not a stage's list of weight arrays.`);
  }
  for (const k of ['rows', 'history'] as const) if (!Array.isArray(cp[k])) throw bad(`"${k}" is not a list.`);
  for (const k of ['stageMs', 'stopped'] as const) if (!isObj(cp[k])) throw bad(`"${k}" is missing.`);
  const p = cp.progress;
  if (p === null) return;
  if (!isObj(p) || !isStage(p.stage)) throw bad('"progress" names no stage.');
  if (!isCount(p.nextEpoch)) throw bad('"progress.nextEpoch" is not an epoch number.');
  const plateau = p.plateau;
  if (!isObj(plateau) || typeof plateau.learningRate !== 'number' || !isCount(plateau.badEpochs)) {
    throw bad('"progress.plateau" is malformed.');
  }
  if (p.best !== null && !(isObj(p.best) && isCount(p.best.epoch) && isObj(p.best.val) && isWeights(p.best.weights))) {
    throw bad('"progress.best" is malformed.');
  }
  const opt = p.optimizer;
  if (
    !Array.isArray(opt) ||
    !opt.every(
      (o) =>
        isObj(o) &&
        typeof o.name === 'string' &&
        Array.isArray(o.shape) &&
        (o.data instanceof Float32Array || o.data instanceof Int32Array),
    )
  ) {
    throw bad('"progress.optimizer" is malformed.');
  }
  if (
    p.optimizerScalars !== undefined &&
    !(isObj(p.optimizerScalars) && Object.values(p.optimizerScalars).every((v) => typeof v === 'number'))
  ) {
    throw bad('"progress.optimizerScalars" is malformed.');
  }
}
