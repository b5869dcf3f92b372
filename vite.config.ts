import { defineConfig } from 'vite';

// The lab's page build. Workers are ES modules so they can import tfjs; tfjs stays out of the page chunk.
export default defineConfig({
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: false },
  server: { host: '127.0.0.1' },
});
