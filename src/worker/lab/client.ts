// The page's handle on the lab worker: send commands, subscribe to events, restart after a crash or a
// lost device. The worker is a dedicated module worker; where Worker does not exist (unit tests in Node)
// the same engine runs in-process instead (inProcess.ts, loaded only then, so tfjs stays out of the page).
import { listeners } from '../listeners';
import { decodeEvent, labWorkerName, transferablesOf, type WorkerCommand, type WorkerEvent } from './protocol';

export interface LabClient {
  readonly kind: 'worker' | 'main-thread';
  send(cmd: WorkerCommand): void;
  /** Every event from the worker, in order; returns the unsubscribe function. */
  subscribe(fn: (e: WorkerEvent) => void): () => void;
  /** A fresh worker (the old one is terminated): after a crash or a lost GPU device. */
  restart(): void;
  terminate(): void;
}

/** The lab worker; the page's ?threads=N (a measurement switch) travels in its name. */
export const defaultWorkerFactory = (): Worker => {
  const asked = new URLSearchParams(globalThis.location?.search ?? '').get('threads');
  return new Worker(new URL('./lab.worker.ts', import.meta.url), {
    type: 'module',
    name: labWorkerName(asked ? Number(asked) : null),
  });
};

export function createWorkerClient(factory: () => Worker = defaultWorkerFactory): LabClient {
  const subs = listeners<WorkerEvent>();
  let worker: Worker | null = null;
  const spawn = (): Worker => {
    const w = factory();
    w.onmessage = (ev: MessageEvent<unknown>) => {
      let e: WorkerEvent;
      try {
        e = decodeEvent(ev.data);
      } catch (err) {
        subs.emit({ type: 'error', message: (err as Error).message, command: null });
        return;
      }
      subs.emit(e);
    };
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      subs.emit({ type: 'crashed', message: `The training worker stopped: ${ev.message || 'unknown error'}.` });
    };
    w.onmessageerror = () =>
      subs.emit({ type: 'error', message: 'A message from the worker could not be read.', command: null });
    return w;
  };
  return {
    kind: 'worker',
    send: (cmd) => {
      worker ??= spawn();
      worker.postMessage(cmd, transferablesOf(cmd));
    },
    subscribe: subs.add,
    restart: () => {
      worker?.terminate();
      worker = spawn();
    },
    terminate: () => {
      worker?.terminate();
      worker = null;
    },
  };
}
