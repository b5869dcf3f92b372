// The isolation service worker, for the lab on a plain static server (a university web space,
// `python3 -m http.server`): such servers send no Cross-Origin-Opener-Policy / -Embedder-Policy headers,
// and without them the page gets no SharedArrayBuffer, so tfjs cannot load its threaded wasm build; nor
// do they send the lab's Content-Security-Policy, which then covers the page (its <meta> tag) but not its
// workers. The service worker answers the lab's own requests from the network, as they are, with those
// headers added. It caches nothing and never touches a request to another origin (the lab makes none).
// The build writes it as isolation-sw.js (vite.config.ts) from `isolationWorker` below, turned into text:
// so that function must stay self-contained (no imports, no names from outside its body).
// Registered by isolation.ts, only when the page is not isolated already (the lab's own servers,
// `npm run lab` and `npm run dev`, send the headers themselves).

/** What the worker uses of its global scope (a fake in the unit tests). */
export interface IsolationWorkerScope {
  location: { origin: string };
  skipWaiting(): unknown;
  clients: { claim(): Promise<unknown> };
  addEventListener(type: 'install' | 'activate' | 'fetch', fn: (event: never) => void): void;
}

interface FetchEventLike {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ExtendableEventLike {
  waitUntil(p: Promise<unknown>): void;
}

export function isolationWorker(
  scope: IsolationWorkerScope,
  headers: Record<string, string>,
  fetchFn: (r: Request) => Promise<Response>,
): void {
  scope.addEventListener('install', () => {
    scope.skipWaiting();
  });
  scope.addEventListener('activate', (event: ExtendableEventLike) => {
    event.waitUntil(scope.clients.claim());
  });
  scope.addEventListener('fetch', (event: FetchEventLike) => {
    const request = event.request;
    if (new URL(request.url).origin !== scope.location.origin) return;
    // only-if-cached outside same-origin mode throws in fetch() (a DevTools quirk): leave it alone.
    if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
    event.respondWith(
      fetchFn(request).then((response) => {
        // Opaque responses carry no headers to change.
        if (response.status === 0 || response.type === 'opaque' || response.type === 'opaqueredirect') return response;
        const h = new Headers(response.headers);
        for (const name of Object.keys(headers)) h.set(name, headers[name]);
        return new Response(response.body, { status: response.status, statusText: response.statusText, headers: h });
      }),
    );
  });
}

/** The service worker's script: `isolationWorker` run on the worker's own scope with `headers`. */
export function isolationWorkerSource(headers: Record<string, string>): string {
  return (
    `// Written by the lab's build from src/platform/browser/isolationWorker.ts.\n'use strict';\n` +
    `(${isolationWorker.toString()})(self, ${JSON.stringify(headers)}, (r) => fetch(r));\n`
  );
}
