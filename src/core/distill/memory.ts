// Memory of a run, estimated from its model spec before anything is built or calibrated, so that a config
// that cannot fit is refused in words (with the figure and what would fit) instead of dying minutes later
// with "memory access out of bounds". wasm is the backend with a hard ceiling: a 32-bit address space,
// 4 GiB, for every model the run keeps, the trained one's gradients and Adam state, and the activations of
// a batch. (GPU backends' memory is not known to the page; the runner passes the machine's memory for
// tfjs's cpu backend.) Every stage is covered: the triplet stage puts 2 x its batch through the student.
import type { ExperimentConfig } from '../config/config';
import { modelFootprint } from '../models/activations';
import type { ModelSpec } from '../models/spec';
import { curriculumStages, stageConfig } from './schedule';

/** The wasm backend's address space. */
export const WASM_MEMORY_BYTES = 4 * 2 ** 30;
/** The most values one weight tensor may hold: a typed array (and a WebGL/WebGPU buffer) cannot hold more. */
export const MAX_TENSOR_VALUES = 2 ** 31 - 1;

/** Weights, their gradients, Adam's two moments and the best epoch's snapshot: 5 copies for the trained model. */
const TRAINED_WEIGHT_COPIES = 5;
/** Each activation of a training batch is kept for the backward pass, with its gradient and one temporary. */
const TRAIN_ACTIVATION_COPIES = 3;
/** Evaluation (and a frozen teacher's forward pass) keeps each layer's output until the batch ends. */
const FORWARD_ACTIVATION_COPIES = 1;

export interface StageMemory {
  stage: string;
  /** The setting that sets the batch (`teacher.batchSize`, ...) and its value. */
  setting: string;
  batchSize: number;
  /** Images one training step puts through the trained model per batch image (2 in the triplet stage). */
  perBatchImage: number;
  /** Every model alive during the stage, the trained one with its gradients, Adam state and snapshot. */
  weightBytes: number;
  /** Bytes per image of the stage's batch (its activations, and the teacher's forward pass in distillation). */
  bytesPerBatchImage: number;
  trainBytes: number;
  /** The validation pass at evalBatchSize, with the same models alive. */
  evalBytes: number;
}

export interface RunMemory {
  params: number;
  activationsPerImage: number;
  largestWeight: number;
  stages: StageMemory[];
  /** The largest of every stage's training and evaluation need. */
  peakBytes: number;
}

const SETTING: Record<string, string> = {
  teacher: 'teacher',
  student: 'student',
  studentOther: 'student',
  standard: 'standard',
  triplet: 'triplet',
  control: 'standard',
};

/** Every stage's memory for `cfg` with the model of `spec` (float32), from the layout alone. */
export function runMemory(cfg: ExperimentConfig, spec: ModelSpec): RunMemory {
  const { params, activationsPerImage, largestWeight } = modelFootprint(spec);
  const weight = 4 * params;
  const act = 4 * activationsPerImage;
  const stages = curriculumStages(cfg).map((s, i): StageMemory => {
    // Every earlier stage's model stays alive (the teacher frozen, the students for the grid).
    const weightBytes = (i + TRAINED_WEIGHT_COPIES) * weight;
    const perBatchImage = s === 'triplet' ? 2 : 1;
    const teacherForward = s === 'standard' || s === 'triplet' ? FORWARD_ACTIVATION_COPIES * act : 0;
    const bytesPerBatchImage = perBatchImage * TRAIN_ACTIVATION_COPIES * act + teacherForward;
    const batchSize = stageConfig(cfg, s).batchSize;
    return {
      stage: s,
      setting: `${SETTING[s]}.batchSize`,
      batchSize,
      perBatchImage,
      weightBytes,
      bytesPerBatchImage,
      trainBytes: weightBytes + batchSize * bytesPerBatchImage,
      evalBytes: weightBytes + cfg.evalBatchSize * FORWARD_ACTIVATION_COPIES * act,
    };
  });
  const peakBytes = Math.max(...stages.map((s) => Math.max(s.trainBytes, s.evalBytes)));
  return { params, activationsPerImage, largestWeight, stages, peakBytes };
}

const gb = (b: number) => `${(b / 2 ** 30).toFixed(1)} GB`;

/**
 * Why the run cannot train within `ceilingBytes` (the backend's memory; null: not known), or null when it
 * fits. The message gives the estimate, the ceiling and, for each batch setting too large, the largest
 * value that fits: a config changed to those values is accepted.
 */
