// The experiment form as data: every setting of the config with its label, input kind and help, in
// the order the panel shows them. Values and defaults are read by dotted path (pure helpers below).
import { getPath } from '../../core/config/paths';
import { DEFAULTS } from '../../core/config/config';
import { ARCH_NAMES } from '../../core/models/spec';

export type FieldKind =
  | { type: 'number'; step?: number; nullable?: boolean }
  | { type: 'select'; options: { value: string | number; label: string }[] }
  | { type: 'bool' }
  | { type: 'text' }
  | { type: 'range' };

export interface FieldSpec {
  path: string;
  label: string;
  kind: FieldKind;
  help?: string;
}

export interface FieldGroup {
  id: string;
  title: string;
  help?: string;
  fields: FieldSpec[];
}

const num = (step?: number, nullable = false): FieldKind => ({ type: 'number', step, nullable });
const sel = (values: (string | number)[], labels?: string[]): FieldKind => ({ type: 'select', options: values.map((v, i) => ({ value: v, label: labels?.[i] ?? String(v) })) });

function stageFields(stage: string): FieldSpec[] {
  return [
    { path: `${stage}.epochs`, label: 'epochs', kind: num(1), help: '0 skips the stage where the curriculum allows it' },
    { path: `${stage}.batchSize`, label: 'batch size', kind: num(1), help: 'fixed; the ragged last batch is dropped' },
    { path: `${stage}.optimizer`, label: 'optimizer', kind: sel(['adam', 'sgd'], ['Adam', 'SGD with momentum']) },
    { path: `${stage}.learningRate`, label: 'learning rate', kind: num(0.0001) },
    { path: `${stage}.momentum`, label: 'momentum', kind: num(0.01), help: 'SGD only' },
    { path: `${stage}.lrPatience`, label: 'LR patience', kind: num(1), help: 'epochs without validation improvement before the rate drops' },
    { path: `${stage}.lrFactor`, label: 'LR factor', kind: num(0.05) },
    { path: `${stage}.minLearningRate`, label: 'min. learning rate', kind: num(0.00001) },
  ];
}

