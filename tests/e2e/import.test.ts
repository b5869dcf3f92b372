// Dataset import through the page in headless Chromium: FER2013 + FER+ votes from the file picker, a
// UTKFace .tar.gz dropped on the page then trained on (wasm), a class-folder .zip, a chosen folder, and
// a cancelled import leaving nothing half-written behind. (A full quota is tested in Node on the same
// builder: Chromium's DevTools quota override did not limit these writes here.) Fixtures are made here;
// nothing leaves the page's origin.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { gzip, makeTar, makeZip, type ArchiveFile } from '../helpers/archives';
import { encodeImage, fakeFace } from '../helpers/images';
import { labSuite } from './helpers/browser';
import { labUrl, state, waitForRunEnd, waitForState } from './helpers/lab';

const suite = labSuite(false);

const pixels = (seed: number, side = 48) =>
  Array.from({ length: side * side }, (_, i) => (i * 3 + seed * 11) % 256).join(' ');
const csvFile = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

async function open(extra: Record<string, string> = {}): Promise<Page> {
  const { page } = await suite.open();
  await page.goto(labUrl(suite.origin(), { backend: 'wasm', ...extra }));
  await waitForState(page, (s) => s.worker.ready && s.datasets.list.length === 1);
  await page.click('[data-testid=tab-datasets]');
  return page;
}

/** Sets the size and channels of the planned import, starts it, waits for its end; returns the status. */
async function runImport(page: Page, size: number, channels: 1 | 3): Promise<string> {
  await page.waitForSelector('[data-testid=import-options]');
  await page.fill('[data-testid=import-size]', String(size));
  await page.selectOption('[data-testid=import-channels]', String(channels));
  await page.click('[data-testid=import-start]');
  await waitForState(page, (s) => s.imports.job === null && s.imports.last !== null, 60_000);
  return page.getAttribute('[data-testid=import-result]', 'data-status') as Promise<string>;
}

async function utkArchive(n: number): Promise<ArchiveFile[]> {
  const files: ArchiveFile[] = [];
  for (let i = 0; i < n; i++) {
    files.push({
      name: `UTKFace/${12 + (i % 40)}_${i % 2}_${i % 5}_20170116174525${String(i).padStart(3, '0')}.jpg.chip.jpg`,
      data: await encodeImage(fakeFace(64, 64, 3, i), 64, 64, 3, 'jpeg'),
    });
  }
  files.push({ name: 'UTKFace/53__0_20170116184028385.jpg.chip.jpg', data: files[0].data });
  return files;
}

