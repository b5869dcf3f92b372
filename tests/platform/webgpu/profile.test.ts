// The webgpu instrumentation (platform/webgpu/profile.ts) in Node's WebGPU: a conv weight gradient counted with
// tfjs's kernel and with ours; the serial chain and the invocations follow from the shapes (computed here by
// hand), reads are told apart (sync / async), uploads are the tensor's bytes, and restore() removes the wrappers.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWebgpuError, startNodeWebgpu, type NodeWebgpu } from '../../../src/platform/node/webgpu';
import { planFilterGrad } from '../../../src/platform/webgpu/conv-filter-grad';
import { registerWebgpuTrainingKernels, unregisterWebgpuTrainingKernels } from '../../../src/platform/webgpu/kernels';
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

// x [4, 20, 20, 2], filter 3x3x2x5, stride 1 same: P = 4 * 20 * 20 = 1600 positions, F = 90 weights.
const X: [number, number, number, number] = [4, 20, 20, 2];
const FILTER: [number, number, number, number] = [3, 3, 2, 5];

async function countedGrad(): Promise<ReturnType<ReturnType<typeof instrumentWebgpu>['counts']>> {
  const before = tf.memory().numTensors;
  const counter = instrumentWebgpu(tf.backend());
  try {
    const x = tf.ones(X);
    const dy = tf.tensor4d(new Float32Array(4 * 20 * 20 * 5).fill(0.5), [4, 20, 20, 5]);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 1,
      pad: 'same',
      dataFormat: 'NHWC',
      filterShape: FILTER,
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    // A synchronous read: counted even where it fails (Node's WebGPU cannot read synchronously).
    try {
      dw.dataSync();
    } catch {
      /* counted */
    }
    await dw.data();
    tf.dispose([x, dy, dw]);
    return counter.counts();
  } finally {
    counter.restore();
    expect(tf.memory().numTensors).toBe(before);
  }
}

describe('webgpu instrumentation', () => {
  it('counts the stock weight gradient: 90 weights -> 128 invocations, 1600 serial iterations', async (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    unregisterWebgpuTrainingKernels();
    const c = await countedGrad();
    registerWebgpuTrainingKernels();
    expect(c.weightGradInvocations).toEqual([128]);
    expect(c.weightGradSerial).toEqual([1600]);
    expect(c.maxSerial).toBe(1600);
    expect(c.maxSerialProgram).toBe('conv2DDerFilter');
    expect(c.syncReads).toBe(1);
    expect(c.asyncReads).toBe(1);
    // x (tf.ones: values made on the CPU) and dy uploaded: 4 * 20 * 20 * (2 + 5) floats.
    expect(c.uploadBytes).toBe(4 * 4 * 20 * 20 * (2 + 5));
  });

  it("counts ours: the plan's chunks and row sums, every chain at most 4096", async (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    registerWebgpuTrainingKernels();
    const plan = planFilterGrad(1600, 90);
    const c = await countedGrad();
    expect(c.weightGradSerial).toEqual([plan.chunk, ...plan.sums.map((s) => s.rowsPerInvocation)]);
    expect(c.weightGradInvocations[0]).toBe(Math.ceil((plan.chunks * 90) / 64) * 64);
    expect(c.maxSerial).toBeLessThanOrEqual(4096);
  });

  it('restore() leaves the backend as it was', (ctx) => {
    if (!gpu) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    const be = tf.backend() as unknown as Record<string, unknown>;
    const before = be.runWebGPUProgram;
    instrumentWebgpu(be).restore();
    expect(be.runWebGPUProgram).toBe(before);
    expect(Object.prototype.hasOwnProperty.call(be, 'runWebGPUProgram')).toBe(false);
  });
});
