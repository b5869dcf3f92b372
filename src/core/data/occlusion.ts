// Occlusion as docs/method.md#problem-and-notation defines it: the hidden half of the face is set to zero.
// The split row is floor(height / 2): rows [0, split) are the upper half, rows [split, height) the
// lower half. For an odd height the middle row therefore belongs to the lower half.
import type { Visibility } from './types';

/** The other half: what the scenario's occluder hides (the student on the other half, the lessons). */
export function otherHalf(v: Exclude<Visibility, 'full'>): Exclude<Visibility, 'full'> {
  return v === 'lower' ? 'upper' : 'lower';
}

/** First row of the lower half. Odd heights: the middle row is part of the lower half. */
export function splitRow(height: number): number {
  return Math.floor(height / 2);
}

/** Rows [start, end) that are zeroed for a visibility; empty for `full`. */
export function hiddenRows(height: number, visibility: Visibility): [number, number] {
  const s = splitRow(height);
  if (visibility === 'lower') return [0, s]; // VR headset: upper half hidden
  if (visibility === 'upper') return [s, height]; // surgical mask: lower half hidden
  return [0, 0];
}

/**
 * Zeroes the hidden half of every image in place.
 * @param pixels row-major [count, height, width, channels] (bytes or floats)
 */
export function occludeInPlace<T extends Uint8Array | Float32Array>(
  pixels: T,
  count: number,
  height: number,
  width: number,
  channels: number,
  visibility: Visibility,
): T {
  const [r0, r1] = hiddenRows(height, visibility);
  if (r1 <= r0) return pixels;
  const rowLen = width * channels;
  const imgLen = height * rowLen;
  for (let i = 0; i < count; i++) pixels.fill(0, i * imgLen + r0 * rowLen, i * imgLen + r1 * rowLen);
  return pixels;
}

/** Returns an occluded copy; the input is untouched. */
export function occluded<T extends Uint8Array | Float32Array>(
  pixels: T,
  count: number,
  height: number,
  width: number,
  channels: number,
  visibility: Visibility,
): T {
  return occludeInPlace(pixels.slice() as T, count, height, width, channels, visibility);
}

/** A [height] mask of 0/1 per row (1 = visible), used to occlude tensors by multiplication. */
export function rowMask(height: number, visibility: Visibility): Float32Array {
  const m = new Float32Array(height).fill(1);
  const [r0, r1] = hiddenRows(height, visibility);
  m.fill(0, r0, r1);
  return m;
}
