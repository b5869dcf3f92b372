// Node only: lets tfjs-backend-wasm's threaded-SIMD build start in Node 20, which tfjs never does by
// itself (WASM_HAS_MULTITHREAD_SUPPORT is false under Node). Measured here, it is not faster: see
// bench/wasm-train.ts. Kept for measurements and for machines with more cores.
import type * as WasmModule from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';

/**
 * Prepares the next wasm backend init to use the threaded-SIMD build with `threads` XNNPACK threads.
 * Call before tf.setBackend('wasm'); call the returned function once that has resolved.
 * Three things stand in the way in Node, each patched for the duration of the init only:
 * - emscripten starts its pthread workers from a blob: URL (Node's Worker takes paths, not blob URLs):
 *   URL.createObjectURL returns a temp file holding the same worker script instead;
 * - the worker then loads the main script from a Blob it cannot read: a shim in that file swaps it for
 *   the package's own copy on disk;
 * - tfjs caps the pool at logical cores / 2 (1 on a 2-core machine): os.cpus() is padded.
 */
export async function prepareNodeWasmThreads(wasm: typeof WasmModule, threads: number): Promise<() => void> {
  // Specifiers in variables keep bundlers from pulling Node built-ins into the browser build.
  const spec = ['node:module', 'node:fs', 'node:os', 'node:path'];
  const [{ createRequire }, fs, os, path] = await Promise.all([
    import(/* @vite-ignore */ spec[0]) as Promise<typeof import('node:module')>,
    import(/* @vite-ignore */ spec[1]) as Promise<typeof import('node:fs')>,
    import(/* @vite-ignore */ spec[2]) as Promise<typeof import('node:os')>,
    import(/* @vite-ignore */ spec[3]) as Promise<typeof import('node:path')>,
  ]);
  const req = createRequire(import.meta.url);
  const pkgDir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const factory = path.join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = req(path.join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-wasm-threads-'));
  const workerFile = path.join(dir, 'worker.cjs'); // .cjs: CommonJS whatever package.json says
  const shim =
    "const wt=require('worker_threads');const on=wt.parentPort.on.bind(wt.parentPort);" +
    "wt.parentPort.on=(ev,fn)=>on(ev,ev!=='message'?fn:(d)=>{" +
    `if(d&&d.cmd==='load'&&typeof d.urlOrBlob!=='string')d.urlOrBlob=${JSON.stringify(factory)};fn(d);});\n`;
  // tfjs escapes newlines the same way before making its blob: the script holds "\n" in string literals.
  fs.writeFileSync(workerFile, shim + wasmWorkerContents.replace(/\n/g, '\\n'));

  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = ((obj: Blob) =>
    obj instanceof Blob && obj.type === 'application/javascript'
      ? workerFile
      : createObjectURL(obj)) as typeof URL.createObjectURL;
  const nodeOs = req('os') as { cpus: () => unknown[] };
  const cpus = nodeOs.cpus;
  nodeOs.cpus = () => {
    const c = cpus();
    while (c.length < 2 * threads) c.push(c[0]);
    return c;
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  return () => {
    URL.createObjectURL = createObjectURL;
    nodeOs.cpus = cpus;
  };
}

/** node_modules/@tensorflow/tfjs-backend-wasm/dist/, found the way Node resolves the package. */
export async function nodeWasmDir(): Promise<string> {
  // Specifiers in variables keep bundlers from trying to pull Node built-ins into the browser build.
  const moduleSpec = 'node:module';
  const pathSpec = 'node:path';
  const [{ createRequire }, path] = await Promise.all([
    import(/* @vite-ignore */ moduleSpec) as Promise<typeof import('node:module')>,
    import(/* @vite-ignore */ pathSpec) as Promise<typeof import('node:path')>,
  ]);
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}
