// Sweeps: parsing and checking the setting and values, setting a value, the deciding stage, and the
// choice by validation (higher accuracy, lower MAE, first on ties).
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../src/core/config/config';
import { configErrors } from '../../../src/core/config';
import type { EpochRecord } from '../../../src/core/events';
import { bestValidation, chooseSweep, parseSweep, sweepStage, withSweepValue } from '../../../src/core/results/sweep';

const cfg = makeConfig({});
const rec = (stage: EpochRecord['stage'], acc?: number, mae?: number): EpochRecord => ({
  stage,
  epoch: 0,
  train: { count: 1, loss: 0 },
  val: { count: 1, loss: 0, accuracy: acc, mae },
  learningRate: 1,
  losses: { total: 0, task: 0 },
  trainMs: 0,
  miningMs: 0,
  imagesPerSec: 0,
  best: false,
});

describe('sweeps', () => {
  it('parses and checks a sweep against the config', () => {
    expect(parseSweep('triplet.margin=0.1, 0.2,0.4', cfg)).toEqual({ path: 'triplet.margin', values: [0.1, 0.2, 0.4] });
    expect(() => parseSweep('triplet.margn=0.1,0.2', cfg)).toThrow(
      'sweep.path: "triplet.margn" is not a numeric setting of the experiment',
    );
    expect(() => parseSweep('triplet.margin=0.1', cfg)).toThrow('sweep.values: must be 2 to 20 numbers (got [0.1])');
    expect(() => parseSweep('triplet.margin=0.1,x', cfg)).toThrow(/sweep\.values: must be 2 to 20 numbers/);
    expect(() => parseSweep('margin', cfg)).toThrow(/--sweep wants <setting>=<v1>,<v2>/);
    expect(configErrors({ ...cfg, sweep: { path: 'task', values: [1, 2] } })).toEqual([
      { field: 'sweep.path', message: '"task" is not a numeric setting of the experiment' },
    ]);
    expect(configErrors({ ...cfg, sweep: { path: 'standard.temperature', values: [1, 2] } })).toEqual([]);
  });

  it('sets the value without touching the original, and picks the deciding stage', () => {
    const c2 = withSweepValue(cfg, 'triplet.margin', 0.4);
    expect([c2.triplet.margin, cfg.triplet.margin]).toEqual([0.4, 0.2]);
    expect([
      sweepStage('triplet.lambda'),
      sweepStage('standard.temperature'),
      sweepStage('student.learningRate'),
      sweepStage('seed'),
    ]).toEqual(['triplet', 'standard', 'student', 'triplet']);
  });

  it("chooses by the stage's best validation epoch", () => {
    const h = [rec('triplet', 0.5), rec('triplet', 0.6), rec('student', 0.9)];
    expect(bestValidation(h, 'triplet', 'expression')).toBe(0.6);
    expect(bestValidation([rec('standard', undefined, 9), rec('standard', undefined, 7)], 'standard', 'age')).toBe(7);
    expect(bestValidation(h, 'standard', 'expression')).toBeNull();
    expect(chooseSweep([0.5, 0.7, 0.7, null], 'gender')).toBe(1);
    expect(chooseSweep([9, 7, 8], 'age')).toBe(1);
    expect(chooseSweep([null, null], 'age')).toBe(-1);
  });
});
