// The ensemble stage (docs/method.md#combined-students) with two tiny students: a cancel mid-fit stops it within the C
// being fitted, with an AbortError, and leaves no tensor behind; and a full run's rows.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../src/core/config/config';
import { taskHead } from '../../../src/core/data/batching';
import type { ImageSet } from '../../../src/core/data/types';
import { ensembleRows } from '../../../src/core/ensemble/stage';
import type { CurriculumEvent } from '../../../src/core/events';
import { buildModel } from '../../../src/core/models';
import { Rng } from '../../../src/core/random';

const SIZE = 16;

function images(count: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  const pixels = Uint8Array.from({ length: count * SIZE * SIZE }, () => rng.int(256));
  return {
    height: SIZE,
    width: SIZE,
    channels: 1,
    count,
    pixels,
    expression: Int32Array.from({ length: count }, (_, i) => i % 3),
    gender: null,
    age: Float32Array.from({ length: count }, () => 20 + rng.int(50)),
    classNames: { expression: ['a', 'b', 'c'] },
  };
}

const students = () => ({
  standard: buildModel({ arch: 'small', inputShape: [SIZE, SIZE, 1], outputUnits: 3, width: 0.25, seed: 1 }),
  triplet: buildModel({ arch: 'small', inputShape: [SIZE, SIZE, 1], outputUnits: 3, width: 0.25, seed: 2 }),
});

describe('ensembleRows', () => {
  const data = { train: images(60, 1), val: images(20, 2), test: images(20, 3) };
  const ens = { enabled: true, cGrid: [0.01, 1], epsilon: 0.1, singles: false };

  for (const task of ['expression', 'age'] as const) {
    it(`${task}: a cancel while a C is being fitted stops that fit (AbortError) and leaves no tensor`, async () => {
      const cfg = makeConfig({ task, evalBatchSize: 16 });
      const m = students();
      const before = tf.memory().numTensors;
      const ac = new AbortController();
      const logs: string[] = [];
      const emit = (e: CurriculumEvent) => {
        if (e.type !== 'log') return;
        logs.push(e.message);
        // The embeddings are done and the first fit starts now: cancel as a worker's message would, from a task.
        if (e.message.startsWith('ensemble: embeddings')) setTimeout(() => ac.abort(), 20);
      };
      // tol -1 never converges and the epoch cap is out of reach: only an abort that gets through mid-fit ends it.
      const run = ensembleRows(cfg, ens, data, taskHead(task, data.train), m, emit, ac.signal, {
        tol: -1,
        maxEpochs: 1e12,
      });
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      expect(logs.some((l) => / C \d\/\d/.test(l))).toBe(false); // not one C finished
      expect(tf.memory().numTensors).toBe(before);
      m.standard.dispose();
      m.triplet.dispose();
    });
  }

  it('without a cancel: one row per combination, chosen on validation, no tensor left', async () => {
    const cfg = makeConfig({ task: 'expression', evalBatchSize: 16 });
    const m = students();
    const before = tf.memory().numTensors;
    const events: CurriculumEvent[] = [];
    const rows = await ensembleRows(cfg, { ...ens, singles: true }, data, taskHead('expression', data.train), m, (e) =>
      events.push(e),
    );
    expect(rows.map((r) => r.model)).toEqual(['svm', 'svmStandard', 'svmTriplet']);
    for (const r of rows) {
      expect(r.predictions).toHaveLength(20);
      expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0);
    }
    expect(events.filter((e) => e.type === 'result')).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(before);
    m.standard.dispose();
    m.triplet.dispose();
  });
});
