// Named presets: partial configs over DEFAULTS (only what differs), shipped as JSON so the runner, the
// lab and a user's own files share one format.
import { makeConfig, type ExperimentConfig } from './config';
import ciTiny from './presets/ci-tiny.json';
import workshopExpressionLower from './presets/workshop-expression-lower.json';
import workshopGenderUpper from './presets/workshop-gender-upper.json';
import workshopAgeUpper from './presets/workshop-age-upper.json';

export const PRESETS: Record<string, unknown> = {
  'ci-tiny': ciTiny,
  'workshop-expression-lower': workshopExpressionLower,
  'workshop-gender-upper': workshopGenderUpper,
  'workshop-age-upper': workshopAgeUpper,
};

export function presetConfig(name: string): ExperimentConfig {
  const p = PRESETS[name];
  if (!p) throw new Error(`Unknown preset "${name}". Presets: ${Object.keys(PRESETS).join(', ')}.`);
  return makeConfig(p);
}
