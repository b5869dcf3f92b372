// The curriculum of METHOD.md: teacher on full faces → student (a copy of the teacher fine-tuned on the
// scenario's half faces) → standard T-S and triplet T-S, each from that student with the teacher frozen
// and fed the full image → the same-budget control → the evaluation grid. It only emits events.
import * as tf from '@tensorflow/tfjs';
import { STAGE_LABEL, type ExperimentConfig, type StageConfig, type StageName } from '../config/config';

export { STAGE_LABEL };
import { AGE_SCALE, fillImages, fillTargets, labelsOf, permutation, taskHead, trainingBatches, requireLabels, type TaskHead } from '../data';
import { createRng, hashSeed } from '../data/random';
import type { ImageSet, Visibility } from '../data/types';
import { VISIBILITY_SYMBOL } from '../data/types';
import type { CurriculumEvent, EpochRecord, GridRow, LossComponents } from '../events';
import { hintLoss, kdLoss, taskLoss, tripletLoss } from '../losses';
import { isBetter, primaryMetric, type Metrics } from '../metrics';
import { buildModel, copyModel, copyWeightsInto, withEmbedding, type ModelSpec } from '../models';
import { checkCheckpoint, CHECKPOINT_VERSION, layerwiseWeights, loadWeightArrays, setLayerwiseWeights, weightArrays, type Checkpoint, type StageProgress } from './checkpoint';
import { embedImages, evaluateModel } from './evaluate';
import { mineHardTriplets } from './mining';
import { drawMiningPools } from './pool';
import { controlEpochs, curriculumStages, initialPlateau, plateauStep, standardKind } from './schedule';
import { ensembleRows } from '../ensemble/stage';
import { withRowStats } from './rowStats';

export interface CurriculumData {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
}

export interface CurriculumHooks {
  emit: (e: CurriculumEvent) => void;
  /** Cancels the run between batches; models built so far are disposed. */
  signal?: AbortSignal;
  /** Awaited between batches: resolves immediately unless the user paused. */
  pauseGate?: () => Promise<void>;
  /** Name of the active tfjs backend, reported in runStart. */
  backend?: string;
  /** Called when a stage has built its model, before training (inspection, tests). */
  onModel?: (stage: StageName, model: tf.LayersModel) => void;
  /** Called and awaited after every epoch and at the end of every stage with a resumable snapshot. */
  onCheckpoint?: (cp: Checkpoint) => void | Promise<void>;
  /** Weights the teacher starts from (an imported model of the same architecture); the caller owns it. */
  initialTeacher?: tf.LayersModel;
}


export interface CurriculumResult {
  rows: GridRow[];
  history: EpochRecord[];
  /** Trained models by stage; the caller owns them (dispose with disposeModels). */
  models: Partial<Record<StageName, tf.LayersModel>>;
  stageMs: Partial<Record<StageName, number>>;
  /** Stages stopped before their last epoch, with the reason. */
  stopped: Partial<Record<StageName, string>>;
}

export function disposeModels(models: Partial<Record<StageName, tf.LayersModel>>): void {
  for (const m of Object.values(models)) m?.dispose();
}


/** Distinct seed streams per stage for shuffling. */
const STAGE_SEED: Record<StageName, number> = { teacher: 11, student: 12, studentOther: 13, standard: 14, triplet: 15, control: 16 };

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function abortError(): Error {
  const e = new Error('The run was cancelled.');
  e.name = 'AbortError';
  return e;
}

/** One training step: runs the optimizer once and returns a kept [4] tensor
 *  [total, task, extra term, correct count (classification) or summed |error| in years (age)]. */
type StepFn = (batch: Int32Array, opt: tf.Optimizer) => tf.Tensor1D;

interface StageRun {
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

class Curriculum {
  readonly head: TaskHead;
  readonly spec: ModelSpec;
  readonly history: EpochRecord[] = [];
  readonly stopped: Partial<Record<StageName, string>> = {};
  readonly models: Partial<Record<StageName, tf.LayersModel>> = {};
  readonly rows: GridRow[] = [];
  readonly done: StageName[] = [];
  readonly stageMs: Partial<Record<StageName, number>> = {};
  private readonly imgLen: number;

