// Checkpoints: after every epoch and stage, plain data only; resuming from any of them (including after
// a cancel) finishes with exactly the numbers of an uninterrupted run, and leaks nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig, presetConfig, type ExperimentConfig, type SynthDatasetConfig } from '../../../src/core/config';
import { synthSplits } from '../../../src/core/data/synthSplits';
import type { SplitImageSets } from '../../../src/core/data/types';
import type { Checkpoint } from '../../../src/core/distill/checkpoint';
import type { EpochRecord } from '../../../src/core/events';
import { disposeModels, runCurriculum } from '../../../src/core/distill/curriculum';

let cfg: ExperimentConfig;
let data: SplitImageSets;
let reference: { rows: unknown; history: unknown };
/** History without wall-clock fields, which differ between any two runs. */
const untimed = (h: EpochRecord[]) => h.map(({ trainMs: _t, miningMs: _m, imagesPerSec: _i, ...rest }) => rest);
const checkpoints: Checkpoint[] = [];

beforeAll(async () => {
  // Two epochs in the distillation stages, so there are mid-stage checkpoints in triplet T-S (mining).
  cfg = makeConfig({
    ...presetConfig('fixture-tiny'),
    trainOtherHalfStudent: false,
    standard: { epochs: 2 },
    triplet: { epochs: 2 },
  });
  data = synthSplits(cfg.dataset as SynthDatasetConfig);
  const r = await runCurriculum(cfg, data, {
    emit: () => undefined,
    onCheckpoint: (cp) => {
      checkpoints.push(structuredClone(cp));
    },
  });
  reference = { rows: r.rows, history: untimed(r.history) };
  disposeModels(r.models);
});

describe('checkpoints', () => {
  it('come after every epoch but the last of a stage, and after every stage, as plain data', () => {
    const where = checkpoints.map((c) =>
      c.progress ? `${c.progress.stage}@${c.progress.nextEpoch}` : `done:${c.done.join(',')}`,
    );
    expect(where).toEqual([
      'teacher@1',
      'done:teacher',
      'done:teacher,student',
      'standard@1',
      'done:teacher,student,standard',
      'triplet@1',
      'done:teacher,student,standard,triplet',
      'control@1',
      'done:teacher,student,standard,triplet,control',
    ]);
    const cp = checkpoints[5];
    expect(Object.keys(cp.weights).sort()).toEqual(['standard', 'student', 'teacher', 'triplet']);
    expect(cp.weights.triplet![0]).toBeInstanceOf(Float32Array);
    expect(cp.progress!.optimizer.length).toBeGreaterThan(0); // Adam's moments travel with it
  });

  it.each([0, 3, 5, 6])('resuming from checkpoint %i gives exactly the uninterrupted result', async (i) => {
    const start = tf.memory().numTensors;
    const r = await runCurriculum(cfg, data, { emit: () => undefined }, structuredClone(checkpoints[i]));
    expect(r.rows).toEqual(reference.rows);
    expect(untimed(r.history)).toEqual(reference.history);
    disposeModels(r.models);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a cancelled run resumes from its last checkpoint', async () => {
    const ctl = new AbortController();
    let last: Checkpoint | null = null;
    await expect(
      runCurriculum(cfg, data, {
        signal: ctl.signal,
        emit: (e) => {
          if (e.type === 'stageStart' && e.stage === 'triplet') ctl.abort();
        },
        onCheckpoint: (cp) => {
          last = structuredClone(cp);
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(last!.done).toEqual(['teacher', 'student', 'standard']);
    const r = await runCurriculum(cfg, data, { emit: () => undefined }, last!);
    expect(r.rows).toEqual(reference.rows);
    disposeModels(r.models);
  });

  it('a damaged checkpoint is refused with a message', async () => {
    const bad = structuredClone(checkpoints[1]);
    bad.weights.teacher = bad.weights.teacher!.slice(1);
    await expect(runCurriculum(cfg, data, { emit: () => undefined }, bad)).rejects.toThrow(
      /checkpoint: \d+ weight arrays for a model with \d+ weights/,
    );
    await expect(
      runCurriculum(cfg, data, { emit: () => undefined }, { ...checkpoints[1], version: 99 }),
    ).rejects.toThrow(/checkpoint version 99 is not supported/);
  });
});

describe("Adam's state in a checkpoint", () => {
  it("resumes exactly where β₂ᵗ after the checkpoint's step count differs from pow(β₂, t + 1)", async () => {
    // 96 training images in batches of 5: 19 steps per epoch. tfjs's Adam.setWeights recomputes β₁ᵗ and β₂ᵗ
    // with pow(), and 0.999^20 in float32 differs in its last bit from 19 products: without the running
    // values in the checkpoint the resumed teacher drifts from the uninterrupted one.
    const c = makeConfig({
      ...presetConfig('fixture-tiny'),
      teacher: { epochs: 2, batchSize: 5, patience: 0 },
      student: { epochs: 0 },
      standard: { epochs: 0 },
      triplet: { epochs: 0 },
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
    });
    const cps: Checkpoint[] = [];
    const whole = await runCurriculum(c, data, {
      emit: () => undefined,
      onCheckpoint: (cp) => {
        cps.push(structuredClone(cp));
      },
    });
    disposeModels(whole.models);
    const mid = cps.find((cp) => cp.progress?.stage === 'teacher' && cp.progress.nextEpoch === 1)!;
    const start = tf.memory().numTensors;
    const r = await runCurriculum(c, data, { emit: () => undefined }, structuredClone(mid));
    expect(untimed(r.history)).toEqual(untimed(whole.history));
    expect(r.rows).toEqual(whole.rows);
    disposeModels(r.models);
    expect(tf.memory().numTensors).toBe(start);
  });
});
