// The experiment config's shape: one plain JSON document (no functions), typed and commented here; its
// defaults, ranges, labels and help come from settings.ts. Deep merging of partial overrides (presets,
// UI edits, CLI files).
import type { Task, Visibility } from '../data/types';
import type { ArchName, CustomLayout, Init } from '../models/spec';
import { DATASET_SETTINGS, defaultsOf, SETTINGS } from './settings';
import { configShapeErrors } from './shape';

export type OptimizerName = 'adam' | 'sgd';
export type StageName = 'teacher' | 'student' | 'studentOther' | 'standard' | 'triplet' | 'control';

/** Display names of the stages (and grid rows). Here, free of tfjs, so the page can use them. */
export const STAGE_LABEL: Record<StageName, string> = {
  teacher: 'teacher',
  student: 'student',
  studentOther: 'student (other half)',
  standard: 'standard T-S',
  triplet: 'triplet T-S',
  control: 'student, same budget',
};

/** Settings shared by every training stage. */
export interface StageConfig {
  /** Epochs over the training split. 0 skips the stage (where the curriculum allows it). */
  epochs: number;
  /** Fixed batch size; the ragged last batch is dropped so tensor shapes never change
   *  (docs/architecture.md#platform-constraints). */
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  /** Reduce-on-plateau: epochs without validation improvement before the rate is multiplied by lrFactor. */
  lrPatience: number;
  lrFactor: number;
  minLearningRate: number;
  /** Early stopping: epochs without a validation improvement of more than `minDelta` before the stage
   *  stops (so `epochs` is a cap); 0 trains every epoch. The best epoch is kept either way. */
  patience: number;
  minDelta: number;
  /** Which epoch's weights the stage ends with: the best on validation (our default) or the last one
   *  trained (what most reference code, a plain PyTorch or Keras loop, keeps). */
  keep: 'best' | 'last';
}

/** docs/method.md#standard-t-s. `auto`: KD (Hinton) for expression, hints (Romero) on the embedding for gender and
 *  age. */
export interface StandardConfig extends StageConfig {
  kind: 'auto' | 'kd' | 'hint';
  /** Weight of the second term: KD → ground truth weight (small, per the paper); hint → hint weight. */
  lambda: number;
  /** Softmax temperature τ of the KD soft term. */
  temperature: number;
  /** Hinton's τ² scaling of the soft term. Off by default (docs/method.md#choices-where-the-paper-is-silent). */
  scaleByTemperatureSquared: boolean;
  /** Hints: the squared distance summed over the embedding's dimensions (the paper's ‖·‖²) or averaged
   *  over them (our default: the sum grows with the width and swamped the task loss,
   *  docs/decisions/hint-scale.md). */
  hintScale: 'mean' | 'sum';
}

/** A mining pool's size (docs/method.md#hard-example-mining leaves open what the percentage is of). `class`: for each
 *  class, that percentage of the class (positives of class c: p% of class c; the negatives of class c: p% of each
 *  other class, one shared draw), the lab's default and its behaviour before the setting existed.
 *  `train`: for each class, that percentage of the whole training set (positives of c: p% of the training
 *  set drawn from class c, at most all of it; negatives of c: p% of the training set drawn from the other
 *  classes), as reference code often does: at 5% and 8 balanced classes, 8x more positives. Age
 *  (no classes): p% of the training set either way. */
export interface MiningPoolConfig {
  percent: number;
  of: 'class' | 'train';
}

/** docs/method.md#triplet-t-s. */
export interface TripletConfig extends StageConfig {
  /** Weight of the triplet term; (1 − λ) goes to the task loss. */
  lambda: number;
  /** Margin α on squared distances of L2-normalised embeddings; post-ReLU they lie in 0..2. */
  margin: number;
  /** Offline mining: the paper's hardest positive and negative; a semi-hard negative (farther than the
   *  positive, the closest such); positives restricted to faces the teacher classifies correctly. */
  mining: 'hardest' | 'semihard' | 'teacher-correct' | 'teacher-correct-semihard';
  /** The pool positives are mined from, drawn once per epoch (full faces, embedded by the teacher). */
  positivePool: MiningPoolConfig;
  /** The pool negatives are mined from, drawn once per epoch (occluded faces, embedded by the student). */
  negativePool: MiningPoolConfig;
  /** Age: samples closer than this many years to the anchor count as positives. */
  ageThreshold: number;
}

