// The lab's preset list offers the students' presets only; the test fixture stays reachable by name.
import { describe, expect, it } from 'vitest';
import { OFFERED_PRESETS, PRESETS, presetConfig, TEST_PRESETS } from '../../../src/core/config/presets';

describe('preset list', () => {
  it('offers every shipped preset but the test fixture, in order', () => {
    expect(OFFERED_PRESETS).not.toContain('fixture-tiny');
    expect(TEST_PRESETS).toEqual(['fixture-tiny']);
    expect([...OFFERED_PRESETS, ...TEST_PRESETS].sort()).toEqual(Object.keys(PRESETS).sort());
    expect(OFFERED_PRESETS[0]).toBe('demo-expression-lower');
  });

  it('still opens the fixture by name', () => {
    expect(presetConfig('fixture-tiny').name).toBeTruthy();
    expect(() => presetConfig('no-such-preset')).toThrow(/fixture-tiny/);
  });
});
