import { describe, expect, it } from 'vitest';
import { DEFAULTS, makeConfig } from '../../../src/core/config/config';
import {
  controlEpochs,
  curriculumStages,
  earlyStopStep,
  initialEarlyStop,
  plateauStep,
  stageConfig,
  standardKind,
} from '../../../src/core/distill/schedule';

const stage = { ...DEFAULTS.teacher, learningRate: 0.1, lrPatience: 1, lrFactor: 0.5, minLearningRate: 0.03 };

describe('schedules', () => {
  it('reduce-on-plateau: keeps the rate while improving, halves after patience, floors at the minimum', () => {
    let s = { learningRate: 0.1, best: null as number | null, badEpochs: 0 };
    s = plateauStep(s, 0.5, true, stage);
    expect(s).toEqual({ learningRate: 0.1, best: 0.5, badEpochs: 0 });
    s = plateauStep(s, 0.4, true, stage);
    expect(s).toEqual({ learningRate: 0.1, best: 0.5, badEpochs: 1 });
    s = plateauStep(s, 0.5, true, stage);
    expect(s).toEqual({ learningRate: 0.05, best: 0.5, badEpochs: 0 });
    s = plateauStep(s, 0.1, true, stage);
    s = plateauStep(s, 0.1, true, stage);
    expect(s.learningRate).toBe(0.03);
    expect(plateauStep({ learningRate: 1, best: 5, badEpochs: 0 }, 4, false, stage).best).toBe(4); // MAE: lower is better
  });
  it('early stopping: an improvement above minDelta resets the count; patience bad epochs stop; 0 never stops', () => {
    const cfg = { patience: 2, minDelta: 0.01 };
    let s = initialEarlyStop();
    let r = earlyStopStep(s, 0.5, true, cfg); // first value: improvement
    expect(r).toEqual({ best: 0.5, bad: 0, stop: false });
    s = r;
    r = earlyStopStep(s, 0.505, true, cfg); // +0.005 ≤ minDelta: not an improvement
    expect(r).toEqual({ best: 0.5, bad: 1, stop: false });
    r = earlyStopStep(r, NaN, true, cfg); // NaN is never an improvement
    expect(r).toEqual({ best: 0.5, bad: 2, stop: true });
    expect(earlyStopStep({ best: 10, bad: 0 }, 9.5, false, cfg)).toEqual({ best: 9.5, bad: 0, stop: false }); // MAE: lower is better
    expect(earlyStopStep({ best: 0.9, bad: 99 }, 0.1, true, { patience: 0, minDelta: 0 }).stop).toBe(false);
  });

  it('one stage-settings map: the other-half student trains as the student, the control as standard for the control epochs', () => {
    const c = makeConfig({ standard: { epochs: 2 }, triplet: { epochs: 4 } });
    expect(stageConfig(c, 'studentOther')).toBe(c.student);
    expect(stageConfig(c, 'control')).toEqual({ ...c.standard, epochs: 4 });
  });

  it('stage list follows the config', () => {
    expect(curriculumStages(DEFAULTS)).toEqual([
      'teacher',
      'student',
      'studentOther',
      'standard',
      'triplet',
      'control',
    ]);
    expect(
      curriculumStages(makeConfig({ skipStudentStep: true, trainOtherHalfStudent: false, sameBudgetControl: false })),
    ).toEqual(['teacher', 'standard', 'triplet']);
    expect(controlEpochs(makeConfig({ standard: { epochs: 2 }, triplet: { epochs: 4 } }))).toBe(4);
  });
  it('KD for expression, hints for gender and age', () => {
    expect(standardKind(DEFAULTS)).toBe('kd');
    expect(standardKind(makeConfig({ task: 'age' }))).toBe('hint');
    expect(standardKind(makeConfig({ task: 'gender', standard: { kind: 'kd' } }))).toBe('kd');
  });
});

describe('reseedDropout', () => {
  it('gives each step its own reproducible dropout mask', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { buildModel } = await import('../../../src/core/models');
    const { reseedDropout } = await import('../../../src/core/distill/curriculum');
    const m = buildModel({ arch: 'small', inputShape: [8, 8, 1], outputUnits: 2, width: 0.25, dropout: 0.5, seed: 1 });
    const x = tf.ones([2, 8, 8, 1]);
    const run = (seed: number) => {
      reseedDropout(m, seed);
      const y = m.apply(x, { training: true }) as import('@tensorflow/tfjs').Tensor;
      const v = Array.from(y.dataSync());
      y.dispose();
      return v;
    };
    const a = run(1),
      b = run(1),
      c = run(2);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    x.dispose();
    m.dispose();
  });
});
