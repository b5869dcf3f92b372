// What every stage of the curriculum shares: the config, the data, the task head and model spec, the
// history, rows and models so far, and the small helpers a training step needs (batches as tensors,
// optimizers, scores, the evaluation of a grid row, a resumable snapshot). No training loop here.
import * as tf from '@tensorflow/tfjs';
import { STAGE_LABEL, type ExperimentConfig, type StageConfig, type StageName } from '../config/config';
import { AGE_SCALE, fillImages, fillTargets, taskHead, requireLabels, type TaskHead } from '../data';
import { hash32 } from '../hash';
import type { ImageSet, Visibility } from '../data/types';
import type { CurriculumEvent, EpochRecord, GridRow, LossComponents } from '../events';
import type { ModelSpec } from '../models';
import { CHECKPOINT_VERSION, weightArrays, type Checkpoint, type StageProgress } from './checkpoint';
import { evaluateModel } from './evaluate';

export interface CurriculumData {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
}

export const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function abortError(): Error {
  const e = new Error('The run was cancelled.');
  e.name = 'AbortError';
  return e;
}

/** One training step: runs the optimizer once and returns a kept [4] tensor
 *  [total, task, extra term, correct count (classification) or summed |error| in years (age)]. */
export type StepFn = (batch: Int32Array, opt: tf.Optimizer) => tf.Tensor1D;

export interface StageRun {
  stage: StageName;
  model: tf.LayersModel;
  cfg: StageConfig;
  /** What the student sees in training and validation. */
  visibility: Visibility;
  extraTerm: 'kd' | 'hint' | 'triplet' | null;
  makeStep: (model: tf.LayersModel) => StepFn;
  /** Per-epoch preparation (mining); returns its time in ms. */
  beforeEpoch?: (epoch: number) => Promise<number>;
  afterStage?: () => void;
  /** Continue this stage from a checkpoint instead of starting it. */
  resume?: StageProgress;
}

/** What runs the context needs from the caller (a subset of CurriculumHooks). */
export interface ContextHooks {
  emit: (e: CurriculumEvent) => void;
  signal?: AbortSignal;
  pauseGate?: () => Promise<void>;
}

export class StageContext {
  readonly head: TaskHead;
  readonly spec: ModelSpec;
  readonly history: EpochRecord[] = [];
  readonly stopped: Partial<Record<StageName, string>> = {};
  readonly models: Partial<Record<StageName, tf.LayersModel>> = {};
  readonly rows: GridRow[] = [];
  readonly done: StageName[] = [];
  readonly stageMs: Partial<Record<StageName, number>> = {};
  readonly imgLen: number;
  /** The teacher's training split: always the whole one. `data.train` becomes the student's budget
   *  subset once the teacher is done (docs/method.md#extension-the-students-data-budget); without a budget the two are one. */
  readonly teacherTrain: ImageSet;

  constructor(
    readonly cfg: ExperimentConfig,
    public data: CurriculumData,
    readonly hooks: ContextHooks,
  ) {
    this.teacherTrain = data.train;
    for (const [name, set] of Object.entries(data)) requireLabels(set as ImageSet, cfg.task, `${name} split`);
    const t = data.train;
    for (const [name, set] of Object.entries(data) as [string, ImageSet][]) {
      if (set.height !== t.height || set.width !== t.width || set.channels !== t.channels) {
        throw new Error(
          `The ${name} split has images of ${set.height}x${set.width}x${set.channels}, the training split ${t.height}x${t.width}x${t.channels}.`,
        );
      }
    }
    this.head = taskHead(cfg.task, t);
    this.imgLen = t.height * t.width * t.channels;
    this.spec = modelSpecFor(cfg, t);
  }

  emit(e: CurriculumEvent): void {
    this.hooks.emit(e);
  }

  async checkpointGate(): Promise<void> {
    if (this.hooks.signal?.aborted) throw abortError();
    if (this.hooks.pauseGate) await this.hooks.pauseGate();
    if (this.hooks.signal?.aborted) throw abortError();
  }

