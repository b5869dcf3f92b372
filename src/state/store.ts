// The lab's zustand store (vanilla, so it runs without React) and the actions the panels call. Worker
// events are buffered and applied in one update at most every `flushMs` (default 100 ms), so a fast
// run never re-renders the charts per batch. Only src/state imports zustand.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { setPath } from '../core/config/paths';
import { DEFAULTS, makeConfig, type ExperimentConfig, type StageName } from '../core/config/config';
import { configErrors } from '../core/config/validate';
import { presetConfig } from '../core/config/presets';
import type { Split, Visibility } from '../core/data/types';
import type { ModelRecord, RunRecord } from '../core/records';
import type { ImportFiles } from '../core/data/importReport';
import type { ImportOptions, ImportFormat } from '../core/data/importReport';
import type { LabClient } from '../worker/lab/client';
import type { CamRequest } from '../core/explain/sheet';
import { createSweepDriver } from './sweepDriver';
import { cleanUpAtBoot } from './boot';
import type { NamedBytes } from '../core/records';
import type { ImportClient } from '../worker/import/client';
import { newRunId, type WorkerEvent } from '../worker/lab/protocol';
import {
  initialLabState,
  notice,
  reduceImport,
  reduceLab,
  startingRun,
  summarise,
  type BackendChoice,
  type LabState,
  type PageStorage,
  type Tab,
} from './labState';
import { isLive, runViewFromRecord } from './runView';
import { createCalibrationScheduler, runBackends, type KeptCalibrations } from './calibration';
import { modelExports, type Download } from './downloads';
import { runName } from './runName';

export type LabStore = StoreApi<LabState>;

export interface LabDeps {
  client: LabClient;
  storage: PageStorage;
  /** Storage used / available (navigator.storage.estimate). */
  estimate?: () => Promise<{ usage: number; quota: number } | null>;
  /** Buffered worker events are applied at most this often. */
  flushMs?: number;
  /** Ids of runs a worker (in any tab) is training now: not interrupted, whatever their record says. */
  runsInProgress?: () => Promise<Set<string>>;
  /** Resolves when no worker trains the run any more (its tab closed, or the page reloading let go). */
  whenRunFree?: (runId: string) => Promise<void>;
  /** The dataset import worker (absent: importing is not offered). */
  importer?: ImportClient;
  /** Ids of datasets an import worker (in any tab) is writing now. */
  importsInProgress?: () => Promise<Set<string>>;
  /** Asks the browser to keep the lab's storage under pressure (navigator.storage.persist). */
  persist?: () => Promise<boolean>;
  /** Hands a file to the user (a download in the browser). */
  download?: Download;
  /** Calibrations kept on this machine (localStorage in the browser): read at start, written on change.
   *  Absent: no duration estimates (and no calibration work in the worker). */
  calibrations?: KeptCalibrations;
}

/** Collects items and hands them over in one batch, at most once per `intervalMs`. */
export function eventBuffer<E>(
  apply: (items: E[]) => void,
  intervalMs = 100,
): { push(e: E): void; flush(): void; dispose(): void } {
  let queue: E[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (!queue.length) return;
    const items = queue;
    queue = [];
    apply(items);
  };
  return {
    push: (e) => {
      queue.push(e);
      timer ??= setTimeout(flush, intervalMs);
    },
    flush,
    dispose: () => {
      if (timer) clearTimeout(timer);
      timer = null;
      queue = [];
    },
  };
}

export function createLabStore(init: LabState): LabStore {
  return createStore<LabState>()(() => init);
}

