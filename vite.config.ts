import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { isolationWorkerSource } from './src/platform/browser/isolationWorker.ts';

// The built page may load and connect to its own origin only (the lab works offline). Added at build
// time: the dev server's hot-reload preamble is an inline script this policy would block. blob: for scripts
// and workers: tfjs's threaded wasm build starts its pthread workers from blob: URLs it makes itself.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' data: blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');
const contentSecurityPolicy = (): Plugin => ({
  name: 'lab-csp',
  apply: 'build',
  transformIndexHtml: () => [
    { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' },
  ],
});

// Cross-origin isolation (SharedArrayBuffer, hence tfjs's threaded wasm build) from the lab's own servers.
// A plain static server sends none of these: the isolation service worker (isolation-sw.js, written by the
// build below) adds them there, src/platform/browser/isolation.ts registers it.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
// The built lab's headers: the policy as a header as well, so that it covers the workers (a <meta> policy
// covers the page only), and frame-ancestors, which only a header can carry.
export const BUILT_HEADERS = { ...ISOLATION_HEADERS, 'Content-Security-Policy': `${CSP}; frame-ancestors 'none'` };
const isolationServiceWorker = (): Plugin => ({
  name: 'lab-isolation-sw',
  apply: 'build',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'isolation-sw.js', source: isolationWorkerSource(BUILT_HEADERS) });
  },
});

// The lab's page build. base './': every URL in the build is relative, so dist/ works from any folder of
// any static server (a university web space), not only from a server's root. The page chunk holds React, the store and the panels; tfjs, its backends and
// the wasm binaries are reachable only from the module worker (src/worker/lab/lab.worker.ts), so they load
// in the worker and never in the page.
export default defineConfig({
  base: './',
  plugins: [react(), contentSecurityPolicy(), isolationServiceWorker()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: false,
    // The worker chunk is tfjs (~2.4 MB): expected, and never loaded by the page itself.
    chunkSizeWarningLimit: 4000,
  },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, headers: BUILT_HEADERS },
});