export function memoryProblem(
  cfg: ExperimentConfig,
  spec: ModelSpec,
  backend: string,
  ceilingBytes: number | null,
): string | null {
  const m = runMemory(cfg, spec);
  const where = `${cfg.model.arch} at ${spec.inputShape.join('x')}`;
  if (m.largestWeight > MAX_TENSOR_VALUES) {
    return (
      `This config's model (${where}) has a layer with ${(m.largestWeight / 1e9).toFixed(1)} billion weights, more than ` +
      `one tensor can hold (${(MAX_TENSOR_VALUES / 1e9).toFixed(1)} billion) on any backend. Choose a smaller image size, width or embedding size.`
    );
  }
  if (ceilingBytes === null || m.peakBytes <= ceilingBytes) return null;
  const worst = m.stages.reduce((a, s) =>
    Math.max(s.trainBytes, s.evalBytes) > Math.max(a.trainBytes, a.evalBytes) ? s : a,
  );
  const what =
    worst.trainBytes >= worst.evalBytes
      ? `${worst.batchSize * worst.perBatchImage} images per training step in the ${worst.stage} stage`
      : `evaluation batches of ${cfg.evalBatchSize} images in the ${worst.stage} stage`;
  const head =
    `This config needs about ${gb(m.peakBytes)} (${where}, ${what}: activations ` +
    `${gb(Math.max(worst.trainBytes, worst.evalBytes) - worst.weightBytes)}, the run's models with the trained one's gradients, ` +
    `Adam state and best-epoch copy ${gb(worst.weightBytes)}), more than the ${gb(ceilingBytes)} the ${backend} backend can use.`;
  const advice = batchAdvice(m, ceilingBytes);
  return `${head} ${advice}`;
}

/** The largest value of each batch setting that fits, for those that do not; or that nothing fits. */
function batchAdvice(m: RunMemory, ceiling: number): string {
  const limits = new Map<string, number>();
  const lower = (setting: string, fits: number) => limits.set(setting, Math.min(limits.get(setting) ?? Infinity, fits));
  for (const s of m.stages) {
    const room = ceiling - s.weightBytes;
    if (room <= 0) return 'Even the weights do not fit: choose a smaller image size, width or architecture.';
    if (s.trainBytes > ceiling) lower(s.setting, Math.floor(room / s.bytesPerBatchImage));
    if (s.evalBytes > ceiling)
      lower('evalBatchSize', Math.floor(room / (FORWARD_ACTIVATION_COPIES * 4 * m.activationsPerImage)));
  }
  if ([...limits.values()].some((v) => v < 1)) {
    return 'Even one image per batch does not fit: choose a smaller image size, width or architecture.';
  }
  const parts = [...limits].map(([k, v]) => `${k} ${v} or fewer`);
  const triplet = limits.has('triplet.batchSize') ? ' (the triplet stage puts 2 x its batch through the student)' : '';
  return `It would fit with ${parts.join(', ')}${triplet}; or with a smaller image size or architecture.`;
}

/** A backend's out-of-memory failure, in words; null for any other error. */
export function outOfMemoryMessage(err: unknown, backend: string | null): string | null {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const oom =
    /memory access out of bounds|out of memory|Cannot allocate|Array buffer allocation failed|Aborted\(OOM\)|could not allocate/i;
  if (!oom.test(text) && !/Invalid (typed )?array (buffer )?length|WebAssembly\.Memory.*grow/i.test(text)) return null;
  return (
    `it ran out of memory on ${backend ?? 'this backend'}${backend === 'wasm' ? ` (wasm can address ${gb(WASM_MEMORY_BYTES)} in all)` : ''}: ` +
    'try a smaller batch, image size or architecture'
  );
}

/** The memory a backend can use, when known: wasm's address space; the machine's (`machineBytes`) for cpu. */
export function memoryCeiling(backend: string, machineBytes: number | null = null): number | null {
  if (backend === 'wasm') return WASM_MEMORY_BYTES;
  if (backend === 'cpu') return machineBytes;
  return null;
}

/** The run was refused before training: it would not fit in the backend's memory. */
export class MemoryLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryLimitError';
  }
}

/** Throws a MemoryLimitError when `cfg` cannot fit (see memoryProblem). */
export function checkMemory(
  cfg: ExperimentConfig,
  spec: ModelSpec,
  backend: string,
  ceilingBytes: number | null,
): void {
  const problem = memoryProblem(cfg, spec, backend, ceilingBytes);
  if (problem) throw new MemoryLimitError(problem);
}
