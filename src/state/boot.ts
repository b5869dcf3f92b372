// What the page tidies when it opens, before anything else: imports a closed tab cut short (incomplete
// datasets no worker writes) are removed; runs stored as going that no worker trains were cut short by a
// reload or a crash and are marked interrupted (offered for resume); one a worker still holds (another
// tab, or this page's previous load letting go) is checked again when it is freed.
import type { RunRecord } from '../core/records';
import { isUnfinished, summarise, type LabState, type PageStorage } from './labState';
import { isLive, runViewFromRecord } from './runView';

export interface BootDeps {
  storage: PageStorage;
  get: () => LabState;
  set: (f: (s: LabState) => LabState) => void;
  runsInProgress?: () => Promise<Set<string>>;
  importsInProgress?: () => Promise<Set<string>>;
  whenRunFree?: (runId: string) => Promise<void>;
}

export async function cleanUpAtBoot({
  storage,
  get,
  set,
  runsInProgress,
  importsInProgress,
  whenRunFree,
}: BootDeps): Promise<void> {
  const markInterrupted = async (r: RunRecord) => {
    r.status = 'interrupted';
    r.message = 'The page was closed or reloaded while the run was going.';
    await storage.putRun(r);
  };
  const [all, runs, live, writing, imported] = await Promise.all([
    storage.listDatasets(),
    storage.listRuns(),
    runsInProgress?.() ?? new Set<string>(),
    importsInProgress?.() ?? new Set<string>(),
    storage.listImportedModels(),
  ]);
  // An import cut short by a closed tab left an incomplete dataset that no worker writes: remove it.
  const datasets: typeof all = [];
  for (const d of all) {
    if (d.source === 'import' && !d.complete && !writing.has(d.id)) await storage.deleteDataset(d.id);
    else datasets.push(d);
  }
  // A run stored as going while no worker trains it was cut short by a reload or a crash. One that a
  // worker still holds (another tab, or this page's previous load letting go) is checked when freed.
  const going = (r: RunRecord) => isLive(r.status);
  const held: RunRecord[] = [];
  for (const r of runs) {
    if (going(r) && !live.has(r.id)) await markInterrupted(r);
    else if (going(r)) held.push(r);
  }
  const resumable = runs.find((r) => isUnfinished(r) && !live.has(r.id));
  set((s) => ({
    ...s,
    datasets: {
      ...s.datasets,
      list: [
        ...datasets.filter((d) => d.complete),
        ...s.datasets.list.filter((d) => !datasets.some((x) => x.id === d.id)),
      ],
    },
    runs: runs.map(summarise),
    models: { ...s.models, imported },
    resumable: resumable ? summarise(resumable) : null,
    viewed:
      s.viewed ??
      (runs.find((r) => r.status === 'done') ? runViewFromRecord(runs.find((r) => r.status === 'done')!) : null),
  }));
  for (const r of held) {
    void whenRunFree?.(r.id).then(async () => {
      const now = await storage.getRun(r.id);
      if (!now || !going(now) || (get().run?.runId === r.id && isLive(get().run?.status))) return;
      await markInterrupted(now);
      set((s) => ({
        ...s,
        runs: s.runs.map((x) => (x.id === now.id ? summarise(now) : x)),
        resumable: s.resumable ?? summarise(now),
      }));
    });
  }
}
