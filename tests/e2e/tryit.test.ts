// Try it in headless Chromium with a fake camera fed from a real face photograph (face-api's
// sample1.jpg, cut to a 640x480 webcam-like frame and written as a .y4m in a temporary folder): after a
// run of the demo's model layout (48x48 grey, `small` at width 0.25; trained briefly on a few synthetic
// faces, since the speed depends on the layout only), the face is found, the crops are 48x48, every
// model's prediction appears and updates, the rate is reported, the tensor count stays flat from frame
// to frame, the page's main thread stays responsive, Grad-CAM maps draw, freeze holds a frame, the
// snapshot saves `<run id>-tryit.png`, a photo from disk works, the camera stops when the panel is
// left, and nothing is requested outside the page's origin (the detector's weights come from it).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeAndCheck, launch, longTasks, openLab } from './helpers/browser';
import { labUrl, state, waitForRunEnd, waitForState } from './helpers/lab';
import { serveDist, type StaticServer } from './helpers/server';

const require = createRequire(import.meta.url);
const DEMO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const W = 640;
const H = 480;
const SHOT = process.env.TRYIT_SHOT; // where to save a screenshot of the panel

/** RGB bytes as one I420 frame (BT.601 full range, as the y4m's C420jpeg says). */
function i420(rgb: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 1.5);
  const u0 = w * h;
  const v0 = u0 + (w / 2) * (h / 2);
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let i = 0; i < w * h; i++) out[i] = clamp(0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]);
  for (let y = 0; y < h / 2; y++) {
    for (let x = 0; x < w / 2; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ]) {
        const p = 3 * ((2 * y + dy) * w + 2 * x + dx);
        r += rgb[p] / 4;
        g += rgb[p + 1] / 4;
        b += rgb[p + 2] / 4;
      }
      out[u0 + y * (w / 2) + x] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      out[v0 + y * (w / 2) + x] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return out;
}

/** A .y4m clip of `frames` copies of a 640x480 cut of sample1.jpg around one face. */
async function fakeCameraFile(dir: string, frames = 2): Promise<string> {
  const { data } = await sharp(join(DEMO, 'sample1.jpg'))
    .extract({ left: 1240, top: 120, width: W, height: H })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const frame = i420(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), W, H);
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`);
  const parts: Buffer[] = [header];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n'), Buffer.from(frame));
  const file = join(dir, 'face.y4m');
  await writeFile(file, Buffer.concat(parts));
  return file;
}

// The demo's model layout (demo-expression-lower: 48x48 grey, small x0.25), trained one epoch a stage
// on a few synthetic faces: the models are as large and as fast as the demo's.
const DEMO_LAYOUT = {
  dataset: { train: 64, val: 32, test: 32 },
  teacher: { epochs: 1 },
  student: { epochs: 1 },
  standard: { epochs: 1 },
  triplet: { epochs: 1 },
  evalBatchSize: 32,
};

let dir: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'odl-tryit-'));
  const y4m = await fakeCameraFile(dir);
  server = await serveDist();
  browser = await launch(false, [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${y4m}`,
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const attr = async (page: import('playwright-core').Page, sel: string, name: string) =>
  (await page.getAttribute(sel, name)) ?? '';

