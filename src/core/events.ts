// The typed events the curriculum emits. The training loop only emits them (docs/architecture.md#events-and-schedules):
// the runner prints them, the worker forwards them, the store reduces them.
import type { ExperimentConfig, StageName } from './config/config';
import type { Visibility } from './data/types';
import type { Metrics } from './metrics';

/** Loss components of one batch, unweighted, for the charts. */
export interface LossComponents {
  total: number;
  task: number;
  /** Standard T-S soft term H(softmax(z_T/τ), softmax(z_S/τ)). */
  kd?: number;
  /** Standard T-S hint term mean ‖e_S − e_T‖². */
  hint?: number;
  /** Triplet term, and the fraction of anchors whose triplet was active (hinge > 0). */
  triplet?: number;
}

/** A grid row's model: a trained stage, or an SVM/SVR on the distilled students' embeddings. */
export type RowModel = StageName | 'svm' | 'svmStandard' | 'svmTriplet';

/** Uncertainty and a paired test against the step-2 student on the same test images. */
export interface RowStats {
  /** Percentile bootstrap CI of the row's accuracy or MAE (seeded, over test images). */
  ci: { lo: number; hi: number; level: number; reps: number };
  /** Against the student tested on the same half: McNemar (classification) or Wilcoxon signed-rank on
   *  absolute errors (age). b: images only this model got right, c: only the student. */
  vsStudent?: PairedTest;
  /** Distilled and combined rows: the same test against the same-budget control (our control row). */
  vsControl?: PairedTest;
}

/** A paired test on the same test images. b: images only this model got right, c: only the other. */
export interface PairedTest {
  test: 'mcnemar' | 'wilcoxon' | 't';
  method: 'exact' | 'chi2' | 'normal';
  p: number;
  b?: number;
  c?: number;
  n: number;
}

/** One row of the evaluation grid (docs/method.md#evaluation-grid). */
export interface GridRow {
  /** Stable key: teacher, student, studentOther, standard, triplet, control, svm, svmStandard, svmTriplet. */
  model: RowModel;
  /** Display name as the paper prints it. */
  label: string;
  /** What the model was trained on: `full`, `lower`, `upper`, or `full+lower` / `full+upper` for distillation. */
  train: string;
  test: Visibility;
  metrics: Metrics;
  /** Per-test-image predictions (class index, or age in years), in test order, for paired tests. */
  predictions: number[];
  stats?: RowStats;
}

export interface EpochRecord {
  stage: StageName;
  epoch: number;
  train: Metrics;
  val: Metrics;
  learningRate: number;
  /** Mean loss components over the epoch's batches. */
  losses: LossComponents;
  /** Training time of the epoch (mining excluded) and mining time, in ms. */
  trainMs: number;
  miningMs: number;
  imagesPerSec: number;
  best: boolean;
}

export type CurriculumEvent =
  | {
      type: 'runStart';
      config: ExperimentConfig;
      backend: string;
      stages: StageName[];
      resumedFrom?: { stage: StageName; epoch: number };
    }
  | {
      type: 'stageStart';
      stage: StageName;
      label: string;
      epochs: number;
      stepsPerEpoch: number;
      visibility: Visibility;
    }
  | {
      type: 'batchEnd';
      stage: StageName;
      epoch: number;
      step: number;
      stepsPerEpoch: number;
      losses: LossComponents;
      imagesPerSec: number;
    }
  /** `positiveTeacherWrong`: share of the valid triplets whose positive the teacher misclassifies on the
   *  full face (a sign of mislabelled faces chosen as positives). */
  | {
      type: 'mining';
      stage: StageName;
      epoch: number;
      ms: number;
      anchors: number;
      positives: number;
      negatives: number;
      validTriplets: number;
      positiveTeacherWrong?: number;
    }
  | { type: 'epochEnd'; record: EpochRecord }
  /** `epochsRun`: epochs trained (the cap, or fewer when early stopping ended it: `earlyStopped`);
   *  `stoppedEarly`: why training stopped on a fault (a NaN loss), or null. */
  /** `bestEpoch`: the epoch kept (0-based), the best on validation or, with `keep: 'last'`, the last. */
  | {
      type: 'stageEnd';
      stage: StageName;
      bestEpoch: number;
      ms: number;
      stoppedEarly: string | null;
      epochsRun: number;
      earlyStopped: boolean;
      keep?: 'best' | 'last';
    }
  | { type: 'result'; row: GridRow }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'runEnd'; ms: number };

export type CurriculumEventType = CurriculumEvent['type'];
