// The one epoch loop every stage trains with: shuffle (a seed stream per stage and epoch), step, validate,
// keep the best epoch (or the last: StageConfig.keep), reduce the learning rate on a plateau, stop on a NaN loss, checkpoint after every
// epoch. What a step computes comes from steps.ts / tripletStage.ts through a StageRun.
import * as tf from '@tensorflow/tfjs';
import { STAGE_LABEL, type StageName } from '../config/config';
import { trainingBatches } from '../data';
import { createRng, permutation } from '../random';
import { hash32 } from '../hash';
import type { EpochRecord } from '../events';
import { isBetter, primaryMetric, type Metrics } from '../metrics';
import { layerwiseWeights, setLayerwiseWeights, type StageProgress } from './checkpoint';
import { evaluateModel } from './evaluate';
import { earlyStopStep, initialEarlyStop, initialPlateau, plateauStep } from './schedule';
import { now, type StageContext, type StageRun } from './context';
import { readbackPolicy, StepReadback } from './readback';

/** Seed streams for shuffling and dropout. The two distillation stages and the same-budget control share
 *  one: each sees the training images in the same order, epoch by epoch, so a single seed's comparison
 *  of the three differs by the loss alone (issue 11: less noise in paired comparisons). */
const STAGE_SEED: Record<StageName, number> = {
  teacher: 11,
  student: 12,
  studentOther: 13,
  standard: 14,
  triplet: 14,
  control: 14,
};

