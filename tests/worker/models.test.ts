// Grad-CAM and export for a stored run, through the worker engine (main-thread client): a fixture-tiny run,
// then maps of every stored model on chosen test images whose predictions agree with the run's grid,
// no tensor left behind; the exported zip imports back with identical predictions.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/core/config/presets';
import { selectBackend } from '../../src/platform/backend';
import { memoryStorage } from '../../src/platform/memoryStorage';
import { loadChecked, readModelFiles } from '../../src/platform/models/bundle';
import { nodeImportPlatform } from '../../src/platform/node/importFiles';
import { initialLabState } from '../../src/state/labState';
import { createLab } from '../../src/state/store';
import { loadStoredModel } from '../../src/worker/models';
import { pickImages } from '../../src/core/explain/sheet';
import { createInProcessClient } from '../../src/worker/lab/inProcess';
import { until } from '../helpers/events';
import { memoryAccess } from '../helpers/archives';
import { ortOutputs, tfjsOutputs } from '../helpers/onnx';
import { maxAbsDiff } from '../core/models/helpers';
import { readZipDirectory } from '../../src/core/data/formats/zip';

const cfg = { ...presetConfig('fixture-tiny'), trainOtherHalfStudent: false, sameBudgetControl: false };

describe('Grad-CAM and export of a stored run', () => {
  it('maps every stored model on the chosen images, agrees with the grid, exports a zip that imports back', async () => {
    const storage = memoryStorage();
    const client = createInProcessClient({
      storage,
      selectBackend: (o) => selectBackend(o.filter((b) => b !== 'webgpu')),
      flushMs: 20,
    });
    const downloads: { name: string; bytes: Uint8Array }[] = [];
    const { store, actions } = createLab(
      { client, storage, flushMs: 10, download: (name, bytes) => downloads.push({ name, bytes }) },
      initialLabState(cfg, null),
    );
    const ready = until(client, (e) => e.type === 'datasetReady');
    await actions.boot();
    await ready;
    const runId = actions.startRun()!;
    expect(runId).toBeTruthy();
    await until(client, (e) => e.type === 'runState' && e.runId === runId && e.status === 'done');
    await client.idle();
    const run = (await storage.getRun(runId))!;

    const before = tf.memory().numTensors;
    actions.explain({ runId, pick: { mode: 'wrong' }, count: 4, target: 'predicted' });
    await until(client, (e) => e.type === 'gradcam' || e.type === 'error');
    await client.idle();
    await new Promise((r) => setTimeout(r, 30));
    expect(tf.memory().numTensors).toBe(before);
    const { explain } = store.getState();
    expect(explain.error).toBeNull();
    const sheet = explain.sheet!;
    expect(sheet.panels.map((p) => `${p.model}:${p.visibility}`)).toEqual([
      'teacher:full',
      'teacher:lower',
      'student:lower',
      'standard:lower',
      'triplet:lower',
    ]);
    const truth = (await storage.getChunks(run.datasetId, 'test')).flatMap((c) => Array.from(c.expression!));
    expect(sheet.indices).toEqual(pickImages(run, truth, { mode: 'wrong' }, 4));
    expect(sheet.count).toBe(sheet.indices.length);
    expect(sheet.maps.length).toBe(sheet.count * 5 * 16 * 16);
    expect(Math.min(...sheet.maps)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...sheet.maps)).toBeLessThanOrEqual(1);
    // Each panel's prediction is the grid's prediction for that image (same model, same input).
    const gridPred = (model: string, test: string) =>
      run.rows.find((r) => r.model === model && r.test === test)!.predictions;
    sheet.indices.forEach((idx, i) => {
      expect(sheet.truth[i]).toBe(truth[idx]);
      sheet.panels.forEach((p, k) => expect(sheet.predicted[i * 5 + k]).toBe(gridPred(p.model, p.visibility)[idx]));
      // 'wrong' picks images the student misclassified
      expect(sheet.predicted[i * 5 + 2]).not.toBe(truth[idx]);
    });
    expect(sheet.explained.slice(0, 5)).toEqual(sheet.predicted.slice(0, 5));

    // A run that does not exist: an error tied to the request, not a crash.
    actions.explain({ runId: 'nope', pick: { mode: 'first' }, count: 2, target: 'true' });
    await until(client, (e) => e.type === 'error');
    await new Promise((r) => setTimeout(r, 30));
    expect(store.getState().explain.error).toBe('There is no stored run "nope".');

    actions.exportModel(runId, 'triplet');
    await until(client, (e) => e.type === 'modelExport');
    await new Promise((r) => setTimeout(r, 30));
    // The page names every download <run id>-<what>.<ext>.
    expect(downloads.map((d) => d.name)).toEqual([`${runId}-triplet.zip`]);
    const read = await readModelFiles([{ name: 'x.zip', bytes: downloads[0].bytes }], nodeImportPlatform.inflateRaw);
    expect(read.info).toMatchObject({
      stage: 'triplet',
      task: 'expression',
      visibility: 'lower',
      preprocessing: { height: 16, width: 16, channels: 1, hiddenRows: [0, 8] },
    });
    expect(read.info!.metrics.map((m) => m.test)).toEqual(['lower']);
    const back = await loadChecked(read, { inputShape: [16, 16, 1], outputUnits: 8 });
    const orig = await loadStoredModel((await storage.getModel(runId, 'triplet'))!);
    const x = tf.randomUniform([5, 16, 16, 1], 0, 1, 'float32', 1);
    const [p1, p2] = [orig.predict(x) as tf.Tensor, back.predict(x) as tf.Tensor];
    expect(Array.from(await p2.data())).toEqual(Array.from(await p1.data()));
    tf.dispose([x, p1, p2]);
    orig.dispose();
    back.dispose();
    expect(store.getState().exporting.message).toMatch(/-triplet\.zip \(0\.\d\d MB\) saved\.$/);

    // The zip holds model.onnx too; the .onnx alone saves as <run id>-triplet.onnx, and ONNX Runtime gives
    // the stored model's probabilities and embedding.
    expect((await readZipDirectory(memoryAccess(downloads[0].bytes))).map((e) => e.name)).toContain('model.onnx');
    actions.exportModel(runId, 'triplet', 'onnx');
    expect(store.getState().exporting.message).toBe(`Writing ${runId}-triplet.onnx…`);
    await until(client, (e) => e.type === 'modelExport');
    await new Promise((r) => setTimeout(r, 30));
    expect(downloads.map((d) => d.name)).toEqual([`${runId}-triplet.zip`, `${runId}-triplet.onnx`]);
    expect(store.getState().exporting.message).toMatch(/-triplet\.onnx \(0\.\d\d MB\) saved\.$/);
    const stored = await loadStoredModel((await storage.getModel(runId, 'triplet'))!);
    const xo = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 2);
    const [probs, emb] = tfjsOutputs(stored, xo, { kind: 'classification' });
    const ortOut = await ortOutputs(downloads[1].bytes, xo.dataSync() as Float32Array, [4, 16, 16, 1]);
    tf.dispose(xo);
    stored.dispose();
    expect(maxAbsDiff(ortOut.probabilities.data, probs)).toBeLessThan(1e-4);
    expect(maxAbsDiff(ortOut.embedding.data, emb)).toBeLessThan(1e-4);

    // The zip comes back in as an imported model (Node's structuredClone drops a File's name, so the
    // bytes travel as { name, bytes }; the browser e2e sends File objects) ...
    actions.importModel([{ name: 'triplet.zip', bytes: downloads[0].bytes }]);
    await until(client, (e) => e.type === 'modelImported' || e.type === 'error');
    await new Promise((r) => setTimeout(r, 30));
    const imported = store.getState().models.imported;
    expect(imported.map((m) => [m.inputShape, m.outputUnits, m.files])).toEqual([[[16, 16, 1], 8, ['triplet.zip']]]);
    expect((await storage.listImportedModels()).map((m) => m.id)).toEqual([imported[0].id]);
    // ... a truncated one is refused with the reason and nothing is stored ...
    actions.importModel([{ name: 'broken.zip', bytes: downloads[0].bytes.slice(0, 500) }]);
    await until(client, (e) => e.type === 'error');
    await new Promise((r) => setTimeout(r, 30));
    expect(store.getState().models).toMatchObject({ error: true, message: expect.stringMatching(/^broken\.zip: /) });
    expect((await storage.listImportedModels()).length).toBe(1);
    // ... and a new run's teacher starts from it.
    actions.setField('teacherInit', imported[0].id);
    const run2 = actions.startRun()!;
    const end = await until(
      client,
      (e) => e.type === 'runState' && e.runId === run2 && ['done', 'failed'].includes(e.status),
    );
    expect(end).toMatchObject({ status: 'done' });
    await client.idle();
    await new Promise((r) => setTimeout(r, 30)); // the store's event buffer (10 ms) has seen run 2 end
    actions.setField('teacherInit', 'model-gone');
    const run3 = actions.startRun()!;
    const failed = await until(
      client,
      (e) => e.type === 'runState' && e.runId === run3 && ['done', 'failed', 'interrupted'].includes(e.status),
    );
    expect(failed).toMatchObject({
      status: 'interrupted',
      message: expect.stringMatching(/The imported model "model-gone" the teacher should start from is not stored/),
    });
    await client.idle();
    actions.dispose();
  });
});
