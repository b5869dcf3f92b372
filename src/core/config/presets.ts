// Named presets: partial configs over DEFAULTS (only what differs), shipped as JSON so the runner, the
// lab and a user's own files share one format.
import { makeConfig, type ExperimentConfig } from './config';
import demoExpressionLower from './presets/demo-expression-lower.json';
import demoGenderUpper from './presets/demo-gender-upper.json';
import demoAgeUpper from './presets/demo-age-upper.json';
import demoExpressionBudget from './presets/demo-expression-budget.json';
import fixtureTiny from './presets/fixture-tiny.json';
import referenceCnn28 from './presets/reference-cnn-28.json';
import workshopExpressionLower from './presets/workshop-expression-lower.json';
import workshopGenderUpper from './presets/workshop-gender-upper.json';
import workshopAgeUpper from './presets/workshop-age-upper.json';
import { PAPER_PRESET_NAMES, paperPreset } from './paperPresets';

/** The demos first (minutes on a laptop CPU), then the longer workshop runs, the reference network, then the test fixture. */
export const PRESETS: Record<string, unknown> = {
  'demo-expression-lower': demoExpressionLower,
  'demo-gender-upper': demoGenderUpper,
  'demo-age-upper': demoAgeUpper,
  // The data-budget lesson: the teacher once per seed, steps 2-3 at 40, 120 and all 1,200 labelled images.
  'demo-expression-budget': demoExpressionBudget,
  'workshop-expression-lower': workshopExpressionLower,
  'workshop-gender-upper': workshopGenderUpper,
  'workshop-age-upper': workshopAgeUpper,
  // A course notebook's plain CNN and training loop, to set the lab's numbers beside another implementation's.
  'reference-cnn-28': referenceCnn28,
  'fixture-tiny': fixtureTiny,
};

/** Presets for the tests: reachable by name (the lab's ?preset=, the runner's --preset), not offered in the lab's list. */
export const TEST_PRESETS: readonly string[] = ['fixture-tiny'];

/** The presets the lab offers in its list, in PRESETS' order. */
export const OFFERED_PRESETS: readonly string[] = Object.keys(PRESETS).filter((n) => !TEST_PRESETS.includes(n));

/** One line on what each demo shows, for the Experiment tab. */
export const PRESET_DESCRIPTIONS: Record<string, string> = {
  'demo-expression-lower':
    'Expression with the upper half hidden (VR headset): the collapse, the recovery and both distillations.',
  'demo-gender-upper': 'Gender with the lower half hidden (surgical mask): the informative half is the upper one.',
  'demo-age-upper': 'Age (MAE in years) with the lower half hidden: the same curriculum on a regression task.',
  'demo-expression-budget':
    'When distillation helps: one teacher per seed, students with 40, 120 or all 1,200 labelled half-faces, ' +
    'gain over the control against the budget (seeds 1-3).',
};

/** A shipped preset, or one of the paper's grid (paper-<task>-<scenario>-<arch>, not in PRESETS: they are
 *  for GPU servers, see paperPresets.ts). */
export function presetConfig(name: string): ExperimentConfig {
  const p = PRESETS[name] ?? paperPreset(name);
  if (!p) {
    throw new Error(
      `Unknown preset "${name}". Presets: ${Object.keys(PRESETS).join(', ')}; ` +
        `and the paper's grid: ${PAPER_PRESET_NAMES.join(', ')}.`,
    );
  }
  return makeConfig(p);
}
