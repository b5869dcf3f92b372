// The teacher can start from an imported model's weights: at the start of its stage it holds exactly
// those weights; a model of another architecture is refused with the reason, and nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeConfig, presetConfig, type SynthDatasetConfig } from '../../../src/core/config';
import { synthSplits } from '../../../src/core/data/synthSplits';
import { disposeModels, runCurriculum } from '../../../src/core/distill/curriculum';
import { buildModel } from '../../../src/core/models/registry';

const cfg = makeConfig({
  ...presetConfig('fixture-tiny'),
  trainOtherHalfStudent: false,
  sameBudgetControl: false,
  student: { epochs: 0 },
  standard: { epochs: 0 },
  triplet: { epochs: 0 },
  teacher: { epochs: 1 },
});
const data = synthSplits(cfg.dataset as SynthDatasetConfig);
const spec = (width: number) => ({
  arch: cfg.model.arch,
  inputShape: [16, 16, 1] as [number, number, number],
  outputUnits: 8,
  width,
  embeddingSize: cfg.model.embeddingSize ?? undefined,
  seed: 99,
});

describe('teacher starting weights', () => {
  it("the teacher starts from the given model's weights", async () => {
    const src = buildModel(spec(cfg.model.width));
    const want = src.getWeights().map((w) => Array.from(w.dataSync()));
    let got: number[][] = [];
    const before = tf.memory().numTensors;
    const r = await runCurriculum(cfg, data, {
      emit: () => undefined,
      initialTeacher: src,
      onModel: (stage, m) => {
        if (stage === 'teacher') got = m.getWeights().map((w) => Array.from(w.dataSync()));
      },
    });
    expect(got).toEqual(want);
    disposeModels(r.models);
    expect(tf.memory().numTensors).toBe(before);
    src.dispose();
  });

  it('a model of another width is refused, naming the first weight that does not fit', async () => {
    const src = buildModel(spec(cfg.model.width * 2));
    const before = tf.memory().numTensors;
    await expect(runCurriculum(cfg, data, { emit: () => undefined, initialTeacher: src })).rejects.toThrow(
      /^The imported model's weight .* is \[.*\] where the teacher's .* is \[.*\]: choose a model of the same architecture, width and embedding size\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    src.dispose();
  });
});
