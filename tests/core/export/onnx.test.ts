// ONNX export of every architecture in the registry, run by ONNX Runtime (onnxruntime-node) on the same
// inputs as tfjs: probabilities (or age in years) and the embedding agree within 1e-4. The models are tiny
// (width multipliers, small inputs chosen to reach every padding branch: ceil-mode pools through
// ZeroPadding2D, 'same' pools and strided convs with uneven padding, VGG-F's LRN) and every weight is
// randomised first, BatchNorm statistics included, so no parameter can be dropped unnoticed. The files
// also pass Debian's `onnx.checker` (full check, with shape inference) when /usr/bin/python3 has onnx.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  exportOnnx,
  layerSourceFromParts,
  onnxModelProto,
  ONNX_AGE,
  ONNX_EMBEDDING,
  ONNX_PROBABILITIES,
  type OnnxHead,
} from '../../../src/core/export/onnx';
import { axisPads, convKernelToOihw } from '../../../src/core/export/onnxGraph';
import { ARCH_NAMES, buildModel, type ModelSpec } from '../../../src/core/models';
import { inputBatch, maxAbsDiff, tinySpec } from '../models/helpers';
import { ortOutputs, randomiseWeights, savedParts, tfjsOutputs } from '../../helpers/onnx';

const { onnx } = onnxProto;

const CLASSES: OnnxHead = { kind: 'classification' };
const AGE: OnnxHead = { kind: 'regression', scale: 20, offset: 40 };

/** Every architecture at a size that reaches its padding branches; the label names the case in the report. */
const CASES: Array<{ label: string; spec: ModelSpec; head: OnnxHead }> = [
  // 20 → 10 → 5 → 3: the last ceil-mode pool is a 'same' pool with one padded row and column.
  { label: 'small', spec: tinySpec('small', { inputShape: [20, 20, 1] }), head: CLASSES },
  { label: 'small (age)', spec: tinySpec('small', { inputShape: [20, 20, 1], outputUnits: 1 }), head: AGE },
  // 45: conv1 11x11/4 'valid' → 9, pool1 ceil-mode → ZeroPadding2D + 'valid' pool; LRN after conv1 and conv2.
  { label: 'vgg-f paper (LRN)', spec: tinySpec('vgg-f', { inputShape: [45, 45, 3] }), head: CLASSES },
  { label: 'vgg-f batchnorm', spec: tinySpec('vgg-f', { inputShape: [45, 45, 3], norm: 'batchnorm' }), head: CLASSES },
  // Under 11 pixels conv1 is 'same' with stride 4: uneven padding.
  { label: 'vgg-f paper 10x10', spec: tinySpec('vgg-f', { inputShape: [10, 10, 3] }), head: CLASSES },
  { label: 'vgg-face paper', spec: tinySpec('vgg-face', { inputShape: [20, 20, 3] }), head: CLASSES },
  {
    label: 'vgg-face batchnorm',
    spec: tinySpec('vgg-face', { inputShape: [20, 20, 3], norm: 'batchnorm' }),
    head: CLASSES,
  },
  // 7x7/2 conv and 3x3/2 pool with uneven 'same' padding, projection shortcuts, global average pooling.
  { label: 'resnet-50', spec: tinySpec('resnet-50', { inputShape: [32, 32, 3] }), head: CLASSES },
  { label: 'resnet-50 (age)', spec: tinySpec('resnet-50', { inputShape: [29, 29, 3], outputUnits: 1 }), head: AGE },
  { label: 'custom', spec: tinySpec('custom', { inputShape: [27, 27, 1] }), head: CLASSES },
];

/** What the closing note reports per case: largest difference, file size, export time. */
const REPORT: Array<{
  label: string;
  diff: number;
  years: number | null;
  backends: number;
  scale: number;
  bytes: number;
  ms: number;
  params: number;
}> = [];
/** The written files, for the onnx.checker test. */
const FILES: Array<{ label: string; bytes: Uint8Array }> = [];

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});
afterAll(() => {
  if (REPORT.length) {
    console.log(
      [
        'ONNX export (ORT vs tfjs, batch 3):',
        ...REPORT.map(
          (r) =>
            `  ${r.label.padEnd(20)} max |onnx - tfjs| ${r.diff.toExponential(2)}${r.years !== null ? ` (age in years ${r.years.toExponential(2)})` : ''} (tfjs cpu - wasm ${r.backends.toExponential(2)}, largest |output| ${r.scale.toFixed(2)})  ${(r.bytes / 1024).toFixed(1)} KiB  ${r.params} params  export ${r.ms.toFixed(1)} ms`,
        ),
      ].join('\n'),
    );
  }
});

