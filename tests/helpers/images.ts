// Test-only image fixtures: real encoded files made with sharp (Node), and a smooth synthetic face to encode.
// The pattern is smooth on purpose so lossy round trips stay within a few levels of the source.
import sharp from 'sharp';

/**
 * Encodes interleaved pixels as a real file; one channel gives a greyscale JPEG or PNG. `lossless` applies to WebP
 * only (VP8L instead of VP8); a lossy WebP with real transparency comes out as VP8X with an alpha chunk.
 */
export async function encodeImage(
  pixels: Uint8Array,
  w: number,
  h: number,
  channels: 1 | 3 | 4,
  format: 'jpeg' | 'png' | 'webp',
  quality = 90,
  options: { lossless?: boolean; progressive?: boolean } = {},
): Promise<Uint8Array> {
  let img = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: w, height: h, channels },
  });
  // Without this libvips writes one-band input as sRGB; a grey fixture should be a grey file (WebP has no grey mode).
  if (channels === 1) img = img.toColourspace('b-w');
  if (format === 'jpeg') img = img.jpeg({ quality, progressive: options.progressive ?? false });
  else if (format === 'png') img = img.png();
  else img = img.webp({ quality, lossless: options.lossless ?? false });
  // A copy into a plain Uint8Array: code under test must not come to rely on Buffer.
  return new Uint8Array(await img.toBuffer());
}

/** A deterministic face-like pattern: gradient background, a lit ellipse, darker eyes and mouth. */
export function fakeFace(w: number, h: number, channels: 1 | 3 | 4, seed: number): Uint8Array {
  // Seed-derived tints and offsets (a tiny LCG is enough for a handful of parameters).
  let s = (seed * 2654435761 + 12345) >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const bg = [40 + 80 * rnd(), 40 + 80 * rnd(), 40 + 80 * rnd()];
  const skin = [170 + 60 * rnd(), 120 + 60 * rnd(), 90 + 60 * rnd()];
  const cx = 0.5 + 0.06 * (rnd() - 0.5);
  const cy = 0.5 + 0.06 * (rnd() - 0.5);
  const rx = 0.32 + 0.06 * rnd();
  const ry = 0.42 + 0.06 * rnd();
  const out = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5) / w;
      const v = (y + 0.5) / h;
      // Soft-edged ellipse: 1 inside, 0 outside, a linear ramp across the border.
      const d = Math.hypot((u - cx) / rx, (v - cy) / ry);
      const face = Math.min(1, Math.max(0, (1.1 - d) / 0.2));
      const eye = (ex: number): number => Math.max(0, 1 - Math.hypot((u - ex) / 0.07, (v - (cy - 0.1)) / 0.045));
      const mouth = Math.max(0, 1 - Math.hypot((u - cx) / 0.14, (v - (cy + 0.2)) / 0.04));
      const shade = 1 - 0.6 * (eye(cx - 0.13) + eye(cx + 0.13)) - 0.4 * mouth;
      const rgb = [0, 1, 2].map((c) => {
        const back = bg[c] * (0.7 + 0.6 * u * v);
        return Math.round(Math.min(255, Math.max(0, back * (1 - face) + skin[c] * shade * face)));
      });
      const o = (y * w + x) * channels;
      if (channels === 1) out[o] = Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
      else {
        out[o] = rgb[0];
        out[o + 1] = rgb[1];
        out[o + 2] = rgb[2];
        if (channels === 4) out[o + 3] = 255;
      }
    }
  }
  return out;
}
