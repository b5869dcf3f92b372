// The paper's own grid as presets for GPU servers: paper-<task>-<scenario>-<arch>, three tasks × both
// scenarios × VGG-f / VGG-face / ResNet-50, at the paper's 224×224 input (docs/method.md). They read the
// real datasets from disk (FER+ for expression, UTKFace for gender and age) and are not listed in the lab's
// preset menu: each is hours on a GPU. Plain data, no tfjs.
//
// docs/method.md gives the architectures, the input size, the curriculum and the losses, not the training
// schedule. Our documented choice where it is silent, for every stage: SGD with momentum 0.9, batch 64,
// learning rate 0.01 (teacher; the later stages, which start from trained weights, 0.001), divided by 10
// after 2 epochs without validation improvement (down to 1e-5), early stopping after 5, epoch caps 60
// (teacher) and 20 (student, standard, triplet). The weights are trained from scratch (the paper
// fine-tunes ImageNet / VGG-Face weights; `teacherInit` takes an imported model for that).
import type { ExperimentConfig, FileDatasetConfig, StageConfig } from './config';

export const PAPER_TASKS = ['expression', 'gender', 'age'] as const;
export const PAPER_SCENARIOS = ['lower', 'upper'] as const;
export const PAPER_ARCHS = { vggf: 'vgg-f', vggface: 'vgg-face', resnet50: 'resnet-50' } as const;

const ARCH_LABEL = { vggf: 'VGG-f', vggface: 'VGG-face', resnet50: 'ResNet-50' } as const;
const SCENARIO_LABEL = {
  lower: 'lower half visible (VR headset)',
  upper: 'upper half visible (surgical mask)',
} as const;

/** The datasets the presets expect, where they expect them (relative to where the runner starts; --dataset
 *  replaces the path), and their split sizes (FER+'s own split; UTKFace's 23,689 faces split 60/20/20). */
export const PAPER_DATASETS = {
  expression: {
    name: 'FER+',
    path: 'data/fer2013.csv',
    ferplus: 'data/fer2013new.csv',
    channels: 1 as const,
    dims: { train: 25045, val: 3191, test: 3137 },
  },
  utkface: {
    name: 'UTKFace',
    path: 'data/UTKFace.tar.gz',
    ferplus: null,
    channels: 3 as const,
    dims: { train: 14213, val: 4738, test: 4738 },
  },
};

export const PAPER_SIZE = 224;

/** Every paper preset's name. */
export const PAPER_PRESET_NAMES: string[] = PAPER_TASKS.flatMap((t) =>
  PAPER_SCENARIOS.flatMap((s) => Object.keys(PAPER_ARCHS).map((a) => `paper-${t}-${s}-${a}`)),
);

function stage(epochs: number, learningRate: number): Partial<StageConfig> {
  return {
    epochs,
    batchSize: 64,
    optimizer: 'sgd',
    learningRate,
    momentum: 0.9,
    lrPatience: 2,
    lrFactor: 0.1,
    minLearningRate: 1e-5,
    patience: 5,
  };
}

/** The partial config (over the defaults) of a paper preset, or null when `name` is not one. */
export function paperPreset(name: string): Partial<ExperimentConfig> | null {
  const m = /^paper-(expression|gender|age)-(lower|upper)-(vggf|vggface|resnet50)$/.exec(name);
  if (!m) return null;
  const [, task, scenario, arch] = m as unknown as [
    string,
    ExperimentConfig['task'],
    'lower' | 'upper',
    keyof typeof PAPER_ARCHS,
  ];
  const ds = task === 'expression' ? PAPER_DATASETS.expression : PAPER_DATASETS.utkface;
  const dataset: FileDatasetConfig = {
    source: 'file',
    path: ds.path,
    ferplus: ds.ferplus,
    labels: null,
    format: 'auto',
    height: PAPER_SIZE,
    width: PAPER_SIZE,
    channels: ds.channels,
    seed: 1,
  };
  return {
    name: `Paper: ${task}, ${SCENARIO_LABEL[scenario]}, ${ARCH_LABEL[arch]} at ${PAPER_SIZE}×${PAPER_SIZE} (${ds.name})`,
    seed: 1,
    task,
    scenario,
    dataset,
    model: { arch: PAPER_ARCHS[arch], custom: null, init: 'he', width: 1, embeddingSize: null, dropout: null },
    teacher: stage(60, 0.01) as StageConfig,
    student: stage(20, 0.001) as StageConfig,
    standard: stage(20, 0.001) as ExperimentConfig['standard'],
    triplet: stage(20, 0.001) as ExperimentConfig['triplet'],
    evalBatchSize: 128,
  };
}

/** The split sizes a paper preset's dataset has (for time estimates before the files are read). */
export function paperDims(task: ExperimentConfig['task']): { train: number; val: number; test: number } {
  return task === 'expression' ? PAPER_DATASETS.expression.dims : PAPER_DATASETS.utkface.dims;
}