it('covers every architecture of the registry', () => {
  expect([...new Set(CASES.map((c) => c.spec.arch))].sort()).toEqual([...ARCH_NAMES].sort());
});

describe.each(CASES.map((c) => [c.label, c]))('%s', (_label, c) => {
  it('ONNX Runtime gives the tfjs outputs within 1e-4', async () => {
    const m = buildModel(c.spec);
    try {
      const x = inputBatch(3, c.spec.inputShape, 5);
      const calibration = inputBatch(8, c.spec.inputShape, 6);
      randomiseWeights(m, 11, calibration);
      calibration.dispose();
      const parts = await savedParts(m);
      const t0 = performance.now();
      const bytes = exportOnnx({
        spec: c.spec,
        parts,
        head: c.head,
        metadata: { case: c.label },
        name: 'test',
        producerVersion: 'test',
      });
      const ms = performance.now() - t0;
      const shape = [3, ...c.spec.inputShape];
      const [want, wantEmb] = tfjsOutputs(m, x, c.head);
      const xs = x.dataSync() as Float32Array;
      x.dispose();
      const got = await ortOutputs(bytes, xs, shape);
      const outName = c.head.kind === 'classification' ? ONNX_PROBABILITIES : ONNX_AGE;
      expect(Object.keys(got).sort()).toEqual([outName, ONNX_EMBEDDING].sort());
      expect(got[outName].dims).toEqual([3, c.spec.outputUnits]);
      expect(got[ONNX_EMBEDDING].dims).toEqual([3, wantEmb.length / 3]);
      // Age is compared on the model's own output (standardised age): the file's years are that × 20, so
      // the same float32 rounding reads 20 times larger in years (reported beside it).
      const unit = c.head.kind === 'regression' ? c.head.scale : 1;
      const outYears = maxAbsDiff(got[outName].data, want);
      const diff = Math.max(outYears / unit, maxAbsDiff(got[ONNX_EMBEDDING].data, wantEmb));
      expect(diff).toBeLessThan(1e-4);
      // Not trivially equal: the outputs differ between images, and the embedding is not all zero.
      expect(
        maxAbsDiff(want.subarray(0, c.spec.outputUnits), want.subarray(c.spec.outputUnits, 2 * c.spec.outputUnits)),
      ).toBeGreaterThan(1e-4);
      expect(Math.max(...wantEmb)).toBeGreaterThan(0);
      const scale = Math.max(...want.map(Math.abs), ...wantEmb.map(Math.abs));
      // For scale: how far tfjs's own cpu backend is from wasm on the same model and images.
      await tf.setBackend('cpu');
      const xc = tf.tensor(xs, shape);
      const [cpu, cpuEmb] = tfjsOutputs(m, xc, c.head);
      xc.dispose();
      await tf.setBackend('wasm');
      const backends = Math.max(maxAbsDiff(cpu, want) / unit, maxAbsDiff(cpuEmb, wantEmb));
      REPORT.push({
        label: c.label,
        diff,
        years: c.head.kind === 'regression' ? outYears : null,
        backends,
        scale,
        bytes: bytes.byteLength,
        ms,
        params: m.countParams(),
      });
      FILES.push({ label: c.label, bytes });
    } finally {
      m.dispose();
    }
  });
});

