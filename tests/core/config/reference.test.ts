// The settings issue 17 added, each validated by field with a clear message: the custom architecture's
// layers and initialisation, which epoch a stage keeps, the two mining pools; configs saved with the old
// single pool percentage still load; the reference-cnn-28 preset is what docs/guide/custom-cnn.md says it is.
import { describe, expect, it } from 'vitest';
import { configErrors, DEFAULTS, makeConfig, presetConfig, upgradeConfig } from '../../../src/core/config';
import { modelSize } from '../../../src/core/models';
import { specOf } from '../../../src/core/distill/context';

const errs = (over: unknown) => configErrors(makeConfig(over));
const block = { filters: 8, kernel: 3, stride: 1, padding: 'same', batchNorm: false, pool: 2 };

describe('model.custom and model.init', () => {
  it('defaults keep today’s behaviour: no custom layers, He initialisation, the best epoch, pools of each class', () => {
    expect(DEFAULTS.model.custom).toBeNull();
    expect(DEFAULTS.model.init).toBe('he');
    for (const s of ['teacher', 'student', 'standard', 'triplet'] as const) expect(DEFAULTS[s].keep).toBe('best');
    expect(DEFAULTS.triplet.positivePool).toEqual({ percent: 10, of: 'class' });
    expect(DEFAULTS.triplet.negativePool).toEqual({ percent: 10, of: 'class' });
  });

  it('arch custom without layers, and bad layers, are named on model.custom', () => {
    expect(errs({ model: { arch: 'custom' } })).toEqual([
      {
        field: 'model.custom',
        message: 'arch "custom" needs its layers: { "convs": [...], "dense": [...] } (or choose another architecture)',
      },
    ]);
    expect(errs({ model: { arch: 'custom', custom: { convs: [{ ...block, kernel: 0 }], dense: [16] } } })).toEqual([
      { field: 'model.custom', message: 'convs[0].kernel must be a whole number 1-15; got 0' },
    ]);
    expect(errs({ model: { arch: 'custom', custom: { convs: [block], dense: [] } } })[0].message).toBe(
      'dense must list 1 to 8 hidden layer sizes, the last one the embedding; got []',
    );
    expect(errs({ model: { arch: 'custom', custom: [block] } })[0].message).toMatch(
      /^must be \{ "convs": \[\.\.\.\], "dense": \[\.\.\.\] \}/,
    );
  });

  it('a layout the dataset’s images are too small for is refused before a run', () => {
    const custom = { convs: [block, block, block, { ...block, kernel: 5, padding: 'valid' }], dense: [16] };
    // 48 → 24 → 12 → 6: a 5x5 valid conv fits; at 16x16: 8 → 4 → 2, it does not.
    expect(errs({ model: { arch: 'custom', custom } })).toEqual([]);
    expect(errs({ model: { arch: 'custom', custom }, dataset: { height: 16, width: 16 } })).toEqual([
      {
        field: 'model.custom',
        message: "block 4: the map is 2x2 there, too small for a 5x5 'valid' conv at the dataset's 16x16 images",
      },
    ]);
  });

  it('init must be he or pytorch', () => {
    expect(errs({ model: { init: 'xavier' } })).toEqual([
      { field: 'model.init', message: 'must be one of "he", "pytorch" (got "xavier")' },
    ]);
  });

  it('the spec a run builds carries the layers and the initialisation (custom only for arch custom)', () => {
    const cfg = makeConfig({ model: { arch: 'custom', custom: { convs: [block], dense: [16] }, init: 'pytorch' } });
    const spec = specOf(cfg.model, [28, 28, 1], 8, 3);
    expect(spec).toMatchObject({ arch: 'custom', custom: { convs: [block], dense: [16] }, init: 'pytorch' });
    expect(specOf({ ...cfg.model, arch: 'small' }, [28, 28, 1], 8, 3).custom).toBeUndefined();
    // A model block saved before init existed builds with He initialisation.
    const { init: _unused, ...old } = DEFAULTS.model;
    expect(specOf(old as typeof DEFAULTS.model, [28, 28, 1], 8, 3).init).toBeUndefined();
  });
});

