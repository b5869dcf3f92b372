// The Sum and Mean gradients used on webgpu (platform/webgpu/reduce-grads.ts): equal to the cpu backend's on odd
// shapes and axes, and no activation-sized upload (tfjs's own built a tensor of ones on the CPU and uploaded it).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWebgpuError, startNodeWebgpu, type NodeWebgpu } from '../../../src/platform/node/webgpu';
import { instrumentWebgpu } from '../../../src/platform/webgpu/profile';

let gpu: NodeWebgpu | null = null;
let why = '';
beforeAll(async () => {
  try {
    gpu = await startNodeWebgpu({ toggles: ['backend=opengl'], allowSoftware: true, timeoutMs: 30_000 });
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  } catch (e) {
    if (!(e instanceof NodeWebgpuError) || !['no-package', 'no-adapter'].includes(e.reason)) throw e;
    why = e.message;
  }
});
afterAll(async () => {
  gpu?.destroy();
  await tf.setBackend('wasm');
});

const CASES: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [3, 7, 5, 2], axis: [0, 1, 2], keepDims: false },
  { shape: [3, 7, 5, 2], axis: [0, 1, 2], keepDims: true },
  { shape: [1, 9, 4], axis: 1, keepDims: false },
  { shape: [5, 3], axis: [0, 1], keepDims: false },
  { shape: [2, 3, 4], axis: -1, keepDims: false },
];

async function grads(backend: string, c: (typeof CASES)[number]): Promise<{ sum: Float32Array; mean: Float32Array }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const n = c.shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
    c.shape,
  );
  // A weight on the reduced output so that dy is not uniform.
  const f = (op: 'sum' | 'mean') => (t: tf.Tensor) => {
    const r = op === 'sum' ? tf.sum(t, c.axis, c.keepDims) : tf.mean(t, c.axis, c.keepDims);
    const w = tf.range(1, r.size + 1).reshape(r.shape);
    return tf.sum(tf.mul(r, w));
  };
  const gs = tf.grad(f('sum'))(x);
  const gm = tf.grad(f('mean'))(x);
  const out = { sum: (await gs.data()) as Float32Array, mean: (await gm.data()) as Float32Array };
  tf.dispose([x, gs, gm]);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

describe('Sum and Mean gradients on webgpu', () => {
  it("equal cpu's on odd shapes, axes and keepDims", async (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    for (const c of CASES) {
      const g = await grads('webgpu', c);
      const r = await grads('cpu', c);
      for (const k of ['sum', 'mean'] as const) {
        let worst = 0,
          scale = 0;
        for (let i = 0; i < r[k].length; i++) {
          worst = Math.max(worst, Math.abs(g[k][i] - r[k][i]));
          scale = Math.max(scale, Math.abs(r[k][i]));
        }
        expect(worst / scale, `${k} ${c.shape.join('x')} axis ${String(c.axis)}`).toBeLessThan(1e-6);
      }
    }
    await tf.setBackend('webgpu');
  });

  it('uploads nothing the size of the input for the gradient of a mean', async (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    await tf.setBackend('webgpu');
    const x = tf.randomUniform([8, 48, 48, 8]); // values made on the CPU: uploaded by its first use, here
    const warm = tf.neg(x);
    await warm.data();
    warm.dispose();
    const counter = instrumentWebgpu(tf.backend());
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mean(t, [0, 1, 2])))(x);
    await g.data();
    const c = counter.counts();
    counter.restore();
    tf.dispose([x, g]);
    // Scalars and small shapes only: far below one input's 73,728 floats.
    expect(c.uploadBytes).toBeLessThan(4 * 1000);
  });
});
