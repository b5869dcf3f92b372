// The custom architecture in the page (headless Chromium): choosing `custom` shows the layer editor, which
// starts from the tutorial CNN, shows its size at the dataset's image size, adds, reorders and removes
// blocks with the size following; then a tiny run trains the custom net and Grad-CAM draws its maps.
import { describe, expect, it } from 'vitest';
import { labSuite } from './helpers/browser';
import { drawFirstMaps, labUrl, state, TINY, waitForRunEnd, waitForState } from './helpers/lab';

const suite = labSuite(false);

describe('layer editor', () => {
  it('edits a custom network, shows its size live, and the run trains it', async () => {
    const { page } = await suite.open();
    // The tiny fixture at width 1 and the architecture's own embedding, so the editor's filters are the model's.
    await page.goto(
      labUrl(suite.origin(), {
        backend: 'wasm',
        config: JSON.stringify({ ...TINY, model: { width: 1, embeddingSize: null } }),
      }),
    );
    await waitForState(page, (s) => s.worker.ready && s.datasets.list.length === 1);
    await page.click('[data-testid=advanced] > summary');
    await page.selectOption('[id="f-model.arch"]', 'custom');
    // No layers yet: the config says so, and the editor offers the tutorial CNN.
    expect(await state(page, (s) => s.experiment.errors.map((e: { field: string }) => e.field))).toContain(
      'model.custom',
    );
    await page.click('[data-testid=layers-start]');
    expect(await page.locator('[data-testid=conv-block]').count()).toBe(2);
    // The fixture's 16x16 grey faces, 8 classes: conv 320 + 18,496; 4·4·64·128 + 128 = 131,200; 128·8 + 8.
    const size = page.locator('[data-testid=layer-size]');
    expect(await size.textContent()).toBe(
      '151,048 trainable parameters · 1.39 M multiply-adds per image · convs end at 4x4x64 (input 16x16x1)',
    );
    await page.click('[data-testid=layers-add-conv]');
    expect(await page.locator('[data-testid=conv-block]').count()).toBe(3);
    // 16 → 8 → 4 → 2: conv 128 adds 9·64·128 + 128 = 73,856 and the embedding takes 2·2·128·128 + 128 = 65,664.
    expect(await size.textContent()).toMatch(/^159,368 trainable parameters .* convs end at 2x2x128/);
    await page.click('[aria-label="move block 3 up"]');
    expect(
      await state(page, (s) => s.experiment.config.model.custom.convs.map((b: { filters: number }) => b.filters)),
    ).toEqual([32, 128, 64]);
    await page.click('[aria-label="remove block 2"]');
    await page.check('[aria-label="block 1 batch norm"]');
    expect(await state(page, (s) => s.experiment.config.model.custom)).toEqual({
      convs: [
        { filters: 32, kernel: 3, stride: 1, padding: 'same', batchNorm: true, pool: 2 },
        { filters: 64, kernel: 3, stride: 1, padding: 'same', batchNorm: false, pool: 2 },
      ],
      dense: [128],
    });
    expect(await state(page, (s) => s.experiment.errors)).toEqual([]);
    // A pool the map cannot take is named on the block, before any run.
    await page.selectOption('[aria-label="block 2 pooling"]', '4');
    await page.fill('[aria-label="block 2 kernel"]', '9');
    await page.selectOption('[aria-label="block 2 padding"]', 'valid');
    expect(await size.textContent()).toMatch(/^block 2: the map is 8x8 there, too small for a 9x9 'valid' conv/);
    expect(await state(page, (s) => s.experiment.errors.map((e: { field: string }) => e.field))).toEqual([
      'model.custom',
    ]);
    await page.selectOption('[aria-label="block 2 padding"]', 'same');
    await page.fill('[aria-label="block 2 kernel"]', '3');
    await page.selectOption('[aria-label="block 2 pooling"]', '2');
    expect(await state(page, (s) => s.experiment.errors)).toEqual([]);

    await page.click('[data-testid=start]');
    expect(await waitForRunEnd(page)).toBe('done');
    expect(await drawFirstMaps(page)).toBe(5);
  });
});
