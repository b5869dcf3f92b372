// Run names say the dataset, task, scenario and epochs besides the experiment's name.
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/core/config/config';
import { presetConfig } from '../../src/core/config/presets';
import { datasetText, epochsText, runName } from '../../src/state/runName';

describe('run names', () => {
  it('names a synthetic run after its dataset, task, scenario and epochs per stage', () => {
    const cfg = presetConfig('demo-expression-lower');
    expect(datasetText(cfg)).toBe('synthetic faces 48×48 (3000 train)');
    expect(epochsText(cfg)).toBe('epochs 12/3/3/3');
    expect(runName(cfg)).toBe(
      'Demo: expression, lower half visible (VR headset) · synthetic faces 48×48 (3000 train) · expression · ◑ lower · epochs 12/3/3/3',
    );
  });

  it('uses a stored dataset’s name (its id when it is gone) and replaces an earlier suffix', () => {
    const cfg = makeConfig({
      name: 'mine · old suffix',
      task: 'gender',
      scenario: 'upper',
      dataset: { source: 'stored', id: 'ds-1' },
    });
    expect(datasetText(cfg, [{ id: 'ds-1', name: 'UTKFace 64' }])).toBe('UTKFace 64');
    expect(datasetText(cfg)).toBe('ds-1');
    expect(runName(cfg, [{ id: 'ds-1', name: 'UTKFace 64' }])).toMatch(
      /^mine · UTKFace 64 · gender · ◐ upper · epochs \d+\/\d+\/\d+\/\d+$/,
    );
  });
});