/** The generic epoch loop: shuffles, steps, validates, keeps the best epoch, reduces the rate. */
export async function trainStage(
  ctx: StageContext,
  run: StageRun,
  onCheckpoint?: (p: StageProgress) => Promise<void>,
): Promise<number> {
  const { stage, model, cfg } = run;
  const train = ctx.data.train;
  const batchesPerEpoch = Math.floor(train.count / cfg.batchSize);
  if (batchesPerEpoch === 0)
    throw new Error(`${stage}.batchSize (${cfg.batchSize}) is larger than the training split (${train.count} images).`);
  ctx.emit({
    type: 'stageStart',
    stage,
    label: STAGE_LABEL[stage],
    epochs: cfg.epochs,
    stepsPerEpoch: batchesPerEpoch,
    visibility: run.visibility,
  });
  const r = run.resume;
  const t0 = now() - (r?.elapsedMs ?? 0);
  const opt = ctx.makeOptimizer(cfg);
  const step = run.makeStep(model);
  let plateau = r ? { ...r.plateau } : initialPlateau(cfg);
  let early = r?.earlyStop ? { ...r.earlyStop } : initialEarlyStop();
  let earlyStopped = false;
  let epochsRun = r?.nextEpoch ?? 0;
  let best: { epoch: number; val: Metrics; weights: tf.Tensor[] } | null = null;
  // Configs saved before `keep` existed lack it: they kept the best epoch.
  const keepBest = (cfg.keep ?? 'best') === 'best';
  let bestVal: Metrics | null = null;
  const keptText = keepBest ? 'kept the best epoch so far' : 'kept the last finished epoch';
  // Set by the readback callback (a NaN loss): typed wide, as TypeScript does not see that assignment.
  let stoppedEarly = null as string | null;
  try {
    if (r) {
      if (r.best) {
        const shapes = layerwiseWeights(model).map((w) => w.shape);
        best = { epoch: r.best.epoch, val: r.best.val, weights: r.best.weights.map((a, i) => tf.tensor(a, shapes[i])) };
      }
      bestVal = r.bestVal ?? r.best?.val ?? null;
      if (r.optimizer.length) {
        const named = r.optimizer.map((o) => ({
          name: o.name,
          tensor: tf.tensor(o.data, o.shape, o.data instanceof Int32Array ? 'int32' : 'float32'),
        }));
        await opt.setWeights(named);
        tf.dispose(named.map((n) => n.tensor));
      }
      if (r.optimizerScalars) setOptimizerScalars(opt, r.optimizerScalars);
      ctx.setLearningRate(opt, plateau.learningRate);
    }
    for (let epoch = r?.nextEpoch ?? 0; epoch < cfg.epochs && !stoppedEarly && !earlyStopped; epoch++) {
      await ctx.checkpointGate();
      const miningMs = run.beforeEpoch ? await run.beforeEpoch(epoch) : 0;
      const order = permutation(train.count, createRng(hash32(ctx.cfg.seed, STAGE_SEED[stage], epoch)));
      const sums = new Float64Array(4);
      let seen = 0;
      let steps = 0;
      const e0 = now();
      let rate = 0;
      // Figures come back in step order, every step on the CPU backends and every few on a GPU (readback.ts).
      const readback = new StepReadback(readbackPolicy(tf.getBackend()), ({ step: s, images, values: v, stepMs }) => {
        if (!Number.isFinite(v[0])) {
          stoppedEarly = `the loss became ${v[0]} at epoch ${epoch + 1}, step ${s}; ${keptText}. Try a lower learning rate.`;
          ctx.emit({ type: 'log', level: 'error', message: `${STAGE_LABEL[stage]}: ${stoppedEarly}` });
          return false;
        }
        for (let i = 0; i < 4; i++) sums[i] += i < 3 ? v[i] * images : v[i];
        seen += images;
        const inst = (images * 1000) / Math.max(1e-3, stepMs);
        rate = rate === 0 ? inst : 0.8 * rate + 0.2 * inst;
        ctx.emit({
          type: 'batchEnd',
          stage,
          epoch,
          step: s,
          stepsPerEpoch: batchesPerEpoch,
          losses: ctx.components(v, run.extraTerm),
          imagesPerSec: rate,
        });
        return true;
      });
      try {
        for (const batch of trainingBatches(order, cfg.batchSize)) {
          await ctx.checkpointGate();
          reseedDropout(model, hash32(ctx.cfg.seed, STAGE_SEED[stage], epoch, steps));
          steps++;
          await readback.add(step(batch, opt), steps, batch.length);
          if (readback.stopped) break;
        }
        await readback.drain();
      } finally {
        await readback.dispose();
      }
      // After a NaN the weights may hold NaN: this epoch is not a candidate for the best.
      if (stoppedEarly) break;
      const trainMs = now() - e0;
      // The epoch's record keeps no confusion matrix: the grid rows have one each (tests), and a matrix per
      // epoch of every stage made results.json grow with classes² x epochs.
      const { confusion: _cm, ...val } = (
        await evaluateModel(model, ctx.data.val, run.visibility, ctx.cfg.task, ctx.head, ctx.cfg.evalBatchSize)
      ).metrics;
      const trainMetrics: Metrics = { count: seen, loss: sums[0] / Math.max(1, seen) };
      if (ctx.head.kind === 'classification') trainMetrics.accuracy = sums[3] / Math.max(1, seen);
      else trainMetrics.mae = sums[3] / Math.max(1, seen);
      const improved = isBetter(val, bestVal);
      if (improved) bestVal = val;
      // `best` holds the epoch the stage keeps: the best on validation, or (keep: last) every epoch in
      // turn, so a NaN in a later epoch still falls back to the last finished one.
      if (improved || !keepBest) {
        if (best) tf.dispose(best.weights);
        best = { epoch, val, weights: layerwiseWeights(model).map((w) => tf.clone(w)) };
      }
      const record: EpochRecord = {
        stage,
        epoch,
        train: trainMetrics,
        val,
        learningRate: plateau.learningRate,
        losses: ctx.components(
          Array.from(sums).map((s, i) => (i < 3 ? s / Math.max(1, seen) : s)),
          run.extraTerm,
        ),
        trainMs,
        miningMs,
        imagesPerSec: (seen * 1000) / Math.max(1, trainMs),
        best: improved,
      };
      ctx.history.push(record);
      ctx.emit({ type: 'epochEnd', record });
      const pm = primaryMetric(val);
      plateau = plateauStep(plateau, pm.value, pm.higherIsBetter, cfg);
      ctx.setLearningRate(opt, plateau.learningRate);
      epochsRun = epoch + 1;
      const es = earlyStopStep(early, pm.value, pm.higherIsBetter, cfg);
      early = { best: es.best, bad: es.bad };
      earlyStopped = es.stop;
      if (onCheckpoint && epoch + 1 < cfg.epochs && !earlyStopped) {
        await onCheckpoint({
          stage,
          nextEpoch: epoch + 1,
          plateau: { ...plateau },
          earlyStop: { ...early },
          best: best
            ? {
                epoch: best.epoch,
                val: best.val,
                weights: await Promise.all(best.weights.map(async (w) => (await w.data()) as Float32Array)),
              }
            : null,
          bestVal,
          optimizer: await optimizerState(opt),
          optimizerScalars: await optimizerScalars(opt),
          elapsedMs: now() - t0,
        });
      }
    }
    if (stoppedEarly && !best) {
      throw new Error(
        `${STAGE_LABEL[stage]}: ${stoppedEarly.replace(`; ${keptText}`, '')} No epoch finished before that, so there is no checkpoint to keep.`,
      );
    }
    if (best) setLayerwiseWeights(model, best.weights);
  } finally {
    if (best) tf.dispose(best.weights);
    opt.dispose();
    run.afterStage?.();
  }
  // Emitted after the clean-up, so a listener sees exactly the tensors the stage leaves behind.
  if (stoppedEarly) ctx.stopped[stage] = stoppedEarly;
  const ms = now() - t0;
  const bestEpoch = best ? (best as { epoch: number }).epoch : -1;
  if (earlyStopped) {
    ctx.emit({
      type: 'log',
      level: 'info',
      message: `${STAGE_LABEL[stage]}: stopped after ${epochsRun} of ${cfg.epochs} epochs (no validation improvement for ${cfg.patience}); kept epoch ${bestEpoch + 1}${keepBest ? '' : ' (the last)'}.`,
    });
  }
  ctx.emit({
    type: 'stageEnd',
    stage,
    bestEpoch,
    ms,
    stoppedEarly,
    epochsRun,
    earlyStopped,
    keep: keepBest ? 'best' : 'last',
  });
  return ms;
}

