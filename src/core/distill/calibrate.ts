// The calibration behind the duration estimate (estimate.ts): times a few training steps and a few
// inference batches of the config's own model on the active backend (random pixels, the config's batch
// size). Leaves no tensor behind.
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../config/config';
import { taskHead } from '../data/batching';
import { buildModel, type ModelSpec } from '../models';
import { taskLoss } from '../losses';
import type { DatasetDims, StepCost } from './estimate';
import { now, specOf } from './context';
import { trainableVariables } from './trainStage';

/** Times `steps` training steps (after 2 warm-up steps) and as many inference batches of the config's
 *  model. Leaves no tensor behind. */
export async function calibrate(
  cfg: ExperimentConfig,
  dims: Pick<DatasetDims, 'height' | 'width' | 'channels'>,
  steps = 4,
): Promise<StepCost> {
  const head = taskHead(cfg.task);
  const spec: ModelSpec = specOf(cfg.model, [dims.height, dims.width, dims.channels as 1 | 3], head.units, 1);
  const B = cfg.teacher.batchSize;
  const model = buildModel(spec);
  const opt = tf.train.adam(1e-4);
  const x = tf.randomUniform([B, dims.height, dims.width, dims.channels], 0, 1, 'float32', 7);
  const y =
    head.kind === 'classification'
      ? tf.tensor1d(
          Array.from({ length: B }, (_, i) => i % head.units),
          'int32',
        )
      : tf.zeros([B]);
  try {
    // Only the last of a timed series is awaited: the steps queue back to back, as in the training loop
    // (readback.ts) and the evaluation, so a GPU is timed at its throughput, not its round trip.
    const step = async (read: boolean) => {
      const loss = opt.minimize(
        () => taskLoss(head.kind, model.apply(x, { training: true }) as tf.Tensor2D, y as tf.Tensor1D),
        true,
        trainableVariables(model),
      )!;
      if (read) await loss.data();
      loss.dispose();
    };
    const infer = async (read: boolean) => {
      const out = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
      if (read) await out.data();
      out.dispose();
    };
    await step(true);
    await step(true);
    await infer(true);
    let t0 = now();
    for (let i = 0; i < steps; i++) await step(i === steps - 1);
    const trainMs = (now() - t0) / (steps * B);
    t0 = now();
    for (let i = 0; i < steps; i++) await infer(i === steps - 1);
    const evalMs = (now() - t0) / (steps * B);
    return { trainMsPerImage: trainMs, evalMsPerImage: evalMs, backend: tf.getBackend() };
  } finally {
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }
}

export type { DatasetDims, StepCost };
