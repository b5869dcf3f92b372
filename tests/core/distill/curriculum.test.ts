// End-to-end curriculum on tiny synthetic faces (cpu backend): every stage runs, the grid has every row,
// the teacher is bit-identical after distillation, each stage leaves no tensor behind, same seed → same
// numbers, a NaN stops a stage and keeps its best epoch, cancel disposes everything.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  makeConfig,
  presetConfig,
  type ExperimentConfig,
  type StageName,
  type SynthDatasetConfig,
} from '../../../src/core/config';
import { synthSplits } from '../../../src/core/data/synthSplits';
import type { SplitImageSets } from '../../../src/core/data/types';
import { disposeModels, runCurriculum } from '../../../src/core/distill/curriculum';
import { OUTPUT_LAYER } from '../../../src/core/models';
import type { CurriculumEvent } from '../../../src/core/events';

let cfg: ExperimentConfig;
let data: SplitImageSets;

beforeAll(() => {
  cfg = presetConfig('fixture-tiny');
  data = synthSplits(cfg.dataset as SynthDatasetConfig);
});

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => w.dataSync().slice());

describe('curriculum', () => {
  it('runs every stage, fills the grid, leaks no tensor in any stage', async () => {
    const start = tf.memory().numTensors;
    const events: CurriculumEvent[] = [];
    const alive: tf.LayersModel[] = [];
    const leaks: Record<string, number> = {};
    const result = await runCurriculum(cfg, data, {
      onModel: (_s, m) => alive.push(m),
      emit: (e) => {
        events.push(e);
        // After each stage, live tensors = those at the start + the weights of the models built so far.
        if (e.type === 'stageEnd')
          leaks[e.stage] = tf.memory().numTensors - start - alive.reduce((a, m) => a + m.weights.length, 0);
      },
    });
    expect(leaks).toEqual({ teacher: 0, student: 0, studentOther: 0, standard: 0, triplet: 0, control: 0 });

    const stages = events.flatMap((e) => (e.type === 'stageStart' ? [e.stage] : []));
    expect(stages).toEqual(['teacher', 'student', 'studentOther', 'standard', 'triplet', 'control']);
    expect(result.rows.map((r) => `${r.model}:${r.train}->${r.test}`)).toEqual([
      'teacher:full->full',
      'teacher:full->lower',
      'teacher:full->upper',
      'student:lower->lower',
      'studentOther:upper->upper',
      'standard:full+lower->lower',
      'triplet:full+lower->lower',
      'control:lower->lower',
      'svm:full+lower->lower',
      'svmStandard:full+lower->lower',
      'svmTriplet:full+lower->lower',
    ]);
    // Every row carries a CI; the distilled, control and SVM rows a McNemar test against the student.
    expect(result.rows.every((r) => r.stats && r.stats.ci.lo <= r.stats.ci.hi)).toBe(true);
    expect(result.rows.filter((r) => r.stats?.vsStudent).map((r) => r.model)).toEqual([
      'standard',
      'triplet',
      'control',
      'svm',
      'svmStandard',
      'svmTriplet',
    ]);
    const student = result.rows.find((r) => r.model === 'student')!;
    const svm = result.rows.find((r) => r.model === 'svm')!;
    const truth = Array.from(data.test.expression!);
    const b = truth.filter((t, i) => svm.predictions[i] === t && student.predictions[i] !== t).length;
    const c = truth.filter((t, i) => svm.predictions[i] !== t && student.predictions[i] === t).length;
    expect([svm.stats!.vsStudent!.b, svm.stats!.vsStudent!.c]).toEqual([b, c]);
    for (const r of result.rows) {
      expect(r.metrics.count).toBe(32);
      expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.predictions.length).toBe(32);
      expect(r.metrics.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(32);
    }
    const batches = events.flatMap((e) => (e.type === 'batchEnd' ? [e] : []));
    expect(batches.some((e) => e.stage === 'standard' && Number.isFinite(e.losses.kd))).toBe(true);
    expect(batches.some((e) => e.stage === 'triplet' && Number.isFinite(e.losses.triplet))).toBe(true);
    expect(events.some((e) => e.type === 'mining' && e.validTriplets > 0)).toBe(true);
    expect(result.history.map((h) => h.stage)).toEqual([
      'teacher',
      'teacher',
      'student',
      'studentOther',
      'standard',
      'triplet',
      'control',
    ]);
    disposeModels(result.models);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('distillation leaves the teacher bit-identical; same seed gives the same numbers', async () => {
    const small = makeConfig({
      ...presetConfig('fixture-tiny'),
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
      teacher: { epochs: 1 },
    });
    const run = async () => {
      const models: Partial<Record<StageName, tf.LayersModel>> = {};
      let teacherBefore: Float32Array[] = [];
      let studentBefore: Float32Array[] = [];
      const r = await runCurriculum(small, data, {
        onModel: (s, m) => {
          models[s] = m;
        },
        emit: (e) => {
          // The teacher is final once step 2 ends; distillation starts right after.
          if (e.type === 'stageStart' && e.stage === 'standard') {
            teacherBefore = weightsOf(models.teacher!) as Float32Array[];
            studentBefore = weightsOf(models.student!) as Float32Array[];
          }
        },
      });
      return { r, teacherBefore, studentBefore };
    };
    const a = await run();
    const teacherAfter = weightsOf(a.r.models.teacher!);
    expect(teacherAfter.length).toBeGreaterThan(0);
    teacherAfter.forEach((w, i) => expect(w).toEqual(a.teacherBefore[i]));
    // ...while the distilled students did move away from the step-2 student they started from.
    const moved = weightsOf(a.r.models.triplet!).some((w, i) => w.some((v, j) => v !== a.studentBefore[i][j]));
    expect(moved).toBe(true);

    const b = await run();
    expect(b.r.rows.map((r) => r.metrics)).toEqual(a.r.rows.map((r) => r.metrics));
    expect(b.r.history.map((h) => h.losses)).toEqual(a.r.history.map((h) => h.losses));
    disposeModels(a.r.models);
    disposeModels(b.r.models);
  });

  it('a NaN loss stops the stage, keeps the best epoch, and the run goes on', async () => {
    const c = makeConfig({
      ...presetConfig('fixture-tiny'),
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
      triplet: { epochs: 0 },
      student: { epochs: 3 },
    });
    const models: Partial<Record<StageName, tf.LayersModel>> = {};
    let poison = false;
    let bestWeights: Float32Array[] = [];
    const logs: string[] = [];
    const r = await runCurriculum(c, data, {
      onModel: (s, m) => {
        models[s] = m;
      },
      emit: (e) => {
        if (e.type === 'log') logs.push(e.message);
        if (e.type === 'epochEnd' && e.record.stage === 'student' && e.record.epoch === 0) {
          bestWeights = weightsOf(models.student!) as Float32Array[];
          poison = true;
        }
      },
      // Between batches of the student's second epoch, the logits kernel becomes NaN: the next loss is NaN.
      // (The output layer, because wasm's ReLU and max-pool drop NaN from earlier layers.)
      pauseGate: async () => {
        if (!poison) return;
        poison = false;
        const w = models.student!.getLayer(OUTPUT_LAYER).weights[0].read() as tf.Variable;
        tf.tidy(() => w.assign(tf.fill(w.shape, NaN)));
      },
    });
    expect(r.stopped.student).toMatch(/^the loss became NaN at epoch 2, step 1; kept the best epoch so far/);
    expect(logs.join('\n')).toMatch(/student: the loss became NaN/);
    // The weights are those of the best (only) finished epoch, and the grid row is finite.
    weightsOf(r.models.student!).forEach((w, i) => expect(w).toEqual(bestWeights[i]));
    expect(Number.isFinite(r.rows.find((x) => x.model === 'student')!.metrics.loss)).toBe(true);
    // The run went on: the standard T-S stage ran from the restored student.
    expect(r.rows.some((x) => x.model === 'standard')).toBe(true);
    disposeModels(r.models);
  });

  it('a NaN before any epoch finished fails the run with a clear message and leaks nothing', async () => {
    const start = tf.memory().numTensors;
    let teacher: tf.LayersModel | null = null;
    await expect(
      runCurriculum(cfg, data, {
        onModel: (s, m) => {
          if (s === 'teacher') teacher = m;
        },
        emit: () => undefined,
        pauseGate: async () => {
          const w = teacher!.getLayer(OUTPUT_LAYER).weights[0].read() as tf.Variable;
          tf.tidy(() => w.assign(tf.fill(w.shape, NaN)));
        },
      }),
    ).rejects.toThrow(
      /teacher: the loss became NaN at epoch 1, step 1\. Try a lower learning rate\. No epoch finished/,
    );
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a run that cannot fit in wasm memory is refused before any model is built, in words, leaking nothing', async () => {
    const start = tf.memory().numTensors;
    const big = makeConfig({
      ...cfg,
      dataset: {
        ...(cfg.dataset as SynthDatasetConfig),
        train: 8,
        val: 4,
        test: 4,
        height: 224,
        width: 224,
        channels: 3,
      },
      model: { ...cfg.model, arch: 'small', width: 1 },
      teacher: { ...cfg.teacher, batchSize: 4096 },
    });
    const bigData = synthSplits(big.dataset as SynthDatasetConfig);
    const seen: string[] = [];
    await expect(
      runCurriculum(big, bigData, {
        backend: 'wasm',
        emit: (e) => {
          seen.push(e.type);
        },
        onModel: (s) => {
          seen.push(s);
        },
      }),
    ).rejects.toMatchObject({
      name: 'MemoryLimitError',
      message: expect.stringMatching(
        /^This config needs about \d+\.\d GB \(small at 224x224x3, 4096 images per training step in the teacher stage/,
      ),
    });
    expect(seen).toEqual([]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('cancel stops between batches and disposes every model', async () => {
    const start = tf.memory().numTensors;
    const ctl = new AbortController();
    let batches = 0;
    await expect(
      runCurriculum(cfg, data, {
        signal: ctl.signal,
        emit: (e) => {
          if (e.type === 'batchEnd' && ++batches === 3) ctl.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(batches).toBe(3);
    expect(tf.memory().numTensors).toBe(start);
  });
});
