// The webgpu conv weight gradient (platform/webgpu/conv-filter-grad.ts) against the cpu backend, in Node's WebGPU
// (Dawn on Mesa llvmpipe through OpenGL here): odd shapes, strides 1 and 2, padding same / valid / explicit,
// batch 1, one and two passes. Relative error: max |gpu - cpu| / max |cpu| <= 1e-4. The split plan's arithmetic
// is checked on its own: every chain <= 4096, every position covered once, tens of thousands of invocations.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWebgpuError, startNodeWebgpu, type NodeWebgpu } from '../../../src/platform/node/webgpu';
import { MAX_SERIAL, planFilterGrad } from '../../../src/platform/webgpu/conv-filter-grad';
import { unregisterWebgpuTrainingKernels, registerWebgpuTrainingKernels } from '../../../src/platform/webgpu/kernels';

describe('split plan', () => {
  it('keeps every serial chain <= 4096, covers every position, and fills the demo and ResNet-50 layers', () => {
    for (const [P, F] of [[147_456, 72], [401_408, 9408], [1568, 2_359_296], [1, 1], [4097, 3], [20_000_000, 9]]) {
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

type Case = { x: [number, number, number, number]; f: [number, number]; cout: number; stride: number | [number, number];
  pad: 'same' | 'valid' | number };
const CASES: Case[] = [
  { x: [1, 7, 5, 3], f: [3, 3], cout: 4, stride: 1, pad: 'same' },
  { x: [2, 9, 11, 2], f: [3, 3], cout: 5, stride: 2, pad: 'same' },
  { x: [3, 10, 7, 1], f: [5, 3], cout: 3, stride: 2, pad: 'valid' },
  { x: [1, 13, 13, 3], f: [1, 1], cout: 7, stride: 2, pad: 'valid' },
  { x: [2, 6, 9, 4], f: [2, 4], cout: 2, stride: [1, 2], pad: 1 },
  // P = 4 * 48 * 48 = 9216 positions: several chunks of up to 4096, then the row sum.
  { x: [4, 48, 48, 1], f: [3, 3], cout: 8, stride: 1, pad: 'same' },
  // A wide layer: F = 3 * 3 * 16 * 32 = 4608 weights, P = 2 * 12 * 12.
  { x: [2, 24, 24, 16], f: [3, 3], cout: 32, stride: 2, pad: 'same' },
];

function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.731 + seed) * 0.9 + Math.cos(i * 0.113 * seed);
  return a;
}

async function filterGrad(c: Case, backend: string): Promise<Float32Array> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const filterShape: [number, number, number, number] = [c.f[0], c.f[1], c.x[3], c.cout];
  const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b), 1), c.x);
  const zeros = tf.zeros(filterShape) as tf.Tensor4D;
  const probe = tf.conv2d(x, zeros, c.stride, c.pad);
  const dy = tf.tensor4d(values(probe.size, 2), probe.shape as [number, number, number, number]);
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
    { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const out = (await dw.data()) as Float32Array;
  expect(dw.shape).toEqual(filterShape);
  tf.dispose([x, zeros, probe, dy, dw]);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

describe('Conv2DBackpropFilter on webgpu equals cpu', () => {
  for (const c of CASES) {
    it(`x ${c.x.join('x')}, filter ${c.f.join('x')}x${c.cout}, stride ${String(c.stride)}, pad ${c.pad}`, async (ctx) => {
      if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
      registerWebgpuTrainingKernels();
      const ours = await filterGrad(c, 'webgpu');
      const cpu = await filterGrad(c, 'cpu');
      const scale = Math.max(...Array.from(cpu, Math.abs));
      let worst = 0;
      for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(ours[i] - cpu[i]));
      expect(worst / scale).toBeLessThan(1e-4);
      // The stock kernel agrees too (so the comparison itself is meaningful on this adapter).
      unregisterWebgpuTrainingKernels();
      const stock = await filterGrad(c, 'webgpu');
      registerWebgpuTrainingKernels();
      let worstStock = 0;
      for (let i = 0; i < cpu.length; i++) worstStock = Math.max(worstStock, Math.abs(stock[i] - cpu[i]));
      expect(worstStock / scale).toBeLessThan(1e-4);
    });
  }
});
