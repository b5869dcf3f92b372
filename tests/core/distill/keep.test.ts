// Which epoch a stage keeps (StageConfig.keep) and the triplet stage's pools "of the training set",
// through the real curriculum on tiny synthetic faces: the weights a stage ends with are the recorded
// epoch's, the event says which, pools are the hand-counted sizes, and no tensor is left behind.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig, presetConfig, type SynthDatasetConfig } from '../../../src/core/config';
import { synthSplits } from '../../../src/core/data/synthSplits';
import type { SplitImageSets } from '../../../src/core/data/types';
import { disposeModels, runCurriculum } from '../../../src/core/distill/curriculum';
import { poolCount } from '../../../src/core/distill/pool';
import { OUTPUT_LAYER } from '../../../src/core/models';
import type { CurriculumEvent } from '../../../src/core/events';
import { isBetter, type Metrics } from '../../../src/core/metrics';

let data: SplitImageSets;
const base = () => presetConfig('fixture-tiny');
beforeAll(() => {
  data = synthSplits(base().dataset as SynthDatasetConfig);
});

// Layer by layer: a frozen model (the teacher after its stage) lists its weights in another order at the model level.
const weightsOf = (m: tf.LayersModel) => m.layers.flatMap((l) => l.getWeights()).map((w) => Array.from(w.dataSync()));

/** Teacher only, 4 epochs at a rate high enough that validation goes up and down. */
async function teacherRun(keep: 'best' | 'last', learningRate = 0.02, epochs = 4) {
  const cfg = makeConfig({
    ...base(),
    trainOtherHalfStudent: false,
    sameBudgetControl: false,
    student: { epochs: 0 },
    standard: { epochs: 0 },
    triplet: { epochs: 0 },
    ensemble: { enabled: false },
    teacher: { epochs, learningRate, patience: 0, lrFactor: 1, keep },
  });
  const start = tf.memory().numTensors;
  let teacher: tf.LayersModel | null = null;
  const perEpoch: { val: Metrics; weights: number[][] }[] = [];
  const ends: Extract<CurriculumEvent, { type: 'stageEnd' }>[] = [];
  const r = await runCurriculum(cfg, data, {
    onModel: (_s, m) => {
      teacher = m;
    },
    emit: (e) => {
      if (e.type === 'epochEnd') perEpoch.push({ val: e.record.val, weights: weightsOf(teacher!) });
      if (e.type === 'stageEnd') ends.push(e);
    },
  });
  const final = weightsOf(r.models.teacher!);
  const left = tf.memory().numTensors - start - r.models.teacher!.weights.length;
  disposeModels(r.models);
  return { perEpoch, end: ends[0], final, left };
}

describe('keep', () => {
  it('best keeps the best validation epoch, last the last one; the stage leaves no tensor', async () => {
    const best = await teacherRun('best');
    const last = await teacherRun('last');
    // Same seed, same training: the epochs are the same in both runs.
    expect(last.perEpoch.map((e) => e.val)).toEqual(best.perEpoch.map((e) => e.val));
    let b = 0;
    best.perEpoch.forEach((e, i) => {
      if (isBetter(e.val, best.perEpoch[b].val) && i > 0) b = i;
    });
    // This seed's validation peaks before the last epoch, so the two rules keep different weights.
    expect(b).toBeLessThan(3);
    expect(best.end).toMatchObject({ bestEpoch: b, keep: 'best', epochsRun: 4 });
    expect(best.final).toEqual(best.perEpoch[b].weights);
    expect(last.end).toMatchObject({ bestEpoch: 3, keep: 'last', epochsRun: 4 });
    expect(last.final).toEqual(last.perEpoch[3].weights);
    expect([best.left, last.left]).toEqual([0, 0]);
  });

  it('last keeps the last epoch when it is also the best (a single epoch: the first always improves)', async () => {
    const last = await teacherRun('last', 0.003, 1);
    expect(last.end).toMatchObject({ bestEpoch: 0, keep: 'last', epochsRun: 1 });
    expect(last.final).toEqual(last.perEpoch[0].weights);
    expect(last.left).toBe(0);
  });
});

describe('keep: last and a NaN loss', () => {
  it('falls back to the last finished epoch, says so, and leaves no tensor', async () => {
    const cfg = makeConfig({
      ...base(),
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
      student: { epochs: 0 },
      standard: { epochs: 0 },
      triplet: { epochs: 0 },
      ensemble: { enabled: false },
      teacher: { epochs: 3, patience: 0, keep: 'last' },
    });
    const start = tf.memory().numTensors;
    let teacher: tf.LayersModel | null = null;
    let poison = false;
    let second: number[][] = [];
    const r = await runCurriculum(cfg, data, {
      onModel: (_s, m) => {
        teacher = m;
      },
      emit: (e) => {
        if (e.type === 'epochEnd' && e.record.epoch === 1) {
          second = weightsOf(teacher!);
          poison = true;
        }
      },
      // Between batches of the third epoch the logits kernel becomes NaN: the next loss is NaN.
      pauseGate: async () => {
        if (!poison) return;
        poison = false;
        const w = teacher!.getLayer(OUTPUT_LAYER).weights[0].read() as tf.Variable;
        tf.tidy(() => w.assign(tf.fill(w.shape, NaN)));
      },
    });
    expect(r.stopped.teacher).toMatch(/^the loss became NaN at epoch 3, step 1; kept the last finished epoch\./);
    expect(weightsOf(r.models.teacher!)).toEqual(second);
    const weights = r.models.teacher!.weights.length;
    disposeModels(r.models);
    expect(weights).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('mining pools of the training set', () => {
  it('the triplet stage mines from p% of the training set per class (hand count), and leaks nothing', async () => {
    const pool = { percent: 20, of: 'train' as const };
    const cfg = makeConfig({
      ...base(),
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
      standard: { epochs: 0 },
      ensemble: { enabled: false },
      triplet: { epochs: 1, positivePool: pool, negativePool: pool, mining: 'hardest' },
    });
    const mining: Extract<CurriculumEvent, { type: 'mining' }>[] = [];
    const start = tf.memory().numTensors;
    const r = await runCurriculum(cfg, data, {
      emit: (e) => {
        if (e.type === 'mining') mining.push(e);
      },
    });
    const labels = data.train.expression!;
    const n = data.train.count;
    const perClass = Array.from({ length: 8 }, (_, c) => Array.from(labels).filter((l) => l === c).length);
    // Positives: round(20% of n) of each class, at most the class; negatives: as many from the other classes.
    const positives = perClass.reduce((s, k) => s + poolCount(k, 20, n), 0);
    const negatives = perClass.reduce((s, k) => s + (k ? poolCount(n - k, 20, n) : 0), 0);
    expect(Math.round(0.2 * n)).toBe(19);
    expect(mining).toHaveLength(1);
    expect(mining[0]).toMatchObject({ anchors: n, positives, negatives });
    expect(mining[0].validTriplets).toBe(n);
    const weights = Object.values(r.models).reduce((s, m) => s + m!.weights.length, 0);
    disposeModels(r.models);
    expect(weights).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(start);
  });
});
