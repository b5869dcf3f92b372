import { describe, expect, it } from 'vitest';
import { crossOriginIsolate, RELOAD_KEY, type IsolationHost } from '../../../src/platform/browser/isolation';
import { pthreadLoadShim, redirectPthreadFactory } from '../../../src/platform/browser/wasmThreads';
import { isolationWorkerSource } from '../../../src/platform/browser/isolationWorker';
import { wasmThreadsFor } from '../../../src/platform/backend';
import { labWorkerName, threadsFromWorkerName } from '../../../src/worker/lab/protocol';

function host(over: Partial<IsolationHost> = {}, sw: Partial<NonNullable<IsolationHost['serviceWorker']>> | null = {}) {
  const store = new Map<string, string>();
  const log: string[] = [];
  const listeners: (() => void)[] = [];
  const h: IsolationHost = {
    crossOriginIsolated: false,
    isSecureContext: true,
    serviceWorker:
      sw == null
        ? undefined
        : {
            controller: null,
            register: async (url, opts) => {
              log.push(`register ${url} ${opts.scope}`);
              queueMicrotask(() => listeners.forEach((f) => f()));
            },
            ready: Promise.resolve(),
            addEventListener: (_t, fn) => {
              listeners.push(fn);
            },
            ...sw,
          },
    session: {
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => {
        store.set(k, v);
      },
      removeItem: (k) => {
        store.delete(k);
      },
    },
    reload: () => {
      log.push('reload');
    },
    ...over,
  };
  return { h, log, store };
}

describe('crossOriginIsolate', () => {
  it('does nothing on an isolated page, and clears a reload marker left behind', async () => {
    const { h, log, store } = host({ crossOriginIsolated: true });
    store.set(RELOAD_KEY, '1');
    expect(await crossOriginIsolate(h, 'sw.js')).toEqual({ isolated: true });
    expect(log).toEqual([]);
    expect(store.has(RELOAD_KEY)).toBe(false);
  });

  it('registers the service worker, waits for it to take the page, marks and reloads once', async () => {
    const { h, log, store } = host();
    const r = await crossOriginIsolate(h, 'http://x/lab/isolation-sw.js');
    expect(r).toMatchObject({ isolated: false, reloading: true });
    expect(log).toEqual(['register http://x/lab/isolation-sw.js ./', 'reload']);
    expect(store.has(RELOAD_KEY)).toBe(true);
  });

  it('does not reload a second time when the reload did not isolate the page (no loop)', async () => {
    const { h, log, store } = host();
    store.set(RELOAD_KEY, '1');
    const r = await crossOriginIsolate(h, 'sw.js');
    expect(r).toEqual({
      isolated: false,
      reloading: false,
      reason: 'the page reloaded under the isolation service worker and is still not isolated',
    });
    expect(log).toEqual([]);
    expect(store.has(RELOAD_KEY)).toBe(false);
  });

  it('says why when it cannot: no secure context, no service workers, a failed registration', async () => {
    expect(await crossOriginIsolate(host({ isSecureContext: false }).h, 'sw.js')).toMatchObject({
      reloading: false,
      reason: expect.stringMatching(/secure context/),
    });
    expect(await crossOriginIsolate(host({}, null).h, 'sw.js')).toMatchObject({
      reloading: false,
      reason: expect.stringMatching(/no service workers/),
    });
    const failing = host(
      {},
      {
        register: async () => {
          throw new Error('denied');
        },
      },
    );
    expect(await crossOriginIsolate(failing.h, 'sw.js')).toMatchObject({
      reloading: false,
      reason: expect.stringMatching(/could not start \(denied\)/),
    });
    expect(failing.log).toEqual([]);
  });
});

