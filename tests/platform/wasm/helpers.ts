// Shared by the wasm kernel tests: run the same computation on 'wasm' and 'cpu' from the same data, and
// compare. tests/helpers/setup.ts leaves 'cpu' selected; every helper here restores it.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/platform/backend';

export async function useWasm(): Promise<void> {
  const r = await selectBackend(['wasm']);
  if (r.name !== 'wasm') throw new Error('wasm backend did not start');
}

/** Deterministic pseudo-random floats in [-1, 1) (optionally a share of exact zeros, as after a ReLU). */
export function randomData(size: number, seed: number, zeros = 0): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = (): number => {
    // xorshift32 in [0, 1)
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = 2 * next() - 1;
    out[i] = zeros > 0 && next() < zeros ? 0 : v;
  }
  return out;
}

export interface Input {
  data: Float32Array | Int32Array;
  shape: number[];
  dtype?: 'float32' | 'int32';
}

/**
 * Runs `f` on tensors made from `inputs` under `backend` and returns its outputs' values; checks that f
 * leaves no tensor behind besides its outputs.
 */
export async function runOn(
  backend: 'wasm' | 'cpu',
  inputs: Input[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<{ values: Float32Array[]; shapes: number[][]; leaked: number }> {
  if (backend === 'wasm') await useWasm();
  else await tf.setBackend('cpu');
  const xs = inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype ?? 'float32'));
  const before = tf.memory().numTensors;
  const out = f(...xs);
  const outs = Array.isArray(out) ? out : [out];
  const leaked = tf.memory().numTensors - before - outs.length;
  const values = await Promise.all(outs.map(async (t) => new Float32Array(await t.data())));
  const shapes = outs.map((t) => t.shape);
  tf.dispose([...outs, ...xs]);
  if (backend === 'wasm') await tf.setBackend('cpu');
  return { values, shapes, leaked };
}

/** max |a - b| / max(1e-6, max |b|): error relative to the reference's scale. */
export function relError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}

/** Runs f on wasm and cpu from the same inputs; returns the worst relative error over outputs. */
export async function compareBackends(
  inputs: Input[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<{ err: number; leaked: number; shapes: number[][] }> {
  const w = await runOn('wasm', inputs, f);
  const c = await runOn('cpu', inputs, f);
  const shapesMatch = JSON.stringify(w.shapes) === JSON.stringify(c.shapes);
  const err = shapesMatch ? Math.max(...w.values.map((v, i) => relError(v, c.values[i]))) : Infinity;
  return { err, leaked: Math.max(w.leaked, c.leaked), shapes: w.shapes };
}
