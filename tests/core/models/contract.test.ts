// Contract over every registry entry at a tiny size: shapes, named layers, weight-sharing views,
// seeded determinism, independent copies, one gradient step, and no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARCH_NAMES,
  ARCHITECTURES,
  EMBEDDING_LAYER,
  LAST_CONV_LAYER,
  OUTPUT_LAYER,
  buildModel,
  copyModel,
  modelSize,
  withEmbedding,
  withLastConv,
  type ArchName,
  type ModelSpec,
} from '../../../src/core/models';
import { flatWeights, inputBatch, maxAbsDiff, run, tinySpec } from './helpers';

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

it('registry lists the four architectures under their own names', () => {
  expect(Object.keys(ARCHITECTURES).sort()).toEqual([...ARCH_NAMES].sort());
  for (const name of ARCH_NAMES) expect(ARCHITECTURES[name].name).toBe(name);
  expect(ARCHITECTURES.small.defaultInput).toEqual([48, 48, 1]);
  expect(ARCHITECTURES['vgg-face'].defaultInput).toEqual([224, 224, 3]);
});

describe.each(ARCH_NAMES.map((a) => [a]))('%s', (arch: ArchName) => {
  it('builds for 8/2/1 units with named 2D embedding and 4D last_conv; counts match the layout', () => {
    const x = inputBatch(3, [32, 32, 3]);
    for (const units of [8, 2, 1]) {
      const spec = tinySpec(arch, { outputUnits: units });
      const m = buildModel(spec);
      const out = m.predict(x) as tf.Tensor;
      expect(out.shape).toEqual([3, units]);
      out.dispose();
      expect(m.getLayer(EMBEDDING_LAYER).outputShape).toHaveLength(2);
      expect(m.getLayer(LAST_CONV_LAYER).outputShape).toHaveLength(4);
      const logits = m.getLayer(OUTPUT_LAYER);
      expect(logits.getConfig().activation).toBe('linear');
      expect(m.layers[m.layers.length - 1]).toBe(logits);
      expect(m.countParams()).toBe(modelSize(spec).totalParams);
      m.dispose();
    }
    x.dispose();
  });

  it('builds at odd and very small inputs (guarded pools); layout counts still match', () => {
    for (const inputShape of [
      [9, 9, 1],
      [17, 23, 3],
      [5, 40, 1],
    ] as Array<[number, number, number]>) {
      const spec = tinySpec(arch, { inputShape, outputUnits: 2 });
      const m = buildModel(spec);
      const x = inputBatch(1, inputShape);
      const [y] = run(m, x);
      expect(y.length).toBe(2);
      expect(y.every(Number.isFinite)).toBe(true);
      expect(m.countParams()).toBe(modelSize(spec).totalParams);
      x.dispose();
      m.dispose();
    }
  });

  it('layer names are explicit and stable (identical across builds)', () => {
    const a = buildModel(tinySpec(arch));
    const b = buildModel(tinySpec(arch));
    const names = a.layers.map((l) => l.name);
    expect(b.layers.map((l) => l.name)).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    a.dispose();
    b.dispose();
  });

  it('withEmbedding / withLastConv give the right shapes and share the weights', () => {
    const m = buildModel(tinySpec(arch, { outputUnits: 2 }));
    const emb = withEmbedding(m);
    const cam = withLastConv(m);
    const x = inputBatch(2, [32, 32, 3]);
    const embShape = m.getLayer(EMBEDDING_LAYER).outputShape as number[];
    const camShape = m.getLayer(LAST_CONV_LAYER).outputShape as number[];
    const shapes = tf.tidy(() =>
      [...(emb.predict(x) as tf.Tensor[]), ...(cam.predict(x) as tf.Tensor[])].map((t) => t.shape),
    );
    expect(shapes).toEqual([
      [2, embShape[1]],
      [2, 2],
      [2, ...camShape.slice(1)],
      [2, 2],
    ]);
    expect(emb.getLayer(OUTPUT_LAYER)).toBe(m.getLayer(OUTPUT_LAYER));

    const before = { base: run(m, x)[0], emb: run(emb, x), cam: run(cam, x) };
    expect(before.emb[1]).toEqual(before.base);
    expect(before.cam[1]).toEqual(before.base);

    // Change the first conv's kernel of the original only: every view output must follow.
    const conv = m.layers.find((l) => l.getClassName() === 'Conv2D')!;
    const old = conv.getWeights();
    // getWeights() hands out the variables themselves: dispose only the new kernel.
    const kernel = tf.tidy(() => old[0].neg().add(0.05));
    conv.setWeights([kernel, ...old.slice(1)]);
    kernel.dispose();
    const after = { base: run(m, x)[0], emb: run(emb, x), cam: run(cam, x) };
    expect(maxAbsDiff(after.emb[0], before.emb[0])).toBeGreaterThan(0);
    expect(maxAbsDiff(after.cam[0], before.cam[0])).toBeGreaterThan(0);
    expect(after.emb[1]).toEqual(after.base);
    expect(after.cam[1]).toEqual(after.base);

    // Disposing a view must not free the shared weights.
    emb.dispose();
    cam.dispose();
    expect(run(m, x)[0]).toEqual(after.base);
    x.dispose();
    m.dispose();
  });

  it('same spec and seed → bit-identical weights; another seed → different; layers seeded apart', () => {
    const a = weightsOf(tinySpec(arch));
    const b = weightsOf(tinySpec(arch));
    const c = weightsOf(tinySpec(arch, { seed: 8 }));
    expect(a.length).toBe(b.length);
    a.forEach((w, i) => expect(maxAbsDiff(w, b[i])).toBe(0));
    expect(a.some((w, i) => maxAbsDiff(w, c[i]) > 0)).toBe(true);
    // Per-layer seeds: no two random kernels of one model are equal.
    const kernels = a.filter((w) => w.some((v) => v !== 0 && v !== 1)).map((w) => Array.from(w).join());
    expect(new Set(kernels).size).toBe(kernels.length);
  });

  it('copyModel predicts identically and owns independent variables', () => {
    const spec = tinySpec(arch);
    const src = buildModel(spec);
    const dst = copyModel(src, spec);
    const x = inputBatch(2, [32, 32, 3]);
    const y0 = run(src, x)[0];
    expect(run(dst, x)[0]).toEqual(y0);
    dst.weights.forEach((w, i) => expect(w.read()).not.toBe(src.weights[i].read()));

    const srcWeights = flatWeights(src);
    for (const w of dst.trainableWeights) {
      const v = w.read() as tf.Variable;
      tf.tidy(() => v.assign(v.mul(0.5).add(0.001)));
    }
    flatWeights(src).forEach((w, i) => expect(maxAbsDiff(w, srcWeights[i])).toBe(0));
    expect(run(src, x)[0]).toEqual(y0);
    expect(maxAbsDiff(run(dst, x)[0], y0)).toBeGreaterThan(0);
    x.dispose();
    src.dispose();
    dst.dispose();
  });

  it('one gradient step: finite gradients for every trainable variable, loss goes down', () => {
    for (const units of [8, 1]) {
      const m = buildModel(tinySpec(arch, { outputUnits: units, dropout: 0 }));
      // Batch 8: BatchNorm over fewer values (ResNet's last stage is 1x1 here) makes the loss very rough.
      const x = inputBatch(8, [32, 32, 3], 3);
      const y =
        units === 1
          ? tf.tensor2d([0.5, -1, 2, 1, 0, 1.5, -0.5, 0.3], [8, 1])
          : tf.tidy(() => tf.oneHot([0, 3, 5, 7, 1, 2, 4, 6], units).toFloat());
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const lossFn = () =>
        tf.tidy(() => {
          const z = m.apply(x, { training: true }) as tf.Tensor;
          // Cross-entropy written out: tf.losses.softmaxCrossEntropy trips tfjs's IS_TEST kernel leak check.
          return units === 1 ? tf.mean(tf.square(z.sub(y))) : tf.mean(tf.sum(y.mul(tf.logSoftmax(z)), 1)).neg();
        });
      const { value, grads } = tf.variableGrads(lossFn as () => tf.Scalar, vars);
      expect(Object.keys(grads)).toHaveLength(vars.length);
      for (const v of vars) {
        const g = grads[v.name];
        expect(g.shape).toEqual(v.shape);
        expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
      }
      // A step of fixed length 1e-4 along -gradient: gradient norms differ by 10^3 between the archs
      // (ResNet's BatchNorm on a small batch at 1x1 spatial size amplifies them).
      const norm = Math.sqrt(
        vars.reduce((s, v) => s + tf.tidy(() => tf.sum(tf.square(grads[v.name])).dataSync()[0]), 0),
      );
      expect(norm).toBeGreaterThan(0);
      tf.tidy(() => vars.forEach((v) => v.assign(v.sub(grads[v.name].mul(1e-4 / norm)))));
      const after = lossFn();
      expect(after.dataSync()[0]).toBeLessThan(value.dataSync()[0]);
      tf.dispose([value, after, x, y, ...Object.values(grads)]);
      m.dispose();
    }
  });
});

/** Builds the spec, copies its weights out as plain arrays and frees the model. */
function weightsOf(spec: ModelSpec): Float32Array[] {
  const m = buildModel(spec);
  const data = flatWeights(m).map((w) => w.slice());
  m.dispose();
  return data;
}
