// The main-thread fallback of the lab client: the same engine, in this thread, with messages cloned
// (and buffers transferred) as postMessage would, delivered asynchronously. For tests and environments
// without Worker; training here blocks the thread, so the browser page never uses it.
import { selectBackend } from '../../platform/backend';
import type { LabStorage } from '../../core/records';
import { memoryStorage } from '../../platform/memoryStorage';
import type { LabClient } from './client';
import { listeners } from '../listeners';
import type { EngineDeps } from './deps';
import { LabEngine } from './engine';
import { decodeCommand, decodeEvent, transferablesOf, type WorkerEvent } from './protocol';

export interface InProcessOptions {
  storage?: LabStorage;
  selectBackend?: EngineDeps['selectBackend'];
  flushMs?: number;
}

export function createInProcessClient(
  opts: InProcessOptions = {},
): LabClient & { storage: LabStorage; idle(): Promise<void> } {
  const subs = listeners<WorkerEvent>();
  const storage = opts.storage ?? memoryStorage();
  const pending = new Set<Promise<void>>();
  let generation = 0;
  const make = (): LabEngine => {
    const gen = ++generation;
    return new LabEngine({
      storage,
      flushMs: opts.flushMs,
      selectBackend: opts.selectBackend ?? ((order) => selectBackend(order)),
      post: (e: WorkerEvent) => {
        const copy = decodeEvent(structuredClone(e, { transfer: transferablesOf(e) }));
        setTimeout(() => {
          if (gen === generation) subs.emit(copy);
        }, 0);
      },
    });
  };
  let engine: LabEngine | null = null;
  return {
    kind: 'main-thread',
    storage,
    send: (cmd) => {
      engine ??= make();
      const copy = decodeCommand(structuredClone(cmd, { transfer: transferablesOf(cmd) }));
      const p = engine.handle(copy).finally(() => pending.delete(p));
      pending.add(p);
    },
    subscribe: subs.add,
    restart: () => {
      engine = make();
    },
    terminate: () => {
      engine = null;
      generation++;
    },
    /** Resolves when every command sent so far has finished (tests). */
    idle: async () => {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}