  images(set: ImageSet, idx: ArrayLike<number>, vis: Visibility, buf: Float32Array): tf.Tensor4D {
    fillImages(set, idx, vis, buf);
    return tf.tensor4d(buf.subarray(0, idx.length * this.imgLen), [idx.length, set.height, set.width, set.channels]);
  }

  targets(idx: ArrayLike<number>, buf: Float32Array): tf.Tensor1D {
    fillTargets(this.data.train, this.cfg.task, idx, buf);
    return tf.tensor1d(buf.subarray(0, idx.length), this.head.kind === 'classification' ? 'int32' : 'float32');
  }

  /** [correct count] or [sum |error| in years] of a batch's outputs (no gradient needed). */
  batchScore(out: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
    return this.head.kind === 'classification'
      ? tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), tf.cast(y, 'int32')), 'float32'))
      : tf.mul(tf.sum(tf.abs(tf.sub(tf.reshape(out, [-1]), y))), AGE_SCALE);
  }

  makeOptimizer(c: StageConfig): tf.Optimizer {
    return c.optimizer === 'adam' ? tf.train.adam(c.learningRate) : tf.train.momentum(c.learningRate, c.momentum);
  }

  setLearningRate(opt: tf.Optimizer, lr: number): void {
    // tfjs optimizers answer `instanceof` by duck typing, so test for the method itself: SGD and momentum
    // rebuild their learning-rate scalar in setLearningRate; Adam reads the field on every step.
    const o = opt as unknown as { setLearningRate?: (x: number) => void; learningRate: number };
    if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
    else o.learningRate = lr;
  }

  /** A resumable snapshot of the whole run: every model's weights, the rows and history so far. */
  async checkpoint(progress: StageProgress | null): Promise<Checkpoint> {
    const weights: Partial<Record<StageName, Float32Array[]>> = {};
    for (const [s, m] of Object.entries(this.models) as [StageName, tf.LayersModel][])
      weights[s] = await weightArrays(m);
    return {
      version: CHECKPOINT_VERSION,
      done: [...this.done],
      weights,
      progress,
      rows: [...this.rows],
      history: [...this.history],
      stageMs: { ...this.stageMs },
      stopped: { ...this.stopped },
    };
  }

  components(v: ArrayLike<number>, extra: StageRun['extraTerm']): LossComponents {
    const c: LossComponents = { total: v[0], task: v[1] };
    if (extra) c[extra] = v[2];
    return c;
  }

  maxBatch(): number {
    const c = this.cfg;
    return Math.max(c.teacher.batchSize, c.student.batchSize, c.standard.batchSize, c.triplet.batchSize);
  }

  async evaluateRow(stage: StageName, model: tf.LayersModel, train: string, test: Visibility): Promise<GridRow> {
    const ev = await evaluateModel(model, this.data.test, test, this.cfg.task, this.head, this.cfg.evalBatchSize);
    const row: GridRow = {
      model: stage,
      label: STAGE_LABEL[stage],
      train,
      test,
      metrics: ev.metrics,
      predictions: Array.from(ev.predictions),
    };
    this.emit({ type: 'result', row });
    return row;
  }
}

/** The model every stage of a run builds (one architecture; weights from a checkpoint fit it). */
export function modelSpecFor(cfg: ExperimentConfig, train: ImageSet): ModelSpec {
  return specOf(
    cfg.model,
    [train.height, train.width, train.channels],
    taskHead(cfg.task, train).units,
    hash32(cfg.seed, 0x30de1),
  );
}

/** The ModelSpec of a config's model block at an input shape (configs saved before `custom` and `init`
 *  existed lack them: no custom layers, He initialisation). */
export function specOf(
  m: ExperimentConfig['model'],
  inputShape: [number, number, number],
  outputUnits: number,
  seed: number,
): ModelSpec {
  return {
    arch: m.arch,
    inputShape,
    outputUnits,
    width: m.width,
    ...(m.embeddingSize !== null ? { embeddingSize: m.embeddingSize } : {}),
    ...(m.dropout !== null ? { dropout: m.dropout } : {}),
    ...(m.arch === 'custom' && m.custom ? { custom: m.custom } : {}),
    ...(m.init && m.init !== 'he' ? { init: m.init } : {}),
    seed,
  };
}
