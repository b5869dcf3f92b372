// Validation of an experiment config: every wrong or unknown field is reported by its dotted path,
// so the UI can show the message next to the field and the runner can print them all at once.
import { TASKS } from '../data/types';
import { sweepError } from '../sweep';
import { ARCH_NAMES } from '../models/spec';
import { ConfigValidationError, DEFAULTS, type ConfigError, type ExperimentConfig } from './config';

type Check = (v: unknown) => string | null;

const num = (min: number, max: number, integer = false): Check => (v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a finite number (got ${JSON.stringify(v)})`;
  if (integer && !Number.isInteger(v)) return `must be a whole number (got ${v})`;
  if (v < min || v > max) return `must be between ${min} and ${max} (got ${v})`;
  return null;
};
const oneOf = (values: readonly unknown[]): Check => (v) =>
  values.includes(v) ? null : `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')} (got ${JSON.stringify(v)})`;
const bool: Check = (v) => (typeof v === 'boolean' ? null : `must be true or false (got ${JSON.stringify(v)})`);
const str: Check = (v) => (typeof v === 'string' ? null : `must be a string (got ${JSON.stringify(v)})`);
const nullable = (c: Check): Check => (v) => (v === null ? null : c(v));

const stageChecks: Record<string, Check> = {
  epochs: num(0, 1000, true),
  batchSize: num(1, 4096, true),
  optimizer: oneOf(['adam', 'sgd']),
  learningRate: num(1e-8, 10),
  momentum: num(0, 0.999),
  lrPatience: num(0, 1000, true),
  lrFactor: num(0.01, 1),
  minLearningRate: num(0, 10),
};

const schema: Record<string, Check | Record<string, Check>> = {
  name: str,
  seed: num(0, 2 ** 32 - 1, true),
  task: oneOf(TASKS),
  scenario: oneOf(['lower', 'upper']),
  model: {
    arch: oneOf(ARCH_NAMES),
    width: num(1 / 64, 4),
    embeddingSize: nullable(num(2, 16384, true)),
    dropout: nullable(num(0, 0.95)),
  },
  teacher: stageChecks,
  student: stageChecks,
  trainOtherHalfStudent: bool,
  standard: {
    ...stageChecks,
    kind: oneOf(['auto', 'kd', 'hint']),
    lambda: num(0, 1),
    temperature: num(0.05, 100),
    scaleByTemperatureSquared: bool,
  },
  triplet: {
    ...stageChecks,
    lambda: num(0, 1),
    margin: num(0, 4),
    subsetPercent: num(0.1, 100),
    ageThreshold: num(0, 100),
  },
  sameBudgetControl: bool,
  skipStudentStep: bool,
  evalBatchSize: num(1, 8192, true),
};

const synthChecks: Record<string, Check> = {
  source: oneOf(['synth']),
  train: num(1, 1_000_000, true),
  val: num(1, 1_000_000, true),
  test: num(1, 1_000_000, true),
  height: num(8, 512, true),
  width: num(8, 512, true),
  channels: oneOf([1, 3]),
  intensity: (v) =>
    Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && x >= 0 && x <= 1) && v[0] <= v[1]
      ? null
      : `must be [min, max] with 0 ≤ min ≤ max ≤ 1 (got ${JSON.stringify(v)})`,
  labelNoise: num(0, 0.5),
  classWeights: (v) =>
    v === null || (Array.isArray(v) && v.length === 8 && v.every((x) => typeof x === 'number' && x >= 0) && v.some((x) => x > 0))
      ? null
      : `must be null or 8 non-negative numbers, not all zero (got ${JSON.stringify(v)})`,
  seed: num(0, 2 ** 32 - 1, true),
};
const storedChecks: Record<string, Check> = {
  source: oneOf(['stored']),
  id: (v) => (typeof v === 'string' && v.length > 0 ? null : 'must name a stored dataset (non-empty string)'),
};

const ensembleChecks: Record<string, Check> = {
  enabled: bool,
  cGrid: (v) => (Array.isArray(v) && v.length > 0 && v.length <= 50 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)
    ? null : `must be 1 to 50 positive numbers (got ${JSON.stringify(v)})`),
  epsilon: num(0, 10),
  singles: bool,
};

const fileChecks: Record<string, Check> = {
  source: oneOf(['file']),
  path: (v) => (typeof v === 'string' && v.length > 0 ? null : 'must be the path of a CSV, an archive or a folder'),
  ferplus: (v) => (v === null || (typeof v === 'string' && v.length > 0) ? null : 'must be null or the path of fer2013new.csv'),
  format: oneOf(['auto', 'fer2013', 'utkface', 'folder']),
  height: num(8, 512, true),
  width: num(8, 512, true),
  channels: oneOf([1, 3]),
  seed: num(0, 2 ** 32 - 1, true),
};

