// The ONNX file in the lab's model exports: metadata_props carry what a program needs (labels, input,
// preprocessing, occlusion, config, versions); the .zip holds model.onnx beside the tfjs files and its
// README.txt shows the Python call; a model whose ONNX file cannot be written still exports its tfjs files,
// and the README says why; the runner's saver writes model.onnx next to model.json.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/core/config/presets';
import { readZipDirectory, readZipEntry } from '../../../src/core/data/formats/zip';
import { buildModel } from '../../../src/core/models/registry';
import type { ModelSpec } from '../../../src/core/models/spec';
import {
  LAB_VERSION,
  labInfo,
  ONNX_FILE,
  readModelFiles,
  stageVisibility,
  zipModel,
  type ModelParts,
} from '../../../src/platform/models/bundle';
import { onnxMetadata, onnxModel } from '../../../src/platform/models/onnxFile';
import { saveModelToDir } from '../../../src/platform/node/modelFiles';
import { nodeImportPlatform } from '../../../src/platform/node/importFiles';
import { inflateRawNode, memoryAccess } from '../../helpers/archives';
import { ortOutputs, savedParts, tfjsOutputs } from '../../helpers/onnx';
import { maxAbsDiff } from '../../core/models/helpers';

const { onnx } = onnxProto;
const cfg = presetConfig('fixture-tiny');
const spec: ModelSpec = { arch: 'small', inputShape: [16, 16, 1], outputUnits: 8, width: 0.25, seed: 5 };
const classes = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const info = (task: 'expression' | 'age' = 'expression') =>
  labInfo({
    name: 'student ◑',
    stage: 'student',
    config: { ...cfg, task },
    classNames: task === 'age' ? [] : classes,
    visibility: 'lower',
    rows: [],
    height: 16,
    width: 16,
    channels: 1,
  });
const parts = async (m: tf.LayersModel): Promise<ModelParts> => savedParts(m);

