// The Try it path from a frame to a model input, against the importers: a face of a real photograph
// (face-api's sample1.jpg, decoded by sharp) cut and converted for a FER2013 run gives exactly what the
// FER importer stores for that face's 48x48 row; for a photo run it agrees with the Node importer's own
// decode of the same square; the hidden half is the one training hides and an exported model's lab.json
// names; the square follows the framing and stays inside the frame.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  cropFace,
  faceInput,
  faceSquare,
  framingOf,
  FRAMINGS,
  shrinkRgb,
  softmax,
} from '../../../src/core/data/faceCrop';
import { FER_SIDE } from '../../../src/core/data/formats/fer';
import { resizeImage, toChannels, type Box } from '../../../src/core/data/formats/pixels';
import { occluded } from '../../../src/core/data/occlusion';
import { runImport } from '../../../src/platform/import/run';
import { nodeImportPlatform } from '../../../src/platform/node/importFiles';
import { memoryStorage } from '../../../src/platform/memoryStorage';
import { loadSplits } from '../../../src/platform/datasets';
import { labInfo } from '../../../src/platform/models/bundle';
import { makeConfig } from '../../../src/core/config/config';
import { PRESETS } from '../../../src/core/config/presets';

const require = createRequire(import.meta.url);
const SAMPLE = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');