/** Optimizer slots as plain arrays (Adam: step count, first and second moments). */
async function optimizerState(opt: tf.Optimizer): Promise<StageProgress['optimizer']> {
  const named = await opt.getWeights();
  const out = await Promise.all(
    named.map(async (n) => ({ name: n.name, shape: n.tensor.shape, data: (await n.tensor.data()) as Float32Array })),
  );
  // getWeights returns the live slot variables plus a fresh scalar for the step count: free only that one.
  tf.dispose(named.filter((n) => !(n.tensor instanceof tf.Variable)).map((n) => n.tensor));
  return out;
}

/** Scalar variables an optimizer updates every step but leaves out of getWeights: Adam's β₁ᵗ, β₂ᵗ. */
const OPTIMIZER_SCALARS = ['accBeta1', 'accBeta2'] as const;

async function optimizerScalars(opt: tf.Optimizer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const o = opt as unknown as Record<string, unknown>;
  for (const k of OPTIMIZER_SCALARS) if (o[k] instanceof tf.Variable) out[k] = (await (o[k] as tf.Variable).data())[0];
  return out;
}

function setOptimizerScalars(opt: tf.Optimizer, values: Record<string, number>): void {
  const o = opt as unknown as Record<string, unknown>;
  for (const k of OPTIMIZER_SCALARS) {
    const v = o[k];
    if (v instanceof tf.Variable && typeof values[k] === 'number') tf.tidy(() => v.assign(tf.scalar(values[k])));
  }
}

/** tfjs Dropout draws its mask from `layer.seed` when set (the same mask every step) or from Math.random
 *  (not reproducible). A fresh seed per step from the run's seed gives both variety and reproducibility. */
export function reseedDropout(model: tf.LayersModel, seed: number): void {
  model.layers.forEach((l, i) => {
    if (l.getClassName() === 'Dropout') (l as unknown as { seed: number }).seed = hash32(seed, i);
  });
}

/** Trainable variables of one model only: passing them to minimize keeps every other model (the
 *  teacher above all) out of the update, whatever else ran inside the loss
 *  (docs/architecture.md#platform-constraints). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
