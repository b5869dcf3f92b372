// What the lab engine and its run sessions are given: storage, backend selection, the event sink.
import type { BackendName } from '../../core/backends';
import type { LabStorage } from '../../core/records';
import type { WorkerEvent } from './protocol';

export interface EngineDeps {
  storage: LabStorage;
  /** Starts the first backend of `order` that works (platform/backend.ts selectBackend). */
  selectBackend: (
    order: BackendName[],
  ) => Promise<{ name: BackendName; skipped: { name: BackendName; reason: string }[]; detail?: string }>;
  post: (e: WorkerEvent) => void;
  /** Curriculum events are sent at most this often, batched (default 100 ms). */
  flushMs?: number;
  /** Marks the run as being trained until `until` settles (Web Locks in the browser), so other tabs
   *  do not offer to resume it. */
  holdRunLock?: (runId: string, until: Promise<void>) => void;
}