function checkObject(obj: unknown, checks: Record<string, Check | Record<string, Check>>, path: string, out: ConfigError[]): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    out.push({ field: path || '(root)', message: `must be an object (got ${JSON.stringify(obj)})` });
    return;
  }
  const rec = obj as Record<string, unknown>;
  for (const [key, check] of Object.entries(checks)) {
    const field = path ? `${path}.${key}` : key;
    if (!(key in rec)) {
      out.push({ field, message: 'is missing' });
    } else if (typeof check === 'function') {
      const msg = check(rec[key]);
      if (msg) out.push({ field, message: msg });
    } else {
      checkObject(rec[key], check, field, out);
    }
  }
  for (const key of Object.keys(rec)) {
    if (!(key in checks)) out.push({ field: path ? `${path}.${key}` : key, message: 'is not a known setting (typo?)' });
  }
}

/** Every problem with a config, each naming its field; empty when the config is valid. */
export function configErrors(cfg: unknown): ConfigError[] {
  const out: ConfigError[] = [];
  const { dataset: _d, teacherInit, ensemble, sweep, ...rest } = (typeof cfg === 'object' && cfg !== null ? cfg : {}) as Record<string, unknown>;
  if (sweep !== undefined && sweep !== null) {
    const sw = sweep as { path?: unknown; values?: unknown };
    if (typeof sw !== 'object' || typeof sw.path !== 'string') out.push({ field: 'sweep', message: 'must be null or { "path": "<setting>", "values": [...] }' });
    else {
      const e = sweepError({ path: sw.path, values: sw.values as number[] }, cfg as ExperimentConfig);
      if (e) out.push({ field: e.split(':')[0], message: e.slice(e.indexOf(':') + 2) });
    }
  }
  if (ensemble !== undefined) checkObject(ensemble, ensembleChecks, 'ensemble', out);
  checkObject(rest, schema, '', out);
  // Optional (configs saved before it existed have none).
  if (teacherInit !== undefined && teacherInit !== null && !(typeof teacherInit === 'string' && teacherInit.length > 0)) {
    out.push({ field: 'teacherInit', message: `must be null or the id of an imported model (got ${JSON.stringify(teacherInit)})` });
  }
  const ds = (cfg as Record<string, unknown> | null)?.dataset;
  if (ds === undefined) out.push({ field: 'dataset', message: 'is missing' });
  else {
    const source = (ds as Record<string, unknown> | null)?.source;
    if (source === 'synth') checkObject(ds, synthChecks, 'dataset', out);
    else if (source === 'stored') checkObject(ds, storedChecks, 'dataset', out);
    else if (source === 'file') checkObject(ds, fileChecks, 'dataset', out);
    else out.push({ field: 'dataset.source', message: `must be "synth", "stored" or "file" (got ${JSON.stringify(source)})` });
  }
  if (out.length === 0) {
    const c = cfg as ExperimentConfig;
    for (const s of ['teacher', 'student', 'standard', 'triplet'] as const) {
      if (c[s].minLearningRate > c[s].learningRate) {
        out.push({ field: `${s}.minLearningRate`, message: `must not exceed ${s}.learningRate (${c[s].learningRate})` });
      }
    }
    if (c.teacher.epochs === 0) out.push({ field: 'teacher.epochs', message: 'the teacher needs at least one epoch' });
    if (c.dataset.source === 'synth') {
      for (const s of ['teacher', 'student', 'standard', 'triplet'] as const) {
        if (c[s].batchSize > c.dataset.train) {
          out.push({ field: `${s}.batchSize`, message: `is larger than the training split (${c.dataset.train} images)` });
        }
      }
    }
    if (c.task === 'expression' && c.standard.kind === 'hint') {
      // Allowed (an ablation), but KD is the method's choice for many classes; nothing to report.
    }
  }
  return out;
}

/** Throws a ConfigValidationError listing every wrong field; returns the config typed when valid. */
export function validateConfig(cfg: unknown): ExperimentConfig {
  const errors = configErrors(cfg);
  if (errors.length) throw new ConfigValidationError(errors);
  return cfg as ExperimentConfig;
}

/** Keys of DEFAULTS, for UIs that list settings. */
export const CONFIG_KEYS = Object.keys(DEFAULTS) as (keyof ExperimentConfig)[];
