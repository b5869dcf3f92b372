// The files the lab hands over: one naming scheme for every download, and model exports saved under the
// page's name for them when the worker's file arrives.
import type { StageName } from '../core/config/config';
import type { WorkerEvent } from '../worker/lab/protocol';

/** Every file the lab hands over is named `<run id>-<what>.<ext>` (e.g. `run-…-student.zip`, `run-…-charts.png`). */
export function downloadName(runId: string, what: string, ext: string): string {
  return `${runId}-${what.replace(/[^\w.-]+/g, '_')}.${ext}`;
}

/** Hands a file to the user (a download in the browser). */
export type Download = (name: string, bytes: Uint8Array<ArrayBuffer>, type: string) => void;

export interface ModelExports {
  /** The file name of the export `requestId` asks for: `<run id>-<stage>.<zip|onnx>`. */
  name(requestId: number, runId: string, stage: StageName, format: 'zip' | 'onnx'): string;
  /** A worker event as the page keeps it: a model export renamed to the page's name for it, and handed to the
   *  user when it is the export still awaited. */
  receive(ev: WorkerEvent, awaited: number | null): WorkerEvent;
}

export function modelExports(download?: Download): ModelExports {
  const names = new Map<number, string>();
  return {
    name(requestId, runId, stage, format) {
      const name = downloadName(runId, stage, format);
      names.set(requestId, name);
      return name;
    },
    receive(ev, awaited) {
      const e = ev.type === 'modelExport' && names.has(ev.requestId) ? { ...ev, name: names.get(ev.requestId)! } : ev;
      if (e.type === 'modelExport' && e.requestId === awaited) {
        download?.(
          e.name,
          e.bytes as Uint8Array<ArrayBuffer>,
          /\.onnx$/.test(e.name) ? 'application/octet-stream' : 'application/zip',
        );
      }
      if (e.type === 'modelExport' || e.type === 'error') names.delete(e.requestId ?? -1);
      return e;
    },
  };
}
