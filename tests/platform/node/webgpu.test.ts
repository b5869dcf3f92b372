// WebGPU in Node through Dawn (the optional `webgpu` package): on a CPU-only Linux machine its OpenGL backend
// finds Mesa's llvmpipe. The adapter is named and flagged as software, refused unless allowed, a small conv
// net's ops equal the cpu backend's, and destroy() leaves tfjs on another backend with the device gone.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isSoftwareAdapter,
  NodeWebgpuError,
  startNodeWebgpu,
  withTimeout,
  type NodeWebgpu,
} from '../../../src/platform/node/webgpu';

const TOGGLES = ['backend=opengl'];
let gpu: NodeWebgpu | null = null;
let why = '';

beforeAll(async () => {
  try {
    gpu = await startNodeWebgpu({ toggles: TOGGLES, allowSoftware: true, timeoutMs: 30_000 });
  } catch (e) {
    if (!(e instanceof NodeWebgpuError) || !['no-package', 'no-adapter'].includes(e.reason)) throw e;
    why = e.message;
  }
});

afterAll(async () => {
  gpu?.destroy();
  await tf.setBackend('wasm');
});

describe('software adapter detection', () => {
  it('flags llvmpipe, SwiftShader, lavapipe, cpu and fallback adapters; not real GPUs', () => {
    expect(isSoftwareAdapter({ device: 'llvmpipe-llvm-15-0-6-256-bits-' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'lavapipe' })).toBe(true);
    expect(isSoftwareAdapter({ architecture: 'cpu' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere' }, true)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', device: 'NVIDIA GeForce RTX 3060' })).toBe(
      false,
    );
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3' })).toBe(false);
  });

  it('a probe past its time limit fails with a timeout naming it', async () => {
    const never = new Promise<never>(() => {});
    await expect(withTimeout(never, 20, 'requestAdapter')).rejects.toThrow(/requestAdapter took longer than 20 ms/);
  });
});

describe('tfjs webgpu backend on Dawn in Node', () => {
  it('finds an adapter, names it and says it is software (llvmpipe here)', (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    expect(tf.getBackend()).toBe('webgpu');
    expect(gpu.describe().length).toBeGreaterThan(3);
    if (/llvmpipe/i.test(gpu.adapter.device + gpu.adapter.description)) expect(gpu.adapter.isSoftware).toBe(true);
  });

  it('a conv, a matmul and a conv weight gradient equal the cpu backend', async (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => {
        const x = tf.tensor4d(
          Array.from({ length: 2 * 7 * 5 * 3 }, (_, i) => Math.sin(i * 0.37)),
          [2, 7, 5, 3],
        );
        const w = tf.tensor4d(
          Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i * 0.21)),
          [3, 3, 3, 4],
        );
        const y = tf.conv2d(x, w, 2, 'same');
        const m = tf.matMul(tf.reshape(y, [-1, 4]), tf.transpose(tf.reshape(w, [27, 4])));
        const dw = tf.grad((ww: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, ww as tf.Tensor4D, 1, 'valid'))))(w);
        return [y, m, dw];
      });
      const values = await Promise.all(out.map((t) => t.data()));
      tf.dispose(out);
      expect(tf.memory().numTensors).toBe(before);
      return values;
    };
    const ongpu = await run('webgpu');
    const oncpu = await run('cpu');
    for (let k = 0; k < oncpu.length; k++) {
      const scale = Math.max(...Array.from(oncpu[k], Math.abs));
      let worst = 0;
      for (let i = 0; i < oncpu[k].length; i++) worst = Math.max(worst, Math.abs(ongpu[k][i] - oncpu[k][i]));
      expect(worst / scale, `output ${k}`).toBeLessThan(1e-4);
    }
    await tf.setBackend('webgpu');
  });

  it('refuses a software adapter unless allowed, naming it', async (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    if (!gpu.adapter.isSoftware) return ctx.skip('the adapter here is hardware');
    const err = await startNodeWebgpu({ toggles: TOGGLES, timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeWebgpuError);
    expect((err as NodeWebgpuError).reason).toBe('software');
    expect((err as Error).message).toMatch(/software/);
    // The running backend was not touched.
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('destroy() leaves tfjs on cpu without the webgpu backend, and can be called twice', async (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    gpu.destroy();
    gpu.destroy();
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.findBackend('webgpu')).toBeNull();
    gpu = null;
  });
});
