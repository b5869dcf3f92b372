// The memory estimate, from the model spec alone: its per-image activations and weights against a built
// tfjs model (an independent count), every stage covered (the triplet stage's doubled batch, the models
// each stage keeps alive), and advice that the estimate then accepts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig, mergeConfig, type ExperimentConfig } from '../../../src/core/config/config';
import { PRESETS } from '../../../src/core/config/presets';
import { configErrors } from '../../../src/core/config/validate';
import { specOf } from '../../../src/core/distill/context';
import {
  memoryCeiling,
  memoryProblem,
  outOfMemoryMessage,
  runMemory,
  WASM_MEMORY_BYTES,
} from '../../../src/core/distill/memory';
import { buildModel, type ModelSpec } from '../../../src/core/models';
import { modelFootprint } from '../../../src/core/models/activations';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Output values of every layer of a built model for one image (the input layer included). */
function builtActivations(m: tf.LayersModel): number {
  let sum = 0;
  for (const layer of m.layers) {
    const out = layer.outputShape as (number | null)[] | (number | null)[][];
    const shapes = Array.isArray(out[0]) ? (out as (number | null)[][]) : [out as (number | null)[]];
    for (const s of shapes) sum += s.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
  }
  return sum;
}

const spec = (cfg: ExperimentConfig, shape: [number, number, number], units = 8): ModelSpec =>
  specOf(cfg.model, shape, units, 1);
const at = (over: object, base = 'demo-expression-lower') => makeConfig(mergeConfig(PRESETS[base], over));

