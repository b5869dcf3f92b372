// The settings a visitor changed, kept for the next visit (the browser keeps them in localStorage; this
// module only turns them into text and back, checking every part): the experiment, its preset, the
// backend choice and presenter mode. A document that does not parse, or a config the core rejects as
// a shape, is ignored: the lab then opens on its default preset.
import { makeConfig, type ExperimentConfig } from '../core/config/config';
import { isBackendName, type BackendChoice } from '../core/backends';

export interface SavedSettings {
  config: ExperimentConfig;
  preset: string | null;
  backendChoice: BackendChoice;
  presenter: boolean;
}

const VERSION = 1;

export function settingsText(s: SavedSettings): string {
  return JSON.stringify({ version: VERSION, ...s });
}

/** The saved settings, or null when there are none or they cannot be used. */
export function parseSettings(text: string | null): SavedSettings | null {
  if (!text) return null;
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    if (!doc || typeof doc !== 'object' || doc.version !== VERSION || !doc.config || typeof doc.config !== 'object')
      return null;
    const choice = doc.backendChoice;
    return {
      config: makeConfig(doc.config),
      preset: typeof doc.preset === 'string' ? doc.preset : null,
      backendChoice: choice === 'auto' || isBackendName(choice) ? (choice as BackendChoice) : 'auto',
      presenter: doc.presenter === true,
    };
  } catch {
    return null;
  }
}
