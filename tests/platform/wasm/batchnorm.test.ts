// The fused training batch norm (src/platform/wasm/batchnorm.ts) against tfjs-layers' own
// BatchNormalization on the cpu backend: outputs, gradients (x, gamma, beta, and through the batch mean and
// variance), moving statistics; SIMD and JS loops; no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { fusedBatchNormOptions, fusedBatchNormTraining } from '../../../src/platform/wasm/batchnorm';
import { randomData, relError, useWasm } from './helpers';

const TOL = 1e-4;
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface LayerRun {
  values: Float32Array[];
  leaked: number;
}

/** One training-mode call of a BatchNormalization layer with set weights: y, dL/dx, dL/dgamma, dL/dbeta for
 *  L = sum(y * w), then the moving mean and variance. */
async function runLayer(backend: 'wasm' | 'cpu', shape: number[], seed: number, relu = false): Promise<LayerRun> {
  if (backend === 'wasm') await useWasm();
  else await tf.setBackend('cpu');
  const c = shape[shape.length - 1];
  const before = tf.memory().numTensors;
  const layer = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-3 });
  // relu: mostly zeros and a few small values per channel (a ReLU's output over a small batch).
  const x = tf.tensor(
    randomData(size(shape), seed, relu ? 0.8 : 0).map((v, i) => (relu ? Math.max(0, v) * 0.05 : 3 * v + (i % c) * 0.5)),
    shape,
  );
  const w = tf.tensor(randomData(size(shape), seed + 1), shape);
  tf.tidy(() => {
    layer.apply(x);
  }); // builds the weights
  tf.tidy(() =>
    layer.setWeights([
      tf.tensor1d(randomData(c, seed + 2).map((v) => 1 + 0.5 * v)),
      tf.tensor1d(randomData(c, seed + 3)),
      tf.tensor1d(randomData(c, seed + 4)),
      tf.tensor1d(randomData(c, seed + 5).map((v) => 1 + 0.5 * Math.abs(v))),
    ]),
  );
  const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  const f = (xt: tf.Tensor) => tf.sum(tf.mul(layer.apply(xt, { training: true }) as tf.Tensor, w)) as tf.Scalar;
  const y = tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
  const dx = tf.grad(f)(x);
  const { value, grads } = tf.variableGrads(() => f(x), vars);
  const tensors = [y, dx, grads[vars[0].name], grads[vars[1].name], ...layer.getWeights().slice(2)];
  const values = await Promise.all(tensors.map(async (t) => new Float32Array(await t.data())));
  tf.dispose([y, dx, value, ...Object.values(grads), x, w]);
  layer.dispose();
  const leaked = tf.memory().numTensors - before;
  if (backend === 'wasm') await tf.setBackend('cpu');
  return { values, leaked };
}

describe('fused training batch norm on wasm matches tfjs-layers on cpu', () => {
  afterAll(() => {
    fusedBatchNormOptions.simd = true;
    fusedBatchNormOptions.enabled = true;
  });
  const shapes: [number[], boolean][] = [
    [[4, 6, 6, 8], false],
    [[2, 5, 7, 12], false],
    [[3, 4, 4, 3], false],
    [[16, 20], false],
    [[64, 12, 12, 32], false],
    [[16, 1, 1, 8], true],
    [[16, 2, 2, 12], true],
  ];
  it.each(shapes.map(([s, relu], i) => [`${JSON.stringify(s)}${relu ? ' relu-like' : ''}`, s, relu, i] as const))(
    'layer %s',
    async (_n, shape, relu, i) => {
      const ref = await runLayer('cpu', shape, 10 + 10 * i, relu);
      for (const simd of [true, false]) {
        fusedBatchNormOptions.simd = simd;
        const got = await runLayer('wasm', shape, 10 + 10 * i, relu);
        const names = ['y', 'dx', 'dgamma', 'dbeta', 'moving mean', 'moving variance'];
        got.values.forEach((v, k) => expect(relError(v, ref.values[k]), `${names[k]} simd=${simd}`).toBeLessThan(TOL));
        expect(got.leaked).toBe(0);
      }
    },
  );

  it('the layer uses the fused kernel on wasm (and its own code when switched off)', async () => {
    await useWasm();
    const x = tf.randomNormal([2, 4, 4, 8]);
    const layer = tf.layers.batchNormalization({ axis: -1 });
    layer.apply(x);
    const kernels = async () => (await tf.profile(() => layer.apply(x, { training: true }) as tf.Tensor)).kernelNames;
    expect(await kernels()).toContain('WasmBatchNormTraining');
    fusedBatchNormOptions.enabled = false;
    expect(await kernels()).not.toContain('WasmBatchNormTraining');
    fusedBatchNormOptions.enabled = true;
    expect(await kernels()).not.toContain('FusedBatchNorm');
    layer.dispose();
    x.dispose();
    await tf.setBackend('cpu');
  });

  it('gradients through the batch mean and variance outputs match tf.moments + tf.batchNorm on cpu', async () => {
    const shape = [3, 5, 5, 8];
    const x = { data: randomData(size(shape), 7), shape };
    const g = { data: randomData(8, 8).map((v) => 1 + 0.3 * v), shape: [8] };
    const b = { data: randomData(8, 9), shape: [8] };
    const wts = { data: randomData(size(shape), 11), shape };
    const loss = (fused: boolean) => (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor, wt: tf.Tensor) => {
      let y: tf.Tensor;
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (fused) {
        [y, mean, variance] = fusedBatchNormTraining(xt, gt, bt, 1e-3);
      } else {
        ({ mean, variance } = tf.moments(xt, [0, 1, 2]));
        y = tf.batchNorm(xt, mean, variance, bt, gt, 1e-3);
      }
      return tf
        .sum(tf.mul(y, wt))
        .add(tf.sum(tf.mul(mean, 3)))
        .add(tf.sum(tf.mul(variance, -2)));
    };
    const grads = (fused: boolean) => (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor, wt: tf.Tensor) =>
      tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => loss(fused)(a, c, d, wt) as tf.Scalar)([xt, gt, bt]);
    await useWasm();
    const xs = [x, g, b, wts].map((i) => tf.tensor(i.data, i.shape));
    const before = tf.memory().numTensors;
    const wasmOut = grads(true)(xs[0], xs[1], xs[2], xs[3]);
    expect(tf.memory().numTensors - before).toBe(wasmOut.length);
    const wasmVals = await Promise.all(wasmOut.map(async (t) => new Float32Array(await t.data())));
    tf.dispose([...wasmOut, ...xs]);
    await tf.setBackend('cpu');
    const cpuVals = await (async () => {
      const ts = [x, g, b, wts].map((i) => tf.tensor(i.data, i.shape));
      const out = grads(false)(ts[0], ts[1], ts[2], ts[3]);
      const v = await Promise.all(out.map(async (t) => new Float32Array(await t.data())));
      tf.dispose([...out, ...ts]);
      return v;
    })();
    wasmVals.forEach((v, k) => expect(relError(v, cpuVals[k]), `input ${k}`).toBeLessThan(TOL));
  });
});
