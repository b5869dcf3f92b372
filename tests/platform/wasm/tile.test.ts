// Tile on wasm (src/platform/wasm/tile.ts, registered by kernels.ts) against tfjs's cpu Tile: exactly equal
// over ranks 1-5, reps with 1s (and 0), odd sizes, float32 / int32 / bool (strings go to wasm's own); no
// tensor left behind; the BatchNorm gradient that tiles per-channel vectors still equals cpu's.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { WASM_TRAINING_KERNELS } from '../../../src/platform/wasm/kernels';
import type { WasmHeapBackend } from '../../../src/platform/wasm/poolGrad';
import { simplifyTile, tileOnHeap } from '../../../src/platform/wasm/tile';
import { randomData, relError, useWasm } from './helpers';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
type DType = 'float32' | 'int32' | 'bool';

function values(shape: number[], dtype: DType, seed: number): Float32Array | Int32Array | Uint8Array {
  const f = randomData(size(shape), seed);
  if (dtype === 'float32') return f;
  if (dtype === 'int32') return Int32Array.from(f, (v) => Math.round(v * 1000));
  return Uint8Array.from(f, (v) => (v > 0 ? 1 : 0));
}

// [shape, reps]
const cases: [number[], number[]][] = [
  [[1], [1]],
  [[1], [7]],
  [[5], [1]],
  [[3], [4]],
  [[17], [3]],
  [[2], [33]],
  [
    [3, 5],
    [1, 1],
  ],
  [
    [3, 5],
    [2, 1],
  ],
  [
    [3, 5],
    [1, 3],
  ],
  [
    [1, 7],
    [5, 1],
  ],
  [
    [7, 1],
    [1, 9],
  ],
  [
    [3, 5],
    [4, 3],
  ],
  [
    [1, 1, 1, 7],
    [3, 5, 5, 1],
  ], // BatchNorm's tile: per-channel vector to [N, H, W, C]
  [
    [1, 1, 1, 32],
    [64, 48, 48, 1],
  ], // the workshop model's first BatchNorm layer
  [
    [2, 3, 5],
    [1, 2, 1],
  ],
  [
    [2, 1, 3],
    [3, 4, 1],
  ],
  [
    [1, 3, 1],
    [5, 1, 7],
  ],
  [
    [3, 2, 5],
    [2, 3, 2],
  ],
  [
    [2, 3, 1, 5],
    [1, 1, 2, 1],
  ],
  [
    [1, 2, 3, 1],
    [2, 1, 1, 3],
  ],
  [
    [2, 3, 4, 5],
    [2, 1, 3, 1],
  ],
  [
    [3, 1, 1, 3],
    [1, 5, 3, 2],
  ],
  [
    [2, 3, 1, 5, 1],
    [1, 2, 3, 1, 4],
  ],
  [
    [1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1],
  ],
  [
    [1, 1, 1, 1, 1],
    [2, 1, 3, 1, 5],
  ],
  [
    [3, 2, 2, 3, 5],
    [2, 3, 1, 2, 1],
  ],
  [
    [2, 2, 2, 2, 2],
    [2, 2, 2, 2, 2],
  ],
  [
    [3, 4],
    [0, 2],
  ],
  [
    [0, 4],
    [3, 2],
  ], // empty outputs
];

async function tileOn(backend: 'wasm' | 'cpu', shape: number[], reps: number[], dtype: DType, seed: number) {
  if (backend === 'wasm') await useWasm();
  else await tf.setBackend('cpu');
  const x = tf.tensor(values(shape, dtype, seed), shape, dtype);
  const before = tf.memory().numTensors;
  const y = tf.tile(x, reps);
  const leaked = tf.memory().numTensors - before - 1;
  const out = { shape: y.shape, dtype: y.dtype, data: Array.from((await y.data()) as Float32Array), leaked };
  tf.dispose([x, y]);
  await tf.setBackend('cpu');
  return out;
}

