// Page-level helpers for the lab's end-to-end tests: the tiny experiment URL, waiting on the store,
// and the weight of the JavaScript the page loaded itself.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { LabState } from '../../../src/state/labState';
import { DIST_DIR } from './server';

/** fixture-tiny, smaller still: software WebGPU takes about a second per batch, so 2 batches per epoch and
 *  one epoch per stage (the whole curriculum, every grid row). */
export const TINY = { dataset: { train: 32, val: 16, test: 16 }, teacher: { epochs: 1 }, evalBatchSize: 16 };

export function labUrl(origin: string, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ preset: 'fixture-tiny', config: JSON.stringify(TINY), ...extra });
  return `${origin}/?${q}`;
}

// Predicates run in the page on the store's state. They travel as source text and are evaluated by the
// DevTools protocol (not by the page's own eval, which its Content-Security-Policy forbids), so they
// must be self-contained arrow functions.
// Typed on the store's state with null and undefined taken out: a predicate asks about what it waits for,
// and a field still missing makes it throw in the page, which reads as "not yet" until the timeout.
export type Settled<T> = T extends object ? { [K in keyof T]-?: Settled<NonNullable<T[K]>> } : T;
type Pred<T> = (s: Settled<LabState>) => T;
const onState = (f: Pred<unknown>) => `(${f.toString()})(window.lab.store.getState())`;

export async function state<T>(page: Page, f: Pred<T>): Promise<T> {
  return (await page.evaluate(onState(f))) as T;
}

/** Polls from the test side (page.waitForFunction would eval the source inside the page). */
export async function waitForState(page: Page, f: Pred<unknown>, timeout = 60_000): Promise<void> {
  const until = Date.now() + timeout;
  const src = onState(f);
  for (;;) {
    if (await page.evaluate(src)) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${f.toString()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves with the run's final status ('done', 'failed', 'interrupted', 'cancelled'). */
export async function waitForRunEnd(page: Page, timeout = 150_000): Promise<string> {
  await waitForState(
    page,
    (s) => s.run && ['done', 'failed', 'interrupted', 'cancelled'].includes(s.run.status),
    timeout,
  );
  return state(page, (s) => s.run.status as string);
}

/** Chunks of the built lab reachable by static imports from a worker's entry but not from the page's own
 *  entry: Chromium lists a module worker's imports among the page's resources, and once two workers share
 *  tfjs it lives in a chunk of its own, not inside the worker's file. */
export function workerOnlyChunks(dist: string): Set<string> {
  const dir = join(dist, 'assets');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const imports = (f: string) =>
    [...readFileSync(join(dir, f), 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)].map((m) => m[1]);
  const closure = (roots: string[]) => {
    const seen = new Set<string>();
    const todo = [...roots];
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f) || !files.includes(f)) continue;
      seen.add(f);
      todo.push(...imports(f));
    }
    return seen;
  };
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const page = closure([...html.matchAll(/assets\/([^"]+\.js)"/g)].map((m) => m[1]));
  const workers = closure(files.filter((f) => /worker/i.test(f)));
  return new Set([...workers].filter((f) => !page.has(f)));
}

/** Scripts and styles the page's main thread has loaded so far (the workers' own chunks left out: see
 *  workerOnlyChunks), each with its gzipped size. */
export async function pageWeight(
  page: Page,
  origin: string,
  dist = DIST_DIR,
): Promise<{ url: string; bytes: number; gzip: number }[]> {
  const workerOnly = workerOnlyChunks(dist);
  const urls = await page.evaluate(() => [...performance.getEntriesByType('resource').map((e) => e.name)]);
  const assets = [...new Set(urls)].filter(
    (u) =>
      /\.(js|css)$/.test(new URL(u).pathname) &&
      !/lab\.worker/.test(u) &&
      !workerOnly.has(new URL(u).pathname.split('/').pop() ?? ''),
  );
  const out: { url: string; bytes: number; gzip: number }[] = [];
  for (const u of assets) {
    const body = Buffer.from(await (await fetch(u.startsWith('http') ? u : origin + u)).arrayBuffer());
    out.push({ url: new URL(u).pathname, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length });
  }
  return out;
}

/** Opens the tiny experiment (`extra`: more URL parameters, wasm by default), waits for the worker and
 *  the generated dataset, and trains it to the end ('done', or the test fails). */
export async function trainTiny(
  page: Page,
  origin: string,
  extra: Record<string, string> = { backend: 'wasm' },
): Promise<void> {
  await page.goto(labUrl(origin, extra));
  await waitForState(page, (s) => s.worker.ready && s.datasets.list.length === 1);
  await page.click('[data-testid=start]');
  const status = await waitForRunEnd(page);
  if (status !== 'done') throw new Error(`the tiny run ended '${status}', not 'done'`);
}

/** Grad-CAM of the first test images on the Explain tab, for the run just trained; throws on an error
 *  and returns the number of panels (models) of the sheet. */
export async function drawFirstMaps(page: Page): Promise<number> {
  await page.click('[data-testid=tab-explain]');
  await page.selectOption('[data-testid=gradcam-pick]', 'first');
  await page.click('[data-testid=gradcam-run]');
  await waitForState(page, (s) => s.explain.pending === null && (s.explain.sheet || s.explain.error), 60_000);
  const error = await state(page, (s) => s.explain.error as string | null);
  if (error) throw new Error(`Grad-CAM failed: ${error}`);
  return state(page, (s) => s.explain.sheet.panels.length as number);
}
