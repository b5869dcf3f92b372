// Every setting of the experiment config, defined once (nanoGPT's single commented block, as a table):
// its dotted path, default, range or choices, label, help text, whether a sweep may vary it, and where
// the form shows it. The defaults (config.ts), the validation (validate.ts), the Experiment form
// (ui/experiment/fields.ts) and the sweep list all come from here. The TypeScript shape of the config
// is `ExperimentConfig` in config.ts; a test checks the two agree.
import { TASKS } from '../data/types';
import { ARCH_NAMES, customLayoutError, INITS } from '../models/spec';
import { bool, choice, int, num, SEED, type Check, type Setting, type SettingType } from './settingKinds';
import { budgetError, budgetsError } from '../budget/subset';

export { checkOf, GROUPS, type Check, type GroupId, type Setting, type SettingType } from './settingKinds';

/** The settings every training stage has, with that stage's defaults. */
function stageSettings(
  stage: 'teacher' | 'student' | 'standard' | 'triplet',
  d: { epochs: number; learningRate: number },
): Setting[] {
  const s = (
    path: string,
    def: unknown,
    type: SettingType,
    label: string,
    help?: string,
    sweepable = false,
  ): Setting => ({ path: `${stage}.${path}`, default: def, type, label, help, group: stage, sweepable });
  return [
    s(
      'epochs',
      d.epochs,
      int(0, 1000),
      'epochs (cap)',
      'at most this many; early stopping ends sooner. 0 skips the stage where the curriculum allows it',
      true,
    ),
    s('batchSize', 64, int(1, 4096), 'batch size', 'fixed; the ragged last batch is dropped', true),
    s('optimizer', 'adam', choice(['adam', 'sgd'], ['Adam', 'SGD with momentum']), 'optimizer'),
    s('learningRate', d.learningRate, num(1e-8, 10, 0.0001), 'learning rate', undefined, true),
    s('momentum', 0.9, num(0, 0.999, 0.01), 'momentum', 'SGD only', true),
    s('lrPatience', 1, int(0, 1000), 'LR patience', 'epochs without validation improvement before the rate drops'),
    s('lrFactor', 0.5, num(0.01, 1, 0.05), 'LR factor', 'the rate is multiplied by this on a plateau'),
    s('minLearningRate', 1e-5, num(0, 10, 0.00001), 'min. learning rate'),
    s(
      'patience',
      3,
      int(0, 1000),
      'early-stop patience',
      'epochs without validation improvement before the stage stops (epochs is then a cap); 0 trains every epoch',
      true,
    ),
    s(
      'minDelta',
      0,
      num(0, 10, 0.001),
      'min. improvement',
      'what counts as a validation improvement (accuracy as a fraction, or years)',
    ),
    s(
      'keep',
      'best',
      choice(['best', 'last'], ['the best epoch on validation (ours)', 'the last epoch (most reference code)']),
      'epoch kept',
      'the weights the stage ends with; a plain PyTorch or Keras loop keeps the last',
    ),
  ];
}

const intensity: SettingType = { type: 'range', lo: 0, hi: 1 };
const classWeights: SettingType = {
  type: 'json',
  check: (v) =>
    v === null ||
    (Array.isArray(v) && v.length === 8 && v.every((x) => typeof x === 'number' && x >= 0) && v.some((x) => x > 0))
      ? null
      : `must be null or 8 non-negative numbers, not all zero (got ${JSON.stringify(v)})`,
};
const cGrid: SettingType = {
  type: 'json',
  check: (v) =>
    Array.isArray(v) &&
    v.length > 0 &&
    v.length <= 50 &&
    v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)
      ? null
      : `must be 1 to 50 positive numbers (got ${JSON.stringify(v)})`,
};

const customCheck: Check = (v) => {
  if (v === null) return null;
  const e = customLayoutError(v);
  return e && (e.startsWith(' ') ? e.trim() : `${e.slice(1)}`);
};

