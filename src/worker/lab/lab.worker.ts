// The lab's dedicated module worker: a thin switch from protocol messages to the engine. tfjs, the
// backends and the wasm binaries load here only, never in the page's chunk (docs/architecture.md#platform-constraints).
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import threadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import { selectBackend, wasmThreadsFor } from '../../platform/backend';
import { idbStorage } from '../../platform/browser/db';
import { redirectPthreadFactory } from '../../platform/browser/wasmThreads';
import { holdRunLock } from '../../platform/browser/locks';
import { LabEngine } from './engine';
import { decodeCommand, threadsFromWorkerName, transferablesOf, type WorkerEvent } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (e: WorkerEvent): void => scope.postMessage(e, transferablesOf(e));

redirectPthreadFactory(new URL(threadedFactory, scope.location.href).href);
// wasm threads: used only where the page is cross-origin isolated (tfjs then loads its threaded build).
const wasmThreads = threadsFromWorkerName(scope.name) ?? wasmThreadsFor(navigator.hardwareConcurrency);

const engine = new LabEngine({
  storage: idbStorage(),
  post,
  holdRunLock,
  selectBackend: (order) =>
    selectBackend(order, {
      wasmThreads,
      wasmPaths: {
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
      },
    }),
});

scope.onmessage = (ev: MessageEvent<unknown>) => {
  let cmd;
  try {
    cmd = decodeCommand(ev.data);
  } catch (e) {
    post({ type: 'error', message: (e as Error).message, command: null });
    return;
  }
  // Not awaited: a run goes on while pause / cancel / preview messages come in.
  void engine.handle(cmd);
};

scope.onunhandledrejection = (ev: PromiseRejectionEvent) => {
  post({
    type: 'error',
    message: `unhandled: ${ev.reason instanceof Error ? ev.reason.message : String(ev.reason)}`,
    command: null,
  });
};
