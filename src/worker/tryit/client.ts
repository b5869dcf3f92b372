// The Try it panel's handle on its worker (tryit.worker.ts): started on first use, ended when the panel
// goes (terminate), so its models and any frame it holds go with it.
import { listeners } from '../listeners';
import { decodeLiveEvent, liveTransferables, type LiveCommand, type LiveEvent } from './protocol';

export interface LiveClient {
  send(cmd: LiveCommand): void;
  /** Every event, in order; returns the unsubscribe function. */
  subscribe(fn: (e: LiveEvent) => void): () => void;
  terminate(): void;
}

export const defaultLiveWorker = (): Worker =>
  new Worker(new URL('./tryit.worker.ts', import.meta.url), { type: 'module', name: 'try-it' });

export function createLiveClient(factory: () => Worker = defaultLiveWorker): LiveClient {
  const subs = listeners<LiveEvent>();
  const emit = subs.emit;
  let worker: Worker | null = null;
  const spawn = (): Worker => {
    const w = factory();
    w.onmessage = (ev: MessageEvent<unknown>) => {
      let e: LiveEvent;
      try {
        e = decodeLiveEvent(ev.data);
      } catch (err) {
        emit({ type: 'error', message: (err as Error).message });
        return;
      }
      emit(e);
    };
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      emit({ type: 'error', message: `The Try it worker stopped: ${ev.message || 'unknown error'}.` });
    };
    return w;
  };
  return {
    send: (cmd) => {
      worker ??= spawn();
      worker.postMessage(cmd, liveTransferables(cmd));
    },
    subscribe: subs.add,
    terminate: () => {
      worker?.terminate();
      worker = null;
    },
  };
}
