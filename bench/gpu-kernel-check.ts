// The webgpu training kernels against the cpu backend, on cases shared by the Node test
// (tests/platform/webgpu/conv-filter-grad.test.ts) and the Chromium one (tests/e2e/webgpu-kernels.test.ts, through
// bench/gpu-page): odd shapes, strides 1 and 2, padding same / valid / explicit, batch 1, one and two passes.
import * as tf from '@tensorflow/tfjs';
import { registerWebgpuTrainingKernels, unregisterWebgpuTrainingKernels } from '../src/platform/webgpu/kernels';

export type FilterGradCase = {
  x: [number, number, number, number];
  f: [number, number];
  cout: number;
  stride: number | [number, number];
  pad: 'same' | 'valid' | number;
};

export const FILTER_GRAD_CASES: FilterGradCase[] = [
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

export const caseName = (c: FilterGradCase): string =>
  `x ${c.x.join('x')}, filter ${c.f.join('x')}x${c.cout}, stride ${String(c.stride)}, pad ${c.pad}`;

function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.731 + seed) * 0.9 + Math.cos(i * 0.113 * seed);
  return a;
}

/** dW of case `c` on `backend` (made active), checking its shape and that no tensor is left behind. */
export async function filterGrad(c: FilterGradCase, backend: string): Promise<Float32Array> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const filterShape: [number, number, number, number] = [c.f[0], c.f[1], c.x[3], c.cout];
  const x = tf.tensor4d(
    values(
      c.x.reduce((a, b) => a * b),
      1,
    ),
    c.x,
  );
  const zeros = tf.zeros(filterShape) as tf.Tensor4D;
  const probe = tf.conv2d(x, zeros, c.stride, c.pad);
  const dy = tf.tensor4d(values(probe.size, 2), probe.shape as [number, number, number, number]);
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: c.stride,
    pad: c.pad,
    dataFormat: 'NHWC',
    filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const shapeOk = dw.shape.join() === filterShape.join();
  const out = (await dw.data()) as Float32Array;
  tf.dispose([x, zeros, probe, dy, dw]);
  if (!shapeOk) throw new Error(`${caseName(c)}: dW shape ${dw.shape.join('x')}, expected ${filterShape.join('x')}`);
  const left = tf.memory().numTensors - before;
  if (left !== 0) throw new Error(`${caseName(c)}: ${left} tensors left behind on ${backend}`);
  return out;
}

/** max |a - ref| / max |ref| */
export function relativeError(a: Float32Array, ref: Float32Array): number {
  let scale = 0,
    worst = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    worst = Math.max(worst, Math.abs(a[i] - ref[i]));
  }
  return worst / scale;
}

/** Every case on webgpu with our kernel and with tfjs's, against cpu; leaves webgpu active with ours registered. */
export async function checkFilterGrad(): Promise<{ name: string; ours: number; stock: number }[]> {
  const out: { name: string; ours: number; stock: number }[] = [];
  for (const c of FILTER_GRAD_CASES) {
    registerWebgpuTrainingKernels();
    const ours = await filterGrad(c, 'webgpu');
    unregisterWebgpuTrainingKernels();
    const stock = await filterGrad(c, 'webgpu');
    registerWebgpuTrainingKernels();
    const cpu = await filterGrad(c, 'cpu');
    out.push({ name: caseName(c), ours: relativeError(ours, cpu), stock: relativeError(stock, cpu) });
  }
  await tf.setBackend('webgpu');
  return out;
}