describe('ONNX in the model exports', () => {
  it('writes the lab metadata into the file', async () => {
    const m = buildModel(spec);
    try {
      const i = info();
      const bytes = onnxModel(await parts(m), i, spec);
      const proto = onnx.ModelProto.decode(bytes);
      const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
      expect(meta).toEqual(onnxMetadata(i));
      expect(JSON.parse(meta.labels)).toEqual(classes);
      expect(JSON.parse(meta.preprocessing)).toEqual({
        height: 16,
        width: 16,
        channels: 1,
        colour: 'grey',
        scale: 1 / 255,
        hiddenRows: [0, 8],
      });
      expect(meta).toMatchObject({
        task: 'expression',
        stage: 'student',
        visibility: 'lower',
        occlusion_scenario: cfg.scenario,
        input_layout: 'NHWC',
        lab_version: LAB_VERSION,
      });
      expect(JSON.parse(meta.config)).toEqual(cfg);
      expect(meta.input).toBe(
        'input: [batch, 16, 16, 1] float32 (NHWC), pixel bytes × 1/255 (grey), with rows 0 to 7 set to 0 (only the lower half visible)',
      );
      expect(proto.producerName).toBe('Occlusion Distillation Lab');
      expect(proto.producerVersion).toBe(LAB_VERSION);
      expect(LAB_VERSION).toMatch(/^\d+\.\d+\.\d+/);
      const ageSpec = { ...spec, outputUnits: 1 };
      const ageModel = buildModel(ageSpec);
      const ageParts = await parts(ageModel);
      ageModel.dispose();
      const age = Object.fromEntries(
        onnx.ModelProto.decode(onnxModel(ageParts, info('age'), ageSpec)).metadataProps.map((p) => [p.key, p.value]),
      );
      expect(age.output).toMatch(/^age: age in years \[batch, 1\] \(= model output × 20 \+ 40\)/);
      expect(age.labels).toBe('[]');
    } finally {
      m.dispose();
    }
  });

  it('puts model.onnx in the zip, runs it like the tfjs model, and says why when it cannot', async () => {
    const m = buildModel(spec);
    try {
      const p = await parts(m);
      const zip = zipModel(p, info(), onnxModel(p, info(), spec));
      const src = memoryAccess(zip);
      const entries = await readZipDirectory(src);
      expect(entries.map((e) => e.name)).toEqual([
        'model.json',
        'model.weights.bin',
        ONNX_FILE,
        'lab.json',
        'README.txt',
      ]);
      const file = await readZipEntry(src, entries[2], inflateRawNode);
      const readme = new TextDecoder().decode(await readZipEntry(src, entries[4], inflateRawNode));
      expect(readme).toMatch(/model\.onnx is the same model for ONNX Runtime \(opset 13\)/);
      expect(readme).toMatch(/session\.run\(None, \{'input': x\}\)/);
      const x = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 3);
      const [want, emb] = tfjsOutputs(m, x, { kind: 'classification' });
      const got = await ortOutputs(file, x.dataSync() as Float32Array, [2, 16, 16, 1]);
      x.dispose();
      expect(maxAbsDiff(got.probabilities.data, want)).toBeLessThan(1e-5);
      expect(maxAbsDiff(got.embedding.data, emb)).toBeLessThan(1e-5);
      // The import reads the tfjs files and leaves model.onnx alone.
      const read = await readModelFiles([{ name: 'm.zip', bytes: zip }], nodeImportPlatform.inflateRaw);
      expect(read.info?.stage).toBe('student');

      let why: Error | null = null;
      try {
        onnxModel(p, info(), { ...spec, width: 0.5 });
      } catch (e) {
        why = e as Error;
      }
      expect(why?.message).toMatch(
        /ONNX export: layer "conv1" has filters 8 in the trained model where the layout has 16/,
      );
      const without = zipModel(p, info(), why!);
      const src2 = memoryAccess(without);
      const names = (await readZipDirectory(src2)).map((e) => e.name);
      expect(names).toEqual(['model.json', 'model.weights.bin', 'lab.json', 'README.txt']);
      const readme2 = new TextDecoder().decode(
        await readZipEntry(src2, (await readZipDirectory(src2))[3], inflateRawNode),
      );
      expect(readme2).toContain(`model.onnx could not be written: ${why!.message}`);
    } finally {
      m.dispose();
    }
  });

  it('names the half each stage sees', () => {
    expect(stageVisibility('teacher', 'lower')).toBe('full');
    expect(stageVisibility('student', 'lower')).toBe('lower');
    expect(stageVisibility('studentOther', 'lower')).toBe('upper');
    expect(stageVisibility('triplet', 'upper')).toBe('upper');
  });

  it("the runner's saver writes model.onnx next to model.json, or reports why not", async () => {
    const m = buildModel(spec);
    try {
      const dir = await mkdtemp(join(tmpdir(), 'odl-onnx-dir-'));
      await saveModelToDir(m, dir, undefined, { spec, info: info() });
      expect((await readdir(dir)).sort()).toEqual(['model.json', ONNX_FILE, 'model.weights.bin']);
      const proto = onnx.ModelProto.decode(new Uint8Array(await readFile(join(dir, ONNX_FILE))));
      expect(proto.graph!.output!.map((o) => o.name)).toEqual(['probabilities', 'embedding']);
      const dir2 = await mkdtemp(join(tmpdir(), 'odl-onnx-dir-'));
      const errors: string[] = [];
      await saveModelToDir(m, dir2, undefined, {
        spec: { ...spec, width: 0.5 },
        info: info(),
        onError: (e) => errors.push(e.message),
      });
      expect((await readdir(dir2)).sort()).toEqual(['model.json', 'model.weights.bin']);
      expect(errors).toEqual([expect.stringMatching(/^ONNX export: layer "conv1"/)]);
      await expect(saveModelToDir(m, dir2, undefined, { spec: { ...spec, width: 0.5 }, info: info() })).rejects.toThrow(
        /ONNX export/,
      );
    } finally {
      m.dispose();
    }
  });
});
