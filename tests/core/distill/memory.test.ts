import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig, mergeConfig } from '../../../src/core/config/config';
import { PRESETS } from '../../../src/core/config/presets';
import { largestTrainingBatch, memoryProblem, outOfMemoryMessage, trainingMemory, WASM_MEMORY_BYTES } from '../../../src/core/distill/memory';
import { buildModel } from '../../../src/core/models';

beforeAll(async () => { await tf.setBackend('cpu'); });

/** 4x4x1 → conv 2 filters 3x3 same (32 values, 20 weights) → flatten (32) → dense 3 (3 values, 99 weights). */
function tiny(): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, padding: 'same' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 3 }),
  ] });
}

describe('training memory estimate', () => {
  it('counts weights 4 times (weights, gradients, Adam m and v) and activations 3 times per image of the batch', () => {
    const m = tiny();
    const e = trainingMemory(m, 10);
    expect(e.params).toBe(119);
    expect(e.activationsPerImage).toBe(32 + 32 + 3);
    expect(e.weightBytes).toBe(4 * 4 * 119); // 1,904
    expect(e.activationBytes).toBe(3 * 4 * 67 * 10); // 8,040
    expect(e.totalBytes).toBe(1904 + 8040);
    m.dispose();
  });

  it('the largest batch a step sends: the triplet stage sends 2 x its batch', () => {
    const cfg = makeConfig(mergeConfig(PRESETS['fixture-tiny'], { teacher: { batchSize: 100 }, triplet: { batchSize: 64 } }));
    expect(largestTrainingBatch(cfg)).toEqual({ batch: 128, stage: 'triplet' });
    const big = makeConfig(mergeConfig(PRESETS['fixture-tiny'], { teacher: { batchSize: 300 }, triplet: { batchSize: 64 } }));
    expect(largestTrainingBatch(big)).toEqual({ batch: 300, stage: 'teacher' });
  });

  it('refuses on wasm what cannot fit in 4 GB, with the figures and the batch that would fit; passes the demo; no verdict on GPUs', () => {
    const before = tf.memory().numTensors;
    const demo = makeConfig(PRESETS['demo-expression-lower']);
    const small = buildModel({ arch: 'small', inputShape: [48, 48, 1], outputUnits: 8, width: 0.25, dropout: 0, seed: 1 });
    expect(memoryProblem(small, demo, 'wasm')).toBeNull();
    small.dispose();
    // The small model at 224x224x3 with batches of 4,096: about 3 x 4 B x (values per image) x 4,096.
    const huge = makeConfig(mergeConfig(PRESETS['demo-expression-lower'], { teacher: { batchSize: 4096 } }));
    const wide = buildModel({ arch: 'small', inputShape: [224, 224, 3], outputUnits: 8, width: 1, dropout: 0, seed: 1 });
    const e = trainingMemory(wide, 4096);
    expect(e.totalBytes).toBeGreaterThan(WASM_MEMORY_BYTES);
    const fits = Math.floor((WASM_MEMORY_BYTES - e.weightBytes) / (12 * e.activationsPerImage));
    const msg = memoryProblem(wide, huge, 'wasm')!;
    expect(msg).toBe(`This config needs about ${(e.totalBytes / 2 ** 30).toFixed(1)} GB for one training step (small at 224x224x3, 4096 images in the teacher stage: `
      + `activations ${(e.activationBytes / 2 ** 30).toFixed(1)} GB, weights with their gradients and Adam's state ${(e.weightBytes / 2 ** 30).toFixed(1)} GB), `
      + `more than the 4.0 GB the wasm backend can address. A batch of ${fits} or fewer would fit; or a smaller image size or architecture.`);
    expect(trainingMemory(wide, fits).totalBytes).toBeLessThanOrEqual(WASM_MEMORY_BYTES);
    expect(trainingMemory(wide, fits + 1).totalBytes).toBeGreaterThan(WASM_MEMORY_BYTES);
    expect(memoryProblem(wide, huge, 'webgpu')).toBeNull();
    wide.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says a backend ran out of memory in words, and leaves other errors alone', () => {
    expect(outOfMemoryMessage(new Error('RuntimeError: memory access out of bounds'), 'wasm'))
      .toBe('it ran out of memory on wasm (wasm can address 4.0 GB in all): try a smaller batch, image size or architecture');
    expect(outOfMemoryMessage(new RangeError('Array buffer allocation failed'), 'cpu')).toMatch(/^it ran out of memory on cpu: /);
    expect(outOfMemoryMessage(new Error('NaN loss'), 'wasm')).toBeNull();
  });
});
