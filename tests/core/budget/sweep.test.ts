// The budget sweep shares the teacher: trained once per seed (counted by its stageStart events), every
// budget's steps 2-3 start from that teacher (its rows are the same in every budget's grid), the students
// train on the budget's images (stepsPerEpoch, mining anchors), and no tensor outlives the sweep. The
// runner's budgets.json has the shape the lesson reads.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetConfig, type ExperimentConfig, type SynthDatasetConfig } from '../../../src/core/config';
import { synthSplits } from '../../../src/core/data/synthSplits';
import type { SplitImageSets } from '../../../src/core/data/types';
import type { CurriculumEvent } from '../../../src/core/events';
import { budgetSweepError, runBudgetSweep } from '../../../src/core/budget/sweep';
import { budgetEstimate, budgetPlan } from '../../../src/core/budget/plan';
import { runCurriculum, disposeModels } from '../../../src/core/distill/curriculum';
import { budgetsJson } from '../../../src/cli/budgets';

let cfg: ExperimentConfig;
let data: SplitImageSets;

beforeAll(() => {
  const base = presetConfig('fixture-tiny');
  cfg = { ...base, repeats: 2, budgets: [32, '50%'], ensemble: { ...base.ensemble!, singles: false } };
  data = synthSplits(cfg.dataset as SynthDatasetConfig);
});

describe('budget sweep', () => {
  it('trains the teacher once per seed and reuses it for every budget, leaving no tensor', async () => {
    const start = tf.memory().numTensors;
    const events: CurriculumEvent[] = [];
    const tables: unknown[] = [];
    const { table, runs } = await runBudgetSweep(cfg, data, { emit: (e) => events.push(e) }, (t) => tables.push(t));
    expect(tf.memory().numTensors).toBe(start);

    const starts = events.filter((e): e is Extract<CurriculumEvent, { type: 'stageStart' }> => e.type === 'stageStart');
    expect(starts.filter((e) => e.stage === 'teacher')).toHaveLength(2);
    expect(starts.map((e) => e.stage)).toEqual([
      'teacher',
      'student',
      'standard',
      'triplet',
      'control',
      'student',
      'standard',
      'triplet',
      'control',
      'teacher',
      'student',
      'standard',
      'triplet',
      'control',
      'student',
      'standard',
      'triplet',
      'control',
    ]);
    expect(events.filter((e) => e.type === 'runStart')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'runEnd')).toHaveLength(1);
    // steps 2-3 train on the budget: 32 images → 2 batches of 16, 48 images → 3
    expect(starts.filter((e) => e.stage !== 'teacher').map((e) => e.stepsPerEpoch)).toEqual([
      2, 2, 2, 2, 3, 3, 3, 3, 2, 2, 2, 2, 3, 3, 3, 3,
    ]);
    const mining = events.filter((e): e is Extract<CurriculumEvent, { type: 'mining' }> => e.type === 'mining');
    expect(mining.map((m) => m.anchors)).toEqual([32, 48, 32, 48]);
    // The same teacher in both budgets of a seed: identical teacher rows (predictions included).
    const teacherRows = (i: number) => JSON.stringify(runs[i].rows.filter((r) => r.model === 'teacher'));
    expect(teacherRows(0)).toBe(teacherRows(1));
    expect(teacherRows(2)).toBe(teacherRows(3));
    expect(teacherRows(0)).not.toBe(teacherRows(2));
    expect(tables).toHaveLength(4);

    const json = JSON.parse(budgetsJson(cfg, table, 1234));
    expect(json.metric).toBe('accuracy');
    expect(json.seeds).toEqual([3, 4]);
    expect(json.budgets.map((b: { images: number }) => b.images)).toEqual([32, 48]);
    for (const b of json.budgets) {
      expect(Object.keys(b.models).sort()).toEqual(['control', 'standard', 'student', 'svm', 'triplet']);
      for (const list of Object.values(b.models) as number[][]) {
        expect(list).toHaveLength(2);
        for (const v of list) expect(v).toBeGreaterThanOrEqual(0);
      }
    }
    // the values are the grid's, seed by seed
    const kd = runs.find((r) => r.seed === 4 && r.images === 48)!.rows.find((r) => r.model === 'standard')!;
    expect(json.budgets[1].models.standard[1]).toBe(kd.metrics.accuracy);
  });

  it('a budget run from the shared teacher equals an ordinary run with that budget', async () => {
    const one = { ...cfg, repeats: 1, budgets: null, budget: 32, trainOtherHalfStudent: false };
    const plain = await runCurriculum(one, data, { emit: () => {} });
    disposeModels(plain.models);
    const { runs } = await runBudgetSweep({ ...cfg, repeats: 1, budgets: [32] }, data, { emit: () => {} });
    const acc = (rows: typeof plain.rows) => rows.map((r) => `${r.model}:${r.test}:${r.metrics.accuracy}`);
    expect(acc(runs[0].rows)).toEqual(acc(plain.rows));
  });

  it('plans and prices the parts, and refuses a budget smaller than a batch', () => {
    const plan = budgetPlan(cfg, 96);
    expect(plan.map((p) => [p.seed, p.budget])).toEqual([
      [3, null],
      [3, 32],
      [3, '50%'],
      [4, null],
      [4, 32],
      [4, '50%'],
    ]);
    // teacher: 2 epochs × 96; budget 32: student 1×32 + standard 1×32 + triplet 2×32 + control 1×32
    expect(plan[0].work).toBe(192);
    expect(plan[1].work).toBe(160);
    const cost = { trainMsPerImage: 1, evalMsPerImage: 0, backend: 'wasm' };
    expect(
      budgetEstimate(cfg, { height: 16, width: 16, channels: 1, train: 96, val: 32, test: 32 }, cost),
    ).toBeGreaterThan(0);
    expect(budgetSweepError({ ...cfg, budgets: [8] }, 96)).toMatch(/fewer than a batch/);
  });
});
