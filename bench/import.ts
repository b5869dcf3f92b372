// Dataset import speed and memory (issue 5): a generated FER2013-sized CSV (35,887 rows of 2,304 pixels)
// and a generated UTKFace-like .tar.gz of 5,000 JPEGs, each imported through the lab page in headless
// Chromium (time, images/s, peak JS heap of the page and its import worker, sampled over DevTools) and
// by the headless runner's importer in Node, side by side. Needs a built page (`vite build`; done here).
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import sharp from 'sharp';
import { memoryStorage } from '../src/platform/memoryStorage';
import { importFromConfig } from '../src/platform/node/importFiles';
import { FILE_DATASET_DEFAULTS } from '../src/core/config/config';
import { gzip, makeTar } from '../tests/helpers/archives';
import { fakeFace } from '../tests/helpers/images';
import { CHROMIUM } from '../tests/e2e/helpers/browser';
import { serveDist } from '../tests/e2e/helpers/server';
import type { LabState } from '../src/state/labState';
import type { Settled } from '../tests/e2e/helpers/lab';

const MB = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

/** fer2013.csv's shape: `emotion,pixels,Usage`, 28,709 / 3,589 / 3,589 rows, pixels as text. */
async function writeFerCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) =>
    new Promise<void>((resolve) => {
      if (out.write(s)) resolve();
      else out.once('drain', () => resolve());
    });
  await write('emotion,pixels,Usage\n');
  const px = new Array<number>(2304);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < 2304; i++) px[i] = (i * 31 + r * 17 + ((i * r) % 97)) % 256;
    const usage = r < rows * 0.8 ? 'Training' : r < rows * 0.9 ? 'PublicTest' : 'PrivateTest';
    await write(`${r % 7},${px.join(' ')},${usage}\n`);
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

/** UTKFace-like JPEGs: 200x200 colour, with sensor-like noise so they weigh what real chips do (~10 kB). */
async function writeUtkTarGz(path: string, n: number): Promise<void> {
  const bases = Array.from({ length: 40 }, (_, i) => fakeFace(200, 200, 3, i));
  const files = [];
  let s = 12345;
  for (let i = 0; i < n; i++) {
    const px = bases[i % bases.length].slice();
    for (let k = 0; k < px.length; k++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      px[k] = Math.max(0, Math.min(255, px[k] + ((s >>> 24) % 13) - 6));
    }
    const jpeg = await sharp(Buffer.from(px), { raw: { width: 200, height: 200, channels: 3 } })
      .jpeg({ quality: 85 })
      .toBuffer();
    const name = `UTKFace/${1 + (i % 90)}_${i % 2}_${i % 5}_2017011617${String(i).padStart(7, '0')}.jpg.chip.jpg`;
    files.push({ name, data: new Uint8Array(jpeg) });
  }
  await writeFile(path, gzip(makeTar(files)));
}

