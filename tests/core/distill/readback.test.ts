// The training loop's readback (core/distill/readback.ts): no synchronous read anywhere in a curriculum,
// figures read in groups on a GPU backend (every step on the CPU ones), the same numbers either way, and
// numTensors flat from epoch to epoch. A GPU backend is stood in for by tfjs's cpu backend registered
// under the name 'webgpu' (its kernels copied): the loop picks its readback by the backend's name.
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig, mergeConfig, presetConfig, type SynthDatasetConfig } from '../../../src/core/config';
import { synthSplits } from '../../../src/core/data/synthSplits';
import type { SplitImageSets } from '../../../src/core/data/types';
import { disposeModels, runCurriculum } from '../../../src/core/distill/curriculum';
import { readbackPolicy, StepReadback, type StepFigures } from '../../../src/core/distill/readback';
import type { CurriculumEvent } from '../../../src/core/events';

const tiny = presetConfig('fixture-tiny');
const cfg = makeConfig(
  mergeConfig(tiny, {
    teacher: { epochs: 3 },
    trainOtherHalfStudent: false,
    sameBudgetControl: false,
    dataset: { train: 48, val: 16, test: 16 },
    evalBatchSize: 16,
  }),
);
let data: SplitImageSets;
let previous = '';

/** Counts the reads of tensor values: synchronous ones (dataSync, arraySync, bufferSync: the engine's
 *  readSync, which on a GPU waits for the queue) apart from the asynchronous data() calls (the backend's
 *  read). The cpu backend's own kernels (tile, gather) read their inputs with the backend's readSync
 *  directly; on the cpu backend that is memory access, not a wait, so it is not counted. */
function countReads(): { sync: number; async: number; stop(): void } {
  const engine = tf.engine() as unknown as { readSync(id: object): unknown };
  const b = tf.backend() as unknown as { read(id: object): Promise<unknown> };
  const { readSync } = engine;
  const { read } = b;
  const c = {
    sync: 0,
    async: 0,
    stop: () => {
      engine.readSync = readSync;
      b.read = read;
    },
  };
  engine.readSync = function (this: unknown, id: object) {
    c.sync++;
    return readSync.call(this, id);
  };
  b.read = function (this: unknown, id: object) {
    c.async++;
    return read.call(this, id);
  };
  return c;
}

beforeAll(async () => {
  data = synthSplits(cfg.dataset as SynthDatasetConfig);
  previous = tf.getBackend();
  if (tf.findBackendFactory('webgpu') == null) {
    tf.registerBackend('webgpu', () => new MathBackendCPU());
    for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'webgpu' });
  }
});

afterAll(async () => {
  await tf.setBackend(previous);
});

async function curriculumOn(backend: 'cpu' | 'webgpu') {
  await tf.setBackend(backend);
  const reads = countReads();
  const perEpoch: number[] = [];
  const events: CurriculumEvent[] = [];
  try {
    const r = await runCurriculum(cfg, data, {
      emit: (e) => {
        events.push(e);
        if (e.type === 'epochEnd' && e.record.stage === 'teacher') perEpoch.push(tf.memory().numTensors);
      },
    });
    disposeModels(r.models);
    return { r, perEpoch, events, sync: reads.sync, async: reads.async };
  } finally {
    reads.stop();
  }
}

describe('training readback', () => {
  it('picks grouped, pipelined reads on GPU backends and per-step reads on the CPU ones', () => {
    expect(readbackPolicy('webgpu')).toMatchObject({ minSteps: 4, inFlight: 1 });
    expect(readbackPolicy('webgl').minSteps).toBe(4);
    expect(readbackPolicy('wasm')).toEqual({ minSteps: 1, maxSteps: 1, intervalMs: 0, inFlight: 0 });
    expect(readbackPolicy('cpu').inFlight).toBe(0);
  });

  it('reads a group at once, hands the figures on in order, stops at a NaN and frees every tensor', async () => {
    await tf.setBackend('cpu');
    const start = tf.memory().numTensors;
    let t = 0;
    const seen: StepFigures[] = [];
    const reads = countReads();
    const rb = new StepReadback(
      { minSteps: 3, maxSteps: 5, intervalMs: 100, inFlight: 1 },
      (f) => {
        seen.push({ ...f, values: f.values.slice() });
        return Number.isFinite(f.values[0]);
      },
      () => t,
    );
    const row = (i: number) => tf.tensor1d([i, 10 + i, 20 + i, 30 + i]);
    for (let i = 1; i <= 8; i++) {
      t += 40; // 3 steps take 120 ms: a read every 3 steps
      await rb.add(row(i), i, 16);
    }
    // Steps 1-3 and 4-6 were sent; one read may stay in flight: steps 1-3 are in, 4-6 not yet.
    expect(reads.async).toBe(2);
    expect(seen.map((f) => f.step)).toEqual([1, 2, 3]);
    expect(seen[1].values).toEqual(new Float32Array([2, 12, 22, 32]));
    expect(seen[0].stepMs).toBe(80); // 240 ms from the start to the first read, over 3 steps
    await rb.drain();
    expect(seen.map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(reads.async).toBe(3);
    expect(rb.stopped).toBe(false);
    // A NaN in the total stops: the figures after it are dropped.
    await rb.add(tf.tensor1d([NaN, 0, 0, 0]), 9, 16);
    await rb.add(row(10), 10, 16);
    await rb.drain();
    expect(seen.map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rb.stopped).toBe(true);
    await rb.dispose();
    reads.stop();
    expect(reads.sync).toBe(0);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('dispose() frees steps not yet read and reads in flight (a cancel mid-epoch)', async () => {
    await tf.setBackend('cpu');
    const start = tf.memory().numTensors;
    const rb = new StepReadback(
      readbackPolicy('webgpu'),
      () => true,
      () => 0,
    );
    for (let i = 1; i <= 6; i++) await rb.add(tf.tensor1d([i, i, i, i]), i, 4);
    expect(tf.memory().numTensors).toBeGreaterThan(start);
    await rb.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a curriculum makes no synchronous read; grouped reads give the same grid; numTensors is flat after epoch 1', async () => {
    const cpu = await curriculumOn('cpu');
    const gpu = await curriculumOn('webgpu');
    expect(cpu.sync).toBe(0);
    expect(gpu.sync).toBe(0);
    // The same numbers whatever the readback: every row's metrics and predictions, every epoch's losses.
    expect(gpu.r.rows.map((r) => [r.model, r.test, r.metrics, r.predictions])).toEqual(
      cpu.r.rows.map((r) => [r.model, r.test, r.metrics, r.predictions]),
    );
    expect(gpu.r.history.map((h) => [h.train, h.val, h.losses])).toEqual(
      cpu.r.history.map((h) => [h.train, h.val, h.losses]),
    );
    // Every step still reported, in order, on both.
    const steps = (ev: CurriculumEvent[]) =>
      ev.flatMap((e) => (e.type === 'batchEnd' ? [`${e.stage}:${e.epoch}:${e.step}`] : []));
    expect(steps(gpu.events)).toEqual(steps(cpu.events));
    // Fewer reads: the training figures come back a group at a time.
    expect(gpu.async).toBeLessThan(cpu.async);
    // The teacher's epochs 1, 2 and 3 end with the same live tensors.
    expect(cpu.perEpoch).toHaveLength(3);
    expect(new Set(cpu.perEpoch).size).toBe(1);
    expect(new Set(gpu.perEpoch).size).toBe(1);
  }, 600_000);
});
