// A Grad-CAM map with no positive gradient is recognised (the tile then says so).
import { describe, expect, it } from 'vitest';
import { isEmptyMap } from '../../../src/ui/gradcam/draw';

describe('isEmptyMap', () => {
  it('is empty only when no value is above zero (NaN counts as nothing)', () => {
    expect(isEmptyMap(new Float32Array(16))).toBe(true);
    expect(isEmptyMap([0, NaN, -1])).toBe(true);
    expect(isEmptyMap([0, 0, 0.01])).toBe(false);
  });
});
