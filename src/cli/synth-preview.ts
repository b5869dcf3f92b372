// Writes a PNG grid of synthetic faces: one row per expression class, each face shown full, lower and
// upper (occluded as the lab does). Usage: npx tsx src/cli/synth-preview.ts [--out F] [--size N] [--seed S] [--channels 1|3]
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { occludeInPlace } from '../core/data/occlusion';
import { EXPRESSION_CLASSES, VISIBILITIES } from '../core/data/types';
import { generateFaces } from '../core/synth';

function parseArgs(argv: string[]): {
  out: string;
  size: number;
  seed: number;
  channels: 1 | 3;
  perClass: number;
  zoom: number;
} {
  const get = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
  };
  const channels = Number(get('channels', '1'));
  if (channels !== 1 && channels !== 3) throw new Error('--channels must be 1 or 3');
  const size = Number(get('size', '48'));
  return {
    out: get('out', 'docs/synth-preview.png'),
    size,
    seed: Number(get('seed', '1')),
    channels,
    perClass: Number(get('per-class', '4')),
    // Small faces are hard to see on screen: zoom them (nearest neighbour) to about 96 pixels.
    zoom: Number(get('zoom', String(Math.max(1, Math.round(96 / size))))),
  };
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  const k = EXPRESSION_CLASSES.length;
  // Generate a pool without label noise so every row shows what its class looks like.
  const pool = generateFaces({
    count: k * a.perClass * 6,
    seed: a.seed,
    height: a.size,
    width: a.size,
    channels: a.channels,
    labelNoise: 0,
  });
  const picks: number[][] = EXPRESSION_CLASSES.map(() => []);
  for (let i = 0; i < pool.count; i++) {
    const e = pool.latents.trueExpression[i];
    if (picks[e].length < a.perClass) picks[e].push(i);
  }

  const s = a.size;
  const z = a.zoom;
  const cell = s * z;
  const gapVis = 2; // between full / lower / upper of one face
  const gapFace = 10; // between faces
  const gapRow = 8;
  const faceW = 3 * cell + 2 * gapVis;
  const W = a.perClass * faceW + (a.perClass + 1) * gapFace;
  const H = k * cell + (k + 1) * gapRow;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);

  const imgLen = s * s * a.channels;
  for (let row = 0; row < k; row++) {
    picks[row].forEach((idx, col) => {
      VISIBILITIES.forEach((vis, v) => {
        const px = pool.pixels.slice(idx * imgLen, (idx + 1) * imgLen);
        occludeInPlace(px, 1, s, s, a.channels, vis);
        const x0 = gapFace + col * (faceW + gapFace) + v * (cell + gapVis);
        const y0 = gapRow + row * (cell + gapRow);
        for (let y = 0; y < cell; y++) {
          for (let x = 0; x < cell; x++) {
            const src = (Math.floor(y / z) * s + Math.floor(x / z)) * a.channels;
            const dst = ((y0 + y) * W + x0 + x) * 4;
            png.data[dst] = px[src];
            png.data[dst + 1] = px[src + (a.channels === 3 ? 1 : 0)];
            png.data[dst + 2] = px[src + (a.channels === 3 ? 2 : 0)];
            png.data[dst + 3] = 255;
          }
        }
      });
    });
  }
  writeFileSync(a.out, PNG.sync.write(png));
  console.log(`wrote ${a.out} (${W}x${H}): rows ${EXPRESSION_CLASSES.join(', ')}; each face full | lower | upper`);
}

main();
