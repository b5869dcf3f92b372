import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The built page may load and connect to its own origin only (the lab works offline). Added at build
// time: the dev server's hot-reload preamble is an inline script this policy would block.
const CSP = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:", "connect-src 'self' data: blob:", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
].join('; ');
const contentSecurityPolicy = (): Plugin => ({
  name: 'lab-csp',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
});

// The lab's page build. The page chunk holds React, the store and the panels; tfjs, its backends and
// the wasm binaries are reachable only from the module worker (src/worker/lab.worker.ts), so they load
// in the worker and never in the page.
export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: false,
    // The worker chunk is tfjs (~2.4 MB): expected, and never loaded by the page itself.
    chunkSizeWarningLimit: 4000,
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
