// Gradients of Sum and Mean without a CPU-made tensor of ones, while tfjs trains on webgpu.
//
// tfjs-core 4.22 writes d/dx sum(x) as dy (reshaped to x's rank) * ones(x.shape), and d/dx mean(x) the same
// divided by the reduced size. tf.ones builds its values in a Float32Array on the CPU, which the webgpu backend
// then uploads: one activation-sized upload per Sum or Mean in the backward pass. BatchNormalization's moments
// take two means of every conv activation, so the demo model's step uploaded every activation twice (17 MB at
// batch 64 where the batch's images are 0.6 MB). Here dy is broadcast on the GPU instead (a Tile program):
//   sum:  dx[i] = dy[reduced(i)]            mean: dx[i] = dy[reduced(i)] / N,  N = product of the reduced dims
// The same values: x * 1 is exact in float32. On every other backend tfjs's own gradient runs.
import * as tf from '@tensorflow/tfjs';

const originals = new Map<string, tf.GradConfig>();

function gradient(kernelName: 'Sum' | 'Mean'): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'webgpu') {
        const original = originals.get(kernelName);
        if (!original?.gradFunc) throw new Error(`no tfjs gradient for ${kernelName}`);
        return original.gradFunc(dy, saved, attrs);
      }
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.slice();
      for (const a of axes) expanded[a] = 1;
      const n = axes.reduce((p, a) => p * x.shape[a], 1);
      return {
        x: () => {
          const spread = tf.broadcastTo(tf.reshape(dy as tf.Tensor, expanded), x.shape);
          return kernelName === 'Mean' ? tf.div(spread, n) : spread;
        },
      };
    },
  };
}

/** Registers the two gradients (idempotent); tfjs's own stay in use off webgpu. */
export function registerReduceGradients(): void {
  for (const name of ['Sum', 'Mean'] as const) {
    if (originals.has(name)) continue;
    const current = tf.getGradient(name);
    if (current) originals.set(name, current);
    tf.registerGradient(gradient(name));
  }
}