  constructor(readonly cfg: ExperimentConfig, readonly data: CurriculumData, readonly hooks: CurriculumHooks) {
    for (const [name, set] of Object.entries(data)) requireLabels(set as ImageSet, cfg.task, `${name} split`);
    const t = data.train;
    for (const [name, set] of Object.entries(data) as [string, ImageSet][]) {
      if (set.height !== t.height || set.width !== t.width || set.channels !== t.channels) {
        throw new Error(`The ${name} split has images of ${set.height}x${set.width}x${set.channels}, the training split ${t.height}x${t.width}x${t.channels}.`);
      }
    }
    this.head = taskHead(cfg.task, t);
    this.imgLen = t.height * t.width * t.channels;
    this.spec = {
      arch: cfg.model.arch,
      inputShape: [t.height, t.width, t.channels],
      outputUnits: this.head.units,
      width: cfg.model.width,
      ...(cfg.model.embeddingSize !== null ? { embeddingSize: cfg.model.embeddingSize } : {}),
      ...(cfg.model.dropout !== null ? { dropout: cfg.model.dropout } : {}),
      seed: hashSeed(cfg.seed, 0x30de1),
    };
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

  /** The generic epoch loop: shuffles, steps, validates, keeps the best epoch, reduces the rate. */
  async trainStage(run: StageRun): Promise<number> {
    const { stage, model, cfg } = run;
    const train = this.data.train;
    const batchesPerEpoch = Math.floor(train.count / cfg.batchSize);
    if (batchesPerEpoch === 0) throw new Error(`${stage}.batchSize (${cfg.batchSize}) is larger than the training split (${train.count} images).`);
    this.emit({ type: 'stageStart', stage, label: STAGE_LABEL[stage], epochs: cfg.epochs, stepsPerEpoch: batchesPerEpoch, visibility: run.visibility });
    const r = run.resume;
    const t0 = now() - (r?.elapsedMs ?? 0);
    const opt = this.makeOptimizer(cfg);
    const step = run.makeStep(model);
    let plateau = r ? { ...r.plateau } : initialPlateau(cfg);
    let best: { epoch: number; val: Metrics; weights: tf.Tensor[] } | null = null;
    let stoppedEarly: string | null = null;
    try {
      if (r) {
        if (r.best) {
          const shapes = layerwiseWeights(model).map((w) => w.shape);
          best = { epoch: r.best.epoch, val: r.best.val, weights: r.best.weights.map((a, i) => tf.tensor(a, shapes[i])) };
        }
        if (r.optimizer.length) {
          const named = r.optimizer.map((o) => ({ name: o.name, tensor: tf.tensor(o.data, o.shape, o.data instanceof Int32Array ? 'int32' : 'float32') }));
          await opt.setWeights(named);
          tf.dispose(named.map((n) => n.tensor));
        }
        this.setLearningRate(opt, plateau.learningRate);
      }
      for (let epoch = r?.nextEpoch ?? 0; epoch < cfg.epochs && !stoppedEarly; epoch++) {
        await this.checkpointGate();
        const miningMs = run.beforeEpoch ? await run.beforeEpoch(epoch) : 0;
        const order = permutation(train.count, createRng(hashSeed(this.cfg.seed, STAGE_SEED[stage], epoch)));
        const sums = new Float64Array(4);
        let seen = 0;
        let steps = 0;
        const e0 = now();
        let last = e0;
        let rate = 0;
        for (const batch of trainingBatches(order, cfg.batchSize)) {
          await this.checkpointGate();
          reseedDropout(model, hashSeed(this.cfg.seed, STAGE_SEED[stage], epoch, steps));
          const comps = step(batch, opt);
          const v = await comps.data();
          comps.dispose();
          if (!Number.isFinite(v[0])) {
            stoppedEarly = `the loss became ${v[0]} at epoch ${epoch + 1}, step ${steps + 1}; kept the best epoch so far. Try a lower learning rate.`;
            this.emit({ type: 'log', level: 'error', message: `${STAGE_LABEL[stage]}: ${stoppedEarly}` });
            break;
          }
          for (let i = 0; i < 4; i++) sums[i] += i < 3 ? v[i] * batch.length : v[i];
          seen += batch.length;
          steps++;
          const t = now();
          const inst = (batch.length * 1000) / Math.max(1e-3, t - last);
          rate = rate === 0 ? inst : 0.8 * rate + 0.2 * inst;
          last = t;
          this.emit({ type: 'batchEnd', stage, epoch, step: steps, stepsPerEpoch: batchesPerEpoch, losses: this.components(v, run.extraTerm), imagesPerSec: rate });
        }
        // After a NaN the weights may hold NaN: this epoch is not a candidate for the best.
        if (stoppedEarly) break;
        const trainMs = now() - e0;
        const val = (await evaluateModel(model, this.data.val, run.visibility, this.cfg.task, this.head, this.cfg.evalBatchSize)).metrics;
        const trainMetrics: Metrics = { count: seen, loss: sums[0] / Math.max(1, seen) };
        if (this.head.kind === 'classification') trainMetrics.accuracy = sums[3] / Math.max(1, seen);
        else trainMetrics.mae = sums[3] / Math.max(1, seen);
        const improved = isBetter(val, best?.val ?? null);
        if (improved) {
          if (best) tf.dispose(best.weights);
          best = { epoch, val, weights: layerwiseWeights(model).map((w) => tf.clone(w)) };
        }
        const record: EpochRecord = {
          stage, epoch, train: trainMetrics, val, learningRate: plateau.learningRate,
          losses: this.components(Array.from(sums).map((s, i) => (i < 3 ? s / Math.max(1, seen) : s)), run.extraTerm),
          trainMs, miningMs, imagesPerSec: (seen * 1000) / Math.max(1, trainMs), best: improved,
        };
        this.history.push(record);
        this.emit({ type: 'epochEnd', record });
        const pm = primaryMetric(val);
        plateau = plateauStep(plateau, pm.value, pm.higherIsBetter, cfg);
        this.setLearningRate(opt, plateau.learningRate);
        if (this.hooks.onCheckpoint && epoch + 1 < cfg.epochs) {
          await this.hooks.onCheckpoint(await this.checkpoint({
            stage, nextEpoch: epoch + 1, plateau: { ...plateau },
            best: best ? { epoch: best.epoch, val: best.val, weights: await Promise.all(best.weights.map(async (w) => (await w.data()) as Float32Array)) } : null,
            optimizer: await optimizerState(opt),
            elapsedMs: now() - t0,
          }));
        }
      }
      if (stoppedEarly && !best) {
        throw new Error(`${STAGE_LABEL[stage]}: ${stoppedEarly.replace('; kept the best epoch so far', '')} No epoch finished before that, so there is no checkpoint to keep.`);
      }
      if (best) setLayerwiseWeights(model, best.weights);
    } finally {
      if (best) tf.dispose(best.weights);
      opt.dispose();
      run.afterStage?.();
    }
    // Emitted after the clean-up, so a listener sees exactly the tensors the stage leaves behind.
    if (stoppedEarly) this.stopped[stage] = stoppedEarly;
    const ms = now() - t0;
    this.emit({ type: 'stageEnd', stage, bestEpoch: best ? (best as { epoch: number }).epoch : -1, ms, stoppedEarly });
    return ms;
  }

  /** A resumable snapshot of the whole run: every model's weights, the rows and history so far. */
  async checkpoint(progress: StageProgress | null): Promise<Checkpoint> {
    const weights: Partial<Record<StageName, Float32Array[]>> = {};
    for (const [s, m] of Object.entries(this.models) as [StageName, tf.LayersModel][]) weights[s] = await weightArrays(m);
    return {
      version: CHECKPOINT_VERSION, done: [...this.done], weights, progress,
      rows: [...this.rows], history: [...this.history], stageMs: { ...this.stageMs }, stopped: { ...this.stopped },
    };
  }

  components(v: ArrayLike<number>, extra: StageRun['extraTerm']): LossComponents {
    const c: LossComponents = { total: v[0], task: v[1] };
    if (extra) c[extra] = v[2];
    return c;
  }

  /** Task loss only (teacher, students, control). */
  taskStep(visibility: Visibility): (m: tf.LayersModel) => StepFn {
    const xBuf = new Float32Array(this.maxBatch() * this.imgLen);
    const yBuf = new Float32Array(this.maxBatch());
    return (model) => (batch, opt) => {
      const x = this.images(this.data.train, batch, visibility, xBuf);
      const y = this.targets(batch, yBuf);
      let comps: tf.Tensor1D | null = null;
      opt.minimize(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor2D;
        const loss = taskLoss(this.head.kind, out, y);
        comps = tf.keep(tf.stack([loss, loss, tf.scalar(0), this.batchScore(out, y)]) as tf.Tensor1D);
        return loss;
      }, false, trainableVariables(model));
      tf.dispose([x, y]);
      return comps!;
    };
  }

