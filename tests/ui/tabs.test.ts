// WAI-ARIA tabs: the arrow keys wrap around, Home and End jump; other keys do nothing.
import { describe, expect, it } from 'vitest';
import { tabAfterKey } from '../../src/ui/App';

describe('tabAfterKey', () => {
  it('moves like the WAI-ARIA tabs pattern', () => {
    expect(tabAfterKey('ArrowRight', 4, 5)).toBe(0);
    expect(tabAfterKey('ArrowLeft', 0, 5)).toBe(4);
    expect(tabAfterKey('ArrowRight', 1, 5)).toBe(2);
    expect([tabAfterKey('Home', 3, 5), tabAfterKey('End', 0, 5)]).toEqual([0, 4]);
    expect(tabAfterKey('Enter', 2, 5)).toBeNull();
  });
});