async function photo(): Promise<{ rgba: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(await readFile(SAMPLE))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/** A square of the photo (its size a multiple of 48, so a 48x48 row is exact block means). */
function squareIn(w: number, h: number): Box {
  const side = Math.floor(Math.min(w, h) / 2 / FER_SIDE) * FER_SIDE;
  return { x: Math.floor((w - side) / 2), y: Math.floor((h - side) / 3), w: side, h: side };
}

function memSource(name: string, text: string) {
  const b = new TextEncoder().encode(text);
  return {
    name,
    size: b.length,
    async *stream() {
      yield b;
    },
    read: async (o: number, l: number) => b.slice(o, o + l),
  };
}

const opts = (o: { height: number; width: number; channels: 1 | 3 }) => ({
  name: 't',
  seed: 1,
  split: [60, 20, 20] as [number, number, number],
  ...o,
});

describe('faceSquare', () => {
  it('is margin × the larger side of the box, centred (shifted down by `down`), in whole pixels', () => {
    expect(faceSquare({ x: 100, y: 80, w: 60, h: 80 }, 640, 480, 1.5)).toEqual({ x: 70, y: 60, w: 120, h: 120 });
    expect(faceSquare({ x: 100, y: 80, w: 60, h: 80 }, 640, 480, 1.5, 0.25)).toEqual({ x: 70, y: 80, w: 120, h: 120 });
  });
  it('slides back inside the frame at an edge and shrinks to the shorter side when too large', () => {
    expect(faceSquare({ x: 0, y: 0, w: 50, h: 50 }, 640, 480, 2)).toEqual({ x: 0, y: 0, w: 100, h: 100 });
    expect(faceSquare({ x: 600, y: 440, w: 40, h: 40 }, 640, 480, 2)).toEqual({ x: 560, y: 400, w: 80, h: 80 });
    expect(faceSquare({ x: 100, y: 100, w: 400, h: 400 }, 640, 480, 2)).toEqual({ x: 60, y: 0, w: 480, h: 480 });
    expect(() => faceSquare({ x: 0, y: 0, w: 0, h: 10 }, 640, 480, 1)).toThrow(RangeError);
  });
  it('FER framing is the tightest; each import format has its framing', () => {
    expect(framingOf('fer2013')).toBe('fer');
    expect(framingOf('ferplus')).toBe('fer');
    expect(framingOf('utkface')).toBe('utkface');
    expect(framingOf('folder')).toBe('folder');
    expect(framingOf(null)).toBe('synth');
    expect(Math.min(...Object.values(FRAMINGS).map((f) => f.margin))).toBe(FRAMINGS.fer.margin);
  });
});

describe('cropFace against the importers', () => {
  it('FER: the 48x48 grey row is the area mean of the square in ITU-R 601 grey (within rounding)', async () => {
    const { rgba, width, height } = await photo();
    const sq = squareIn(width, height);
    const row = cropFace(rgba, width, height, sq, { height: 48, width: 48, channels: 1 }, 'fer');
    expect(row.length).toBe(48 * 48);
    // A slow reference: every output pixel the mean of its k x k block, grey of the mean, rounded once.
    const k = sq.w / 48;
    let worst = 0;
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 48; x++) {
        const sum = [0, 0, 0];
        for (let j = 0; j < k; j++)
          for (let i = 0; i < k; i++) {
            const p = ((sq.y + y * k + j) * width + sq.x + x * k + i) * 4;
            for (let c = 0; c < 3; c++) sum[c] += rgba[p + c];
          }
        const grey = Math.round((0.299 * sum[0] + 0.587 * sum[1] + 0.114 * sum[2]) / (k * k));
        worst = Math.max(worst, Math.abs(grey - row[y * 48 + x]));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('FER: for any run size and channels, exactly what the FER importer stores for that row', async () => {
    const { rgba, width, height } = await photo();
    const sq = squareIn(width, height);
    const row = cropFace(rgba, width, height, sq, { height: 48, width: 48, channels: 1 }, 'fer');
    const csv = `emotion,pixels,Usage\n3,${Array.from(row).join(' ')},Training\n`;
    for (const target of [
      { height: 48, width: 48, channels: 1 as const },
      { height: 32, width: 32, channels: 3 as const },
      { height: 64, width: 64, channels: 1 as const },
    ]) {
      const storage = memoryStorage();
      const out = await runImport(
        { kind: 'csv', images: memSource('fer2013.csv', csv), votes: null },
        'fer2013',
        opts(target),
        storage,
        nodeImportPlatform,
        {},
      );
      if (out.status !== 'done') throw new Error(out.message);
      const { data } = await loadSplits(storage, out.meta.id);
      const live = cropFace(rgba, width, height, sq, target, 'fer');
      expect(live.length).toBe(target.height * target.width * target.channels);
      expect(Array.from(live)).toEqual(Array.from(data.train.pixels));
    }
  });

  it('photos (UTKFace, folders): close to the Node importer decoding the same square as a file', async () => {
    const { rgba, width, height } = await photo();
    const sq = squareIn(width, height);
    const png = await sharp(Buffer.from(rgba), { raw: { width, height, channels: 4 } })
      .extract({ left: sq.x, top: sq.y, width: sq.w, height: sq.h })
      .png()
      .toBuffer();
    for (const target of [
      { height: 48, width: 48, channels: 3 as const },
      { height: 64, width: 64, channels: 1 as const },
    ]) {
      const imported = await nodeImportPlatform.decode(new Uint8Array(png), target);
      const live = cropFace(rgba, width, height, sq, target, 'utkface');
      expect(live.length).toBe(imported.length);
      let sum = 0;
      for (let i = 0; i < live.length; i++) sum += Math.abs(live[i] - imported[i]);
      // sharp resamples with another kernel (lanczos) than the lab's area mean: a grey level or two apart.
      expect(sum / live.length).toBeLessThan(3);
      // And exactly the area mean plus toChannels, the importer's own functions.
      expect(Array.from(live)).toEqual(
        Array.from(
          toChannels(
            resizeImage(rgba, width, height, 4, target.width, target.height, sq),
            target.width * target.height,
            4,
            target.channels,
          ),
        ),
      );
    }
  });
});

describe('faceInput', () => {
  it('is bytes / 255 with the scenario’s half zeroed, the rows an exported model’s lab.json names', async () => {
    const { rgba, width, height } = await photo();
    const sq = squareIn(width, height);
    const t = { height: 17, width: 16, channels: 3 as const }; // odd height: the middle row belongs to the lower half
    const crop = cropFace(rgba, width, height, sq, t, 'folder');
    for (const v of ['full', 'lower', 'upper'] as const) {
      const x = faceInput(crop, t, v);
      const ref = occluded(crop, 1, t.height, t.width, t.channels, v);
      expect(Array.from(x)).toEqual(Array.from(Float32Array.from(ref, (b) => b * (1 / 255))));
      if (v === 'full') continue;
      const info = labInfo({
        name: 'm',
        stage: 'student',
        config: makeConfig(PRESETS['fixture-tiny']),
        classNames: [],
        visibility: v,
        rows: [],
        ...t,
      });
      const [r0, r1] = info.preprocessing.hiddenRows!;
      const rowLen = t.width * t.channels;
      expect(x.subarray(r0 * rowLen, r1 * rowLen).every((p) => p === 0)).toBe(true);
      expect(x.subarray(0, r0 * rowLen).some((p) => p > 0) || r0 === 0).toBe(true);
      expect(x.subarray(r1 * rowLen).some((p) => p > 0) || r1 === t.height).toBe(true);
    }
  });

  it('softmax turns logits into probabilities that sum to 1, stable for large logits', () => {
    const p = softmax([1000, 1000 + Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
    expect(softmax([0, 0, 0, 0]).every((v) => v === 0.25)).toBe(true);
  });
});

describe("shrinkRgb (the detector's small copy)", () => {
  it('averages factor x factor blocks into RGB floats, alpha dropped, partial edges dropped', () => {
    // 5x3 RGBA: pixel (x, y) = [10x, 20y, x + y, 255].
    const w = 5,
      h = 3;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set([10 * x, 20 * y, x + y, 255], (y * w + x) * 4);
    const s = shrinkRgb(rgba, w, h, 2);
    expect([s.width, s.height]).toEqual([2, 1]);
    // Block (0..1, 0..1): R mean 5, G mean 10, B mean 1; block (2..3, 0..1): 25, 10, 3.
    expect(Array.from(s.rgb)).toEqual([5, 10, 1, 25, 10, 3]);
    expect(Array.from(shrinkRgb(rgba, w, h, 1).rgb.subarray(0, 6))).toEqual([0, 0, 0, 10, 0, 1]);
    expect(() => shrinkRgb(rgba, w, h, 0)).toThrow(RangeError);
  });
});