export const FIELD_GROUPS: FieldGroup[] = [
  {
    id: 'general', title: 'Task and model',
    fields: [
      { path: 'name', label: 'name', kind: { type: 'text' } },
      { path: 'task', label: 'task', kind: sel(['expression', 'gender', 'age'], ['facial expression (8 classes)', 'gender (2 classes)', 'age (regression, MAE in years)']) },
      { path: 'scenario', label: 'scenario', kind: sel(['lower', 'upper'], ['◑ lower half visible (VR headset)', '◐ upper half visible (surgical mask)']) },
      { path: 'model.arch', label: 'architecture', kind: sel([...ARCH_NAMES]) },
      { path: 'model.width', label: 'width multiplier', kind: num(0.125), help: 'scales every filter count' },
      { path: 'model.embeddingSize', label: 'embedding size', kind: num(1, true), help: 'empty: the architecture’s default' },
      { path: 'model.dropout', label: 'dropout', kind: num(0.05, true), help: 'empty: the architecture’s default' },
      { path: 'seed', label: 'seed', kind: num(1) },
      { path: 'evalBatchSize', label: 'evaluation batch', kind: num(1) },
      { path: 'trainOtherHalfStudent', label: 'also a student on the other half', kind: { type: 'bool' }, help: 'so the grid compares ◑ and ◐ students' },
      { path: 'sameBudgetControl', label: 'same-budget control row', kind: { type: 'bool' }, help: 'the student trained on as long, without distillation' },
      { path: 'skipStudentStep', label: 'skip step 2 (ablation)', kind: { type: 'bool' }, help: 'distil straight from the teacher’s weights' },
    ],
  },
  {
    id: 'dataset', title: 'Dataset',
    help: 'Synthetic faces: a new combination is generated into the browser’s storage once, then reused. Imported datasets come from the Datasets panel.',
    fields: [
      { path: 'dataset.train', label: 'training images', kind: num(1) },
      { path: 'dataset.val', label: 'validation images', kind: num(1) },
      { path: 'dataset.test', label: 'test images', kind: num(1) },
      { path: 'dataset.height', label: 'height', kind: num(1) },
      { path: 'dataset.width', label: 'width', kind: num(1) },
      { path: 'dataset.channels', label: 'channels', kind: sel([1, 3], ['1 (grey)', '3 (RGB)']) },
      { path: 'dataset.intensity', label: 'expression intensity', kind: { type: 'range' }, help: 'min – max, 0..1' },
      { path: 'dataset.labelNoise', label: 'label noise', kind: num(0.01) },
      { path: 'dataset.seed', label: 'dataset seed', kind: num(1) },
    ],
  },
  { id: 'teacher', title: '1 · Teacher (full faces ○)', fields: stageFields('teacher') },
  { id: 'student', title: '2 · Student (half faces, from the teacher)', fields: stageFields('student') },
  {
    id: 'standard', title: '3a · Standard T-S (KD for expression, hints for gender and age)',
    fields: [
      { path: 'standard.kind', label: 'loss', kind: sel(['auto', 'kd', 'hint'], ['auto (by task)', 'KD (Hinton)', 'hints (Romero)']) },
      { path: 'standard.lambda', label: 'λ', kind: num(0.05), help: 'KD: weight of the ground truth; hints: weight of the hint term' },
      { path: 'standard.temperature', label: 'τ (temperature)', kind: num(0.5) },
      { path: 'standard.scaleByTemperatureSquared', label: 'scale the soft term by τ²', kind: { type: 'bool' } },
      ...stageFields('standard'),
    ],
  },
  {
    id: 'triplet', title: '3b · Triplet T-S (offline hard-example mining)',
    fields: [
      { path: 'triplet.lambda', label: 'λ', kind: num(0.05), help: 'weight of the triplet term; 1 − λ goes to the task loss' },
      { path: 'triplet.margin', label: 'margin α', kind: num(0.05), help: 'on squared distances of unit embeddings (0..4)' },
      { path: 'triplet.subsetPercent', label: 'mining pool %', kind: num(1), help: 'of the training set, drawn once per epoch' },
      { path: 'triplet.ageThreshold', label: 'age threshold (years)', kind: num(1), help: 'age: positives within this many years' },
      ...stageFields('triplet'),
    ],
  },
  {
    id: 'ensemble', title: '3c · Combined students (SVM / ε-SVR on both embeddings)',
    help: 'A linear SVM (ε-SVR for age) on the concatenated embeddings of the standard and triplet students; C chosen on validation from the grid in the JSON below (ensemble.cGrid).',
    fields: [
      { path: 'ensemble.enabled', label: 'combine the students', kind: { type: 'bool' } },
      { path: 'ensemble.singles', label: 'also each embedding alone', kind: { type: 'bool' }, help: 'the ablation rows' },
      { path: 'ensemble.epsilon', label: 'ε (SVR)', kind: num(0.05), help: 'in units of 20 years: 0.1 = 2 years' },
    ],
  },
];

export { getPath };

export function defaultOf(path: string): unknown {
  return getPath(DEFAULTS, path);
}

/** Text for a field's input: numbers as typed, null as empty. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return String(v);
}

/** What a typed number field stores: a number when the text is one, null when empty and allowed, else
 *  the raw text (so configErrors names the problem next to the field). */
export function parseNumberInput(text: string, nullable: boolean): number | string | null {
  const t = text.trim();
  if (t === '') return nullable ? null : '';
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}

/** Errors for a field: those on its path exactly, or on a path inside it. */
export function errorsFor(errors: { field: string; message: string }[], path: string): string[] {
  return errors.filter((e) => e.field === path || e.field.startsWith(`${path}.`)).map((e) => e.message);
}

/** Every field path the form shows (errors on other paths are listed above the form). */
export const FORM_PATHS = new Set(FIELD_GROUPS.flatMap((g) => g.fields.map((f) => f.path)));
