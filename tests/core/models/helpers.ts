// Shared tiny specs and tensor helpers for the models tests (cpu backend: keep everything tiny).
import * as tf from '@tensorflow/tfjs';
import type { ArchName, CustomLayout, ModelSpec } from '../../../src/core/models';

/** A spec small enough for the pure-JS cpu backend. */
export function tinySpec(arch: ArchName, over: Partial<ModelSpec> = {}): ModelSpec {
  const custom = arch === 'custom' ? { custom: TINY_CUSTOM } : {};
  return {
    arch,
    inputShape: [32, 32, 3],
    outputUnits: 8,
    width: arch === 'small' ? 0.125 : arch === 'custom' ? 0.25 : 1 / 16,
    seed: 7,
    ...custom,
    ...over,
  };
}

/** A custom layout with every kind of block: BatchNorm and not, two dense layers (filters 4, 8 and units
 *  8, 4 at width 1/4). */
export const TINY_CUSTOM: CustomLayout = {
  convs: [
    { filters: 16, kernel: 3, stride: 1, padding: 'same', batchNorm: true, pool: 2 },
    { filters: 32, kernel: 3, stride: 1, padding: 'same', batchNorm: false, pool: 2 },
  ],
  dense: [32, 16],
};

/** Deterministic input batch [b, h, w, c] in [0, 1). */
export function inputBatch(b: number, shape: [number, number, number], seed = 1): tf.Tensor4D {
  return tf.randomUniform([b, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D;
}

export function flatWeights(m: tf.LayersModel): Float32Array[] {
  return m.getWeights().map((w) => w.dataSync() as Float32Array);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Runs a model in inference mode and returns its outputs as plain arrays (no tensors left behind). */
export function run(m: tf.LayersModel, x: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const y = m.predict(x);
    return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
  });
}