  /** Standard T-S (METHOD.md §3a): teacher on the full image, student on the occluded one. */
  standardStep(teacher: tf.LayersModel, kind: 'kd' | 'hint'): (m: tf.LayersModel) => StepFn {
    const vis = this.cfg.scenario;
    const xFull = new Float32Array(this.maxBatch() * this.imgLen);
    const xOcc = new Float32Array(this.maxBatch() * this.imgLen);
    const yBuf = new Float32Array(this.maxBatch());
    const teacherTwo = withEmbedding(teacher);
    const s = this.cfg.standard;
    return (student) => {
      const studentTwo = withEmbedding(student);
      return (batch, opt) => {
        const xf = this.images(this.data.train, batch, 'full', xFull);
        const xo = this.images(this.data.train, batch, vis, xOcc);
        const y = this.targets(batch, yBuf);
        // The teacher runs outside minimize: its outputs are constants of the student's loss.
        const [eT, zT] = tf.tidy(() => teacherTwo.apply(xf, { training: false }) as tf.Tensor2D[]);
        let comps: tf.Tensor1D | null = null;
        opt.minimize(() => {
          const [eS, zS] = studentTwo.apply(xo, { training: true }) as tf.Tensor2D[];
          let total: tf.Scalar, task: tf.Scalar, term: tf.Scalar;
          if (kind === 'kd') {
            const r = kdLoss(zS, zT, y, { lambda: s.lambda, temperature: s.temperature, scaleByTemperatureSquared: s.scaleByTemperatureSquared });
            total = r.total; task = r.hard; term = r.soft;
          } else {
            task = taskLoss(this.head.kind, zS, y);
            term = hintLoss(eS, eT);
            total = tf.add(tf.mul(task, 1 - s.lambda), tf.mul(term, s.lambda));
          }
          comps = tf.keep(tf.stack([total, task, term, this.batchScore(zS, y)]) as tf.Tensor1D);
          return total;
        }, false, trainableVariables(student));
        tf.dispose([xf, xo, y, eT, zT]);
        return comps!;
      };
    };
  }

