// The webgpu conv weight gradient (platform/webgpu/conv-filter-grad.ts) against the cpu backend, in Node's WebGPU
// (Dawn on Mesa llvmpipe through OpenGL here), on the cases of bench/gpu-kernel-check.ts (shared with the Chromium
// test tests/e2e/webgpu-kernels.test.ts): odd shapes, strides 1 and 2, padding same / valid / explicit, batch 1,
// one and two passes. Relative error: max |gpu - cpu| / max |cpu| <= 1e-4. The split plan's arithmetic
// is checked on its own: every chain <= 4096, every position covered once, tens of thousands of invocations.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWebgpuError, startNodeWebgpu, type NodeWebgpu } from '../../../src/platform/node/webgpu';
import { MAX_SERIAL, planFilterGrad } from '../../../src/platform/webgpu/conv-filter-grad';
import { unregisterWebgpuTrainingKernels, registerWebgpuTrainingKernels } from '../../../src/platform/webgpu/kernels';
import { caseName, FILTER_GRAD_CASES, filterGrad, relativeError } from '../../../bench/gpu-kernel-check';

describe('split plan', () => {
  it('keeps every serial chain <= 4096, covers every position, and fills the demo and ResNet-50 layers', () => {
    for (const [P, F] of [
      [147_456, 72],
      [401_408, 9408],
      [1568, 2_359_296],
      [1, 1],
      [4097, 3],
      [20_000_000, 9],
    ]) {
      const p = planFilterGrad(P, F);
      expect(p.chunk).toBeLessThanOrEqual(MAX_SERIAL);
      expect(p.chunk * p.chunks).toBeGreaterThanOrEqual(P);
      expect(p.chunk * (p.chunks - 1)).toBeLessThan(P);
      let rows = p.chunks;
      for (const s of p.sums) {
        expect(s.rowsPerInvocation).toBeLessThanOrEqual(MAX_SERIAL);
        expect(s.rowsPerInvocation * s.rowsOut).toBeGreaterThanOrEqual(rows);
        rows = s.rowsOut;
      }
      expect(rows).toBe(1);
    }
    const demo = planFilterGrad(147_456, 72);
    expect(demo.chunks * 72).toBeGreaterThanOrEqual(65_536);
    expect(demo.chunk).toBe(162);
    expect(planFilterGrad(20_000_000, 9).sums.length).toBe(2);
    // A partial buffer over the device limit gets fewer chunks.
    expect(planFilterGrad(147_456, 72, 10_000).chunks * 72).toBeLessThanOrEqual(10_000);
  });
});

let gpu: NodeWebgpu | null = null;
let why = '';
beforeAll(async () => {
  try {
    gpu = await startNodeWebgpu({ toggles: ['backend=opengl'], allowSoftware: true, timeoutMs: 30_000 });
  } catch (e) {
    if (!(e instanceof NodeWebgpuError) || !['no-package', 'no-adapter'].includes(e.reason)) throw e;
    why = e.message;
  }
});
afterAll(async () => {
  gpu?.destroy();
  await tf.setBackend('wasm');
});

describe('Conv2DBackpropFilter on webgpu equals cpu', () => {
  for (const c of FILTER_GRAD_CASES) {
    it(caseName(c), async (ctx) => {
      if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
      registerWebgpuTrainingKernels();
      const ours = await filterGrad(c, 'webgpu');
      const cpu = await filterGrad(c, 'cpu');
      expect(relativeError(ours, cpu)).toBeLessThan(1e-4);
      // The stock kernel agrees too (so the comparison itself is meaningful on this adapter).
      unregisterWebgpuTrainingKernels();
      const stock = await filterGrad(c, 'webgpu');
      registerWebgpuTrainingKernels();
      expect(relativeError(stock, cpu)).toBeLessThan(1e-4);
    });
  }
});
