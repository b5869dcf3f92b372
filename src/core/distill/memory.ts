// Memory of a training step, estimated before training starts, so that a config that cannot fit is
// refused in words (with the figure and what would fit) instead of dying minutes later with "memory
// access out of bounds". wasm is the backend with a hard ceiling: a 32-bit address space, 4 GiB, for the
// weights, the optimizer's state and every activation of the batch. (GPU backends' memory is not known
// to the page, and Node's cpu backend uses the machine's: neither is refused.)
import type * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../config/config';
import { curriculumStages, stageConfig } from './schedule';

/** The wasm backend's address space. */
export const WASM_MEMORY_BYTES = 4 * 2 ** 30;

export interface TrainingMemory {
  /** Trainable and other weights, in values. */
  params: number;
  /** Output values of all layers for one image (what the backward pass keeps). */
  activationsPerImage: number;
  /** Weights, their gradients and Adam's two moments: 4 copies. */
  weightBytes: number;
  /** The batch's activations, each kept, its gradient and one temporary: 3 copies. */
  activationBytes: number;
  totalBytes: number;
}

const WEIGHT_COPIES = 4;
const ACTIVATION_COPIES = 3;

const values = (shape: (number | null)[]): number => shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);

/** A training step's memory for `model` at `batch` images (float32). */
export function trainingMemory(model: tf.LayersModel, batch: number): TrainingMemory {
  let activationsPerImage = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as (number | null)[] | (number | null)[][];
    const shapes = Array.isArray(out[0]) ? (out as (number | null)[][]) : [out as (number | null)[]];
    for (const s of shapes) activationsPerImage += values(s);
  }
  const params = model.countParams();
  const weightBytes = WEIGHT_COPIES * 4 * params;
  const activationBytes = ACTIVATION_COPIES * 4 * activationsPerImage * batch;
  return { params, activationsPerImage, weightBytes, activationBytes, totalBytes: weightBytes + activationBytes };
}

/** The largest batch one training step of the run puts through the model: the triplet stage sends its
 *  anchors and their negatives together (2 x its batch). */
export function largestTrainingBatch(cfg: ExperimentConfig): { batch: number; stage: string } {
  const stages = curriculumStages(cfg);
  let best = { batch: 0, stage: 'teacher' };
  for (const s of stages) {
    const b = (s === 'triplet' ? 2 : 1) * stageConfig(cfg, s).batchSize;
    if (b > best.batch) best = { batch: b, stage: s };
  }
  return best;
}

const gb = (b: number) => `${(b / 2 ** 30).toFixed(1)} GB`;

/**
 * Why the run cannot train on `backend` for lack of memory, or null when it fits (or the backend has no
 * known ceiling). The message gives the estimate, the ceiling and the largest batch that would fit.
 */
export function memoryProblem(model: tf.LayersModel, cfg: ExperimentConfig, backend: string): string | null {
  if (backend !== 'wasm') return null;
  const { batch, stage } = largestTrainingBatch(cfg);
  const m = trainingMemory(model, batch);
  if (m.totalBytes <= WASM_MEMORY_BYTES) return null;
  const perImage = ACTIVATION_COPIES * 4 * m.activationsPerImage;
  const fits = Math.floor((WASM_MEMORY_BYTES - m.weightBytes) / perImage);
  const input = ` at ${model.inputs[0].shape.slice(1).join('x')}`;
  const advice = fits >= 1
    ? `a batch of ${fits} or fewer would fit${stage === 'triplet' ? ' (the triplet stage puts 2 x its batch through the student)' : ''}; or a smaller image size or architecture`
    : 'even one image does not fit: choose a smaller image size or architecture';
  return `This config needs about ${gb(m.totalBytes)} for one training step (${cfg.model.arch}${input}, ${batch} images in the ${stage} stage: ` +
    `activations ${gb(m.activationBytes)}, weights with their gradients and Adam's state ${gb(m.weightBytes)}), ` +
    `more than the ${gb(WASM_MEMORY_BYTES)} the wasm backend can address. ${advice[0].toUpperCase()}${advice.slice(1)}.`;
}

/** A backend's out-of-memory failure, in words; null for any other error. */
export function outOfMemoryMessage(err: unknown, backend: string | null): string | null {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (!/memory access out of bounds|out of memory|Cannot allocate|Array buffer allocation failed|Aborted\(OOM\)|could not allocate/i.test(text)) return null;
  return `it ran out of memory on ${backend ?? 'this backend'}${backend === 'wasm' ? ` (wasm can address ${gb(WASM_MEMORY_BYTES)} in all)` : ''}: ` +
    'try a smaller batch, image size or architecture';
}

/** The run was refused before training: it would not fit in the backend's memory. */
export class MemoryLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryLimitError';
  }
}
