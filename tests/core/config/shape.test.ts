// Config documents are checked for prototype names and depth before any merge, clone or validation: a
// `__proto__` key (which JSON.parse keeps as an own property) is refused wherever it is, like `constructor`,
// and a document nested 100,000 levels deep is refused in words instead of overflowing the stack.
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, DEFAULTS, makeConfig, mergeConfig } from '../../../src/core/config/config';
import { configShapeErrors, MAX_CONFIG_DEPTH } from '../../../src/core/config/shape';
import { configErrors, validateConfig } from '../../../src/core/config/validate';

const errorsOf = (f: () => unknown): { field: string; message: string }[] => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    return (e as ConfigValidationError).errors;
  }
  throw new Error('expected a ConfigValidationError');
};

const deep = (levels: number, leaf = '1') => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;

describe('config shape guards', () => {
  it('refuses __proto__ at the top level: a sweep hidden there is never merged or read', () => {
    const doc = JSON.parse('{"__proto__": {"sweep": {"path": "triplet.margin", "values": [0.1, 99]}}, "name": "x"}');
    expect(Object.keys(doc)).toContain('__proto__'); // JSON.parse keeps it as an own property
    expect(errorsOf(() => makeConfig(doc))).toEqual([
      { field: '__proto__', message: 'is not allowed as a setting name' },
    ]);
    expect(errorsOf(() => mergeConfig(DEFAULTS, doc))[0].field).toBe('__proto__');
    expect(configErrors(doc)).toContainEqual({ field: '__proto__', message: 'is not allowed as a setting name' });
  });

  it('refuses __proto__, constructor and prototype nested anywhere, arrays included, each by its path', () => {
    const doc = JSON.parse(
      '{"teacher": {"__proto__": {"epochs": 5}}, "model": {"custom": {"convs": [{"constructor": 1}]}},' +
        ' "triplet": {"positivePool": {"prototype": {}}}}',
    );
    const fields = errorsOf(() => makeConfig(doc))
      .map((e) => e.field)
      .sort();
    expect(fields).toEqual([
      'model.custom.convs[0].constructor',
      'teacher.__proto__',
      'triplet.positivePool.prototype',
    ]);
    expect(() => validateConfig({ ...DEFAULTS, teacher: doc.teacher })).toThrow(
      /teacher\.__proto__: is not allowed as a setting name/,
    );
  });

  it('refuses a document nested 100,000 levels deep in words (no stack overflow), under any key', () => {
    for (const text of [deep(100_000), `{"name": ${deep(100_000)}}`, `{"sweep": {"values": [${deep(100_000)}]}}`]) {
      const doc = JSON.parse(text);
      const errs = errorsOf(() => makeConfig(doc));
      expect(errs).toHaveLength(1);
      expect(errs[0].message).toBe(`is nested more than ${MAX_CONFIG_DEPTH} levels deep; no setting is`);
      expect(configErrors(doc)).toEqual(errs);
    }
  });

  it('accepts every depth a real setting has, and refuses one level past the bound', () => {
    expect(configShapeErrors(DEFAULTS)).toEqual([]);
    expect(configShapeErrors(JSON.parse(deep(MAX_CONFIG_DEPTH)))).toEqual([]);
    expect(configShapeErrors(JSON.parse(deep(MAX_CONFIG_DEPTH + 1)))).toHaveLength(1);
    const custom = {
      model: {
        arch: 'custom',
        custom: {
          convs: [{ filters: 8, kernel: 3, stride: 1, padding: 'same', pool: 2, batchNorm: true }],
          dense: [16],
        },
      },
    };
    expect(configShapeErrors(custom)).toEqual([]);
    expect(makeConfig(custom).model.custom).toEqual(custom.model.custom);
  });
});
