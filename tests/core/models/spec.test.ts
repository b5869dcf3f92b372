// Spec validation names the bad field; the helpers fail loudly and leak nothing when misused.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARCHITECTURES,
  buildModel,
  copyModel,
  modelFlops,
  withEmbedding,
  withLastConv,
  type ModelSpec,
} from '../../../src/core/models';
import { tinySpec } from './helpers';

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('validation names the field', () => {
  const bad: Array<[string, Partial<Record<keyof ModelSpec, unknown>>]> = [
    ['arch', { arch: 'alexnet' }],
    ['inputShape', { inputShape: [32, 32] }],
    ['inputShape', { inputShape: [0, 32, 3] }],
    ['inputShape', { inputShape: [32, 32.5, 3] }],
    ['outputUnits', { outputUnits: 0 }],
    ['width', { width: 0 }],
    ['width', { width: Number.NaN }],
    ['embeddingSize', { embeddingSize: 2.5 }],
    ['dropout', { dropout: 1 }],
    ['norm', { norm: 'groupnorm' }],
    ['seed', { seed: 0.5 }],
    ['seed', { seed: undefined }],
  ];
  it.each(bad)('%s: %j', (field, over) => {
    const spec = { ...tinySpec('small'), ...over } as ModelSpec;
    expect(() => buildModel(spec)).toThrow(`ModelSpec.${field}`);
    expect(() => modelFlops(spec)).toThrow(`ModelSpec.${field}`);
  });
});

it('a builder refuses a spec for another architecture', () => {
  expect(() => ARCHITECTURES['vgg-f'].build(tinySpec('small'))).toThrow('ModelSpec.arch');
});

it('embeddingSize overrides the embedding width only', () => {
  const m = buildModel(tinySpec('vgg-f', { embeddingSize: 24 }));
  expect(m.getLayer('embedding').outputShape).toEqual([null, 24]);
  expect(m.getLayer('fc6').outputShape).toEqual([null, 256]);
  m.dispose();
});

it('dropout 0 adds no dropout layer; the default adds them', () => {
  const a = buildModel(tinySpec('vgg-face', { dropout: 0 }));
  const b = buildModel(tinySpec('vgg-face'));
  expect(a.layers.filter((l) => l.getClassName() === 'Dropout')).toHaveLength(0);
  expect(b.layers.filter((l) => l.getClassName() === 'Dropout').map((l) => l.getConfig().rate)).toEqual([0.5, 0.5]);
  a.dispose();
  b.dispose();
});

it('copyModel with a different spec throws and frees what it built', () => {
  const src = buildModel(tinySpec('small'));
  expect(() => copyModel(src, tinySpec('small', { width: 0.25 }))).toThrow();
  expect(() => copyModel(src, tinySpec('vgg-f'))).toThrow();
  src.dispose();
});

it('views of a model without the named layers say which layer is missing', () => {
  const input = tf.input({ shape: [4] });
  const m = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
  expect(() => withEmbedding(m)).toThrow("no layer 'embedding'");
  expect(() => withLastConv(m)).toThrow("no layer 'last_conv'");
  m.dispose();
});
