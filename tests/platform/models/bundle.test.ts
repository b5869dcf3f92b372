// Models leaving and entering the lab: the exported .zip holds standard tfjs files that plain
// tf.loadLayersModel loads in Node with identical predictions; a round trip through the import gives
// identical predictions; each malformed import gets its own message.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/core/config/presets';
import { readZipDirectory, readZipEntry } from '../../../src/core/data/formats/zip';
import { buildModel } from '../../../src/core/models/registry';
import { labInfo, loadChecked, readModelFiles, zipModel, type ModelParts } from '../../../src/platform/models/bundle';
import type { NamedBytes } from '../../../src/core/records';
import { dirHandler } from '../../../src/platform/node/modelFiles';
import { nodeImportPlatform } from '../../../src/platform/node/importFiles';
import { errorOf, inflateRawNode, memoryAccess } from '../../helpers/archives';

const inflate = nodeImportPlatform.inflateRaw;

async function partsOf(m: tf.LayersModel): Promise<ModelParts> {
  let parts: ModelParts | null = null;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      parts = {
        modelTopology: a.modelTopology,
        weightSpecs: a.weightSpecs ?? [],
        weightData: tf.io.CompositeArrayBuffer.join(a.weightData!),
        format: a.format,
        generatedBy: a.generatedBy,
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return parts!;
}

const cfg = presetConfig('fixture-tiny');
const model = () => buildModel({ arch: 'small', inputShape: [16, 16, 1], outputUnits: 8, width: 0.25, seed: 5 });
const info = () =>
  labInfo({
    name: 'student ◑',
    stage: 'student',
    config: cfg,
    classNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    visibility: 'lower',
    rows: [],
    height: 16,
    width: 16,
    channels: 1,
  });

async function unzipAll(zip: Uint8Array): Promise<NamedBytes[]> {
  const src = memoryAccess(zip);
  const out: NamedBytes[] = [];
  for (const e of await readZipDirectory(src))
    out.push({ name: e.name, bytes: await readZipEntry(src, e, inflateRawNode) });
  return out;
}

describe('model export and import', () => {
  it("the zip loads with plain tf.loadLayersModel in Node and predicts exactly as the lab's model", async () => {
    const m = model();
    const zip = zipModel(await partsOf(m), info());
    const files = await unzipAll(zip);
    expect(files.map((f) => f.name)).toEqual(['model.json', 'model.weights.bin', 'lab.json', 'README.txt']);
    const dir = await mkdtemp(join(tmpdir(), 'odl-model-'));
    for (const f of files) await writeFile(join(dir, f.name), f.bytes);
    const loaded = await tf.loadLayersModel(dirHandler(dir));
    const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 9);
    const a = m.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    const lab = JSON.parse(new TextDecoder().decode(files[2].bytes));
    expect(lab.preprocessing).toEqual({ height: 16, width: 16, channels: 1, scale: 1 / 255, hiddenRows: [0, 8] });
    expect(lab.output).toEqual({ kind: 'classification', logits: true });
    tf.dispose([x, a, b]);
    loaded.dispose();
    m.dispose();
  });

  it('export -> import round trip: identical predictions, lab.json kept, input and output checked', async () => {
    const m = model();
    const zip = zipModel(await partsOf(m), info());
    const before = tf.memory().numTensors;
    const read = await readModelFiles([{ name: 'student.zip', bytes: zip }], inflate);
    expect(read.info?.stage).toBe('student');
    const back = await loadChecked(read, { inputShape: [16, 16, 1], outputUnits: 8 });
    const x = tf.randomUniform([3, 16, 16, 1], 0, 1, 'float32', 2);
    const p1 = m.predict(x) as tf.Tensor;
    const p2 = back.predict(x) as tf.Tensor;
    expect(Array.from(await p2.data())).toEqual(Array.from(await p1.data()));
    tf.dispose([x, p1, p2]);
    back.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The loose pair (model.json + weights) works as well as the zip.
    const files = await unzipAll(zip);
    const loose = await readModelFiles(
      files.filter((f) => f.name !== 'lab.json'),
      inflate,
    );
    expect(loose.info).toBeNull();
    await expect(loadChecked(loose, { inputShape: [48, 48, 1] })).rejects.toThrow(
      'This model does not fit: it takes 16x16x1 images; 48x48x1 are needed here.',
    );
    await expect(loadChecked(loose, { outputUnits: 2 })).rejects.toThrow(
      'This model does not fit: it has 8 outputs; 2 are needed here.',
    );
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('malformed imports each get their message, never a crash', async () => {
    const m = model();
    const files = await unzipAll(zipModel(await partsOf(m), info()));
    m.dispose();
    const json = files[0];
    const weights = files[1];
    const msg = async (fs: NamedBytes[]) => (await errorOf(readModelFiles(fs, inflate))).message;
    expect(await msg([json, { name: weights.name, bytes: weights.bytes.subarray(0, 100) }])).toMatch(
      /^The weights are 100 bytes but model\.json describes \d+: truncated weights file\.$/,
    );
    expect(await msg([json])).toBe('model.json names the weights file model.weights.bin, which was not given.');
    expect(await msg([{ name: 'model.json', bytes: new TextEncoder().encode('{"modelTopology": ') }, weights])).toMatch(
      /^model\.json is not valid JSON \(/,
    );
    expect(
      await msg([
        { name: 'model.json', bytes: new TextEncoder().encode('{"format": "graph-model", "modelTopology": {}}') },
      ]),
    ).toBe('model.json is a graph model (converted from TensorFlow); the lab trains and explains Layers models only.');
    expect(await msg([{ name: 'model.json', bytes: new TextEncoder().encode('[1, 2]') }])).toBe(
      'model.json has no modelTopology: not a TensorFlow.js model.json.',
    );
    const doc = JSON.parse(new TextDecoder().decode(json.bytes));
    doc.weightsManifest[0].weights[0].dtype = 'float64';
    expect(await msg([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(doc)) }, weights])).toMatch(
      /^model\.json: weight .* has an unknown dtype "float64"$/,
    );
    doc.weightsManifest = 'x';
    expect(await msg([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(doc)) }, weights])).toBe(
      'model.json: weightsManifest must be a list of { paths, weights } groups.',
    );
    expect(await msg([weights])).toBe('No model.json among model.weights.bin.');
    expect(await msg([{ name: 'm.zip', bytes: new TextEncoder().encode('not a zip') }])).toBe(
      'm.zip: not a zip archive (no end-of-central-directory record)',
    );
    expect(await msg([])).toMatch(/^No file was given/);
    // Well-formed files of a topology tfjs cannot build.
    const bad = JSON.parse(new TextDecoder().decode(json.bytes));
    bad.modelTopology.config.layers[1].class_name = 'NoSuchLayer';
    const read = await readModelFiles(
      [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(bad)) }, weights],
      inflate,
    );
    await expect(loadChecked(read)).rejects.toThrow(/^The model could not be built: .*NoSuchLayer/);
  });
});