describe('Try it', () => {
  it('runs the teacher and the students live on a face from the camera, with maps, freeze, snapshot and a photo', async () => {
    const lab = await openLab(browser);
    const { page } = lab;
    // Every camera stream the page opens, to see that leaving the panel stops it.
    await lab.context.addInitScript(() => {
      const w = window as unknown as { __streams: MediaStream[] };
      w.__streams = [];
      const md = navigator.mediaDevices;
      if (!md) return;
      const get = md.getUserMedia.bind(md);
      md.getUserMedia = async (c) => {
        const s = await get(c);
        w.__streams.push(s);
        return s;
      };
    });
    try {
      const q = new URLSearchParams({
        preset: 'demo-expression-lower',
        config: JSON.stringify(DEMO_LAYOUT),
        backend: 'wasm',
      });
      await page.goto(`${server.origin}/?${q}`);
      await waitForState(page, (s) => s.worker.ready && s.datasets.list.length === 1, 120_000);
      await page.click('[data-testid=start]');
      expect(await waitForRunEnd(page, 170_000)).toBe('done');
      const runId = await state(page, (s) => s.run.runId as string);

      await page.click('[data-testid=tab-tryit]');
      await page.waitForSelector('[data-testid=tryit-rate]', { timeout: 60_000 });
      expect(await page.isVisible('[data-testid=tryit-synthetic]')).toBe(true);
      expect(await attr(page, '[data-testid=tryit-crop-full]', 'data-size')).toBe('48x48x1');
      const models = await page.locator('[data-testid=tryit-model]').count();
      expect(models).toBe(5); // teacher on the full and on the half face, student, standard T-S, triplet T-S

      // The camera, asked for on the click only.
      expect(await page.evaluate('window.__streams.length')).toBe(0);
      await page.click('[data-testid=tryit-camera]');
      await expect.poll(() => attr(page, '[data-testid=tryit-face]', 'data-found'), { timeout: 30_000 }).toBe('true');
      const since = (await page.evaluate('performance.now()')) as number;
      const frame0 = Number(await attr(page, '[data-testid=tryit-face]', 'data-frame'));
      const tensors0 = Number(await page.textContent('[data-testid=tryit-tensors]'));
      await page.waitForTimeout(6000);
      const frame1 = Number(await attr(page, '[data-testid=tryit-face]', 'data-frame'));
      const rate = Number(await attr(page, '[data-testid=tryit-rate]', 'data-rate'));
      const tensors1 = Number(await page.textContent('[data-testid=tryit-tensors]'));
      const tasks = await longTasks(page, since);
      const status = await page.textContent('[data-testid=tryit-status]');
      console.log(
        `Try it: ${rate.toFixed(1)} predictions/s, ${frame1 - frame0} frames in 6 s; longest main-thread task ${tasks[0]?.duration ?? 0} ms (${tasks.length} over 50 ms); ${status}`,
      );
      expect(frame1 - frame0, 'frames looked at in 6 s').toBeGreaterThan(12);
      expect(rate).toBeGreaterThan(2);
      expect(tensors1, 'tensors after a frame, frame after frame').toBe(tensors0);
      expect(await attr(page, '[data-testid=tryit-face]', 'data-found')).toBe('true');
      const preds = await page.locator('[data-testid=tryit-prediction]').allTextContents();
      expect(preds).toHaveLength(5);
      for (const p of preds)
        expect(p).toMatch(/^(neutral|happiness|surprise|sadness|anger|disgust|fear|contempt) \d+%$/);
      // The crops: 48x48 (shown 3x by CSS), not blank; the occluded one's upper half black (lower half visible).
      const crop = await page.locator('[data-testid=tryit-crop-full]').evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let min = 255,
          max = 0;
        for (let i = 0; i < d.length; i += 4) {
          min = Math.min(min, d[i]);
          max = Math.max(max, d[i]);
        }
        return { w: c.width, h: c.height, min, max };
      });
      expect(crop.w).toBe(48);
      expect(crop.h).toBe(48);
      expect(crop.max - crop.min).toBeGreaterThan(60);
      const halves = await page.locator('[data-testid=tryit-crop-occluded]').evaluate((c: HTMLCanvasElement) => {
        const ctx = c.getContext('2d')!;
        const sum = (y: number) => {
          const d = ctx.getImageData(0, y, c.width, c.height / 2).data;
          let s = 0;
          for (let i = 0; i < d.length; i += 4) s += d[i];
          return s;
        };
        return [sum(0), sum(c.height / 2)];
      });
      expect(halves[0]).toBe(0);
      expect(halves[1]).toBeGreaterThan(0);
      // The target is 50 ms (docs/results/benchmarks.md#try-it: measured on a quiet machine); on a shared, loaded one
      // every task stretches, so this guards against work per frame on the page's thread (the detector or a model
      // there would hold it for hundreds of milliseconds every frame).
      expect(tasks[0]?.duration ?? 0, 'longest main-thread task while the camera runs (ms)').toBeLessThan(500);

      // Grad-CAM maps, one per model, in colour.
      await page.check('[data-testid=tryit-cam]');
      await expect
        .poll(
          () =>
            page
              .locator('[data-testid=tryit-map]')
              .evaluateAll((cs) => cs.filter((c) => (c as HTMLCanvasElement).width === 48).length),
          { timeout: 20_000 },
        )
        .toBe(5);
      await page.waitForTimeout(1500);
      const colours = await page
        .locator('[data-testid=tryit-map]')
        .first()
        .evaluate((c: HTMLCanvasElement) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let coloured = 0;
          for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[i + 2]) > 30) coloured++;
          return coloured;
        });
      expect(colours).toBeGreaterThan(0);
      const camRate = Number(await attr(page, '[data-testid=tryit-rate]', 'data-rate'));
      console.log(
        `Try it with Grad-CAM maps: ${camRate.toFixed(1)} predictions/s; ${await page.textContent('[data-testid=tryit-status]')}`,
      );

      // Freeze: one frame held, nothing more sent.
      await page.click('[data-testid=tryit-freeze]');
      await page.waitForTimeout(800);
      const held = await attr(page, '[data-testid=tryit-face]', 'data-frame');
      await page.waitForTimeout(1200);
      expect(await attr(page, '[data-testid=tryit-face]', 'data-frame')).toBe(held);
      expect(await page.textContent('[data-testid=tryit-freeze]')).toBe('Go live again');
      if (SHOT) await page.locator('[data-testid=tryit-panel]').screenshot({ path: SHOT });
      const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=tryit-snapshot]')]);
      expect(png.suggestedFilename()).toBe(`${runId}-tryit.png`);
      const saved = PNG.sync.read(await readFile((await png.path())!));
      expect(saved.width).toBeGreaterThan(600);
      if (SHOT) await png.saveAs(SHOT.replace(/\.png$/, '-snapshot.png'));

      // A photo from disk (the whole group photo): the camera goes off, a face is found.
      await page.setInputFiles('[data-testid=tryit-photo]', join(DEMO, 'sample1.jpg'));
      await expect
        .poll(
          () => page.evaluate('window.__streams.every((s) => s.getTracks().every((t) => t.readyState === "ended"))'),
          { timeout: 10_000 },
        )
        .toBe(true);
      await expect.poll(() => attr(page, '[data-testid=tryit-face]', 'data-found'), { timeout: 30_000 }).toBe('true');
      expect(await page.isVisible('[data-testid=tryit-still]')).toBe(true);

      // Back to the camera, then leave the panel: the camera stops.
      await page.click('[data-testid=tryit-camera]');
      await expect.poll(() => page.evaluate('window.__streams.length'), { timeout: 10_000 }).toBe(2);
      await expect
        .poll(() => page.evaluate('window.__streams[1].getTracks().some((t) => t.readyState === "live")'), {
          timeout: 10_000,
        })
        .toBe(true);
      await page.click('[data-testid=tab-results]');
      await expect
        .poll(
          () => page.evaluate('window.__streams.every((s) => s.getTracks().every((t) => t.readyState === "ended"))'),
          { timeout: 10_000 },
        )
        .toBe(true);

      // The detector's weights came from the page's own origin.
      expect(server.served.some((p) => /tiny_face_detector_model.*\.bin$/.test(p))).toBe(true);
    } finally {
      await closeAndCheck(lab, server.origin);
    }
  });

  it('says so when camera permission is denied, and a photo still works', async () => {
    // Chromium answers every camera request with a denial (its fake permission UI set to deny).
    const denying = await launch(false, ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream=deny']);
    try {
      const lab = await openLab(denying);
      const { page } = lab;
      try {
        await page.goto(labUrl(server.origin, { backend: 'wasm' }));
        await waitForState(page, (s) => s.worker.ready && s.datasets.list.length === 1, 120_000);
        await page.click('[data-testid=start]');
        expect(await waitForRunEnd(page)).toBe('done');
        await page.click('[data-testid=tab-tryit]');
        await page.waitForSelector('[data-testid=tryit-camera]:not([disabled])', { timeout: 60_000 });
        await page.click('[data-testid=tryit-camera]');
        await expect
          .poll(() => page.textContent('[data-testid=tryit-camera-message]').catch(() => ''), { timeout: 15_000 })
          .toMatch(/^Camera permission was denied\./);
        expect(await page.textContent('[data-testid=tryit-camera]')).toBe('Turn the camera on');
        await page.setInputFiles('[data-testid=tryit-photo]', join(DEMO, 'sample1.jpg'));
        await expect.poll(() => attr(page, '[data-testid=tryit-face]', 'data-found'), { timeout: 30_000 }).toBe('true');
        expect(await attr(page, '[data-testid=tryit-crop-full]', 'data-size')).toBe('16x16x1');
        expect(await page.locator('[data-testid=tryit-prediction]').allTextContents()).toHaveLength(5);
      } finally {
        await closeAndCheck(lab, server.origin);
      }
    } finally {
      await denying.close();
    }
  });
});
