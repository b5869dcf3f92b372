// The lab page's entry: the store wired to the training worker and the browser's storage, then React.
// URL switches: ?preset=<name> (e.g. fixture-tiny for a run in seconds), ?config=<JSON of the settings that
// differ from the preset> (a shareable experiment), ?backend=webgpu|webgl|wasm|cpu and ?present=1 (presenter
// mode). Without ?preset or ?config the settings of the last visit come back (localStorage).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { makeConfig, mergeConfig, type ExperimentConfig } from './core/config/config';
import { PRESETS } from './core/config/presets';
import { idbStorage, requestPersistence, storageEstimate } from './platform/browser/db';
import { heldLocks, runsInProgress, whenRunFree } from './platform/browser/locks';
import { keptCalibrations } from './platform/browser/kept';
import { browserIsolationHost, crossOriginIsolate } from './platform/browser/isolation';
import { createImportClient } from './worker/import/client';
import { download } from './ui/download';
import { initialLabState } from './state/labState';
import { isBackendName } from './core/backends';
import { parseSettings, settingsText, type SavedSettings } from './state/settings';
import { LabProvider } from './state/react';
import { createLab } from './state/store';
import { App } from './ui/App';
import './ui/app.css';
import { createWorkerClient } from './worker/lab/client';

// Cross-origin isolation first (threaded wasm: all the machine's cores): on a plain static server the
// isolation service worker is installed and the page reloads once under it, so nothing else starts.
const isolation = await crossOriginIsolate(browserIsolationHost(), new URL('isolation-sw.js', document.baseURI).href);
if (isolation.isolated === false && isolation.reloading) await new Promise(() => {});
if (isolation.isolated === false) console.info(`The lab trains on one wasm thread: ${isolation.reason}.`);

const DEFAULT_PRESET = 'demo-expression-lower';
const SETTINGS_KEY = 'odl-settings';
const params = new URLSearchParams(location.search);
const asked = params.get('preset');
const preset = asked && asked in PRESETS ? asked : DEFAULT_PRESET;
const backend = params.get('backend');

function readSaved(): SavedSettings | null {
  try {
    return parseSettings(localStorage.getItem(SETTINGS_KEY));
  } catch {
    return null;
  }
}
const saved = readSaved();
const fromUrl = params.has('preset') || params.has('config');

function startConfig(): { config: ExperimentConfig; preset: string | null; problem: string | null } {
  const base = PRESETS[preset];
  const over = params.get('config');
  if (!over) return { config: makeConfig(base), preset, problem: null };
  try {
    return { config: makeConfig(mergeConfig(base, JSON.parse(over))), preset: null, problem: null };
  } catch (e) {
    return {
      config: makeConfig(base),
      preset,
      problem: `The config in the address is not valid JSON (${(e as Error).message}); the preset “${preset}” is shown instead.`,
    };
  }
}
const start = fromUrl || !saved ? startConfig() : { config: saved.config, preset: saved.preset, problem: null };
let presenter = params.has('present') ? params.get('present') !== '0' : (saved?.presenter ?? false);

const { store, actions } = createLab(
  {
    client: createWorkerClient(),
    storage: idbStorage(),
    estimate: storageEstimate,
    runsInProgress,
    whenRunFree,
    importer: createImportClient(),
    importsInProgress: () => heldLocks('odl-import:'),
    persist: requestPersistence,
    download,
    calibrations: keptCalibrations(),
  },
  initialLabState(start.config, start.preset),
);
if (start.problem) store.setState({ notices: [{ id: 0, level: 'warn', text: start.problem }] });
if (isBackendName(backend)) actions.setBackendChoice(backend);
else if (saved && saved.backendChoice !== 'auto') actions.setBackendChoice(saved.backendChoice);

/** Keeps what the visitor changed for the next visit (nothing is written until something changes). */
const saveSettings = () => {
  const s = store.getState();
  try {
    localStorage.setItem(
      SETTINGS_KEY,
      settingsText({
        config: s.experiment.config,
        preset: s.experiment.preset,
        backendChoice: s.backendChoice,
        presenter,
      }),
    );
  } catch {
    /* storage full or disabled: the settings live as long as the page */
  }
};
store.subscribe((s, prev) => {
  if (
    s.experiment.config !== prev.experiment.config ||
    s.experiment.preset !== prev.experiment.preset ||
    s.backendChoice !== prev.backendChoice
  )
    saveSettings();
});
// For the console and the end-to-end tests: the store and its actions.
(globalThis as { lab?: unknown }).lab = { store, actions };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LabProvider store={store} actions={actions}>
      <App
        presenter={presenter}
        onPresenter={(on) => {
          presenter = on;
          saveSettings();
        }}
      />
    </LabProvider>
  </StrictMode>,
);
void actions.boot();
void requestPersistence();