export interface LabActions {
  boot(): Promise<void>;
  setTab(t: Tab): void;
  setField(path: string, value: unknown): void;
  setConfig(cfg: ExperimentConfig, preset?: string | null): void;
  applyPreset(name: string): void;
  /** Parses a config document (only what differs from the defaults is needed); false on bad JSON. */
  importConfig(text: string): boolean;
  setBackendChoice(c: BackendChoice): void;
  /** Times the current config's and every preset's model on the chosen backend, where not yet known. */
  calibrate(): void;
  startRun(): string | null;
  /** One run per value of a numeric setting, one after another; null, or why it cannot start. */
  startSweep(path: string, values: number[]): string | null;
  stopSweep(): void;
  pause(): void;
  resume(): void;
  cancel(): void;
  /** Continues a stored run from its last checkpoint, on the chosen backend. */
  resumeRun(runId: string): Promise<void>;
  discardRun(runId: string): Promise<void>;
  openRun(runId: string): Promise<void>;
  /** A stored run's record (for comparing runs). */
  loadRun(runId: string): Promise<RunRecord | undefined>;
  refreshRuns(): Promise<void>;
  ensureDataset(): void;
  deleteDataset(id: string): Promise<void>;
  /** Imports files into a new stored dataset in the import worker; progress and the report land in `imports`. */
  startImport(files: ImportFiles, label: string, format: ImportFormat, options: ImportOptions): string | null;
  cancelImport(): void;
  dismissImport(): void;
  /** Points the experiment at a stored dataset (and at a task it has labels for). */
  useDataset(id: string): void;
  /** Grad-CAM maps of a stored run's models on chosen test images. */
  explain(req: CamRequest): void;
  /** Downloads a stored run's model as the lab's .zip export. */
  /** A run's model as the .zip (tfjs files, model.onnx, lab.json) or the .onnx file alone. */
  exportModel(runId: string, stage: StageName, format?: 'zip' | 'onnx'): void;
  /** Brings a model in from files (the lab's .zip, or model.json + weights). */
  importModel(files: (File | NamedBytes)[]): void;
  deleteImportedModel(id: string): Promise<void>;
  refreshStorage(): Promise<void>;
  requestPreview(datasetId: string, split: Split, visibility: Visibility, count?: number): void;
  getModel(runId: string, stage: StageName): Promise<ModelRecord | undefined>;
  dismissNotice(id: number): void;
  /** Test hook: destroy the worker's WebGPU device. */
  loseDevice(): void;
  dispose(): void;
}

