// Settings kept for the next visit: text and back, and anything unusable ignored.
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/core/config/presets';
import { parseSettings, settingsText } from '../../src/state/settings';

describe('saved settings', () => {
  it('round-trips the config, preset, backend choice and presenter mode', () => {
    const config = presetConfig('fixture-tiny');
    config.triplet.margin = 0.3;
    const back = parseSettings(settingsText({ config, preset: null, backendChoice: 'wasm', presenter: true }));
    expect(back).toEqual({ config, preset: null, backendChoice: 'wasm', presenter: true });
  });

  it('ignores nothing, bad JSON, another version and a document without a config', () => {
    expect(parseSettings(null)).toBeNull();
    expect(parseSettings('{')).toBeNull();
    expect(parseSettings(JSON.stringify({ version: 0, config: {} }))).toBeNull();
    expect(parseSettings(JSON.stringify({ version: 1 }))).toBeNull();
  });

  it('fills what the document lacks from the defaults and an unknown backend becomes auto', () => {
    const s = parseSettings(
      JSON.stringify({ version: 1, config: { triplet: { margin: 0.4 } }, backendChoice: 'quantum' }),
    )!;
    expect(s.config.triplet.margin).toBe(0.4);
    expect(s.config.task).toBe('expression');
    expect([s.backendChoice, s.preset, s.presenter]).toEqual(['auto', null, false]);
  });
});
