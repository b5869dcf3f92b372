// The other wasm training kernels (pool gradients, matmul with transposes, block reductions) and the
// registration itself, against tfjs's cpu kernels; no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WASM_TRAINING_KERNELS,
  asTranspose2d,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
} from '../../../src/platform/wasm/kernels';
import { poolGradOptions } from '../../../src/platform/wasm/poolGrad';
import { simdKernels } from '../../../src/platform/wasm/simd';
import { compareBackends, randomData, useWasm } from './helpers';

const TOL = 1e-4;
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('pooling gradients on wasm match cpu', () => {
  // [input shape, filter, stride, pad]; zeros in the data make ties, which must go to the first maximum.
  const cases: [number[], number | [number, number], number | [number, number], 'same' | 'valid' | number][] = [
    [[2, 8, 8, 4], 2, 2, 'valid'],
    [[3, 9, 7, 5], 2, 2, 'same'],
    [[2, 13, 13, 3], 3, 2, 'valid'], // overlapping windows (AlexNet / VGG-f)
    [[2, 12, 12, 6], 3, 2, 'same'], // ResNet stem pool
    [[1, 7, 9, 2], 3, 1, 'same'],
    [[2, 6, 10, 3], [2, 3], [1, 2], 'valid'],
    [[2, 10, 10, 2], 3, 3, 1],
    [[2, 7, 7, 8], 7, 7, 'valid'], // global pooling
    [[2, 8, 8, 3], 2, 2, 'valid'], // channels not a multiple of 4: JS loop only
  ];
  afterAll(() => {
    poolGradOptions.simd = true;
  });

  it('the SIMD kernel module compiles here (Node 20 has wasm SIMD)', async () => {
    await useWasm();
    const wasm = (tf.backend() as unknown as { wasm: { asm?: { memory?: WebAssembly.Memory } } }).wasm;
    expect(simdKernels(wasm.asm?.memory as WebAssembly.Memory)).not.toBeNull();
    await tf.setBackend('cpu');
  });

  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))(
    'MaxPoolGrad and AvgPoolGrad %s',
    async (_name, [shape, filterSize, strides, pad], i) => {
      const info = tf.backend_util.computePool2DInfo(
        shape as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
      );
      for (const [zeros, simd] of [
        [0, true],
        [0.6, true],
        [0.6, false],
      ] as const) {
        poolGradOptions.simd = simd;
        const x = { data: randomData(size(shape), 40 + i, zeros), shape };
        const dy = { data: randomData(size(info.outShape), 60 + i), shape: info.outShape };
        const attrs = { filterSize, strides, pad } as unknown as tf.NamedAttrMap;
        const max = await compareBackends(
          [x, dy],
          (xt, dyt) =>
            tf
              .engine()
              .runKernel(
                'MaxPoolGrad',
                { dy: dyt, input: xt, output: tf.maxPool(xt as tf.Tensor4D, filterSize, strides, pad) },
                attrs,
              ) as tf.Tensor,
        );
        const avg = await compareBackends(
          [x, dy],
          (xt, dyt) => tf.engine().runKernel('AvgPoolGrad', { dy: dyt, input: xt }, attrs) as tf.Tensor,
        );
        expect(max.err, `max zeros=${zeros} simd=${simd}`).toBeLessThan(TOL);
        expect(avg.err, `avg zeros=${zeros}`).toBeLessThan(TOL);
        expect(avg.leaked).toBe(0);
        expect(max.leaked).toBe(1); // the maxPool output made inside the test closure
      }
    },
  );

  it('gradients through tf.maxPool / tf.avgPool match cpu', async () => {
    const x = { data: randomData(2 * 9 * 9 * 3, 3, 0.5), shape: [2, 9, 9, 3] };
    const r = await compareBackends([x], (xt) => {
      const f = (t: tf.Tensor) =>
        tf
          .sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same'), 2))
          .add(tf.sum(tf.avgPool(t as tf.Tensor4D, 2, 2, 'valid')));
      return tf.grad(f)(xt);
    });
    expect(r.err).toBeLessThan(TOL);
    expect(r.leaked).toBe(0);
  });
});

