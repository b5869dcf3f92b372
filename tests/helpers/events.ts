// Waiting for a client's event in tests: resolves with the first event that matches, or fails after `ms`.
import type { WorkerEvent } from '../../src/worker/lab/protocol';

export function until(
  client: { subscribe(f: (e: WorkerEvent) => void): () => void },
  pred: (e: WorkerEvent) => boolean,
  ms = 110_000,
): Promise<WorkerEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for an event'));
    }, ms);
    const off = client.subscribe((e) => {
      if (pred(e)) {
        clearTimeout(t);
        off();
        resolve(e);
      }
    });
  });
}