/** The config's settings outside `dataset` (whose settings depend on its source, below). */
export const SETTINGS: Setting[] = [
  {
    path: 'name',
    default: 'expression, lower half visible (VR headset)',
    type: { type: 'text', oneLine: true },
    label: 'name',
    group: 'general',
    help: 'shown in the lab and written into results',
  },
  {
    path: 'seed',
    default: 1,
    type: SEED,
    label: 'seed',
    group: 'general',
    help: 'drives initialisation, shuffling and mining',
  },
  {
    path: 'task',
    default: 'expression',
    type: choice(TASKS, ['facial expression (8 classes)', 'gender (2 classes)', 'age (regression, MAE in years)']),
    label: 'task',
    group: 'general',
  },
  {
    path: 'scenario',
    default: 'lower',
    type: choice(['lower', 'upper'], ['◑ lower half visible (VR headset)', '◐ upper half visible (surgical mask)']),
    label: 'scenario',
    group: 'general',
    help: 'the half the student sees',
  },
  { path: 'model.arch', default: 'small', type: choice(ARCH_NAMES), label: 'architecture', group: 'general' },
  {
    path: 'model.custom',
    default: null,
    type: { type: 'json', check: customCheck },
    label: 'custom layers',
    group: null,
    help: 'arch custom: { "convs": [{ "filters", "kernel", "stride", "padding": "same"|"valid", "batchNorm", "pool": 0 or a window }], "dense": [units..., the embedding last] }',
  },
  {
    path: 'model.init',
    default: 'he',
    type: choice(INITS, ['He-normal, zero biases (ours)', 'PyTorch’s default (U(±1/√fan_in))']),
    label: 'initialisation',
    group: 'general',
    help: 'PyTorch’s Conv2d / Linear default is kaiming_uniform(a=√5): weights and biases uniform in ±1/√fan_in',
  },
  {
    path: 'model.width',
    default: 1,
    type: num(1 / 64, 4, 0.125),
    label: 'width multiplier',
    group: 'general',
    help: 'scales every filter count',
    sweepable: true,
  },
  {
    path: 'model.embeddingSize',
    default: null,
    type: int(2, 16384, true),
    label: 'embedding size',
    group: 'general',
    help: 'empty: the architecture’s default',
  },
  {
    path: 'model.dropout',
    default: null,
    type: num(0, 0.95, 0.05, { nullable: true }),
    label: 'dropout',
    group: 'general',
    help: 'empty: the architecture’s default',
  },
  {
    path: 'evalBatchSize',
    default: 128,
    type: int(1, 8192),
    label: 'evaluation batch',
    group: 'general',
    help: 'samples per batch when embedding or evaluating',
  },
  {
    path: 'trainOtherHalfStudent',
    default: true,
    type: bool,
    label: 'also a student on the other half',
    group: 'general',
    help: 'so the grid compares ◑ and ◐ students',
  },
  {
    path: 'sameBudgetControl',
    default: true,
    type: bool,
    label: 'same-budget control row',
    group: 'general',
    help: 'the student trained on as long, without distillation',
  },
  {
    path: 'skipStudentStep',
    default: false,
    type: bool,
    label: 'skip step 2 (ablation)',
    group: 'general',
    help: 'distil straight from the teacher’s weights',
  },
  {
    path: 'repeats',
    default: 1,
    type: int(1, 10),
    label: 'repeats (seeds)',
    group: 'general',
    help: 'runs the curriculum with seeds seed, seed+1, …; each row as mean ± sd with a paired test across seeds',
  },
  {
    path: 'budget',
    default: null,
    type: { type: 'json', check: budgetError },
    label: 'labelled images (data budget)',
    group: 'student',
    help:
      'how many training images the student, both distillations, the control and the SVM train on: a count (120) or a ' +
      'percentage ("5%"); empty: all. The teacher always trains on the whole split. Stratified by class (age: by decade), drawn per seed',
  },
  {
    path: 'budgets',
    default: null,
    type: { type: 'json', check: budgetsError },
    label: 'budget sweep',
    group: null,
    help: 'a list of budgets, e.g. [120, 300, 1200, "100%"]: the teacher is trained once per seed, steps 2-3 run for every budget from it',
  },
  {
    path: 'teacherInit',
    default: null,
    type: { type: 'text', nullable: true, nonEmpty: 'must be null or the id of an imported model' },
    label: 'teacher starts from',
    group: null,
  },

  ...stageSettings('teacher', { epochs: 30, learningRate: 1e-3 }),
  ...stageSettings('student', { epochs: 10, learningRate: 5e-4 }),

  {
    path: 'standard.kind',
    default: 'auto',
    type: choice(['auto', 'kd', 'hint'], ['auto (by task)', 'KD (Hinton)', 'hints (Romero)']),
    label: 'loss',
    group: 'standard',
  },
  {
    path: 'standard.lambda',
    default: 0.3,
    type: num(0, 1, 0.05),
    label: 'λ',
    group: 'standard',
    help: 'KD: weight of the ground truth; hints: weight of the hint term',
    sweepable: true,
  },
  {
    path: 'standard.temperature',
    default: 2,
    type: num(0.05, 100, 0.5),
    label: 'τ (temperature)',
    group: 'standard',
    sweepable: true,
  },
  {
    path: 'standard.scaleByTemperatureSquared',
    default: false,
    type: bool,
    label: 'scale the soft term by τ²',
    group: 'standard',
    help: 'Hinton’s scaling; off in the paper',
  },
  {
    path: 'standard.hintScale',
    default: 'mean',
    type: choice(
      ['mean', 'sum'],
      ['mean over the embedding’s dimensions (ours)', 'sum over dimensions (the paper’s ‖·‖²)'],
    ),
    label: 'hint term',
    group: 'standard',
    help: 'hints only: the sum grows with the embedding’s width and can swamp the task loss',
  },
  ...stageSettings('standard', { epochs: 10, learningRate: 5e-4 }),

  {
    path: 'triplet.lambda',
    default: 0.5,
    type: num(0, 1, 0.05),
    label: 'λ',
    group: 'triplet',
    help: 'weight of the triplet term; 1 − λ goes to the task loss',
    sweepable: true,
  },
  {
    path: 'triplet.margin',
    default: 0.2,
    type: num(0, 2, 0.05),
    label: 'margin α',
    group: 'triplet',
    help: 'on squared distances of unit-length post-ReLU embeddings, which lie in 0..2',
    sweepable: true,
  },
  {
    path: 'triplet.mining',
    default: 'teacher-correct',
    label: 'mining',
    group: 'triplet',
    type: choice(
      ['hardest', 'semihard', 'teacher-correct', 'teacher-correct-semihard'],
      [
        'hardest positive and negative (the paper)',
        'hardest positive, semi-hard negative',
        'hardest positive the teacher gets right, hardest negative (ours)',
        'hardest positive the teacher gets right, semi-hard negative',
      ],
    ),
    help: 'hardest mining often picks mislabelled faces as positives; restricting them to faces the teacher classifies correctly avoids that',
  },
  ...(['positive', 'negative'] as const)
    .map((k): Setting[] => [
      {
        path: `triplet.${k}Pool.percent`,
        default: 10,
        type: num(0.1, 100, 1),
        label: `${k} pool %`,
        group: 'triplet',
        sweepable: true,
        help: `${k === 'positive' ? 'full faces of the anchor’s class, embedded by the teacher' : 'half faces of the other classes, embedded by the student'}; drawn once per epoch`,
      },
      {
        path: `triplet.${k}Pool.of`,
        default: 'class',
        label: `${k} pool is % of`,
        group: 'triplet',
        type: choice(
          ['class', 'train'],
          ['each class (ours, the default)', 'the whole training set, per class (reference code)'],
        ),
        help: 'The paper reads both ways; “the training set” gives about as many times more positives as there are classes. Age: of the training set either way',
      },
    ])
    .flat(),
  {
    path: 'triplet.ageThreshold',
    default: 5,
    type: num(0, 100, 1),
    label: 'age threshold (years)',
    group: 'triplet',
    help: 'age: positives within this many years',
    sweepable: true,
  },
  ...stageSettings('triplet', { epochs: 10, learningRate: 5e-4 }),

  { path: 'ensemble.enabled', default: true, type: bool, label: 'combine the students', group: 'ensemble' },
  {
    path: 'ensemble.cGrid',
    default: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3],
    type: cGrid,
    label: 'C grid',
    group: null,
    help: 'values of C tried, each scored on validation',
  },
  {
    path: 'ensemble.epsilon',
    default: 0.1,
    type: num(0, 10, 0.05),
    label: 'ε (SVR)',
    group: 'ensemble',
    help: 'in units of 20 years: 0.1 = 2 years',
    sweepable: true,
  },
  {
    path: 'ensemble.singles',
    default: true,
    type: bool,
    label: 'also each embedding alone',
    group: 'ensemble',
    help: 'the ablation rows',
  },
];

