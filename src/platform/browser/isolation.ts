// Cross-origin isolation for the page: SharedArrayBuffer, hence tfjs's threaded wasm build (all the
// laptop's cores), needs it. The lab's own servers send the headers (vite.config.ts); on a plain static
// server the service worker public/isolation-sw.js adds them, which takes one reload after its first
// install. Everything here degrades to "not isolated, and why": the lab then trains on one thread.

export type Isolation = { isolated: true } | { isolated: false; reloading: boolean; reason: string };

/** The browser surface used here (a fake in the unit tests). */
export interface IsolationHost {
  crossOriginIsolated: boolean;
  isSecureContext: boolean;
  serviceWorker?: {
    controller: unknown;
    register(url: string, opts: { scope: string }): Promise<unknown>;
    ready: Promise<unknown>;
    addEventListener(type: 'controllerchange', fn: () => void): void;
  };
  session: { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void };
  reload(): void;
}

/** Set across the one reload, so that a service worker that does not isolate the page causes no loop. */
export const RELOAD_KEY = 'odl-isolation-reload';
const CLAIM_TIMEOUT_MS = 4000;

/**
 * Makes the page cross-origin isolated if it can. Resolves { isolated: true } when it already is;
 * { reloading: true } when the page is about to reload under the service worker (the caller should start
 * nothing); otherwise the reason it stays single-threaded.
 */
export async function crossOriginIsolate(host: IsolationHost, swUrl: string): Promise<Isolation> {
  if (host.crossOriginIsolated) {
    host.session.removeItem(RELOAD_KEY);
    return { isolated: true };
  }
  const no = (reason: string): Isolation => ({ isolated: false, reloading: false, reason });
  if (!host.isSecureContext) return no('the page is not a secure context (https or localhost is needed)');
  const sw = host.serviceWorker;
  if (!sw) return no('this browser has no service workers here (a private window may disable them)');
  if (host.session.getItem(RELOAD_KEY) != null) {
    host.session.removeItem(RELOAD_KEY);
    return no('the page reloaded under the isolation service worker and is still not isolated');
  }
  try {
    await sw.register(swUrl, { scope: './' });
    await sw.ready;
    if (sw.controller == null) {
      // The new worker claims this page (clients.claim in its activate step).
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, CLAIM_TIMEOUT_MS);
        sw.addEventListener('controllerchange', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  } catch (e) {
    return no(`the isolation service worker could not start (${e instanceof Error ? e.message : String(e)})`);
  }
  host.session.setItem(RELOAD_KEY, String(Date.now()));
  host.reload();
  return { isolated: false, reloading: true, reason: 'reloading under the isolation service worker' };
}

/** The real browser's host. */
export function browserIsolationHost(): IsolationHost {
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    isSecureContext: globalThis.isSecureContext === true,
    serviceWorker: 'serviceWorker' in navigator ? navigator.serviceWorker : undefined,
    session: sessionStorage,
    reload: () => location.reload(),
  };
}