describe('keep and the mining pools', () => {
  it('keep is best or last, per stage', () => {
    expect(errs({ student: { keep: 'final' } })).toEqual([
      { field: 'student.keep', message: 'must be one of "best", "last" (got "final")' },
    ]);
    expect(errs({ teacher: { keep: 'last' }, triplet: { keep: 'last' } })).toEqual([]);
  });

  it('each pool: a percentage in 0.1..100 of the class or of the training set', () => {
    expect(errs({ triplet: { positivePool: { percent: 0 } } })).toEqual([
      { field: 'triplet.positivePool.percent', message: 'must be between 0.1 and 100 (got 0)' },
    ]);
    expect(errs({ triplet: { negativePool: { of: 'dataset' } } })).toEqual([
      { field: 'triplet.negativePool.of', message: 'must be one of "class", "train" (got "dataset")' },
    ]);
    expect(configErrors({ ...DEFAULTS, triplet: { ...DEFAULTS.triplet, positivePool: 5 } })).toEqual([
      { field: 'triplet.positivePool', message: 'must be an object (got 5)' },
    ]);
  });

  it('a config saved with the single subsetPercent loads as both pools of each class', () => {
    const old = { triplet: { subsetPercent: 25, margin: 0.3 } };
    const cfg = makeConfig(old);
    expect(cfg.triplet.positivePool).toEqual({ percent: 25, of: 'class' });
    expect(cfg.triplet.negativePool).toEqual({ percent: 25, of: 'class' });
    expect(cfg.triplet.margin).toBe(0.3);
    expect('subsetPercent' in cfg.triplet).toBe(false);
    expect(old.triplet.subsetPercent).toBe(25); // not modified
    expect(configErrors(cfg)).toEqual([]);
    // Pools given beside it win.
    expect(
      (upgradeConfig({ triplet: { subsetPercent: 25, negativePool: { percent: 5, of: 'train' } } }) as typeof cfg)
        .triplet.negativePool,
    ).toEqual({ percent: 5, of: 'train' });
  });
});

describe('preset reference-cnn-28', () => {
  it('is the issue’s network and loop, and validates', () => {
    const c = presetConfig('reference-cnn-28');
    expect(configErrors(c)).toEqual([]);
    expect(c.dataset).toMatchObject({ source: 'synth', height: 28, width: 28, channels: 1 });
    expect(c.scenario).toBe('lower');
    expect(c.model).toMatchObject({ arch: 'custom', init: 'pytorch', dropout: 0, width: 1, embeddingSize: null });
    expect(c.model.custom!.convs.map((b) => [b.filters, b.kernel, b.padding, b.batchNorm, b.pool])).toEqual([
      [32, 3, 'same', false, 2],
      [64, 3, 'same', false, 2],
    ]);
    expect(c.model.custom!.dense).toEqual([128]);
    for (const s of ['teacher', 'student', 'standard', 'triplet'] as const) {
      expect(c[s]).toMatchObject({
        epochs: 3,
        batchSize: 64,
        optimizer: 'adam',
        learningRate: 1e-3,
        patience: 0,
        lrFactor: 1,
        keep: 'last',
      });
    }
    expect(c.standard).toMatchObject({ kind: 'kd', temperature: 3, lambda: 0.5, scaleByTemperatureSquared: false });
    expect(c.triplet).toMatchObject({
      margin: 0.2,
      lambda: 0.5,
      positivePool: { percent: 5, of: 'train' },
      negativePool: { percent: 5, of: 'train' },
    });
    // 4.2 M multiply-adds at 28x28 with 8 classes (the figure), 421k parameters.
    const size = modelSize(specOf(c.model, [28, 28, 1], 8, 1));
    expect(size.macs).toBe(28 * 28 * 288 + 14 * 14 * 18_432 + 3_136 * 128 + 128 * 8);
    expect(size.trainableParams).toBe(320 + 18_496 + 401_536 + 1_032);
  });
});
