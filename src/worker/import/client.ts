// The page's handle on the import worker (started on the first import; no tfjs in it). A crashed
// worker fails its job with the browser's reason instead of leaving the progress bar hanging.
import type { ImportFiles } from '../../core/data/importReport';
import type { ImportCommand, ImportEvent } from './protocol';
import { listeners } from '../listeners';

export interface ImportClient {
  send(cmd: ImportCommand<ImportFiles>): void;
  subscribe(fn: (e: ImportEvent) => void): () => void;
  terminate(): void;
}

export function createImportClient(
  factory: () => Worker = () =>
    new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module', name: 'import' }),
): ImportClient {
  const subs = listeners<ImportEvent>();
  const emit = subs.emit;
  const running = new Set<string>();
  let worker: Worker | null = null;
  const spawn = () => {
    const w = factory();
    w.onmessage = (ev: MessageEvent<ImportEvent>) => {
      if (ev.data.type !== 'progress') running.delete(ev.data.jobId);
      emit(ev.data);
    };
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      for (const jobId of running)
        emit({
          type: 'failed',
          jobId,
          status: 'failed',
          message: `The import worker stopped: ${ev.message || 'unknown error'}. Anything it had written is removed on the next start.`,
          report: null,
        });
      running.clear();
      worker?.terminate();
      worker = null;
    };
    return w;
  };
  return {
    send(cmd) {
      worker ??= spawn();
      if (cmd.type === 'import') running.add(cmd.jobId);
      worker.postMessage(cmd);
    },
    subscribe: subs.add,
    terminate() {
      worker?.terminate();
      worker = null;
    },
  };
}