  /** Triplet T-S (METHOD.md §3b) with offline mining once per epoch. */
  tripletRun(teacher: tf.LayersModel, student: tf.LayersModel): StageRun {
    const cfg = this.cfg;
    const t = cfg.triplet;
    const vis = cfg.scenario;
    const train = this.data.train;
    const B = t.batchSize;
    const teacherTwo = withEmbedding(teacher);
    const studentTwo = withEmbedding(student);
    const labels = labelsOf(train, cfg.task);
    const rule = this.head.kind === 'classification' ? { kind: 'class' as const } : { kind: 'age' as const, thresholdYears: t.ageThreshold };
    let mined: { posEmb: tf.Tensor2D; negIdx: Int32Array; valid: Uint8Array } | null = null;
    const release = () => { if (mined) { mined.posEmb.dispose(); mined = null; } };
    const xBuf = new Float32Array(2 * B * this.imgLen);
    const yBuf = new Float32Array(B);
    return {
      stage: 'triplet', model: student, cfg: t, visibility: vis, extraTerm: 'triplet',
      beforeEpoch: async (epoch) => {
        const t0 = now();
        release();
        const pools = drawMiningPools(this.head.kind === 'classification' ? labels : null, this.head.units, train.count, t.subsetPercent, cfg.seed, epoch);
        const all = new Int32Array(train.count).map((_, i) => i);
        const posEmb = await embedImages(teacherTwo, train, pools.positives, 'full', cfg.evalBatchSize);
        const negEmb = await embedImages(studentTwo, train, pools.negatives, vis, cfg.evalBatchSize);
        const anchorEmb = await embedImages(studentTwo, train, all, vis, cfg.evalBatchSize);
        const pick = (idx: Int32Array) => Float32Array.from(idx, (i) => labels[i]);
        let m;
        try {
          m = await mineHardTriplets({
            anchorEmb, anchorLabels: labels, positiveEmb: posEmb, positiveLabels: pick(pools.positives),
            negativeEmb: negEmb, negativeLabels: pick(pools.negatives), rule,
          });
        } finally {
          tf.dispose([negEmb, anchorEmb]);
        }
        // Per anchor: the teacher embedding of its positive (a constant) and the train index of its negative.
        const posRows = Int32Array.from(m.positive, (p) => Math.max(0, p));
        const gathered = tf.tidy(() => tf.gather(posEmb, posRows)) as tf.Tensor2D;
        posEmb.dispose();
        mined = {
          posEmb: gathered,
          negIdx: Int32Array.from(m.negative, (n) => (n >= 0 ? pools.negatives[n] : 0)),
          valid: m.valid,
        };
        let validCount = 0;
        for (const v of m.valid) validCount += v;
        const ms = now() - t0;
        this.emit({ type: 'mining', stage: 'triplet', epoch, ms, anchors: train.count, positives: pools.positives.length, negatives: pools.negatives.length, validTriplets: validCount });
        return ms;
      },
      afterStage: release,
      makeStep: () => (batch, opt) => {
        const mm = mined!;
        const negatives = Int32Array.from(batch, (a) => mm.negIdx[a]);
        const both = new Int32Array(2 * B);
        both.set(batch, 0);
        both.set(negatives, B);
        // Anchors and negatives go through the student as ONE batch so BatchNorm sees one set of
        // statistics and updates its moving averages once per step (PLATFORM.md).
        const x = this.images(train, both, vis, xBuf);
        const y = this.targets(batch, yBuf);
        const w = tf.tensor1d(Float32Array.from(batch, (a) => mm.valid[a]));
        const pos = tf.tidy(() => tf.gather(mm.posEmb, batch));
        let comps: tf.Tensor1D | null = null;
        opt.minimize(() => {
          const [e, z] = studentTwo.apply(x, { training: true }) as tf.Tensor2D[];
          const eA = tf.slice(e, [0, 0], [B, -1]);
          const eN = tf.slice(e, [B, 0], [B, -1]);
          const zA = tf.slice(z, [0, 0], [B, -1]);
          const task = taskLoss(this.head.kind, zA, y);
          const trip = tripletLoss(eA, pos, eN, t.margin, w);
          const total = tf.add(tf.mul(task, 1 - t.lambda), tf.mul(trip, t.lambda)) as tf.Scalar;
          comps = tf.keep(tf.stack([total, task, trip, this.batchScore(zA, y)]) as tf.Tensor1D);
          return total;
        }, false, trainableVariables(student));
        tf.dispose([x, y, w, pos]);
        return comps!;
      },
    };
  }