describe('Tile on wasm matches cpu exactly', () => {
  it('is one of the registered training kernels', () => {
    expect(WASM_TRAINING_KERNELS).toContain('Tile');
  });

  it("simplifies BatchNorm's tiling to one run of C values repeated N*H*W times", () => {
    expect(simplifyTile([1, 1, 1, 32], [64, 48, 48, 1])).toEqual({ sizes: [32], reps: [64 * 48 * 48] });
    expect(simplifyTile([2, 3], [1, 1])).toEqual({ sizes: [6], reps: [1] });
    expect(simplifyTile([1, 1], [1, 1])).toEqual({ sizes: [], reps: [] });
    expect(simplifyTile([2, 1, 3], [3, 4, 1])).toEqual({ sizes: [2, 3], reps: [3, 4] });
  });

  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))(`${dtype} %s`, async (_name, [shape, reps], i) => {
      const w = await tileOn('wasm', shape, reps, dtype, 100 + i);
      const c = await tileOn('cpu', shape, reps, dtype, 100 + i);
      expect(w.shape).toEqual(c.shape);
      expect(w.dtype).toBe(dtype);
      expect(w.data).toEqual(c.data); // exact
      expect(w.leaked).toBe(0);
    });
  }

  it('the heap kernel itself (tileOnHeap, not through the registry) matches cpu', async () => {
    for (const [i, [shape, reps]] of cases.entries()) {
      if (size(shape) * size(reps) > 1e5) continue; // the workshop-sized case is covered above
      const c = await tileOn('cpu', shape, reps, 'float32', 300 + i);
      await useWasm();
      const x = tf.tensor(values(shape, 'float32', 300 + i), shape, 'float32');
      const info = tileOnHeap(tf.backend() as unknown as WasmHeapBackend, x, reps);
      const y = tf.engine().makeTensorFromTensorInfo(info);
      expect(y.shape).toEqual(c.shape);
      expect(Array.from((await y.data()) as Float32Array)).toEqual(c.data);
      tf.dispose([x, y]);
      await tf.setBackend('cpu');
    }
  });

  it("string tensors go to wasm's own kernel", async () => {
    // wasm's own aborts the module on strings, so it is not called here: a stand-in backend tells which
    // path a dtype takes (wasm's kernel reads the input's id first, ours allocates the output first).
    await useWasm();
    const kernel = tf.getKernel('Tile', 'wasm');
    await tf.setBackend('cpu');
    const backend = {
      dataIdMap: {
        get: () => {
          throw new Error("wasm's own Tile");
        },
      },
      makeOutput: () => {
        throw new Error('tile.ts');
      },
    };
    const path = (dtype: tf.DataType) => {
      const x = { dataId: {}, shape: [3], dtype } as tf.TensorInfo;
      try {
        kernel?.kernelFunc({ inputs: { x }, attrs: { reps: [2] }, backend } as unknown as Parameters<tf.KernelFunc>[0]);
      } catch (e) {
        return (e as Error).message;
      }
      return 'returned';
    };
    expect(path('string')).toBe("wasm's own Tile");
    expect(path('float32')).toBe('tile.ts');
    expect(path('int32')).toBe('tile.ts');
    expect(path('bool')).toBe('tile.ts');
  });
});

describe('BatchNorm gradient (tiles per-channel vectors) on wasm matches cpu', () => {
  it('dx, dmean, dvariance, dscale, doffset', async () => {
    const shape = [3, 5, 7, 6];
    const run = async (backend: 'wasm' | 'cpu') => {
      if (backend === 'wasm') await useWasm();
      else await tf.setBackend('cpu');
      const x = tf.tensor(randomData(size(shape), 11), shape);
      const dy = tf.tensor(randomData(size(shape), 12), shape);
      const params = [13, 14, 15, 16].map((s, k) =>
        tf.tensor1d(randomData(6, s).map((v) => (k === 1 ? 0.5 + Math.abs(v) : v))),
      );
      const before = tf.memory().numTensors;
      const grads = tf.grads((xt, m, v, sc, off) => tf.batchNorm(xt, m, v, off, sc, 1e-3))([x, ...params], dy);
      const leaked = tf.memory().numTensors - before - grads.length;
      const vals = await Promise.all(grads.map(async (g) => new Float32Array(await g.data())));
      tf.dispose([...grads, x, dy, ...params]);
      await tf.setBackend('cpu');
      return { vals, leaked };
    };
    const w = await run('wasm');
    const c = await run('cpu');
    expect(w.leaked).toBe(0);
    for (let k = 0; k < c.vals.length; k++) expect(relError(w.vals[k], c.vals[k]), `grad ${k}`).toBeLessThan(1e-5);
  });
});
