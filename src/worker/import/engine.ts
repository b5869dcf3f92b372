// The dataset import worker's typed protocol and its engine (shared by the worker entry and tests):
// one import at a time per job id, progress at most every 200 ms, cancel between images. Imports run
// in their own worker so a training run and an import do not share a thread.
import type { LabStorage } from '../../core/records';
import { runImport, type ImportInput, type ImportPlatform } from '../../platform/import/run';
import type { ImportCommand, ImportEvent } from './protocol';

export interface ImportEngineDeps<F> {
  storage: LabStorage;
  platform: ImportPlatform;
  /** Page-side files -> sources the importers read. */
  toInput(files: F): ImportInput;
  post(e: ImportEvent): void;
  /** Holds a lock for the dataset while it is written (so a cleanup elsewhere leaves it alone). */
  holdLock?(datasetId: string, until: Promise<unknown>): void;
}

export class ImportEngine<F> {
  private readonly jobs = new Map<string, AbortController>();
  constructor(private readonly deps: ImportEngineDeps<F>) {}

  async handle(cmd: ImportCommand<F>): Promise<void> {
    if (cmd.type === 'cancel') {
      this.jobs.get(cmd.jobId)?.abort();
      return;
    }
    const { jobId } = cmd;
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    try {
      const id = `import-${jobId}`;
      const work = runImport(
        this.deps.toInput(cmd.files),
        cmd.format,
        cmd.options,
        this.deps.storage,
        this.deps.platform,
        {
          id,
          signal: controller.signal,
          progressMs: 200,
          onProgress: (progress) => this.deps.post({ type: 'progress', jobId, progress }),
        },
      );
      this.deps.holdLock?.(id, work);
      const out = await work;
      if (out.status === 'done') this.deps.post({ type: 'done', jobId, meta: out.meta, report: out.report });
      else this.deps.post({ type: 'failed', jobId, status: out.status, message: out.message, report: out.report });
    } catch (e) {
      this.deps.post({
        type: 'failed',
        jobId,
        status: 'failed',
        message: `The import failed: ${(e as Error).message}`,
        report: null,
      });
    } finally {
      this.jobs.delete(jobId);
    }
  }
}

/** Incomplete imported datasets that no worker is writing (a tab closed mid-import): removed. */
export async function removeAbandonedImports(storage: LabStorage, beingWritten: Set<string>): Promise<string[]> {
  const gone: string[] = [];
  for (const d of await storage.listDatasets()) {
    if (d.source === 'import' && !d.complete && !beingWritten.has(d.id)) {
      await storage.deleteDataset(d.id);
      gone.push(d.id);
    }
  }
  return gone;
}