describe('wasm threads', () => {
  it('uses half the logical cores, at least 1, at most 8', () => {
    expect([undefined, 0, 1, 2, 3, 4, 8, 12, 16, 64].map(wasmThreadsFor)).toEqual([1, 1, 1, 1, 1, 2, 4, 6, 8, 8]);
  });

  it('carries ?threads=N in the worker name, and nothing else', () => {
    expect(labWorkerName(null)).toBe('lab');
    expect(labWorkerName(3)).toBe('lab threads=3');
    expect(labWorkerName(0)).toBe('lab');
    expect(labWorkerName(Number('x'))).toBe('lab');
    expect(threadsFromWorkerName('lab threads=3')).toBe(3);
    expect(threadsFromWorkerName('lab')).toBeNull();
    expect(threadsFromWorkerName('lab threads=3; x')).toBeNull();
  });

  it('rewrites only the pthread worker blob, pointing its load message at the factory file', async () => {
    const made: Blob[] = [];
    const api = {
      createObjectURL: (b: Blob) => {
        made.push(b);
        return `blob:${made.length}`;
      },
    };
    redirectPthreadFactory('http://x/assets/factory.js', api);
    api.createObjectURL(new Blob(['worker();'], { type: 'application/javascript' }));
    api.createObjectURL(new Blob(['png'], { type: 'image/png' }));
    expect(await made[0].text()).toBe(`${pthreadLoadShim('http://x/assets/factory.js')}worker();`);
    expect(await made[1].text()).toBe('png');
    // The shim, run against a fake worker scope: a load message's blob is replaced, other messages untouched.
    const handlers: ((e: { data: Record<string, unknown> }) => void)[] = [];
    new Function('self', pthreadLoadShim('http://x/f.js'))({
      addEventListener: (_: string, f: (e: { data: Record<string, unknown> }) => void) => handlers.push(f),
    });
    const load = { cmd: 'load', urlOrBlob: new Blob([]) };
    const run = { cmd: 'run', urlOrBlob: 'keep' };
    handlers[0]({ data: load });
    handlers[0]({ data: run });
    expect(load.urlOrBlob).toBe('http://x/f.js');
    expect(run.urlOrBlob).toBe('keep');
  });
});

describe('the isolation service worker (isolation-sw.js as the build writes it)', () => {
  /** Runs the generated script text, alone, on a fake worker scope. */
  function install() {
    const listeners: Record<string, (e: unknown) => void> = {};
    const log: string[] = [];
    const scope = {
      location: { origin: 'http://lab.test' },
      skipWaiting: () => {
        log.push('skipWaiting');
      },
      clients: {
        claim: async () => {
          log.push('claim');
        },
      },
      addEventListener: (t: string, fn: (e: unknown) => void) => {
        listeners[t] = fn;
      },
    };
    const fetched: string[] = [];
    const fetchFn = async (r: Request) => {
      fetched.push(r.url);
      return new Response('body', {
        status: 200,
        headers: { 'content-type': 'text/javascript', 'cache-control': 'no-store' },
      });
    };
    new Function(
      'self',
      'fetch',
      isolationWorkerSource({ 'Cross-Origin-Embedder-Policy': 'require-corp', 'X-Test': '1' }),
    )(scope, fetchFn);
    const fire = (request: Request): Promise<Response> | null => {
      let answer: Promise<Response> | null = null;
      listeners.fetch({
        request,
        respondWith: (p: Promise<Response>) => {
          answer = p;
        },
      });
      return answer;
    };
    return { listeners, log, fetched, fire };
  }

  it("is self-contained text: installs, claims the page, and adds the headers to its own origin's responses", async () => {
    const w = install();
    w.listeners.install({});
    let waited: Promise<unknown> | null = null;
    w.listeners.activate({
      waitUntil: (p: Promise<unknown>) => {
        waited = p;
      },
    });
    await waited;
    expect(w.log).toEqual(['skipWaiting', 'claim']);
    const r = await w.fire(new Request('http://lab.test/course/lab/assets/lab.worker.js'))!;
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(r.headers.get('x-test')).toBe('1');
    expect(r.headers.get('content-type')).toBe('text/javascript');
    expect(await r.text()).toBe('body');
  });

  it('leaves other origins and only-if-cached requests to the browser', () => {
    const w = install();
    expect(w.fire(new Request('http://elsewhere.test/x.js'))).toBeNull();
    // (Node's Request refuses to build this one, as browsers' DevTools send it: a plain object stands in.)
    expect(
      w.fire({ url: 'http://lab.test/x.js', cache: 'only-if-cached', mode: 'no-cors' } as unknown as Request),
    ).toBeNull();
    expect(w.fetched).toEqual([]);
  });
});
