// The settings table is the one definition of every setting: its defaults make DEFAULTS, it covers
// every key of the config, its checks validate, and the sweep list comes from it.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, FILE_DATASET_DEFAULTS } from '../../../src/core/config/config';
import { getPath } from '../../../src/core/config/paths';
import {
  checkOf,
  DATASET_SETTINGS,
  defaultsOf,
  SETTING_BY_PATH,
  SETTINGS,
  SWEEPABLE_PATHS,
} from '../../../src/core/config/settings';
import { configErrors } from '../../../src/core/config/validate';

/** Dotted paths of the leaves of a plain object (arrays are leaves). */
function leaves(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('settings table', () => {
  it('defines each path once, and DEFAULTS is exactly its defaults', () => {
    const paths = SETTINGS.map((s) => s.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(leaves(DEFAULTS).sort()).toEqual([...paths, ...DATASET_SETTINGS.synth.map((s) => s.path)].sort());
    for (const s of SETTINGS) expect(getPath(DEFAULTS, s.path)).toEqual(s.default);
    expect(FILE_DATASET_DEFAULTS).toEqual({
      source: 'file',
      path: '',
      ferplus: null,
      labels: null,
      format: 'auto',
      height: 48,
      width: 48,
      channels: 1,
      seed: 1,
    });
  });

  it('every default passes its own check, and the defaults validate as a whole', () => {
    for (const s of [...SETTINGS, ...DATASET_SETTINGS.synth]) {
      if (s.path === 'dataset.id' || s.path === 'dataset.path') continue;
      expect(checkOf(s.type)(s.default), s.path).toBeNull();
    }
    expect(configErrors(DEFAULTS)).toEqual([]);
  });

  it('number checks: range, whole numbers, null where allowed, non-finite values named', () => {
    const epochs = checkOf(SETTING_BY_PATH.get('teacher.epochs')!.type);
    expect(epochs(3)).toBeNull();
    expect(epochs(2.5)).toBe('must be a whole number (got 2.5)');
    expect(epochs(-1)).toBe('must be between 0 and 1000 (got -1)');
    expect(epochs(Infinity)).toBe('must be a finite number (got Infinity)');
    expect(epochs('3')).toBe('must be a finite number (got "3")');
    const emb = checkOf(SETTING_BY_PATH.get('model.embeddingSize')!.type);
    expect(emb(null)).toBeNull();
    expect(emb(1)).toBe('must be between 2 and 16384 (got 1)');
    expect(checkOf(SETTING_BY_PATH.get('triplet.margin')!.type)(2.5)).toBe('must be between 0 and 2 (got 2.5)');
  });

  it('defaultsOf expands dotted paths', () => {
    expect(
      defaultsOf([
        { path: 'a.b', default: 1, type: { type: 'bool' }, label: '', group: null },
        { path: 'a.c', default: [2], type: { type: 'bool' }, label: '', group: null },
      ]),
    ).toEqual({ a: { b: 1, c: [2] } });
  });

  it('sweeps may vary the numeric settings marked sweepable, and only those', () => {
    expect(SWEEPABLE_PATHS).toContain('triplet.margin');
    expect(SWEEPABLE_PATHS).toContain('standard.temperature');
    expect(SWEEPABLE_PATHS).not.toContain('seed');
    expect(SWEEPABLE_PATHS).not.toContain('task');
    for (const p of SWEEPABLE_PATHS) expect(typeof getPath(DEFAULTS, p)).toBe('number');
  });
});

describe('config keys that are not settings', () => {
  it('refuses names on the prototype chain and reads own properties only', () => {
    const bad = JSON.parse('{"__proto__": {"x": 1}, "constructor": 5, "toString": 5}') as object;
    const errs = configErrors({ ...structuredClone(DEFAULTS), ...bad });
    const fields = errs.map((e) => `${e.field}: ${e.message}`);
    expect(fields).toContain('__proto__: is not allowed as a setting name');
    expect(fields).toContain('constructor: is not allowed as a setting name');
    expect(fields).toContain('toString: is not a known setting (typo?)');
    const missing = configErrors(
      Object.assign(Object.create({ seed: 1 }), { ...structuredClone(DEFAULTS), seed: undefined }),
    );
    expect(missing.some((e) => e.field === 'seed')).toBe(true);
  });

  it('a null or an array config is one clear error, not one per setting', () => {
    expect(configErrors(null)).toEqual([{ field: '(root)', message: 'must be an object of settings (got null)' }]);
    expect(configErrors([])).toEqual([{ field: '(root)', message: 'must be an object of settings (got an array)' }]);
  });
});
