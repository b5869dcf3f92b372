// ONNX export per architecture: time to write the .onnx file from the saved weights (what the worker and the
// runner do), its size, and ONNX Runtime's largest difference from tfjs on the same two images (weights
// randomised, BatchNorm statistics set from the data as training leaves them). Sizes: the workshop `small` model at 48x48 grey, and with
// --full the paper architectures at 224x224x3 (VGG-face needs ~2.5 GB of memory).
// `npx tsx bench/onnx.ts [--full] [--only small,vgg-f,...]`, or through `npm run bench -- --only onnx`.
import * as tf from '@tensorflow/tfjs';
import { exportOnnx, type OnnxHead } from '../src/core/export/onnx';
import { buildModel, type ModelSpec } from '../src/core/models';
import { selectBackend } from '../src/platform/backend';
import { ortOutputs, randomiseWeights, savedParts, tfjsOutputs } from '../tests/helpers/onnx';

const HEAD: OnnxHead = { kind: 'classification' };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

export async function benchOnnx(o: { full: boolean; only?: string[]; log: (s: string) => void }): Promise<string[]> {
  const cases: Array<{ label: string; spec: ModelSpec }> = [
    { label: 'small 48x48x1', spec: { arch: 'small', inputShape: [48, 48, 1], outputUnits: 8, seed: 1 } },
  ];
  if (o.full) {
    cases.push(
      { label: 'resnet-50 224x224x3', spec: { arch: 'resnet-50', inputShape: [224, 224, 3], outputUnits: 8, seed: 1 } },
      { label: 'vgg-f 224x224x3 (LRN)', spec: { arch: 'vgg-f', inputShape: [224, 224, 3], outputUnits: 8, seed: 1 } },
      { label: 'vgg-face 224x224x3', spec: { arch: 'vgg-face', inputShape: [224, 224, 3], outputUnits: 8, seed: 1 } },
    );
  }
  const summary: string[] = [];
  for (const c of cases) {
    if (o.only && !o.only.some((n) => c.label.startsWith(n))) continue;
    const m = buildModel(c.spec);
    try {
      const calibration = tf.randomUniform([2, ...c.spec.inputShape], 0, 1, 'float32', 8);
      const tc = performance.now();
      randomiseWeights(m, 3, calibration);
      calibration.dispose();
      o.log(
        `${c.label}: weights randomised, BatchNorm statistics calibrated (${((performance.now() - tc) / 1000).toFixed(1)} s)`,
      );
      const t0 = performance.now();
      const parts = await savedParts(m);
      const t1 = performance.now();
      const bytes = exportOnnx({
        spec: c.spec,
        parts,
        head: HEAD,
        metadata: {},
        name: c.spec.arch,
        producerVersion: 'bench',
      });
      const t2 = performance.now();
      const x = tf.randomUniform([2, ...c.spec.inputShape], 0, 1, 'float32', 7);
      const [probs, emb] = tfjsOutputs(m, x, HEAD);
      const xs = x.dataSync() as Float32Array;
      x.dispose();
      const t3 = performance.now();
      const got = await ortOutputs(bytes, xs, [2, ...c.spec.inputShape]);
      const t4 = performance.now();
      const diff = Math.max(maxAbsDiff(got.probabilities.data, probs), maxAbsDiff(got.embedding.data, emb));
      const line =
        `${c.label}: ${m.countParams().toLocaleString('en')} params, .onnx ${(bytes.byteLength / 2 ** 20).toFixed(2)} MiB, ` +
        `export ${(t2 - t1).toFixed(0)} ms (+ ${(t1 - t0).toFixed(0)} ms tfjs save), ORT load + run ${(t4 - t3).toFixed(0)} ms, max |onnx - tfjs| ${diff.toExponential(2)}`;
      o.log(line);
      summary.push(`onnx ${line}`);
    } finally {
      m.dispose();
    }
  }
  return summary;
}

const isEntry = process.argv[1]?.endsWith('onnx.ts');
if (isEntry) {
  tf.env().set('PROD', true);
  const be = await selectBackend(['wasm']);
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
  process.stdout.write(`# ONNX export bench on ${be.name}\n`);
  await benchOnnx({ full: args.includes('--full'), only, log: (s) => process.stdout.write(`${s}\n`) });
}
