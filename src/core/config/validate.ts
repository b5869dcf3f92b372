// Validation of an experiment config against the settings table (settings.ts): every wrong, missing or
// unknown field is reported by its dotted path, so the UI can show the message next to the field and the
// runner can print them all at once. Own properties only: `__proto__`, `constructor`... are refused.
import { sweepError } from '../results/sweep';
import { customLayoutSize } from '../models/customSize';
import { ConfigValidationError, type ConfigError, type ExperimentConfig } from './config';
import { configShapeErrors, FORBIDDEN_KEYS } from './shape';
import {
  checkOf,
  DATASET_SETTINGS,
  OPTIONAL_DATASET_KEYS,
  OPTIONAL_ROOTS,
  SETTINGS,
  type Check,
  type Setting,
} from './settings';

/** A node of the settings tree: a leaf check, or the checks of an object's keys. */
type Node = Check | Map<string, Node>;

/** The settings, as a tree of checks keyed by path segment. */
function tree(settings: Setting[], strip = ''): Map<string, Node> {
  const root = new Map<string, Node>();
  for (const s of settings) {
    const keys = s.path.slice(strip.length).split('.');
    let node = root;
    for (const k of keys.slice(0, -1)) {
      if (!node.has(k)) node.set(k, new Map());
      node = node.get(k) as Map<string, Node>;
    }
    node.set(keys[keys.length - 1], checkOf(s.type));
  }
  return root;
}

const TOP = tree(SETTINGS);
const DATASET = Object.fromEntries(
  Object.entries(DATASET_SETTINGS).map(([k, v]) => [k, tree(v, 'dataset.')]),
) as Record<keyof typeof DATASET_SETTINGS, Map<string, Node>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks `obj` against a tree: own properties only, every missing and unknown key named. */
function checkObject(
  obj: unknown,
  checks: Map<string, Node>,
  path: string,
  out: ConfigError[],
  optional: ReadonlySet<string> = new Set(),
): void {
  if (!isObject(obj)) {
    const got = obj === null ? 'null' : Array.isArray(obj) ? 'an array' : JSON.stringify(obj);
    out.push({ field: path || '(root)', message: `must be an object (got ${got})` });
    return;
  }
  for (const [key, check] of checks) {
    const field = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(obj, key)) {
      if (!optional.has(key)) out.push({ field, message: 'is missing' });
    } else if (typeof check === 'function') {
      const msg = check(obj[key]);
      if (msg) out.push({ field, message: msg });
    } else {
      checkObject(obj[key], check, field, out);
    }
  }
  for (const key of Object.keys(obj)) {
    const field = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) out.push({ field, message: 'is not allowed as a setting name' });
    else if (!checks.has(key) && !(path === '' && key === 'sweep'))
      out.push({ field, message: 'is not a known setting (typo?)' });
  }
}

/** Every problem with a config, each naming its field; empty when the config is valid. */
export function configErrors(cfg: unknown): ConfigError[] {
  // Depth first: nothing below may walk a document nested 100,000 levels deep. Prototype names at any
  // depth are added to what the walk below finds (it sees them only where settings are).
  const shape = configShapeErrors(cfg);
  if (shape.some((e) => e.message.startsWith('is nested'))) return shape;
  const out: ConfigError[] = [];
  validInto(cfg, out);
  for (const e of shape) if (!out.some((o) => o.field === e.field)) out.push(e);
  return out;
}

function validInto(cfg: unknown, out: ConfigError[]): void {
  if (!isObject(cfg)) {
    const got = cfg === null ? 'null' : Array.isArray(cfg) ? 'an array' : JSON.stringify(cfg);
    out.push({ field: '(root)', message: `must be an object of settings (got ${got})` });
    return;
  }
  const { dataset: ds, ...rest } = cfg;
  checkObject(rest, TOP, '', out, OPTIONAL_ROOTS);
  if (Object.hasOwn(cfg, 'sweep') && cfg.sweep !== null && cfg.sweep !== undefined) {
    const sw = cfg.sweep as { path?: unknown; values?: unknown };
    if (!isObject(sw) || typeof sw.path !== 'string')
      out.push({ field: 'sweep', message: 'must be null or { "path": "<setting>", "values": [...] }' });
    else {
      const e = sweepError({ path: sw.path, values: sw.values as number[] }, cfg as unknown as ExperimentConfig);
      if (e) out.push({ field: e.split(':')[0], message: e.slice(e.indexOf(':') + 2) });
    }
  }
  if (!Object.hasOwn(cfg, 'dataset')) out.push({ field: 'dataset', message: 'is missing' });
  else {
    const source = isObject(ds) ? ds.source : undefined;
    if (source === 'synth' || source === 'stored' || source === 'file')
      checkObject(ds, DATASET[source], 'dataset', out, OPTIONAL_DATASET_KEYS);
    else if (!isObject(ds)) checkObject(ds, DATASET.synth, 'dataset', out);
    else
      out.push({
        field: 'dataset.source',
        message: `must be "synth", "stored" or "file" (got ${JSON.stringify(source)})`,
      });
  }
  if (out.length === 0) {
    const c = cfg as unknown as ExperimentConfig;
    for (const s of ['teacher', 'student', 'standard', 'triplet'] as const) {
      if (c[s].minLearningRate > c[s].learningRate) {
        out.push({
          field: `${s}.minLearningRate`,
          message: `must not exceed ${s}.learningRate (${c[s].learningRate})`,
        });
      }
    }
    if (c.teacher.epochs === 0) out.push({ field: 'teacher.epochs', message: 'the teacher needs at least one epoch' });
    if (c.model.arch === 'custom' && c.model.custom === null) {
      out.push({
        field: 'model.custom',
        message: 'arch "custom" needs its layers: { "convs": [...], "dense": [...] } (or choose another architecture)',
      });
    }
    if (c.model.arch === 'custom' && c.model.custom !== null && c.dataset.source === 'synth') {
      const size = customLayoutSize(
        c.model.custom,
        [c.dataset.height, c.dataset.width, c.dataset.channels],
        8,
        c.model.width,
        c.model.embeddingSize,
      );
      if (size.error)
        out.push({
          field: 'model.custom',
          message: `${size.error} at the dataset's ${c.dataset.height}x${c.dataset.width} images`,
        });
    }
    if (c.dataset.source === 'synth') {
      for (const s of ['teacher', 'student', 'standard', 'triplet'] as const) {
        if (c[s].batchSize > c.dataset.train) {
          out.push({
            field: `${s}.batchSize`,
            message: `is larger than the training split (${c.dataset.train} images)`,
          });
        }
      }
    }
  }
}

/** Throws a ConfigValidationError listing every wrong field; returns the config typed when valid. */
export function validateConfig(cfg: unknown): ExperimentConfig {
  const errors = configErrors(cfg);
  if (errors.length) throw new ConfigValidationError(errors);
  return cfg as ExperimentConfig;
}
