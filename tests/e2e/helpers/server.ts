// A static file server for the built lab (dist/) on 127.0.0.1 and a free port, started and stopped by
// the tests themselves. It logs every path it serves, so tests can see what the page fetched. By default
// it sends the headers the lab's own server sends (`npm run lab`: cross-origin isolation and the
// Content-Security-Policy, vite.config.ts); `plain: true`
// is any static file server (no such headers), optionally serving dist/ under a sub-folder.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { BUILT_HEADERS } from '../../../vite.config';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface StaticServer {
  origin: string;
  served: string[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** No cross-origin isolation headers, as a plain static server. */
  plain?: boolean;
  /** The URL folder dist/ is served under, e.g. '/course/lab/' (default '/'). */
  prefix?: string;
}

/** The built lab's folder: dist/, or LAB_DIST when set (parallel work builds into its own folder). */
export const DIST_DIR = resolve(process.env.LAB_DIST ?? 'dist');

export async function serveDist(dir = DIST_DIR, opts: ServeOptions = {}): Promise<StaticServer> {
  const prefix = opts.prefix ?? '/';
  await stat(join(dir, 'index.html')).catch(() => {
    throw new Error(`${dir}/index.html is missing: run \`npx vite build\` first (npm run test:e2e does).`);
  });
  const served: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const full = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    served.push(full);
    if (!full.startsWith(prefix)) {
      res.writeHead(404).end('not found');
      return;
    }
    const path = `/${full.slice(prefix.length)}`;
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...(opts.plain ? {} : BUILT_HEADERS),
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no server address');
  return {
    origin: `http://127.0.0.1:${addr.port}`,
    served,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