export interface SynthDatasetConfig {
  source: 'synth';
  train: number;
  val: number;
  test: number;
  /** Image size [height, width]; channels 1 (grey) or 3. */
  height: number;
  width: number;
  channels: 1 | 3;
  /** Expression intensity range; docs/method.md#synthetic-faces: from 0.6 the paper's pattern shows at workshop
   *  budgets. */
  intensity: [number, number];
  labelNoise: number;
  /** 8 expression class frequencies, or null for balanced. */
  classWeights: number[] | null;
  seed: number;
}

/** docs/method.md#combined-students: an SVM (classification) or ε-SVR (age) on the concatenated embeddings of the
 *  standard and triplet T-S students, C chosen on validation. */
export interface EnsembleConfig {
  enabled: boolean;
  /** Values of C tried, each scored on the validation split. */
  cGrid: number[];
  /** ε of the ε-SVR (age), in the students' standardised units (years / 20): 0.1 = 2 years. */
  epsilon: number;
  /** Also an SVM/SVR on each student's embedding alone (the ablation). */
  singles: boolean;
}

/** A dataset already in memory or storage (browser) or on disk (runner); resolved by the platform layer. */
export interface StoredDatasetConfig {
  source: 'stored';
  /** Dataset id (IndexedDB) or path (runner). */
  id: string;
}

/** A dataset file or folder on disk, imported when the headless runner starts (the lab imports files
 *  through its Datasets panel instead, and then names the stored dataset). */
export interface FileDatasetConfig {
  source: 'file';
  /** A FER2013 CSV (fer2013.csv), an archive (.tar.gz, .tgz, .tar, .zip: UTKFace or class folders) or a folder. */
  path: string;
  /** The FER+ votes (fer2013new.csv) that relabel a fer2013.csv into FER+'s 8 classes, or null. */
  ferplus: string | null;
  /** With a FER-layout CSV whose labels are generic classes 0..K-1: a text file naming them, one per
   *  line (null: numbered "class 0"...). Absent in configs from before it existed. */
  labels?: string | null;
  /** 'auto' tells FER2013 by the .csv, UTKFace by its file names, and class folders otherwise. */
  format: 'auto' | 'fer2013' | 'utkface' | 'folder';
  /** Images are centre-cropped and resized to this size, in grey (1) or colour (3). */
  height: number;
  width: number;
  channels: 1 | 3;
  /** Seed of the 60/20/20 split drawn for sources that give none (UTKFace, folders without split folders). */
  seed: number;
}

export type DatasetConfig = SynthDatasetConfig | StoredDatasetConfig | FileDatasetConfig;

export interface ModelConfig {
  arch: ArchName;
  /** The layers of arch `custom` (ignored by the other architectures), or null. */
  custom: CustomLayout | null;
  /** Weight initialisation: `he` (He-normal, zero biases) or `pytorch` (PyTorch's default for Conv2d /
   *  Linear: U(±1/√fan_in) on weights and biases). */
  init: Init;
  /** Multiplier on every filter count and dense size (1 = the paper's layout). */
  width: number;
  /** Penultimate (embedding) size, or null for the architecture's default. */
  embeddingSize: number | null;
  dropout: number | null;
}