describe('the ONNX graph', () => {
  it('is opset 13 with NHWC input, named outputs and every weight once', async () => {
    const spec = tinySpec('vgg-f', { inputShape: [45, 45, 3] });
    const m = buildModel(spec);
    try {
      const parts = await savedParts(m);
      const proto = onnx.ModelProto.decode(
        exportOnnx({ spec, parts, head: CLASSES, metadata: { labels: '["a"]' }, name: 'g', producerVersion: '1.2.3' }),
      );
      expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
      expect(Number(proto.irVersion)).toBe(7);
      expect(proto.producerVersion).toBe('1.2.3');
      expect(proto.metadataProps.map((p) => [p.key, p.value])).toEqual([['labels', '["a"]']]);
      const g = proto.graph as InstanceType<typeof onnx.GraphProto>;
      expect(
        g.input.map((i) => [i.name, i.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))]),
      ).toEqual([['input', ['batch', 45, 45, 3]]]);
      expect(g.output.map((o) => o.name)).toEqual([ONNX_PROBABILITIES, ONNX_EMBEDDING]);
      const ops = g.node.map((n) => n.opType);
      expect(ops.filter((o) => o === 'LRN')).toHaveLength(2);
      expect(ops).toContain('Pad');
      expect(ops).not.toContain('Dropout');
      expect(ops[0]).toBe('Transpose');
      expect(ops.at(-1)).toBe('Softmax');
      // Every tfjs weight became exactly one initializer of the same size.
      const floatInits = g.initializer.filter((t) => t.dataType === 1);
      expect(floatInits.map((t) => t.name).sort()).toEqual(
        (parts.weightSpecs as { name: string }[]).map((w) => w.name).sort(),
      );
      expect(floatInits.reduce((n, t) => n + t.rawData!.byteLength, 0)).toBe(parts.weightData.byteLength);
      // The LRN constants: ONNX divides alpha by the window, tfjs does not.
      const lrn = g.node.find((n) => n.opType === 'LRN')!;
      const attr = Object.fromEntries(lrn.attribute!.map((a) => [a.name, a.name === 'size' ? Number(a.i) : a.f]));
      expect(attr.size).toBe(5);
      expect(attr.alpha).toBeCloseTo(1e-4, 9);
      expect(attr.beta).toBeCloseTo(0.75, 6);
      expect(attr.bias).toBe(1);
    } finally {
      m.dispose();
    }
  });

  it('refuses a model that does not match the spec, naming the layer', async () => {
    const spec = tinySpec('small', { inputShape: [20, 20, 1] });
    const m = buildModel(spec);
    try {
      const parts = await savedParts(m);
      const opts = { parts, head: CLASSES, metadata: {}, name: 'x', producerVersion: 'x' };
      expect(() => exportOnnx({ ...opts, spec: { ...spec, width: 0.25 } })).toThrow(
        /ONNX export: layer "conv1" has filters 4 in the trained model where the layout has 8; the model does not match the small layout/,
      );
      expect(() => exportOnnx({ ...opts, spec: { ...spec, arch: 'vgg-face' } })).toThrow(
        /ONNX export: layer "conv1_1" is not in the trained model/,
      );
      // No dropout in the spec, one in the model: a layer the layout never reaches.
      expect(() => exportOnnx({ ...opts, spec: { ...spec, dropout: 0 } })).toThrow(
        /has layers its small layout does not build \(embedding_dropout\)/,
      );
      expect(() => exportOnnx({ ...opts, spec: { ...spec, outputUnits: 3 } })).toThrow(
        /layer "logits" has units 8 in the trained model where the layout has 3/,
      );
      const specs = parts.weightSpecs as { dtype: string }[];
      const f16 = { ...parts, weightSpecs: specs.map((w, i) => (i === 0 ? { ...w, dtype: 'float16' } : w)) };
      expect(() => exportOnnx({ ...opts, spec, parts: f16 })).toThrow(
        /weight conv1\/kernel is float16; only float32 weights are exported/,
      );
      const cut = { ...parts, weightData: parts.weightData.slice(0, 100) };
      expect(() => exportOnnx({ ...opts, spec, parts: cut })).toThrow(/truncated weights/);
      expect(() => layerSourceFromParts({ ...parts, modelTopology: { foo: 1 } })).toThrow(/lists no layers/);
    } finally {
      m.dispose();
    }
  });

  it('pads as tfjs does: the output sizes of tfjs convolutions and pools, the smaller half first', () => {
    for (const [d, k, s] of [
      [32, 7, 2],
      [16, 3, 2],
      [10, 11, 4],
      [5, 2, 2],
      [9, 3, 1],
      [45, 11, 4],
    ]) {
      for (const padding of ['same', 'valid'] as const) {
        if (padding === 'valid' && d < k) continue;
        const out = tf.tidy(
          () =>
            tf.conv2d(tf.zeros([1, d, d, 1]) as tf.Tensor4D, tf.zeros([k, k, 1, 1]) as tf.Tensor4D, s, padding)
              .shape[1],
        );
        const p = axisPads(d, k, s, padding);
        expect(p.out).toBe(out);
        expect(p.before + d + p.after).toBeGreaterThanOrEqual((p.out - 1) * s + k);
        expect(p.after - p.before).toBeGreaterThanOrEqual(0);
        expect(p.after - p.before).toBeLessThanOrEqual(1);
      }
    }
    expect(axisPads(32, 7, 2, 'same')).toEqual({ out: 16, before: 2, after: 3 });
    expect(axisPads(16, 3, 2, 'same')).toEqual({ out: 8, before: 0, after: 1 });
  });

  it('reorders a conv kernel from [kh, kw, in, out] to [out, in, kh, kw]', () => {
    // k[y][x][i][o] = 1000y + 100x + 10i + o
    const [kh, kw, ci, co] = [2, 3, 2, 4];
    const k = new Float32Array(kh * kw * ci * co);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < ci; i++)
          for (let o = 0; o < co; o++) k[((y * kw + x) * ci + i) * co + o] = 1000 * y + 100 * x + 10 * i + o;
    const t = convKernelToOihw(k, kh, kw, ci, co);
    for (let o = 0; o < co; o++)
      for (let i = 0; i < ci; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            expect(t[((o * ci + i) * kh + y) * kw + x]).toBe(1000 * y + 100 * x + 10 * i + o);
          }
  });

  it('writes the age head as years (output × scale + offset)', async () => {
    const spec = tinySpec('small', { inputShape: [20, 20, 1], outputUnits: 1 });
    const m = buildModel(spec);
    try {
      const proto = onnxModelProto({
        spec,
        parts: await savedParts(m),
        head: AGE,
        metadata: {},
        name: 'a',
        producerVersion: 'x',
      });
      expect(proto.graph!.output!.map((o) => o.name)).toEqual([ONNX_AGE, ONNX_EMBEDDING]);
      expect(proto.graph!.node!.slice(-2).map((n) => n.opType)).toEqual(['Mul', 'Add']);
    } finally {
      m.dispose();
    }
  });
});

