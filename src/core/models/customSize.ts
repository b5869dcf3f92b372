// The size of a custom layout (trainable parameters, forward multiply-adds per image) by plain arithmetic,
// free of tfjs so the page's layer editor can show it live on every edit. A test holds it equal to the
// CountGraph walk of the real layout (modelSize), so the two cannot drift apart.
import { scaled, type CustomLayout } from './spec';

export type CustomSize =
  | { trainableParams: number; macs: number; output: [number, number, number]; error: null }
  | { trainableParams: null; macs: null; output: null; error: string };

/** Output side of a window over `d` (tfjs and PyTorch floor arithmetic; 'same' pads to ceil(d / s)). */
export function outSide(d: number, k: number, s: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(d / s) : Math.floor((d - k) / s) + 1;
}

/**
 * @param inputShape [h, w, c] of one image
 * @param outputUnits classes (1 for regression)
 * @param width the width multiplier on every filter and unit count; `embeddingSize` overrides the last dense
 */
export function customLayoutSize(
  layout: CustomLayout, inputShape: [number, number, number], outputUnits: number, width = 1, embeddingSize: number | null = null,
): CustomSize {
  let [h, w, ch] = inputShape;
  let params = 0;
  let macs = 0;
  for (let i = 0; i < layout.convs.length; i++) {
    const b = layout.convs[i];
    const f = scaled(b.filters, width);
    if (b.padding === 'valid' && (h < b.kernel || w < b.kernel)) {
      return { trainableParams: null, macs: null, output: null, error: `block ${i + 1}: the map is ${h}x${w} there, too small for a ${b.kernel}x${b.kernel} 'valid' conv` };
    }
    const oh = outSide(h, b.kernel, b.stride, b.padding);
    const ow = outSide(w, b.kernel, b.stride, b.padding);
    const weights = b.kernel * b.kernel * ch * f;
    macs += oh * ow * weights;
    params += weights + (b.batchNorm ? 2 * f : f);
    [h, w, ch] = [oh, ow, f];
    if (b.pool > 0) {
      if (h < b.pool || w < b.pool) {
        return { trainableParams: null, macs: null, output: null, error: `block ${i + 1}: the map is ${h}x${w} after the conv, too small for a ${b.pool}x${b.pool} pool` };
      }
      h = Math.floor(h / b.pool);
      w = Math.floor(w / b.pool);
    }
  }
  const output: [number, number, number] = [h, w, ch];
  let n = h * w * ch;
  const units = layout.dense.map((u, i) => (i === layout.dense.length - 1 && embeddingSize !== null ? embeddingSize : scaled(u, width)));
  for (const u of [...units, outputUnits]) {
    macs += n * u;
    params += n * u + u;
    n = u;
  }
  return { trainableParams: params, macs, output, error: null };
}