/** Top-level settings a config may lack (saved before they existed): absent means their default / off. */
export const OPTIONAL_ROOTS: ReadonlySet<string> = new Set([
  'teacherInit',
  'ensemble',
  'sweep',
  'repeats',
  'budget',
  'budgets',
]);

/** Dataset settings a saved config may lack (added later): absent means null. */
export const OPTIONAL_DATASET_KEYS: ReadonlySet<string> = new Set(['labels']);

const ds = (
  path: string,
  def: unknown,
  type: SettingType,
  label: string,
  help?: string,
  sweepable = false,
): Setting => ({ path: `dataset.${path}`, default: def, type, label, help, group: 'dataset', sweepable });
const SIZE = int(8, 512);

/** The dataset block's settings for each source. */
export const DATASET_SETTINGS: Record<'synth' | 'stored' | 'file', Setting[]> = {
  synth: [
    ds('source', 'synth', choice(['synth']), 'source'),
    ds('train', 6000, int(1, 1_000_000), 'training images', undefined, true),
    ds('val', 1000, int(1, 1_000_000), 'validation images'),
    ds('test', 1000, int(1, 1_000_000), 'test images'),
    ds('height', 48, SIZE, 'height'),
    ds('width', 48, SIZE, 'width'),
    ds('channels', 1, choice([1, 3], ['1 (grey)', '3 (RGB)']), 'channels'),
    ds('intensity', [0.6, 1.0], intensity, 'expression intensity', 'min – max, 0..1'),
    ds('labelNoise', 0.03, num(0, 0.5, 0.01), 'label noise', 'share of labels flipped (annotator noise)'),
    { ...ds('classWeights', null, classWeights, 'class weights'), group: null },
    ds('seed', 1, SEED, 'dataset seed'),
  ],
  stored: [
    ds('source', 'stored', choice(['stored']), 'source'),
    ds('id', '', { type: 'text', nonEmpty: 'must name a stored dataset (non-empty string)' }, 'stored dataset'),
  ],
  file: [
    ds('source', 'file', choice(['file']), 'source'),
    ds('path', '', { type: 'text', nonEmpty: 'must be the path of a CSV, an archive or a folder' }, 'file'),
    ds(
      'ferplus',
      null,
      { type: 'text', nullable: true, nonEmpty: 'must be null or the path of fer2013new.csv' },
      'FER+ votes',
    ),
    ds(
      'labels',
      null,
      { type: 'text', nullable: true, nonEmpty: 'must be null or the path of a labels file (one class name per line)' },
      'class names',
      'a FER-layout CSV with generic labels 0..K-1: one name per line',
    ),
    ds('format', 'auto', choice(['auto', 'fer2013', 'utkface', 'folder']), 'format'),
    ds('height', 48, SIZE, 'height'),
    ds('width', 48, SIZE, 'width'),
    ds('channels', 1, choice([1, 3]), 'channels'),
    ds('seed', 1, SEED, 'split seed'),
  ],
};

/** Every setting by path (the synthetic dataset's for `dataset.*`). */
export const SETTING_BY_PATH: ReadonlyMap<string, Setting> = new Map(
  [...SETTINGS, ...DATASET_SETTINGS.synth].map((s) => [s.path, s]),
);

/** Numeric settings a sweep may vary, in table order. */
export const SWEEPABLE_PATHS: string[] = [...SETTINGS, ...DATASET_SETTINGS.synth]
  .filter((s) => s.sweepable && s.type.type === 'number')
  .map((s) => s.path);

/** The plain object the settings' defaults make (dotted paths expanded). */
export function defaultsOf(settings: Setting[], strip = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of settings) {
    const keys = (strip && s.path.startsWith(strip) ? s.path.slice(strip.length) : s.path).split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = structuredClone(s.default);
  }
  return out;
}
