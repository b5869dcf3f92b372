// Checkpoints of a curriculum run: plain data (typed arrays, no tensors) that the lab stores after every
// epoch and hands back to runCurriculum to continue after a reload, a crash or a backend change.
import * as tf from '@tensorflow/tfjs';
import type { StageName } from '../config/config';
import type { EpochRecord, GridRow } from '../events';
import type { Metrics } from '../metrics';
import type { EarlyStopState, PlateauState } from './schedule';
import { buildModel, type ModelSpec } from '../models';
import { checkCheckpointShape } from './checkpointShape';

export const CHECKPOINT_VERSION = 1;

/** Weights of one model, layer by layer in build order (independent of which layers are frozen). */
export type WeightArrays = Float32Array[];

/** The stage in progress when the checkpoint was taken. */
export interface StageProgress {
  stage: StageName;
  /** The epoch to run next (0-based). */
  nextEpoch: number;
  plateau: PlateauState;
  /** Early stopping's count (absent in checkpoints from before it existed). */
  earlyStop?: EarlyStopState;
  /** The epoch the stage keeps so far (StageConfig.keep: the best on validation, or the last). */
  best: { epoch: number; val: Metrics; weights: WeightArrays } | null;
  /** The best validation metrics so far (absent in checkpoints from before `keep`: then best.val). */
  bestVal?: Metrics | null;
  /** Optimizer slots (e.g. Adam's moments and step count) in the optimizer's own order. */
  optimizer: { name: string; shape: number[]; data: Float32Array }[];
  /** Optimizer scalars that its getWeights leaves out (Adam's running β₁ᵗ and β₂ᵗ: setWeights recomputes them
   *  with pow, which differs from the product of the steps in the last bits); absent in older checkpoints. */
  optimizerScalars?: Record<string, number>;
  /** Stage time spent before the checkpoint, in ms. */
  elapsedMs: number;
}

export interface Checkpoint {
  version: number;
  /** Stages whose training and test rows are complete. */
  done: StageName[];
  /** Weights of every model built so far; for the stage in progress, its weights after `nextEpoch − 1`. */
  weights: Partial<Record<StageName, WeightArrays>>;
  progress: StageProgress | null;
  rows: GridRow[];
  history: EpochRecord[];
  stageMs: Partial<Record<StageName, number>>;
  stopped: Partial<Record<StageName, string>>;
}

/** Tensors of every weight, layer by layer (a frozen model orders weights differently at model level). */
export function layerwiseWeights(model: tf.LayersModel): tf.Tensor[] {
  return model.layers.flatMap((l) => l.getWeights());
}

export function setLayerwiseWeights(model: tf.LayersModel, weights: tf.Tensor[]): void {
  let k = 0;
  for (const l of model.layers) {
    const n = l.weights.length;
    if (n) l.setWeights(weights.slice(k, k + n));
    k += n;
  }
  if (k !== weights.length)
    throw new Error(`checkpoint: ${weights.length} weight arrays for a model with ${k} weights`);
}

export async function weightArrays(model: tf.LayersModel): Promise<WeightArrays> {
  return Promise.all(layerwiseWeights(model).map(async (w) => (await w.data()) as Float32Array));
}

/** Loads arrays into a model built from the same spec; shapes are checked one by one. */
export function loadWeightArrays(model: tf.LayersModel, arrays: WeightArrays): void {
  const shapes = model.layers.flatMap((l) => l.weights.map((w) => ({ name: w.name, shape: w.shape })));
  if (shapes.length !== arrays.length)
    throw new Error(`checkpoint: ${arrays.length} weight arrays for a model with ${shapes.length} weights`);
  const tensors = arrays.map((a, i) => {
    const size = (shapes[i].shape as number[]).reduce((x, y) => x * y, 1);
    if (a.length !== size)
      throw new Error(`checkpoint: weight ${shapes[i].name} has ${a.length} values, the model expects ${size}`);
    return tf.tensor(a, shapes[i].shape as number[]);
  });
  try {
    setLayerwiseWeights(model, tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** Throws with a clear message if a checkpoint cannot belong to this code. */
export function checkCheckpoint(cp: Checkpoint): void {
  if (cp.version !== CHECKPOINT_VERSION)
    throw new Error(`checkpoint version ${cp.version} is not supported (expected ${CHECKPOINT_VERSION})`);
  checkCheckpointShape(cp, (why) => new Error(`checkpoint: ${why}`));
  if (cp.progress && !cp.weights[cp.progress.stage])
    throw new Error(`checkpoint: stage ${cp.progress.stage} is in progress but has no weights`);
  for (const s of cp.done) if (!cp.weights[s]) throw new Error(`checkpoint: stage ${s} is done but has no weights`);
}

/** A model of `spec` holding `arrays` (a checkpoint's weights); disposed again if they do not fit it. */
export function modelFromWeights(spec: ModelSpec, arrays: WeightArrays): tf.LayersModel {
  const model = buildModel(spec);
  try {
    loadWeightArrays(model, arrays);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