describe('memory estimate from the spec', () => {
  it('counts weights and per-image activations as the built model has them (small, vgg-f, resnet-50, custom)', () => {
    const specs: ModelSpec[] = [
      { arch: 'small', inputShape: [48, 48, 1], outputUnits: 8, width: 0.25, dropout: 0.5, seed: 1 },
      { arch: 'vgg-f', inputShape: [64, 64, 3], outputUnits: 2, width: 0.125, seed: 1 },
      { arch: 'resnet-50', inputShape: [32, 32, 3], outputUnits: 1, width: 0.125, seed: 1 },
      {
        arch: 'custom',
        inputShape: [28, 28, 1],
        outputUnits: 10,
        seed: 1,
        custom: {
          convs: [{ filters: 4, kernel: 3, stride: 1, padding: 'valid', pool: 2, batchNorm: true }],
          dense: [12],
        },
      },
    ];
    for (const s of specs) {
      const m = buildModel(s);
      const f = modelFootprint(s);
      expect(f.params, s.arch).toBe(m.countParams());
      expect(f.activationsPerImage, s.arch).toBe(builtActivations(m));
      expect(f.largestWeight, s.arch).toBe(
        Math.max(...m.weights.map((w) => w.shape.reduce<number>((a, d) => a * (d ?? 1), 1))),
      );
      m.dispose();
    }
  });

  it('covers every stage: earlier models stay alive, the triplet stage sends 2 x its batch, evaluation at evalBatchSize', () => {
    const cfg = at({
      teacher: { batchSize: 100 },
      triplet: { batchSize: 64 },
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
    });
    const s = spec(cfg, [48, 48, 1]);
    const f = modelFootprint(s);
    const m = runMemory(cfg, s);
    expect(m.stages.map((x) => x.stage)).toEqual(['teacher', 'student', 'standard', 'triplet']);
    const act = 4 * f.activationsPerImage;
    const trip = m.stages[3];
    expect(trip.weightBytes).toBe((3 + 5) * 4 * f.params); // teacher, student, standard alive + the trained one x 5
    expect(trip.bytesPerBatchImage).toBe(2 * 3 * act + act); // anchors and negatives, plus the teacher's forward pass
    expect(trip.trainBytes).toBe(trip.weightBytes + 64 * trip.bytesPerBatchImage);
    expect(m.stages[0].trainBytes).toBe(5 * 4 * f.params + 100 * 3 * act);
    expect(m.stages[0].evalBytes).toBe(5 * 4 * f.params + cfg.evalBatchSize * act);
    expect(m.peakBytes).toBe(Math.max(...m.stages.flatMap((x) => [x.trainBytes, x.evalBytes])));
  });

  it('passes every shipped preset on wasm at its own image size', () => {
    for (const [name, p] of Object.entries(PRESETS)) {
      const cfg = makeConfig(p);
      const d = cfg.dataset as { height?: number; width?: number; channels?: number };
      const s = spec(cfg, [d.height ?? 48, d.width ?? 48, d.channels ?? 1]);
      expect(memoryProblem(cfg, s, 'wasm', WASM_MEMORY_BYTES), name).toBeNull();
    }
  });

  it('refuses small at 256x256x3, batch 64 (4 GB in the calibration on main) and its advice is then accepted', () => {
    const cfg = at({
      dataset: { height: 256, width: 256, channels: 3 },
      teacher: { batchSize: 64 },
      student: { batchSize: 64 },
      standard: { batchSize: 64 },
      triplet: { batchSize: 64 },
    });
    const s = spec(cfg, [256, 256, 3]);
    const msg = memoryProblem(cfg, s, 'wasm', WASM_MEMORY_BYTES)!;
    expect(msg).toMatch(
      /^This config needs about \d+\.\d GB \(small at 256x256x3, 128 images per training step in the triplet stage: /,
    );
    expect(msg).toMatch(
      /more than the 4\.0 GB the wasm backend can use\. It would fit with .*triplet\.batchSize \d+ or fewer/,
    );
    expect(msg).toContain('(the triplet stage puts 2 x its batch through the student)');
    // Take the advice: every named setting at its value; the estimate accepts, and one more is refused.
    const advice = [...msg.matchAll(/(\w+(?:\.batchSize)?|evalBatchSize) (\d+) or fewer/g)].map(
      (x) => [x[1], Number(x[2])] as const,
    );
    expect(advice.length).toBeGreaterThan(0);
    const set = (cfgIn: ExperimentConfig, plus: number) => {
      const over: Record<string, unknown> = {};
      for (const [k, v] of advice) {
        if (k === 'evalBatchSize') over.evalBatchSize = v + plus;
        else over[k.split('.')[0]] = { batchSize: v + plus };
      }
      return makeConfig(mergeConfig(cfgIn, over));
    };
    const taken = set(cfg, 0);
    expect(configErrors(taken)).toEqual([]);
    expect(memoryProblem(taken, s, 'wasm', WASM_MEMORY_BYTES)).toBeNull();
    expect(memoryProblem(set(cfg, 1), s, 'wasm', WASM_MEMORY_BYTES)).not.toBeNull();
  });

  it('the triplet advice is a triplet.batchSize (half the images a step sends), accepted when taken', () => {
    // Only the triplet stage is too large: advice "triplet.batchSize N", and N is accepted.
    const cfg = at({
      dataset: { height: 128, width: 128, channels: 3 },
      teacher: { batchSize: 8 },
      student: { batchSize: 8 },
      standard: { batchSize: 8 },
      triplet: { batchSize: 512 },
      evalBatchSize: 8,
    });
    const s = spec(cfg, [128, 128, 3]);
    const msg = memoryProblem(cfg, s, 'wasm', WASM_MEMORY_BYTES)!;
    const n = Number(/It would fit with triplet\.batchSize (\d+) or fewer \(/.exec(msg)![1]);
    expect(memoryProblem(at({ ...cfg, triplet: { batchSize: n } }), s, 'wasm', WASM_MEMORY_BYTES)).toBeNull();
    expect(memoryProblem(at({ ...cfg, triplet: { batchSize: n + 1 } }), s, 'wasm', WASM_MEMORY_BYTES)).not.toBeNull();
  });

  it('refuses vgg-face at width 4 and 512x512 (billions of weights in one layer) on any backend, building nothing', () => {
    const cfg = at({ model: { arch: 'vgg-face', width: 4 }, dataset: { height: 512, width: 512, channels: 3 } });
    const before = tf.memory().numTensors;
    const msg = memoryProblem(cfg, spec(cfg, [512, 512, 3]), 'cpu', null)!;
    expect(msg).toMatch(
      /^This config's model \(vgg-face at 512x512x3\) has a layer with 8\.6 billion weights, more than one tensor can hold/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('no verdict where the ceiling is unknown (GPUs); the machine memory for cpu', () => {
    const cfg = at({ dataset: { height: 256, width: 256, channels: 3 }, teacher: { batchSize: 64 } });
    expect(memoryProblem(cfg, spec(cfg, [256, 256, 3]), 'webgpu', memoryCeiling('webgpu'))).toBeNull();
    expect(memoryCeiling('wasm')).toBe(WASM_MEMORY_BYTES);
    expect(memoryCeiling('cpu', 8e9)).toBe(8e9);
    expect(memoryProblem(cfg, spec(cfg, [256, 256, 3]), 'cpu', 1e9)).toMatch(
      /more than the 0\.9 GB the cpu backend can use/,
    );
  });

  it('says a backend ran out of memory in words, and leaves other errors alone', () => {
    expect(outOfMemoryMessage(new Error('RuntimeError: memory access out of bounds'), 'wasm')).toBe(
      'it ran out of memory on wasm (wasm can address 4.0 GB in all): try a smaller batch, image size or architecture',
    );
    expect(outOfMemoryMessage(new RangeError('Array buffer allocation failed'), 'cpu')).toMatch(
      /^it ran out of memory on cpu: /,
    );
    expect(outOfMemoryMessage(new RangeError('Invalid typed array length: 8589934592'), 'cpu')).toMatch(
      /^it ran out of memory on cpu: /,
    );
    expect(
      outOfMemoryMessage(new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'), 'wasm'),
    ).not.toBeNull();
    expect(outOfMemoryMessage(new Error('NaN loss'), 'wasm')).toBeNull();
  });
});
