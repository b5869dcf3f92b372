import { describe, expect, it } from 'vitest';
import { ConfigValidationError, DEFAULTS, makeConfig } from '../../../src/core/config/config';
import { configErrors, validateConfig } from '../../../src/core/config/validate';

describe('config', () => {
  it('defaults are valid and JSON round-trips', () => {
    expect(configErrors(DEFAULTS)).toEqual([]);
    expect(JSON.parse(JSON.stringify(DEFAULTS))).toEqual(DEFAULTS);
  });
  it('overrides merge deeply without touching the defaults', () => {
    const c = makeConfig({ triplet: { margin: 0.5 }, dataset: { train: 10 } });
    expect(c.triplet.margin).toBe(0.5);
    expect(c.triplet.lambda).toBe(DEFAULTS.triplet.lambda);
    expect(c.dataset).toMatchObject({ source: 'synth', train: 10, val: 1000 });
    expect(DEFAULTS.triplet.margin).toBe(0.2);
  });
  it('every wrong field is named', () => {
    const bad = makeConfig({
      task: 'emotion',
      triplet: { margin: -1, epochs: 1.5 },
      model: { arch: 'vgg-99' },
      teacher: { optimizer: 'rmsprop' },
      extra: 1,
    });
    const fields = configErrors(bad)
      .map((e) => e.field)
      .sort();
    expect(fields).toEqual(['extra', 'model.arch', 'task', 'teacher.optimizer', 'triplet.epochs', 'triplet.margin']);
    expect(() => validateConfig(bad)).toThrow(ConfigValidationError);
    try {
      validateConfig(bad);
    } catch (e) {
      expect(String(e)).toMatch(/triplet\.margin: must be between 0 and 2 \(got -1\)/);
    }
  });
  it('missing fields, wrong dataset source, cross-field rules', () => {
    const { seed: _s, ...noSeed } = DEFAULTS;
    expect(configErrors(noSeed)).toEqual([{ field: 'seed', message: 'is missing' }]);
    expect(configErrors({ ...DEFAULTS, dataset: { source: 'web' } })[0].field).toBe('dataset.source');
    expect(configErrors(makeConfig({ student: { learningRate: 1e-4, minLearningRate: 1e-3 } }))[0].field).toBe(
      'student.minLearningRate',
    );
    expect(
      configErrors(makeConfig({ dataset: { train: 10 }, teacher: { batchSize: 64 } })).map((e) => e.field),
    ).toContain('teacher.batchSize');
  });
});