describe('dataset import in the page', () => {
  it('FER2013 with FER+ votes from the file picker: splits from Usage, 8 classes, rejected rows listed by line', async () => {
    const page = await open();
    const rows = [
      'emotion,pixels,Usage',
      `3,${pixels(1)},Training`,
      `3,${pixels(2)},Training`,
      `6,${pixels(3)},PublicTest`,
      `0,${pixels(4)},PrivateTest`,
      `0,1 2 3,Training`,
    ];
    const votes = [
      'Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF',
      'Training,a.png,0,10,0,0,0,0,0,0,0,0',
      'Training,b.png,0,0,0,0,0,0,0,9,1,0',
      'PublicTest,c.png,10,0,0,0,0,0,0,0,0,0',
      'PrivateTest,d.png,0,0,0,0,0,0,0,0,0,10',
      'Training,e.png,10,0,0,0,0,0,0,0,0,0',
    ];
    await page.setInputFiles('[data-testid=import-files]', [
      csvFile('fer2013.csv', `\uFEFF${rows.join('\r\n')}\r\n`),
      csvFile('fer2013new.csv', votes.join('\n')),
    ]);
    expect(await runImport(page, 48, 1)).toBe('done');
    const rep = await state(page, (s) => s.imports.last.report);
    expect(rep.format).toBe('ferplus');
    expect([rep.splits.train.count, rep.splits.val.count, rep.splits.test.count]).toEqual([2, 1, 0]);
    expect(rep.splits.train.classCounts.expression).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    expect(rep.rejected).toEqual([
      { where: 'fer2013.csv line 5', reason: 'FER+: voted not a face' },
      { where: 'fer2013.csv line 6', reason: '3 pixels, expected 2304 (48x48, the size of 4 of the first 5 rows)' },
    ]);
    expect(await page.textContent('[data-testid=import-rejected]')).toBe('2 rejected');
    // The stored dataset becomes the experiment's; the synthetic one is untouched.
    await page.click('[data-testid=import-use]');
    expect(
      await state(page, (s) => [s.experiment.config.dataset.source, s.experiment.config.task, s.datasets.list.length]),
    ).toEqual(['stored', 'expression', 2]);
  });

  it('a UTKFace .tar.gz dropped on the page imports with a report, then trains to the end on wasm', async () => {
    const page = await open();
    const archive = gzip(makeTar(await utkArchive(48)));
    await page.evaluate(
      ([b64]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'UTKFace.tar.gz', { type: 'application/gzip' }));
        document
          .querySelector('[data-testid=import-drop]')!
          .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      [Buffer.from(archive).toString('base64')],
    );
    expect(await runImport(page, 16, 1)).toBe('done');
    const rep = await state(page, (s) => s.imports.last.report);
    expect(rep.format).toBe('utkface');
    expect(rep.images).toBe(48);
    expect(rep.rejected).toEqual([
      {
        where: 'UTKFace/53__0_20170116184028385.jpg.chip.jpg',
        reason: 'gender is missing (expected [age]_[gender]_[race]_[date].jpg.chip.jpg)',
      },
    ]);
    await page.click('[data-testid=import-use]');
    expect(await state(page, (s) => s.experiment.config.task)).toBe('gender');
    await waitForState(page, (s) => s.experiment.errors.length === 0);
    await page.click('[data-testid=start]');
    expect(await waitForRunEnd(page)).toBe('done');
    const rows = await state(page, (s) =>
      s.run.rows.map((r: { model: string; test: string }) => `${r.model}:${r.test}`),
    );
    expect(rows).toContain('student:lower');
  });

  it('a class-folder .zip and a chosen folder: split folders kept, classes from folder names, non-images rejected', async () => {
    const page = await open();
    const files: ArchiveFile[] = [];
    let k = 0;
    for (const split of ['train', 'test']) {
      for (const cls of ['happy', 'angry']) {
        for (let i = 0; i < 3; i++)
          files.push({
            name: `fer/${split}/${cls}/${i}.png`,
            data: await encodeImage(fakeFace(30, 30, 1, k++), 30, 30, 1, 'png'),
          });
      }
    }
    files.push({ name: 'fer/train/happy/notes.txt', data: new TextEncoder().encode('x') });
    await page.setInputFiles('[data-testid=import-files]', [
      { name: 'fer.zip', mimeType: 'application/zip', buffer: Buffer.from(makeZip(files, { method: 8 })) },
    ]);
    expect(await runImport(page, 24, 1)).toBe('done');
    let rep = await state(page, (s) => s.imports.last.report);
    expect([rep.splits.train.count, rep.splits.val.count, rep.splits.test.count]).toEqual([6, 0, 6]);
    expect(rep.splits.train.classCounts.expression).toEqual([0, 3, 0, 0, 3, 0, 0, 0]);
    expect(rep.rejected).toEqual([{ where: 'fer/train/happy/notes.txt', reason: 'not an image file' }]);

    const dir = await mkdtemp(join(tmpdir(), 'odl-e2e-folder-'));
    for (const [cls, n] of [
      ['male', 4],
      ['female', 5],
    ] as const) {
      await mkdir(join(dir, 'people', cls), { recursive: true });
      for (let i = 0; i < n; i++)
        await writeFile(
          join(dir, 'people', cls, `${i}.webp`),
          await encodeImage(fakeFace(20, 28, 3, i), 20, 28, 3, 'webp'),
        );
    }
    await page.click('[data-testid=import-dismiss]');
    await page.setInputFiles('[data-testid=import-folder]', join(dir, 'people'));
    expect(await runImport(page, 16, 3)).toBe('done');
    rep = await state(page, (s) => s.imports.last.report);
    expect(rep.tasks).toEqual(['gender']);
    expect(rep.images).toBe(9);
    const list = await state(page, (s) =>
      s.datasets.list.map((d: { channels: number; height: number }) => `${d.height}x${d.channels}`),
    );
    expect(list).toEqual(['16x1', '24x1', '16x3']);
  });

  it('a cancelled import leaves nothing half-written, and the other datasets untouched', async () => {
    const page = await open();
    const bigDir = await mkdtemp(join(tmpdir(), 'odl-e2e-big-'));
    const big = join(bigDir, 'fer2013.csv');
    await writeFile(
      big,
      ['emotion,pixels,Usage', ...Array.from({ length: 12000 }, (_, i) => `${i % 7},${pixels(i)},Training`)].join('\n'),
    );
    await page.setInputFiles('[data-testid=import-files]', big);
    await page.waitForSelector('[data-testid=import-options]');
    await page.click('[data-testid=import-start]');
    await waitForState(page, (s) => (s.imports.job?.progress?.images ?? 0) > 600, 30_000);
    // The progress line re-renders every 200 ms; click the button itself rather than a point on screen.
    await page.locator('[data-testid=import-cancel]').dispatchEvent('click');
    await waitForState(page, (s) => s.imports.job === null);
    expect(await page.getAttribute('[data-testid=import-result]', 'data-status')).toBe('cancelled');
    const stored = async () =>
      page.evaluate(
        () =>
          new Promise<string[]>((resolve, reject) => {
            const req = indexedDB.open('occlusion-distillation-lab');
            req.onsuccess = () => {
              const get = req.result.transaction('datasets').objectStore('datasets').getAll();
              get.onsuccess = () => {
                resolve(
                  get.result.map((d: { id: string; complete: boolean }) => `${d.id.split('-')[0]}:${d.complete}`),
                );
                req.result.close();
              };
              get.onerror = () => reject(get.error);
            };
            req.onerror = () => reject(req.error);
          }),
      );
    expect(await stored()).toEqual(['synth:true']);
  });
});
