// Cross-origin isolation for the lab on a plain static server (a university web space, `python3 -m
// http.server`): such servers send no Cross-Origin-Opener-Policy / -Embedder-Policy headers, and without them
// the page gets no SharedArrayBuffer, so tfjs cannot load its threaded wasm build. This service worker
// answers the lab's own requests from the network, as they are, with those headers added. It never caches
// anything and never touches a request to another origin (the lab makes none).
// Registered by src/platform/browser/isolation.ts, only when the page is not isolated already (the lab's
// own servers, `npm run lab` and `npm run dev`, send the headers themselves).
/* eslint-env serviceworker */
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

async function withHeaders(request) {
  const response = await fetch(request);
  // Opaque and error responses carry no headers to change; redirects are followed by fetch().
  if (response.status === 0 || response.type === 'opaque' || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== self.location.origin) return;
  // A DevTools quirk: only-if-cached requests outside same-origin mode throw in fetch().
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(withHeaders(request));
});