describe('matmul with transposes on wasm matches cpu', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[64, 300], [64, 20], true, false], // dense dW
    [[64, 20], [300, 20], false, true], // dense dx
    [[5, 7], [9, 5], true, true],
    [[3, 6, 5], [3, 6, 4], true, false], // batched
    [[2, 4, 6], [1, 5, 6], false, true], // batched, broadcast
    [[8, 16], [16, 4], false, false],
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_n, [sa, sb, ta, tb]) => {
    const a = { data: randomData(size(sa), size(sa)), shape: sa };
    const b = { data: randomData(size(sb), size(sb) + 1), shape: sb };
    const r = await compareBackends([a, b], (at, bt) => tf.matMul(at, bt, ta, tb));
    expect(r.err).toBeLessThan(TOL);
    expect(r.leaked).toBe(0);
  });

  it('fused matmul (bias + relu) with transposes', async () => {
    const a = { data: randomData(40 * 12, 1), shape: [40, 12] };
    const b = { data: randomData(12 * 7, 2), shape: [7, 12] };
    const bias = { data: randomData(7, 3), shape: [7] };
    const r = await compareBackends([a, b, bias], (at, bt, bias) =>
      tf.fused.matMul({ a: at, b: bt, transposeA: false, transposeB: true, bias, activation: 'relu' }),
    );
    expect(r.err).toBeLessThan(TOL);
    expect(r.leaked).toBe(0);
  });
});

describe('Transpose on wasm matches cpu', () => {
  it('recognises 2-D transposes behind higher-rank permutations', () => {
    expect(asTranspose2d([64, 28, 28, 32], [3, 0, 1, 2])).toEqual([50176, 32]);
    expect(asTranspose2d([3, 4, 5], [1, 2, 0])).toEqual([3, 20]);
    expect(asTranspose2d([1, 5, 8], [0, 2, 1])).toEqual([5, 8]);
    expect(asTranspose2d([64, 14, 14, 32], [3, 1, 2, 0])).toBeNull();
    expect(asTranspose2d([4, 5, 6], [1, 0, 2])).toBeNull();
  });

  const cases: [number[], number[]][] = [
    [
      [256, 32],
      [1, 0],
    ], // SIMD path
    [
      [8, 16, 16, 4],
      [3, 0, 1, 2],
    ], // SIMD path, 4-D
    [
      [36, 128],
      [1, 0],
    ], // SIMD path, R not a power of 2
    [
      [30, 20],
      [1, 0],
    ], // not multiples of 4: wasm's own
    [
      [4, 6, 8, 12],
      [3, 1, 2, 0],
    ], // not 2-D: wasm's own
    [
      [2, 3, 4],
      [0, 2, 1],
    ],
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_n, [shape, perm]) => {
    const x = { data: randomData(size(shape), size(shape) + 3), shape };
    const r = await compareBackends([x], (xt) => tf.transpose(xt, perm));
    expect(r.err).toBe(0);
    expect(r.leaked).toBe(0);
    const xi = { data: Int32Array.from({ length: size(shape) }, (_, i) => i * 3 - 7), shape, dtype: 'int32' as const };
    expect((await compareBackends([xi], (xt) => tf.transpose(xt, perm))).err).toBe(0);
  });
});

describe('Sum / Mean on wasm match cpu', () => {
  const cases: [number[], number | number[], boolean][] = [
    [[6, 5, 4, 3], [0, 1, 2], false], // bias gradient
    [[6, 5, 4, 3], [0, 1, 2], true],
    [[6, 5, 4, 3], [1, 2], false], // global average pooling
    [[6, 5, 4, 3], 0, false],
    [[6, 5, 4, 3], [0, 2], false], // not contiguous: wasm's own
    [[6, 5, 4, 3], -1, true], // last axis: wasm's own
    [[6, 5, 4, 3], [0, 1, 2, 3], false],
    [[40, 7], [0], false],
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_n, [shape, axis, keepDims]) => {
    const x = { data: randomData(size(shape), size(shape)), shape };
    const r = await compareBackends([x], (xt) => [tf.sum(xt, axis, keepDims), tf.mean(xt, axis, keepDims)]);
    expect(r.err).toBeLessThan(TOL);
    expect(r.leaked).toBe(0);
  });

  it('int32 sums stay exact', async () => {
    const x = {
      data: Int32Array.from({ length: 60 }, (_, i) => i * 7 - 100),
      shape: [5, 4, 3],
      dtype: 'int32' as const,
    };
    const r = await compareBackends([x], (xt) => tf.sum(xt, [0, 1]));
    expect(r.err).toBe(0);
  });
});

describe('registration', () => {
  afterAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('cpu');
  });

  it('is idempotent and can be undone (wasm then has no Conv2DBackpropFilter again)', async () => {
    await useWasm();
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    for (const name of WASM_TRAINING_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    unregisterWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    // wasm's own kernels are back and work (their setup re-run).
    const m = tf.matMul(tf.ones([2, 3]), tf.ones([4, 3]), false, true);
    expect(Array.from(await m.data())).toEqual(new Array(8).fill(3));
    const s = tf.sum(tf.ones([2, 3, 4]), [0, 1]);
    expect(Array.from(await s.data())).toEqual([6, 6, 6, 6]);
    tf.dispose([m, s]);
    registerWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    await tf.setBackend('cpu');
  });
});
