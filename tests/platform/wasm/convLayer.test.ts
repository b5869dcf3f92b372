// The Conv2D layer switch (src/platform/wasm/convLayer.ts): bias-less linear conv layers on wasm call
// tf.conv2d; outputs and gradients equal tfjs-layers' own path on cpu, and the first layer's unused input
// gradient is no longer computed. No tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { convLayerOptions } from '../../../src/platform/wasm/convLayer';
import { randomData, relError, useWasm } from './helpers';

const TOL = 1e-4;

function net(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [9, 9, 2],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(1),
      }),
      tf.layers.reLU(),
      tf.layers.conv2d({
        filters: 6,
        kernelSize: 3,
        strides: 2,
        padding: 'valid',
        useBias: false,
        kernelInitializer: init(2),
      }),
      tf.layers.conv2d({ filters: 5, kernelSize: 2, padding: 'same', activation: 'relu', kernelInitializer: init(3) }), // bias + relu: fused path
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: init(4) }),
    ],
  });
}

async function run(backend: 'wasm' | 'cpu'): Promise<{ values: Float32Array[]; kernels: string[]; leaked: number }> {
  if (backend === 'wasm') await useWasm();
  else await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const model = net();
  const x = tf.tensor4d(randomData(3 * 9 * 9 * 2, 5), [3, 9, 9, 2]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let out: tf.Tensor[] = [];
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
      vars,
    );
    out = [value, ...vars.map((v) => grads[v.name])];
    return out;
  });
  const values = await Promise.all(out.map(async (t) => new Float32Array(await t.data())));
  tf.dispose([...out, x]);
  model.dispose();
  const leaked = tf.memory().numTensors - before;
  if (backend === 'wasm') await tf.setBackend('cpu');
  return { values, kernels: profile.kernels.map((k) => k.name), leaked };
}

describe('Conv2D layer switch on wasm', () => {
  afterAll(() => {
    convLayerOptions.enabled = true;
  });
  it("equals tfjs-layers on cpu, and skips the first layer's input gradient", async () => {
    const ref = await run('cpu');
    const on = await run('wasm');
    convLayerOptions.enabled = false;
    const off = await run('wasm');
    convLayerOptions.enabled = true;
    on.values.forEach((v, i) => expect(relError(v, ref.values[i]), `output ${i}`).toBeLessThan(TOL));
    off.values.forEach((v, i) => expect(relError(v, ref.values[i]), `output ${i} (switch off)`).toBeLessThan(TOL));
    const count = (ks: string[], k: string) => ks.filter((n) => n === k).length;
    expect(count(off.kernels, 'Conv2DBackpropInput')).toBe(3);
    expect(count(on.kernels, 'Conv2DBackpropInput')).toBe(2);
    expect(count(on.kernels, 'Conv2DBackpropFilter')).toBe(3);
    expect(on.leaked).toBe(0);
    expect(off.leaked).toBe(0);
  });
});
