// Benchmarks of the core engine, measured side by side in one run on one backend:
//  1. the curriculum's training loop (a student-type task stage) vs a plain model.fit of the same model,
//     data, batch and optimizer (target overhead ≤ 1.10x);
//  2. hard-example mining per epoch as a share of that epoch's triplet training time (target ≤ 0.25).
// Timings are printed, never asserted (shared, noisy machines).
import * as tf from '@tensorflow/tfjs';
import { makeConfig, type ExperimentConfig, type SynthDatasetConfig } from '../src/core/config';
import { fillImages, fillTargets } from '../src/core/data/batching';
import { synthSplits } from '../src/core/data/synthSplits';
import type { SplitImageSets } from '../src/core/data/types';
import { disposeModels, runCurriculum } from '../src/core/distill/curriculum';
import { buildModel } from '../src/core/models';

export interface CurriculumBenchOptions {
  train: number;
  size: number;
  epochs: number;
  batchSize: number;
}

function benchConfig(o: CurriculumBenchOptions, over: object): ExperimentConfig {
  return makeConfig({
    name: 'bench',
    seed: 5,
    task: 'expression',
    scenario: 'lower',
    dataset: { train: o.train, val: 200, test: 200, height: o.size, width: o.size, channels: 1, seed: 5 },
    model: { arch: 'small', width: 1, dropout: 0 },
    trainOtherHalfStudent: false,
    sameBudgetControl: false,
    student: { epochs: 0 },
    standard: { epochs: 0 },
    triplet: { epochs: 0 },
    evalBatchSize: 200,
    ...over,
  });
}

/** Seconds per epoch of the curriculum's own loop (training time only, validation excluded). */
async function curriculumEpochSeconds(cfg: ExperimentConfig, data: SplitImageSets): Promise<number[]> {
  const r = await runCurriculum(cfg, data, { emit: () => undefined });
  disposeModels(r.models);
  // The first epoch of a fresh model pays one-off costs (wasm creates its XNNPACK operators per weight
  // tensor): both paths are compared on their warm epochs only.
  return r.history.slice(1).map((h) => h.trainMs / 1000);
}

/** Seconds per epoch of model.fit on the same data (full faces), model, batch and optimizer. */
async function fitEpochSeconds(cfg: ExperimentConfig, data: SplitImageSets): Promise<number[]> {
  const t = data.train;
  const n = Math.floor(t.count / cfg.teacher.batchSize) * cfg.teacher.batchSize; // same steps: ragged batch dropped
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const xBuf = fillImages(t, idx, 'full', new Float32Array(n * t.height * t.width * t.channels));
  const yBuf = fillTargets(t, 'expression', idx, new Float32Array(n));
  const model = buildModel({
    arch: 'small',
    inputShape: [t.height, t.width, t.channels],
    outputUnits: 8,
    width: 1,
    dropout: 0,
    seed: 5,
  });
  const x = tf.tensor4d(xBuf, [n, t.height, t.width, t.channels]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(yBuf, 'int32'), 8));
  const opt = tf.train.adam(cfg.teacher.learningRate);
  model.compile({ optimizer: opt, loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp) });
  const times: number[] = [];
  let t0 = performance.now();
  await model.fit(x, y, {
    epochs: cfg.teacher.epochs,
    batchSize: cfg.teacher.batchSize,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochEnd: async () => {
        const t1 = performance.now();
        times.push((t1 - t0) / 1000);
        t0 = t1;
      },
    },
  });
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return times.slice(1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchCurriculum(
  o: CurriculumBenchOptions,
  log: (s: string) => void,
): Promise<{ overhead: number; miningShare: number }> {
  const taskCfg = benchConfig(o, { teacher: { epochs: o.epochs + 1, batchSize: o.batchSize } });
  const data = synthSplits(taskCfg.dataset as SynthDatasetConfig);
  log(
    `data: ${o.train} synthetic faces ${o.size}x${o.size}, batch ${o.batchSize}, ${o.epochs} epochs, backend ${tf.getBackend()}`,
  );
  // Interleaved measurements; each call builds a fresh model and its first epoch is dropped (see above).
  const fit: number[] = [];
  const loop: number[] = [];
  for (let rep = 0; rep < 2; rep++) {
    fit.push(...(await fitEpochSeconds(taskCfg, data)));
    loop.push(...(await curriculumEpochSeconds(taskCfg, data)));
  }
  const overhead = median(loop) / median(fit);
  log(
    `task stage (curriculum loop) ${median(loop).toFixed(2)} s/epoch vs model.fit ${median(fit).toFixed(2)} s/epoch → overhead ${overhead.toFixed(3)}x (target ≤ 1.10x)`,
  );

  // Triplet stage straight from the teacher (skipStudentStep) with the default mining subset.
  const tripCfg = benchConfig(o, {
    skipStudentStep: true,
    teacher: { epochs: 1, batchSize: o.batchSize },
    triplet: { epochs: o.epochs, batchSize: o.batchSize },
  });
  const r = await runCurriculum(tripCfg, data, { emit: () => undefined });
  disposeModels(r.models);
  const trip = r.history.filter((h) => h.stage === 'triplet');
  const shares = trip.map((h) => h.miningMs / h.trainMs);
  const miningShare = median(shares);
  log(
    `mining at pools of ${tripCfg.triplet.positivePool.percent}% / ${tripCfg.triplet.negativePool.percent}%: ${trip.map((h) => `${(h.miningMs / 1000).toFixed(2)} s`).join(', ')} per epoch vs triplet training ${trip.map((h) => `${(h.trainMs / 1000).toFixed(2)} s`).join(', ')} → share ${miningShare.toFixed(3)} (target ≤ 0.25)`,
  );
  return { overhead, miningShare };
}
