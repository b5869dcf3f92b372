// ONNX export from the Results page in headless Chromium: after a tiny run (wasm), the .onnx button saves
// <run id>-<stage>.onnx, written in the page's worker; in Node, ONNX Runtime runs it and gives the same
// probabilities and embedding as plain tfjs on the exported tfjs model, whose .zip holds a model.onnx too;
// its metadata names the labels and the preprocessing. Nothing leaves the page's origin.
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { readZipDirectory, readZipEntry } from '../../src/core/data/formats/zip';
import { loadChecked, readModelFiles } from '../../src/platform/models/bundle';
import { nodeImportPlatform } from '../../src/platform/node/importFiles';
import { inflateRawNode, memoryAccess } from '../helpers/archives';
import { ortOutputs, tfjsOutputs } from '../helpers/onnx';
import { maxAbsDiff } from '../core/models/helpers';
import { labSuite } from './helpers/browser';
import { state, trainTiny, waitForState } from './helpers/lab';

const suite = labSuite(false);

describe('ONNX export from the Results page', () => {
  it('saves a .onnx that ONNX Runtime runs like the exported tfjs model', async () => {
    const { page } = await suite.open();
    await trainTiny(page, suite.origin());
    await page.click('[data-testid=tab-results]');

    const t0 = Date.now();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-onnx-student]')]);
    const ms = Date.now() - t0;
    expect(dl.suggestedFilename()).toMatch(/^run-.*-student\.onnx$/);
    const file = new Uint8Array(await readFile((await dl.path())!));
    console.log(`ONNX export in the page (click to download): ${ms} ms, ${(file.byteLength / 1024).toFixed(1)} KiB`);
    await waitForState(page, (s) => s.exporting.pending === null);
    expect(await page.textContent('[data-testid=export-message]')).toMatch(/-student\.onnx \(\d+\.\d\d MB\) saved\.$/);
    const meta = Object.fromEntries(onnxProto.onnx.ModelProto.decode(file).metadataProps.map((p) => [p.key, p.value]));
    expect(meta).toMatchObject({
      stage: 'student',
      task: 'expression',
      visibility: 'lower',
      occlusion_scenario: 'lower',
      input_layout: 'NHWC',
    });
    expect(JSON.parse(meta.labels)).toHaveLength(8);
    expect(JSON.parse(meta.preprocessing)).toMatchObject({
      height: 16,
      width: 16,
      channels: 1,
      colour: 'grey',
      hiddenRows: [0, 8],
    });

    // A second export (the worker has the ONNX module loaded by now): the teacher's file.
    const t1 = Date.now();
    const [tdl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-onnx-teacher]')]);
    expect(tdl.suggestedFilename()).toMatch(/^run-.*-teacher\.onnx$/);
    console.log(`second ONNX export (teacher): ${Date.now() - t1} ms`);
    await waitForState(page, (s) => s.exporting.pending === null);
    const [zdl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-student]')]);
    const zip = new Uint8Array(await readFile((await zdl.path())!));
    const src = memoryAccess(zip);
    const entries = await readZipDirectory(src);
    const inZip = entries.find((e) => e.name === 'model.onnx');
    expect(inZip, 'model.onnx in the zip').toBeTruthy();
    const zipped = await readZipEntry(src, inZip!, inflateRawNode);

    const model = await loadChecked(
      await readModelFiles([{ name: 'student.zip', bytes: zip }], nodeImportPlatform.inflateRaw),
      { inputShape: [16, 16, 1], outputUnits: 8 },
    );
    const x = tf.randomUniform([6, 16, 16, 1], 0, 1, 'float32', 4);
    const [probs, emb] = tfjsOutputs(model, x, { kind: 'classification' });
    const xs = x.dataSync() as Float32Array;
    x.dispose();
    model.dispose();
    for (const bytes of [file, zipped]) {
      const got = await ortOutputs(bytes, xs, [6, 16, 16, 1]);
      expect(got.probabilities.dims).toEqual([6, 8]);
      expect(maxAbsDiff(got.probabilities.data, probs)).toBeLessThan(1e-4);
      expect(maxAbsDiff(got.embedding.data, emb)).toBeLessThan(1e-4);
    }
    expect(await state(page, (s) => s.exporting.pending)).toBeNull();
  });
});
