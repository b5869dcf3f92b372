// selectBackend in Node: WebGPU and WebGL are skipped with a reason, wasm starts with the training kernels
// registered, explicit orders and failures are reported.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/platform/backend';

afterEach(async () => {
  await tf.setBackend('cpu');
});

describe('selectBackend (Node)', () => {
  it('falls back past webgpu and webgl to wasm, saying why', async () => {
    const r = await selectBackend();
    expect(r.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.skipped.map((s) => s.name)).toEqual(['webgpu', 'webgl']);
    expect(r.skipped[0].reason).toMatch(/WebGPU/);
    expect(r.skipped[1].reason).toMatch(/WebGL not available in Node/);
    // wasm's own kernels still work right after init, including those that call a kernel we replaced
    // through its module (wasm's Sum over non-trailing axes transposes with wasm's Transpose).
    const s = tf.sum(tf.reshape(tf.range(0, 24), [2, 3, 4]), [0, 2]);
    expect(Array.from(await s.data())).toEqual([60, 92, 124]);
    s.dispose();
    // The training kernels came with it: wasm can now differentiate a convolution.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const g = tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'same')))(tf.ones([3, 3, 1, 1]));
    expect(Array.from(await g.data())).toEqual([9, 12, 9, 12, 16, 12, 9, 12, 9]);
    tf.dispose([x, g]);
  });

  it('honours an explicit order', async () => {
    expect((await selectBackend(['cpu', 'wasm'])).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const r = await selectBackend(['webgl', 'cpu']);
    expect(r).toEqual({ name: 'cpu', skipped: [{ name: 'webgl', reason: 'WebGL not available in Node' }] });
  });

  it('throws with every reason when nothing starts', async () => {
    await expect(selectBackend(['webgpu', 'webgl'])).rejects.toThrow(/webgpu \(.+\); webgl \(.+\)/);
  });
});
