// The layer editor's maths, apart from its component: edits of a custom layout (add, remove, move a conv
// block or a dense layer, change a field) as pure functions returning a new layout, and the live size
// line (trainable parameters, multiply-adds) from core's tfjs-free customLayoutSize.
import type { CustomConv, CustomLayout } from '../../core/models/spec';
import { customLayoutSize } from '../../core/models/customSize';

/** What a new layout starts as: the common tutorial net (the reference-cnn-28 preset's). */
export const STARTER_LAYOUT: CustomLayout = {
  convs: [
    { filters: 32, kernel: 3, stride: 1, padding: 'same', batchNorm: false, pool: 2 },
    { filters: 64, kernel: 3, stride: 1, padding: 'same', batchNorm: false, pool: 2 },
  ],
  dense: [128],
};

/** A block added after the last one: twice its filters, the same kind. */
export function addConv(l: CustomLayout): CustomLayout {
  const last = l.convs[l.convs.length - 1];
  const block: CustomConv = last
    ? { ...last, filters: Math.min(4096, last.filters * 2) }
    : { ...STARTER_LAYOUT.convs[0] };
  return { ...l, convs: [...l.convs, block] };
}

/** Removes block i (the last block cannot go: a custom net has at least one conv). */
export function removeConv(l: CustomLayout, i: number): CustomLayout {
  return l.convs.length <= 1 ? l : { ...l, convs: l.convs.filter((_, k) => k !== i) };
}

/** Moves block i by `by` places (−1 up, +1 down), within the list. */
export function moveConv(l: CustomLayout, i: number, by: -1 | 1): CustomLayout {
  const j = i + by;
  if (j < 0 || j >= l.convs.length) return l;
  const convs = l.convs.slice();
  [convs[i], convs[j]] = [convs[j], convs[i]];
  return { ...l, convs };
}

export function setConv<K extends keyof CustomConv>(
  l: CustomLayout,
  i: number,
  key: K,
  value: CustomConv[K],
): CustomLayout {
  return { ...l, convs: l.convs.map((b, k) => (k === i ? { ...b, [key]: value } : b)) };
}

/** A hidden dense layer inserted before the embedding (the last one stays the embedding). */
export function addDense(l: CustomLayout): CustomLayout {
  const d = l.dense;
  return { ...l, dense: [...d.slice(0, -1), d[d.length - 1] ?? 128, ...d.slice(-1)] };
}

export function removeDense(l: CustomLayout, i: number): CustomLayout {
  return l.dense.length <= 1 ? l : { ...l, dense: l.dense.filter((_, k) => k !== i) };
}

export function setDense(l: CustomLayout, i: number, units: number): CustomLayout {
  return { ...l, dense: l.dense.map((u, k) => (k === i ? units : u)) };
}

/** "421,384 trainable parameters · 4.24 M multiply-adds per image", or why the input is too small. */
export function sizeLine(
  l: CustomLayout,
  input: [number, number, number] | null,
  outputUnits: number,
  width: number,
  embeddingSize: number | null,
): string {
  if (!input) return 'sizes appear once the dataset’s image size is known';
  const s = customLayoutSize(l, input, outputUnits, width, embeddingSize);
  if (s.error !== null) return `${s.error} (input ${input[0]}x${input[1]}x${input[2]})`;
  const macs =
    s.macs >= 1e9
      ? `${(s.macs / 1e9).toFixed(2)} G`
      : s.macs >= 1e6
        ? `${(s.macs / 1e6).toFixed(2)} M`
        : `${(s.macs / 1e3).toFixed(1)} k`;
  const scaledBy = [width !== 1 ? `width × ${width}` : '', embeddingSize !== null ? `embedding ${embeddingSize}` : '']
    .filter(Boolean)
    .join(', ');
  return (
    `${s.trainableParams.toLocaleString('en-US')} trainable parameters · ${macs} multiply-adds per image · ` +
    `convs end at ${s.output.join('x')} (input ${input.join('x')}${scaledBy ? `; ${scaledBy} applied` : ''})`
  );
}
