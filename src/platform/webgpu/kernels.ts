// Training kernels for tfjs's webgpu backend (4.22), registered over webgpu's own where those cannot fill a GPU.
// Measured (the profile of `npm run bench -- --only gpu`, docs/results/gpu.md) and replaced only where naive:
// - Conv2DBackpropFilter: stock runs one invocation per weight looping over batch x outH x outW (147,456 serial
//   iterations for the demo's first layer): replaced by a split reduction (conv-filter-grad.ts).
// - Conv2DBackpropInput (WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE): one invocation per input element, looping over
//   FH x FW x Cout (a few hundred to 4,608 for ResNet-50's 3x3x512): parallel over the whole input; kept.
// - MaxPoolGrad: one invocation per input element looping over the pool window (4 or 9): kept.
// - Batch-norm gradients are element-wise kernels and tfjs's workgroup reductions (each of 64..512 lanes
//   loops reduceSize / lanes): kept; but the Sum and Mean gradients uploaded a CPU-made tensor of ones the size
//   of each activation: replaced while on webgpu (reduce-grads.ts).
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWebgpu } from './conv-filter-grad';
import { registerReduceGradients } from './reduce-grads';

const BACKEND = 'webgpu';

const kernels: tf.KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: BACKEND, kernelFunc: conv2dBackpropFilterWebgpu as tf.KernelFunc },
];

/** Names of the kernels this module registers for 'webgpu'. */
export const WEBGPU_TRAINING_KERNELS: readonly string[] = kernels.map((k) => k.kernelName);

const originals = new Map<string, tf.KernelConfig>();

/** Registers our kernels for 'webgpu' over tfjs's own. Idempotent. Call after importing
 *  @tensorflow/tfjs-backend-webgpu (it registers its kernels on import). */
export function registerWebgpuTrainingKernels(): void {
  registerReduceGradients();
  for (const k of kernels) {
    const current = tf.getKernel(k.kernelName, BACKEND);
    if (current === k) continue;
    if (current) {
      originals.set(k.kernelName, current);
      tf.unregisterKernel(k.kernelName, BACKEND);
    }
    tf.registerKernel(k);
  }
}

/** Restores tfjs's own kernels (for A/B measurements and tests). */
export function unregisterWebgpuTrainingKernels(): void {
  for (const k of kernels) {
    if (tf.getKernel(k.kernelName, BACKEND) !== k) continue;
    tf.unregisterKernel(k.kernelName, BACKEND);
    const original = originals.get(k.kernelName);
    if (original) tf.registerKernel(original);
  }
}
