// Grad-CAM and models through the page in headless Chromium: after a tiny run (wasm), the viewer draws
// the maps (the canvas is not blank) and saves a PNG; a model exports as a .zip that plain tfjs loads
// in Node with the same predictions as the lab's; the zip imports back as a model the teacher can
// start from. Nothing leaves the page's origin.
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { loadChecked, readModelFiles } from '../../src/platform/models/bundle';
import { nodeImportPlatform } from '../../src/platform/node/importFiles';
import { labSuite } from './helpers/browser';
import { drawFirstMaps, state, trainTiny, waitForState } from './helpers/lab';

const suite = labSuite(false);

describe('Grad-CAM viewer and model export / import', () => {
  it('draws maps, saves a PNG, exports a zip plain tfjs loads, imports it back', async () => {
    const { page } = await suite.open();
    await trainTiny(page, suite.origin());
    expect(await drawFirstMaps(page)).toBe(5);
    const shot = PNG.sync.read(await page.locator('[data-testid=gradcam-canvas]').screenshot());
    const colours = new Set<number>();
    for (let i = 0; i < shot.data.length; i += 4)
      colours.add((shot.data[i] << 16) | (shot.data[i + 1] << 8) | shot.data[i + 2]);
    expect(colours.size, 'distinct colours in the Grad-CAM panel').toBeGreaterThan(200);
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=gradcam-save]')]);
    expect(png.suggestedFilename()).toMatch(/^run-.*-gradcam\.png$/);
    expect(PNG.sync.read(await readFile((await png.path())!)).width).toBe(shot.width);

    await page.click('[data-testid=tab-results]');
    // The charts as one PNG file (side by side, under the run's title), and the confusion matrices.
    const [charts] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=charts-png]')]);
    expect(charts.suggestedFilename()).toMatch(/^run-.*-charts\.png$/);
    expect(PNG.sync.read(await readFile((await charts.path())!)).width).toBeGreaterThan(600);
    const [cms] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=confusions-png]')]);
    const cmPng = PNG.sync.read(await readFile((await cms.path())!));
    expect([cmPng.width > 300, cmPng.height > 300]).toEqual([true, true]);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-student]')]);
    expect(dl.suggestedFilename()).toMatch(/-student\.zip$/);
    const zip = new Uint8Array(await readFile((await dl.path())!));
    const read = await readModelFiles([{ name: 'student.zip', bytes: zip }], nodeImportPlatform.inflateRaw);
    expect(read.info).toMatchObject({ stage: 'student', task: 'expression', visibility: 'lower' });
    // The same predictions in Node as the lab's grid recorded for the first test images.
    const model = await loadChecked(read, { inputShape: [16, 16, 1], outputUnits: 8 });
    const sheet = await state(page, (s) => ({
      pixels: Array.from(s.explain.sheet.pixels as Uint8Array),
      predicted: s.explain.sheet.predicted as number[],
      n: s.explain.sheet.count as number,
    }));
    const x = tf.tidy(() => {
      const t = tf.tensor4d(sheet.pixels, [sheet.n, 16, 16, 1]).div(255);
      const mask = tf.concat([tf.zeros([1, 8, 16, 1]), tf.ones([1, 8, 16, 1])], 1); // lower half visible
      return t.mul(mask);
    });
    const p = model.predict(x) as tf.Tensor;
    const got = Array.from(await p.argMax(1).data());
    expect(got).toEqual(sheet.predicted.filter((_, i) => i % 5 === 2)); // panel 2: the student
    tf.dispose([x, p]);
    model.dispose();

    await page.click('[data-testid=tab-experiment]');
    await page.setInputFiles('[data-testid=model-files]', {
      name: 'student.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(zip),
    });
    await waitForState(page, (s) => s.models.pending === null && s.models.imported.length === 1, 30_000);
    const id = await state(page, (s) => s.models.imported[0].id as string);
    await page.selectOption('[data-testid=teacher-init]', id);
    expect(await state(page, (s) => s.experiment.config.teacherInit)).toBe(id);
    await page.setInputFiles('[data-testid=model-files]', {
      name: 'model.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"modelTopology": '),
    });
    await waitForState(page, (s) => s.models.pending === null && s.models.error, 30_000);
    expect(await page.textContent('[data-testid=model-message]')).toMatch(/^model\.json is not valid JSON/);
  });
});