/** Used JS heap of the page and of every worker, summed (DevTools Runtime.getHeapUsage per target). */
class HeapSampler {
  peak = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private sessions: string[] = [];
  private pending = new Map<number, (v: number) => void>();
  private id = 0;
  constructor(private readonly cdp: CDPSession) {
    cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
      const m = JSON.parse(e.message) as { id: number; result?: { usedSize: number } };
      this.pending.get(m.id)?.(m.result?.usedSize ?? 0);
      this.pending.delete(m.id);
    });
  }
  private async workers(): Promise<void> {
    const { targetInfos } = (await this.cdp.send('Target.getTargets')) as {
      targetInfos: { targetId: string; type: string; attached: boolean }[];
    };
    for (const t of targetInfos.filter((x) => x.type === 'worker')) {
      const { sessionId } = (await this.cdp
        .send('Target.attachToTarget', { targetId: t.targetId, flatten: false })
        .catch(() => ({ sessionId: '' }))) as { sessionId: string };
      if (sessionId && !this.sessions.includes(sessionId)) this.sessions.push(sessionId);
    }
  }
  private ask(sessionId: string): Promise<number> {
    const id = ++this.id;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      void this.cdp
        .send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
        })
        .catch(() => resolve(0));
      setTimeout(() => {
        if (this.pending.delete(id)) resolve(0);
      }, 2000);
    });
  }
  async sample(): Promise<number> {
    const page = ((await this.cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    const ws = await Promise.all(this.sessions.map((s) => this.ask(s)));
    const total = page + ws.reduce((a, b) => a + b, 0);
    this.peak = Math.max(this.peak, total);
    return total;
  }
  async start(): Promise<void> {
    await this.workers();
    this.peak = 0;
    await this.sample();
    this.timer = setInterval(() => {
      void this.workers()
        .then(() => this.sample())
        .catch(() => {});
    }, 100);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

type Pred = (s: Settled<LabState>) => unknown;
const onState = (f: Pred) => `(${f.toString()})(window.lab.store.getState())`;
async function waitFor(page: Page, f: Pred, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await page.evaluate(onState(f)))) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function browserImport(
  origin: string,
  file: string,
  size: number,
  channels: 1 | 3,
): Promise<{ ms: number; images: number; rejected: number; peakHeap: number; baseHeap: number }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/?preset=fixture-tiny&backend=wasm`);
    await waitFor(page, (s) => s.worker.ready && s.datasets.list.length === 1, 60_000);
    await page.click('[data-testid=tab-datasets]');
    await page.setInputFiles('[data-testid=import-files]', file);
    await page.waitForSelector('[data-testid=import-options]');
    await page.fill('[data-testid=import-size]', String(size));
    await page.selectOption('[data-testid=import-channels]', String(channels));
    const cdp = await page.context().newCDPSession(page);
    const heap = new HeapSampler(cdp);
    // The import worker starts on the first import: start it, then measure from a settled baseline.
    await heap.start();
    const baseHeap = heap.peak;
    const t0 = Date.now();
    await page.click('[data-testid=import-start]');
    await waitFor(page, (s) => s.imports.job === null && s.imports.last !== null, 600_000);
    const ms = Date.now() - t0;
    heap.stop();
    const last = (await page.evaluate(
      onState((s) => ({
        status: s.imports.last.status,
        message: s.imports.last.message,
        report: s.imports.last.report,
      })),
    )) as { status: string; message: string; report: { images: number; rejectedCount: number } };
    if (last.status !== 'done') throw new Error(`import ${last.status}: ${last.message}`);
    return { ms, images: last.report.images, rejected: last.report.rejectedCount, peakHeap: heap.peak, baseHeap };
  } finally {
    await browser.close();
  }
}

async function nodeImport(path: string, size: number, channels: 1 | 3): Promise<{ ms: number; images: number }> {
  const t0 = Date.now();
  const out = await importFromConfig(
    { ...FILE_DATASET_DEFAULTS, path, height: size, width: size, channels },
    memoryStorage(),
  );
  if (out.status !== 'done') throw new Error(out.message);
  return { ms: Date.now() - t0, images: out.report.images };
}

export async function benchImport(o: { quick: boolean; log: (s: string) => void }): Promise<string[]> {
  const { log } = o;
  const rows = o.quick ? 4000 : 35_887;
  const jpegs = o.quick ? 600 : 5000;
  const dir = await mkdtemp(join(tmpdir(), 'odl-bench-import-'));
  const csv = join(dir, 'fer2013.csv');
  const tgz = join(dir, 'UTKFace.tar.gz');
  let t = Date.now();
  await writeFerCsv(csv, rows);
  log(`generated ${csv}: ${rows} rows, ${MB((await stat(csv)).size)} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  await writeUtkTarGz(tgz, jpegs);
  log(
    `generated ${tgz}: ${jpegs} JPEGs 200x200, ${MB((await stat(tgz)).size)} in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  if (!existsSync('dist/index.html') || !o.quick) execFileSync('npx', ['vite', 'build'], { stdio: 'ignore' });
  const server = await serveDist();
  try {
    const b1 = await browserImport(server.origin, csv, 48, 1);
    log(
      `Chromium, FER CSV: ${b1.images} images in ${(b1.ms / 1000).toFixed(1)} s (${(b1.images / (b1.ms / 1000)).toFixed(0)} rows/s); ` +
        `peak JS heap page + workers ${MB(b1.peakHeap)} (before the import ${MB(b1.baseHeap)})`,
    );
    const n1 = await nodeImport(csv, 48, 1);
    log(`Node runner, FER CSV: ${n1.images} images in ${(n1.ms / 1000).toFixed(1)} s`);
    const b2 = await browserImport(server.origin, tgz, 48, 3);
    log(
      `Chromium, UTKFace .tar.gz: ${b2.images} JPEGs in ${(b2.ms / 1000).toFixed(1)} s = ${(b2.images / (b2.ms / 1000)).toFixed(0)} images/s; ` +
        `peak JS heap ${MB(b2.peakHeap)}`,
    );
    const n2 = await nodeImport(tgz, 48, 3);
    log(
      `Node runner, UTKFace .tar.gz: ${n2.images} JPEGs in ${(n2.ms / 1000).toFixed(1)} s = ${(n2.images / (n2.ms / 1000)).toFixed(0)} images/s`,
    );
    return [
      `FER2013-sized CSV (${rows} rows) in Chromium: ${(b1.ms / 1000).toFixed(1)} s (target ≤ 30 s), peak JS heap ${MB(b1.peakHeap)} (target < 500 MB); Node runner ${(n1.ms / 1000).toFixed(1)} s (browser/Node time ${(b1.ms / n1.ms).toFixed(2)}x)`,
      `UTKFace-like .tar.gz (${jpegs} JPEGs) in Chromium: ${(b2.images / (b2.ms / 1000)).toFixed(0)} images/s; Node runner ${(n2.images / (n2.ms / 1000)).toFixed(0)} images/s`,
    ];
  } finally {
    await server.close();
  }
}
