// How long a curriculum will take, before it runs (no tfjs here: the page uses it): the cost a
// calibration measured (calibrate.ts) multiplied by the work the config asks for: every stage's epoch cap
// over the training split, a validation pass per epoch, the test rows, triplet mining, the SVM. Early
// stopping usually ends stages sooner, so the estimate is an upper bound ("up to").
import type { ExperimentConfig } from '../config/config';
import { curriculumStages, stageConfig } from './schedule';

export interface StepCost {
  /** Training, ms per image (forward + backward + update). */
  trainMsPerImage: number;
  /** Inference, ms per image. */
  evalMsPerImage: number;
  backend: string;
  /** `auto` only: which backend the calibration picked and why (every backend's figure)... */
  why?: string;
  /** ...and the backends it measured slower (a run under auto tries them last). */
  slower?: string[];
}

export interface DatasetDims {
  height: number;
  width: number;
  channels: number;
  train: number;
  val: number;
  test: number;
}

/** The dims a config's dataset has when the config says (synthetic); null otherwise. */
export function configDims(cfg: ExperimentConfig): DatasetDims | null {
  const d = cfg.dataset;
  return d.source === 'synth'
    ? { height: d.height, width: d.width, channels: d.channels, train: d.train, val: d.val, test: d.test }
    : null;
}

/** A key for a calibration kept per machine: what the cost depends on. */
export function calibrationKey(
  cfg: ExperimentConfig,
  dims: Pick<DatasetDims, 'height' | 'width' | 'channels'>,
  backend: string,
): string {
  const m = cfg.model;
  return [
    backend,
    m.arch,
    m.arch === 'custom' ? JSON.stringify(m.custom) : '-',
    m.width,
    m.embeddingSize ?? '-',
    m.dropout ?? '-',
    `${dims.height}x${dims.width}x${dims.channels}`,
    cfg.task,
    cfg.teacher.batchSize,
  ].join('|');
}

export interface DurationEstimate {
  /** Seconds if every stage trains to its epoch cap (early stopping only shortens it). */
  maxS: number;
  /** Seconds by part, for the curious. */
  parts: { training: number; validation: number; test: number; mining: number; ensemble: number };
}

/** The work a config asks for, priced at `cost`. */
export function estimateDuration(cfg: ExperimentConfig, dims: DatasetDims, cost: StepCost): DurationEstimate {
  const stages = curriculumStages(cfg);
  const classes = cfg.task === 'expression' ? 8 : cfg.task === 'gender' ? 2 : 1;
  let training = 0,
    validation = 0,
    mining = 0;
  for (const s of stages) {
    const sc = stageConfig(cfg, s);
    const images = Math.floor(dims.train / sc.batchSize) * sc.batchSize;
    // The triplet stage trains on anchors and negatives in one batch: twice the images per step.
    const perImage = cost.trainMsPerImage * (s === 'triplet' ? 2 : 1);
    training +=
      sc.epochs * images * perImage +
      (s === 'standard' && sc.epochs > 0
        ? dims.train * cost.evalMsPerImage
        : 0); /* its frozen teacher's outputs, once per stage */
    validation += sc.epochs * dims.val * cost.evalMsPerImage;
    if (s === 'triplet') {
      // Anchors and the negative pool by the student, the positive pool by the teacher, every epoch.
      // (A pool of the training set per class holds up to `classes` times p% of it.)
      const share = (p: { percent: number; of: 'class' | 'train' }) =>
        Math.min(classes, ((p.of === 'train' ? classes : 1) * p.percent) / 100);
      mining +=
        sc.epochs *
        (dims.train * (1 + share(cfg.triplet.positivePool) + share(cfg.triplet.negativePool))) *
        cost.evalMsPerImage;
    }
  }
  const testRows = 3 + stages.length - 1;
  const test = testRows * dims.test * cost.evalMsPerImage;
  // The SVM: embeddings of train/val/test by two students, then the C grid (measured: a few seconds at
  // demo sizes, ~100 s at 14k images x 1k dims); priced as embedding passes plus a term in n·d.
  const ens =
    cfg.ensemble?.enabled && stages.includes('standard') && stages.includes('triplet')
      ? 2 * (dims.train + dims.val + dims.test) * cost.evalMsPerImage + dims.train * 0.5
      : 0;
  const parts = {
    training: training / 1000,
    validation: validation / 1000,
    test: test / 1000,
    mining: mining / 1000,
    ensemble: ens / 1000,
  };
  const repeats = Math.max(1, cfg.repeats ?? 1);
  return { maxS: repeats * Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

/** "about 2 min 10 s"-style text. */
export function formatEstimate(s: number): string {
  if (s < 60) return `${Math.max(1, Math.round(s))} s`;
  const m = Math.floor(s / 60);
  const r = Math.round(s - 60 * m);
  return m < 10 && r ? `${m} min ${r} s` : `${Math.round(s / 60)} min`;
}