export interface ExperimentConfig {
  /** Free text shown in the lab and written into results. */
  name: string;
  /** One seed drives data generation order, initialisation, shuffling and mining. */
  seed: number;
  task: Task;
  /** The half that stays visible to the student: lower (VR headset) or upper (surgical mask). */
  scenario: Exclude<Visibility, 'full'>;
  dataset: DatasetConfig;
  model: ModelConfig;
  teacher: StageConfig;
  /** Step 2: copy of the teacher fine-tuned on the scenario's half faces. */
  student: StageConfig;
  /** Also fine-tune a student on the other half, so the grid can compare lower and upper students. */
  trainOtherHalfStudent: boolean;
  standard: StandardConfig;
  triplet: TripletConfig;
  /** Our control row: the step-2 student trained on with the task loss alone for as many epochs as a
   *  distillation stage gets, so extra training can be told apart from distillation. */
  sameBudgetControl: boolean;
  /** Ablation: distil straight from the teacher's weights, skipping step 2's fine-tuning. */
  skipStudentStep: boolean;
  /** Samples per batch when embedding or evaluating (no gradients). */
  evalBatchSize: number;
  /** Id of an imported model (lab's Models card) whose weights the teacher starts from, or null for a
   *  fresh initialisation. Its architecture must match `model`. Absent in configs from before it existed. */
  teacherInit?: string | null;
  /** The combined students (absent in configs from before it existed: then off). */
  ensemble?: EnsembleConfig;
  /** The curriculum is run with seeds seed .. seed + repeats − 1 (absent: 1). */
  repeats?: number;
  /** The student's data budget (docs/method.md#extension-the-students-data-budget): training images for steps 2-3, a count or
   *  "p%"; null (or absent, in configs from before it existed): the whole split. The teacher uses all. */
  budget?: number | string | null;
  /** A budget sweep: the teacher trained once per seed, steps 2-3 run for each budget (core/budget/sweep.ts). */
  budgets?: (number | string)[] | null;
  /** Runner: one curriculum per value of a numeric setting, the best on validation kept (see core/results/sweep.ts). */
  sweep?: { path: string; values: number[] } | null;
}

/** The defaults every preset starts from (core/config/settings.ts, one row per setting). A document
 *  listing only what differs is a complete config. */
export const DEFAULTS: ExperimentConfig = {
  ...(defaultsOf(SETTINGS) as unknown as Omit<ExperimentConfig, 'dataset'>),
  dataset: defaultsOf(DATASET_SETTINGS.synth).dataset as SynthDatasetConfig,
};

export const ENSEMBLE_DEFAULTS: EnsembleConfig = DEFAULTS.ensemble!;

export const FILE_DATASET_DEFAULTS: FileDatasetConfig = defaultsOf(DATASET_SETTINGS.file).dataset as FileDatasetConfig;

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object | null ? DeepPartial<T[K]> : T[K];
};
export type ConfigOverrides = DeepPartial<ExperimentConfig>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep merge of plain JSON: objects merge, arrays and scalars replace. Inputs are not modified. `over` is
 * first checked for prototype names and depth (shape.ts): a ConfigValidationError names them.
 */
export function mergeConfig<T>(base: T, over: unknown): T {
  const bad = configShapeErrors(over);
  if (bad.length) throw new ConfigValidationError(bad);
  return merge(base, over);
}

function merge<T>(base: T, over: unknown): T {
  if (!isPlainObject(over) || !isPlainObject(base)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k], v) : structuredClone(v);
  }
  return out as T;
}

/**
 * Settings renamed since configs were first saved, mapped to today's: `triplet.subsetPercent` (one
 * percentage of each class for both pools) becomes both pools' percent `of: "class"`. Returns a copy;
 * `over` is not modified.
 */
export function upgradeConfig(over: unknown): unknown {
  if (!isPlainObject(over) || !isPlainObject(over.triplet) || !Object.hasOwn(over.triplet, 'subsetPercent'))
    return over;
  const { subsetPercent, ...triplet } = over.triplet;
  const pool = (given: unknown) => (isPlainObject(given) ? given : { percent: subsetPercent, of: 'class' });
  return {
    ...over,
    triplet: { ...triplet, positivePool: pool(triplet.positivePool), negativePool: pool(triplet.negativePool) },
  };
}

/** A complete config from defaults plus overrides (the dataset source switch replaces the whole block). */
export function makeConfig(over: unknown = {}): ExperimentConfig {
  const bad = configShapeErrors(over);
  if (bad.length) throw new ConfigValidationError(bad);
  over = upgradeConfig(over);
  const base = structuredClone(DEFAULTS);
  if (isPlainObject(over) && isPlainObject(over.dataset) && over.dataset.source === 'stored') {
    base.dataset = { source: 'stored', id: '' } as DatasetConfig;
  }
  if (isPlainObject(over) && isPlainObject(over.dataset) && over.dataset.source === 'file') {
    base.dataset = structuredClone(FILE_DATASET_DEFAULTS);
  }
  return mergeConfig(base, over);
}

export interface ConfigError {
  /** Dotted path of the field, e.g. `triplet.margin`. */
  field: string;
  message: string;
}

export class ConfigValidationError extends Error {
  constructor(public readonly errors: ConfigError[]) {
    super(`Invalid experiment config:\n${errors.map((e) => `  - ${e.field}: ${e.message}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}