// Debian's python3-onnx (the pyenv python3 first on PATH may lack it): the official checker, full check.
// ONNX_CHECKER_PYTHON names another interpreter.
const PY = process.env.ONNX_CHECKER_PYTHON ?? '/usr/bin/python3';
const probe = spawnSync(PY, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' });
const checkerReason =
  probe.status === 0
    ? null
    : `${PY} cannot import onnx (${(probe.stderr || String(probe.error ?? '')).trim().split('\n').pop()}); install Debian's python3-onnx (or set ONNX_CHECKER_PYTHON) to run it`;
if (checkerReason) console.warn(`onnx.checker test skipped: ${checkerReason}`);

describe('onnx.checker', () => {
  it.skipIf(checkerReason !== null)(
    `passes onnx.checker.check_model(full_check=True) for every architecture (onnx ${probe.stdout?.trim()})`,
    () => {
      expect(FILES.length, 'the checker reads the files the tests above wrote: run the whole file').toBe(CASES.length);
      const dir = mkdtempSync(join(tmpdir(), 'odl-onnx-'));
      try {
        const paths = FILES.map((f, i) => {
          const p = join(dir, `model-${i}.onnx`);
          writeFileSync(p, f.bytes);
          return p;
        });
        const script = [
          'import sys, onnx',
          'for p in sys.argv[1:]:',
          '    m = onnx.load(p)',
          '    onnx.checker.check_model(m, full_check=True)',
          '    print("ok", p, m.opset_import[0].version, flush=True)',
        ].join('\n');
        const r = spawnSync(PY, ['-c', script, ...paths], { encoding: 'utf8' });
        expect(r.stderr, FILES.map((f) => f.label).join(', ')).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout.trim().split('\n')).toHaveLength(FILES.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