  maxBatch(): number {
    const c = this.cfg;
    return Math.max(c.teacher.batchSize, c.student.batchSize, c.standard.batchSize, c.triplet.batchSize);
  }

  async evaluateRow(stage: StageName, model: tf.LayersModel, train: string, test: Visibility): Promise<GridRow> {
    const ev = await evaluateModel(model, this.data.test, test, this.cfg.task, this.head, this.cfg.evalBatchSize);
    const row: GridRow = { model: stage, label: STAGE_LABEL[stage], train, test, metrics: ev.metrics, predictions: Array.from(ev.predictions) };
    this.emit({ type: 'result', row });
    return row;
  }
}

/** Optimizer slots as plain arrays (Adam: step count, first and second moments). */
async function optimizerState(opt: tf.Optimizer): Promise<StageProgress['optimizer']> {
  const named = await opt.getWeights();
  const out = await Promise.all(named.map(async (n) => ({ name: n.name, shape: n.tensor.shape, data: (await n.tensor.data()) as Float32Array })));
  // getWeights returns the live slot variables plus a fresh scalar for the step count: free only that one.
  tf.dispose(named.filter((n) => !(n.tensor instanceof tf.Variable)).map((n) => n.tensor));
  return out;
}

/** tfjs Dropout draws its mask from `layer.seed` when set (the same mask every step) or from Math.random
 *  (not reproducible). A fresh seed per step from the run's seed gives both variety and reproducibility. */
export function reseedDropout(model: tf.LayersModel, seed: number): void {
  model.layers.forEach((l, i) => {
    if (l.getClassName() === 'Dropout') (l as unknown as { seed: number }).seed = hashSeed(seed, i);
  });
}

/** Trainable variables of one model only: passing them to minimize keeps every other model (the
 *  teacher above all) out of the update, whatever else ran inside the loss (PLATFORM.md). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function otherHalf(v: Exclude<Visibility, 'full'>): Exclude<Visibility, 'full'> {
  return v === 'lower' ? 'upper' : 'lower';
}

/** Display form of a training visibility, e.g. `full+lower` for a distilled student. */
export function trainLabel(v: string): string {
  return v.split('+').map((p) => `${VISIBILITY_SYMBOL[p as Visibility] ?? p} ${p}`).join(' + ');
}

/** Runs the whole curriculum, or continues it from a checkpoint. On cancel or error every model it
 *  built is disposed before it throws. */
export async function runCurriculum(
  cfg: ExperimentConfig, data: CurriculumData, hooks: CurriculumHooks, resumeFrom?: Checkpoint,
): Promise<CurriculumResult> {
  const c = new Curriculum(cfg, data, hooks);
  const cp = resumeFrom ?? null;
  if (cp) {
    checkCheckpoint(cp);
    c.rows.push(...cp.rows);
    c.history.push(...cp.history);
    c.done.push(...cp.done);
    Object.assign(c.stageMs, cp.stageMs);
    Object.assign(c.stopped, cp.stopped);
  }
  const stages = curriculumStages(cfg);
  const t0 = now();
  const scen = cfg.scenario;
  c.emit({
    type: 'runStart', config: cfg, backend: hooks.backend ?? tf.getBackend(), stages,
    ...(cp ? { resumedFrom: cp.progress ? { stage: cp.progress.stage, epoch: cp.progress.nextEpoch } : { stage: cp.done[cp.done.length - 1] ?? 'teacher', epoch: -1 } } : {}),
  });

  /** Builds (or restores) a stage's model, trains it unless the checkpoint says it is done, adds its rows. */
  const stage = async (
    name: StageName, make: () => tf.LayersModel, run: (m: tf.LayersModel) => StageRun, tests: [string, Visibility][],
  ): Promise<tf.LayersModel> => {
    const saved = cp?.weights[name];
    let model: tf.LayersModel;
    if (saved && (cp!.done.includes(name) || cp!.progress?.stage === name)) {
      model = buildModel(c.spec);
      c.models[name] = model;
      loadWeightArrays(model, saved);
    } else {
      model = make();
      c.models[name] = model;
    }
    hooks.onModel?.(name, model);
    if (c.done.includes(name)) return model;
    const resume = cp?.progress?.stage === name ? cp.progress : undefined;
    c.stageMs[name] = await c.trainStage({ ...run(model), ...(resume ? { resume } : {}) });
    for (const [train, test] of tests) c.rows.push(await c.evaluateRow(name, model, train, test));
    c.done.push(name);
    if (hooks.onCheckpoint) await hooks.onCheckpoint(await c.checkpoint(null));
    return model;
  };
  const copyOf = (src: tf.LayersModel) => () => {
    const m = copyModel(src, c.spec);
    m.trainable = true;
    return m;
  };

  try {
    const teacher = await stage('teacher', () => {
      const m = buildModel(c.spec);
      if (hooks.initialTeacher) {
        try {
          copyWeightsInto(hooks.initialTeacher, m, {
            src: 'The imported model', dst: 'teacher', hint: ': choose a model of the same architecture, width and embedding size.',
          });
        } catch (e) {
          m.dispose();
          throw e;
        }
      }
      return m;
    },
      (m) => ({ stage: 'teacher', model: m, cfg: cfg.teacher, visibility: 'full', extraTerm: null, makeStep: c.taskStep('full') }),
      [['full', 'full'], ['full', 'lower'], ['full', 'upper']]);
    teacher.trainable = false; // frozen from here on; minimize() is also given the student's variables only

    let base = teacher;
    if (stages.includes('student')) {
      base = await stage('student', copyOf(teacher),
        (m) => ({ stage: 'student', model: m, cfg: cfg.student, visibility: scen, extraTerm: null, makeStep: c.taskStep(scen) }),
        [[scen, scen]]);
    }
    if (stages.includes('studentOther')) {
      const other = otherHalf(scen);
      await stage('studentOther', copyOf(teacher),
        (m) => ({ stage: 'studentOther', model: m, cfg: cfg.student, visibility: other, extraTerm: null, makeStep: c.taskStep(other) }),
        [[other, other]]);
    }
    const distilled = `full+${scen}`;
    if (stages.includes('standard')) {
      const kind = standardKind(cfg);
      await stage('standard', copyOf(base),
        (m) => ({ stage: 'standard', model: m, cfg: cfg.standard, visibility: scen, extraTerm: kind, makeStep: c.standardStep(teacher, kind) }),
        [[distilled, scen]]);
    }
    if (stages.includes('triplet')) {
      await stage('triplet', copyOf(base), (m) => c.tripletRun(teacher, m), [[distilled, scen]]);
    }
    if (stages.includes('control')) {
      const ctrlCfg = { ...cfg.standard, epochs: controlEpochs(cfg) };
      await stage('control', copyOf(base),
        (m) => ({ stage: 'control', model: m, cfg: ctrlCfg, visibility: scen, extraTerm: null, makeStep: c.taskStep(scen) }),
        [[scen, scen]]);
    }
    const ens = cfg.ensemble;
    if (ens?.enabled && c.models.standard && c.models.triplet && stages.includes('standard') && stages.includes('triplet')) {
      const rows = await ensembleRows(cfg, ens, data, c.head, { standard: c.models.standard, triplet: c.models.triplet }, (e) => c.emit(e), hooks.signal);
      c.rows.push(...rows);
    }
    // CIs and paired tests against the student, once every row is in; re-emitted rows replace the first ones.
    const withStats = withRowStats(c.rows, labelsOf(data.test, cfg.task), cfg.task, cfg.seed);
    c.rows.splice(0, c.rows.length, ...withStats);
    for (const row of withStats) c.emit({ type: 'result', row });
    c.emit({ type: 'runEnd', ms: now() - t0 });
    return { rows: c.rows, history: c.history, models: c.models, stageMs: c.stageMs, stopped: c.stopped };
  } catch (err) {
    disposeModels(c.models);
    throw err;
  }
}