export function createLab(
  deps: LabDeps,
  init: LabState = initialLabState(makeConfig(DEFAULTS)),
): { store: LabStore; actions: LabActions } {
  const kept = deps.calibrations?.load() ?? {};
  if (Object.keys(kept).length)
    init = { ...init, calibrations: { ...init.calibrations, costs: { ...kept, ...init.calibrations.costs } } };
  const store = createLabStore(init);
  const { client, storage } = deps;
  const get = store.getState;
  const set = (f: (s: LabState) => LabState) => store.setState(f(get()), true);
  let requestId = 0;
  const calibration = createCalibrationScheduler({ get, set, client, kept: deps.calibrations });
  const exports = modelExports(deps.download);

  const buffer = eventBuffer<WorkerEvent>((events) => {
    set((s) => events.reduce(reduceLab, s));
    for (const e of events) if (e.type === 'runState' && !isLive(e.status)) void sweeps.runEnded(e.runId, e.status);
    if (
      events.some(
        (e) =>
          e.type === 'datasetReady' || (e.type === 'runState' && (e.status === 'done' || e.status === 'cancelled')),
      )
    )
      void actions.refreshStorage();
    calibration.onEvents(events);
  }, deps.flushMs ?? 100);
  // A model zip is saved (and said saved) under the page's name for it, <run id>-<stage>.zip.
  const unsubscribe = client.subscribe((ev) => buffer.push(exports.receive(ev, get().exporting.pending)));
  const unsubscribeImports = deps.importer?.subscribe((e) => {
    set((s) => reduceImport(s, e));
    if (e.type !== 'progress') void actions.refreshStorage();
  });

  /** Starts a run of `cfg` (none while another runs); its id. */
  const launch = (cfg: ExperimentConfig): string | null => {
    const s = get();
    if (isLive(s.run?.status)) return null;
    if (s.worker.crashed) client.restart();
    const runId = newRunId();
    cfg = { ...cfg, name: runName(cfg, s.datasets.list) };
    set((st) => startingRun(st, runId, cfg));
    client.send({ type: 'start', runId, config: cfg, backends: runBackends(s, cfg) });
    return runId;
  };
  const sweeps = createSweepDriver({ get, set, launch, storage, cancel: () => actions.cancel() });

  /** A word in the Monitor until the worker answers (a batch can take a while on a slow backend). */
  const say = (message: string) =>
    set((s) => (s.run && ['running', 'starting'].includes(s.run.status) ? { ...s, run: { ...s.run, message } } : s));

  /** The settings table's checks, here in the store: every edit is validated at once. */
  const validate = () =>
    set((s) => ({ ...s, experiment: { ...s.experiment, errors: configErrors(s.experiment.config) } }));

  const actions: LabActions = {
    async boot() {
      validate();
      actions.ensureDataset();
      await cleanUpAtBoot({
        storage,
        get,
        set,
        runsInProgress: deps.runsInProgress,
        importsInProgress: deps.importsInProgress,
        whenRunFree: deps.whenRunFree,
      });
      await actions.refreshStorage();
    },
    setTab: (t) => set((s) => ({ ...s, tab: t })),
    setField(path, value) {
      set((s) => ({
        ...s,
        experiment: { ...s.experiment, config: setPath(s.experiment.config, path, value), preset: null },
      }));
      validate();
      calibration.calibrateSoon();
    },
    setConfig(cfg, preset = null) {
      set((s) => ({ ...s, experiment: { ...s.experiment, config: cfg, preset } }));
      validate();
      calibration.calibrateSoon();
    },
    applyPreset(name) {
      actions.setConfig(presetConfig(name), name);
      actions.ensureDataset();
    },
    importConfig(text) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        set((s) => notice(s, 'error', `The config is not valid JSON: ${(e as Error).message}`));
        return false;
      }
      let cfg: ExperimentConfig;
      try {
        cfg = makeConfig(json); // refuses prototype names (`__proto__`) and absurd nesting, by field
      } catch (e) {
        set((s) => notice(s, 'error', `The config cannot be used: ${(e as Error).message}`));
        return false;
      }
      actions.setConfig(cfg);
      return true;
    },
    setBackendChoice: (c) => {
      set((s) => ({ ...s, backendChoice: c }));
      actions.calibrate();
    },
    calibrate: () => calibration.calibrate(),
    startRun() {
      const s = get();
      if (s.experiment.errors.length) return null;
      // A budget sweep runs its seeds itself (one run, the teacher shared per seed).
      if ((s.experiment.config.repeats ?? 1) > 1 && !s.experiment.config.budgets?.length) {
        if (sweeps.startRepeats(s.experiment.config)) return null;
        return get().sweep?.runIds[0] ?? null;
      }
      return launch(s.experiment.config);
    },
    startSweep: (path, values) => sweeps.start(path, values),
    stopSweep: () => sweeps.stop(),
    pause() {
      client.send({ type: 'pause' });
      say('Pausing after the current batch…');
    },
    resume: () => client.send({ type: 'resume' }),
    cancel() {
      client.send({ type: 'cancel' });
      say('Stopping after the current batch…');
    },
    async resumeRun(runId) {
      const s = get();
      if (isLive(s.run?.status)) return;
      // After a crash or a lost GPU device the worker's backend state is not to be trusted: a fresh one.
      if (s.worker.crashed || s.run?.status === 'interrupted') client.restart();
      const rec = await storage.getRun(runId);
      if (!rec) {
        set((st) => notice(st, 'error', `The run ${runId} is no longer stored.`));
        return;
      }
      const v = { ...runViewFromRecord(rec), status: 'starting' as const };
      set((st) => ({
        ...st,
        run: v,
        viewed: v,
        tab: 'monitor',
        resumable: null,
        worker: { ...st.worker, crashed: null },
      }));
      client.send({ type: 'resumeRun', runId, backends: runBackends(get(), rec.config) });
    },
    async discardRun(runId) {
      await storage.deleteRun(runId);
      set((s) => ({
        ...s,
        runs: s.runs.filter((r) => r.id !== runId),
        resumable: s.resumable?.id === runId ? null : s.resumable,
        viewed: s.viewed?.runId === runId ? null : s.viewed,
        run: s.run?.runId === runId && !isLive(s.run.status) ? null : s.run,
      }));
      await actions.refreshStorage();
    },
    async openRun(runId) {
      const s = get();
      if (s.run?.runId === runId) {
        set((st) => ({ ...st, viewed: st.run }));
        return;
      }
      const rec = await storage.getRun(runId);
      if (rec) set((st) => ({ ...st, viewed: runViewFromRecord(rec) }));
    },
    loadRun: (runId) => storage.getRun(runId),
    async refreshRuns() {
      const runs = await storage.listRuns();
      set((s) => ({ ...s, runs: runs.map(summarise) }));
    },
    ensureDataset() {
      const ds = get().experiment.config.dataset;
      if (ds.source === 'synth') client.send({ type: 'ensureDataset', dataset: ds });
    },
    async deleteDataset(id) {
      await storage.deleteDataset(id);
      set((s) => ({
        ...s,
        datasets: {
          ...s.datasets,
          list: s.datasets.list.filter((d) => d.id !== id),
          preview: s.datasets.preview?.datasetId === id ? null : s.datasets.preview,
        },
      }));
      await actions.refreshStorage();
    },
    startImport(files, label, format, options) {
      const importer = deps.importer;
      if (!importer || get().imports.job) return null;
      const jobId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      void deps.persist?.();
      set((s) => ({
        ...s,
        imports: { job: { jobId, label, startedAt: Date.now(), progress: null, cancelling: false }, last: null },
      }));
      importer.send({ type: 'import', jobId, files, format, options });
      return jobId;
    },
    cancelImport() {
      const job = get().imports.job;
      if (!job) return;
      deps.importer?.send({ type: 'cancel', jobId: job.jobId });
      set((s) =>
        s.imports.job ? { ...s, imports: { ...s.imports, job: { ...s.imports.job, cancelling: true } } } : s,
      );
    },
    dismissImport: () => set((s) => ({ ...s, imports: { ...s.imports, last: null } })),
    useDataset(id) {
      const meta = get().datasets.list.find((d) => d.id === id);
      if (!meta) return;
      const cfg = get().experiment.config;
      const task = meta.tasks.includes(cfg.task) ? cfg.task : meta.tasks[0];
      actions.setConfig({ ...cfg, task, dataset: { source: 'stored', id } });
      set((s) => ({ ...s, tab: 'experiment' }));
    },
    explain(req) {
      const id = ++requestId;
      set((s) => ({ ...s, explain: { ...s.explain, pending: id, request: req, error: null } }));
      calibration.sendWhenIdle(() => client.send({ type: 'gradcam', requestId: id, ...req }));
    },
    importModel(files) {
      const id = ++requestId;
      set((s) => ({ ...s, models: { ...s.models, pending: id, message: null, error: false } }));
      client.send({ type: 'importModel', requestId: id, files });
    },
    async deleteImportedModel(id) {
      await storage.deleteImportedModel(id);
      set((s) => ({ ...s, models: { ...s.models, imported: s.models.imported.filter((m) => m.id !== id) } }));
      if (get().experiment.config.teacherInit === id) actions.setField('teacherInit', null);
    },
    exportModel(runId, stage, format = 'zip') {
      const id = ++requestId;
      const name = exports.name(id, runId, stage, format);
      // The worker writes it (a full-size model takes seconds): say so meanwhile.
      set((s) => ({ ...s, exporting: { pending: id, message: `Writing ${name}…` } }));
      client.send({ type: 'exportModel', requestId: id, runId, stage, ...(format === 'onnx' ? { format } : {}) });
    },
    async refreshStorage() {
      const e = await deps.estimate?.();
      if (e) set((s) => ({ ...s, datasets: { ...s.datasets, storage: e } }));
    },
    requestPreview(datasetId, split, visibility, count = 32) {
      client.send({ type: 'preview', requestId: ++requestId, datasetId, split, visibility, count });
    },
    getModel: (runId, stage) => storage.getModel(runId, stage),
    dismissNotice: (id) => set((s) => ({ ...s, notices: s.notices.filter((n) => n.id !== id) })),
    loseDevice: () => client.send({ type: 'loseDevice' }),
    dispose() {
      unsubscribe();
      unsubscribeImports?.();
      buffer.dispose();
      calibration.dispose();
    },
  };
  return { store, actions };
}
