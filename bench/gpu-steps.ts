// Timed training steps on a real GPU (the `--device` half of `npm run bench -- --only gpu`), shared by Node
// (bench/gpu-node.ts) and the Chromium page (bench/gpu-page): the demo and workshop presets' models and a ResNet-50
// step at 224x224, each with tfjs's stock webgpu kernels and with ours, and the device's own matmul rate.
import * as tf from '@tensorflow/tfjs';
import { profileTraining, type ProfileModel } from './gpu-profile';

export interface DeviceRow {
  model: string;
  kernels: 'stock' | 'ours';
  batch: number;
  msPerStep: number;
  imgPerS: number;
  firstStepMs: number;
  maxSerial: number;
  syncReads: number;
  gflops: number;
}

export const DEVICE_MODELS: { preset: string; change: ProfileModel; steps: number }[] = [
  { preset: 'demo-expression-lower', change: { label: 'demo' }, steps: 12 },
  { preset: 'workshop-expression-lower', change: { label: 'workshop' }, steps: 12 },
  {
    preset: 'workshop-expression-lower',
    change: { label: 'resnet-50 224x224', arch: 'resnet-50', width: 1, size: 224, channels: 3, batch: 32 },
    steps: 6,
  },
];

export async function deviceSteps(log: (s: string) => void, where = 'node'): Promise<DeviceRow[]> {
  const rows: DeviceRow[] = [];
  for (const m of DEVICE_MODELS) {
    for (const kernels of ['stock', 'ours'] as const) {
      const p = await profileTraining(m.preset, kernels, m.steps, m.change);
      const row: DeviceRow = {
        model: p.preset,
        kernels,
        batch: p.batch,
        msPerStep: p.msPerStep,
        imgPerS: (p.batch * 1000) / p.msPerStep,
        firstStepMs: p.firstStepMs,
        maxSerial: p.maxSerial,
        syncReads: p.perStep.syncReads,
        gflops: stepFlops(p.macs, p.batch) / p.msPerStep / 1e6,
      };
      log(
        `${where} ${row.model} ${kernels}: ${row.msPerStep.toFixed(1)} ms/step, ${row.imgPerS.toFixed(0)} images/s ` +
          `(batch ${row.batch}, ≈ ${row.gflops.toFixed(1)} GFLOP/s; first step ${row.firstStepMs.toFixed(0)} ms; longest chain ${row.maxSerial})`,
      );
      rows.push(row);
    }
  }
  return rows;
}

/** Achieved GFLOP/s of an n x n x n float32 matmul (2n^3 FLOPs each; `reps` queued, one read). */
export async function matmulRate(n: number, reps: number): Promise<{ n: number; gflops: number; msEach: number }> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const warm = tf.matMul(a, b);
  await warm.data();
  warm.dispose();
  const t0 = performance.now();
  let c: tf.Tensor | null = null;
  for (let i = 0; i < reps; i++) {
    c?.dispose();
    c = tf.matMul(a, b);
  }
  await c!.data();
  const ms = performance.now() - t0;
  tf.dispose([a, b, c!]);
  return { n, gflops: (2 * n ** 3 * reps) / (ms / 1000) / 1e9, msEach: ms / reps };
}

/** FLOPs of one training step of a model (2 x multiply-adds x 3 for forward and both backward passes x batch). */
export function stepFlops(macs: number, batch: number): number {
  return 2 * macs * 3 * batch;
}
