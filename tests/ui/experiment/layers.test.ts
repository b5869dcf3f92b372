// The layer editor's edits as pure functions (the layout is never modified in place) and its live size
// line, against the hand count of the tutorial net.
import { describe, expect, it } from 'vitest';
import { customLayoutError } from '../../../src/core/models/spec';
import {
  addConv,
  addDense,
  moveConv,
  removeConv,
  removeDense,
  setConv,
  setDense,
  sizeLine,
  STARTER_LAYOUT,
} from '../../../src/ui/experiment/layers';

describe('layer edits', () => {
  it('add, remove, reorder conv blocks; the input layout is untouched; the result stays valid', () => {
    const frozen = structuredClone(STARTER_LAYOUT);
    const three = addConv(STARTER_LAYOUT);
    expect(three.convs.map((b) => b.filters)).toEqual([32, 64, 128]);
    expect(STARTER_LAYOUT).toEqual(frozen);
    const moved = moveConv(three, 2, -1);
    expect(moved.convs.map((b) => b.filters)).toEqual([32, 128, 64]);
    expect(moveConv(three, 0, -1)).toBe(three); // nothing above the first
    expect(moveConv(three, 2, 1)).toBe(three);
    expect(removeConv(moved, 0).convs.map((b) => b.filters)).toEqual([128, 64]);
    const one = removeConv(STARTER_LAYOUT, 1);
    expect(removeConv(one, 0)).toBe(one); // the last block stays
    const bn = setConv(STARTER_LAYOUT, 1, 'batchNorm', true);
    expect(bn.convs.map((b) => b.batchNorm)).toEqual([false, true]);
    for (const l of [three, moved, one, bn]) expect(customLayoutError(l)).toBeNull();
  });

  it('dense layers: a new one goes before the embedding, which stays last', () => {
    const two = addDense(STARTER_LAYOUT);
    expect(two.dense).toEqual([128, 128]);
    const edited = setDense(two, 0, 256);
    expect(edited.dense).toEqual([256, 128]);
    expect(removeDense(edited, 0).dense).toEqual([128]);
    expect(removeDense(STARTER_LAYOUT, 0)).toBe(STARTER_LAYOUT);
  });
});

describe('size line', () => {
  it('the tutorial net at 28x28x1 with 8 classes: 421,384 parameters, 4.24 M multiply-adds', () => {
    // conv 320 + 18,496; dense 3,136·128 + 128 = 401,536; logits 128·8 + 8 = 1,032.
    expect(sizeLine(STARTER_LAYOUT, [28, 28, 1], 8, 1, null)).toBe(
      '421,384 trainable parameters · 4.24 M multiply-adds per image · convs end at 7x7x64 (input 28x28x1)',
    );
  });
  it('names the width multiplier and embedding size it applied (fixture-tiny: width 1/4, embedding 16)', () => {
    // Filters 8, 16: conv 80 + 1,168; 4·4·16 = 256 → 16: 4,112; logits 16·8 + 8 = 136.
    expect(sizeLine(STARTER_LAYOUT, [16, 16, 1], 8, 0.25, 16)).toBe(
      '5,496 trainable parameters · 96.4 k multiply-adds per image · convs end at 4x4x16 (input 16x16x1; width × 0.25, embedding 16 applied)',
    );
  });
  it('says why when the input is too small, and waits for an unknown input size', () => {
    const big = { ...STARTER_LAYOUT, convs: [...STARTER_LAYOUT.convs, { ...STARTER_LAYOUT.convs[0], pool: 8 }] };
    expect(sizeLine(big, [28, 28, 1], 8, 1, null)).toBe(
      'block 3: the map is 7x7 after the conv, too small for a 8x8 pool (input 28x28x1)',
    );
    expect(sizeLine(STARTER_LAYOUT, null, 8, 1, null)).toMatch(/once the dataset/);
  });
});
