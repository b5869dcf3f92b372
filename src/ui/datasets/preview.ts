// Drawing maths of the dataset preview: a sheet of images (bytes [n, h, w, c], grey or RGB) laid out in
// a grid, each pixel scaled up by an integer factor, as RGBA ready for ImageData. Pure, unit-testable.

export interface SheetLayout {
  cols: number;
  rows: number;
  scale: number;
  gap: number;
  width: number;
  height: number;
}

export function sheetLayout(count: number, h: number, w: number, cols: number, scale: number, gap = 2): SheetLayout {
  const c = Math.max(1, Math.min(cols, count));
  const rows = Math.max(1, Math.ceil(count / c));
  return {
    cols: c,
    rows,
    scale,
    gap,
    width: c * w * scale + (c - 1) * gap,
    height: rows * h * scale + (rows - 1) * gap,
  };
}

/** RGBA of the whole sheet; gaps are transparent. */
export function sheetPixels(
  pixels: Uint8Array,
  count: number,
  h: number,
  w: number,
  channels: number,
  layout: SheetLayout,
): Uint8ClampedArray {
  const { cols, scale, gap, width, height } = layout;
  const out = new Uint8ClampedArray(width * height * 4);
  const imgLen = h * w * channels;
  for (let i = 0; i < count; i++) {
    const ox = (i % cols) * (w * scale + gap);
    const oy = Math.floor(i / cols) * (h * scale + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = i * imgLen + (y * w + x) * channels;
        const r = pixels[src];
        const g = channels === 3 ? pixels[src + 1] : r;
        const b = channels === 3 ? pixels[src + 2] : r;
        for (let dy = 0; dy < scale; dy++) {
          let dst = ((oy + y * scale + dy) * width + ox + x * scale) * 4;
          for (let dx = 0; dx < scale; dx++, dst += 4) {
            out[dst] = r;
            out[dst + 1] = g;
            out[dst + 2] = b;
            out[dst + 3] = 255;
          }
        }
      }
    }
  }
  return out;
}

/** An integer scale that makes an image about `target` pixels wide. */
export function previewScale(w: number, target = 64): number {
  return Math.max(1, Math.round(target / w));
}
