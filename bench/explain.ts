// Grad-CAM latency per image on the default model (`small`, 48x48 grey, 8 classes) per backend: in Node
// (wasm, cpu) directly, and in the lab's worker in headless Chromium (webgpu, webgl, wasm) through the
// viewer after a tiny run; and the export -> import round trip of the same model (time, zip size).
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { gradCam } from '../src/core/explain/gradcam';
import { buildModel } from '../src/core/models/registry';
import { selectBackend, type BackendName } from '../src/platform/backend';
import { loadChecked, readModelFiles, zipModel, labInfo, type ModelParts } from '../src/platform/models/bundle';
import { nodeImportPlatform } from '../src/platform/node/importFiles';
import { makeConfig } from '../src/core/config/config';
import { launch, openLab } from '../tests/e2e/helpers/browser';
import { serveDist } from '../tests/e2e/helpers/server';
import type { LabState } from '../src/state/labState';
import type { Settled } from '../tests/e2e/helpers/lab';

const SPEC = { arch: 'small' as const, inputShape: [48, 48, 1] as [number, number, number], outputUnits: 8, seed: 1 };

async function nodeLatency(
  backend: BackendName,
  log: (s: string) => void,
): Promise<{ one: number; eight: number } | null> {
  const be = await selectBackend([backend]).catch(() => null);
  if (!be || be.name !== backend) {
    log(`${backend}: not available`);
    return null;
  }
  const m = buildModel(SPEC);
  const time = async (n: number, reps: number) => {
    const x = tf.randomUniform([n, 48, 48, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    await gradCam(m, x, { kind: 'class', classes: null }); // warm-up (kernels, shapes)
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) await gradCam(m, x, { kind: 'class', classes: null });
    x.dispose();
    return (performance.now() - t0) / reps / n;
  };
  const one = await time(1, backend === 'cpu' ? 2 : 10);
  const eight = await time(8, backend === 'cpu' ? 1 : 5);
  m.dispose();
  log(
    `Node ${backend}: ${one.toFixed(1)} ms per image one at a time, ${eight.toFixed(1)} ms per image in batches of 8`,
  );
  return { one, eight };
}

type Pred = (s: Settled<LabState>) => unknown;
const onState = (f: Pred) => `(${f.toString()})(window.lab.store.getState())`;
async function waitFor(page: Page, f: Pred, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await page.evaluate(onState(f)))) {
    if (Date.now() > until) throw new Error(`timed out: ${f.toString()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A tiny run of the default model in the lab on `backend`, then Grad-CAM of 8 test images (3 maps each). */
async function browserLatency(origin: string, backend: BackendName, log: (s: string) => void): Promise<number | null> {
  const browser = await launch(backend === 'webgpu');
  try {
    const l = await openLab(browser);
    const page = l.page;
    const cfg = {
      dataset: { train: 32, val: 16, test: 16, height: 48, width: 48 },
      model: { width: 1, embeddingSize: null },
      teacher: { epochs: 1, batchSize: 16 },
      student: { epochs: 1, batchSize: 16 },
      standard: { epochs: 0 },
      triplet: { epochs: 0 },
      trainOtherHalfStudent: false,
      sameBudgetControl: false,
      evalBatchSize: 16,
    };
    await page.goto(
      `${origin}/?${new URLSearchParams({ preset: 'fixture-tiny', config: JSON.stringify(cfg), backend })}`,
    );
    await waitFor(page, (s) => s.worker.ready && s.datasets.list.length >= 1, 120_000);
    await page.click('[data-testid=start]');
    await waitFor(page, (s) => s.run && ['done', 'failed', 'interrupted'].includes(s.run.status), 600_000);
    const ran = (await page.evaluate(
      onState((s) => ({ status: s.run.status, backend: s.run.backend, message: s.run.message })),
    )) as { status: string; backend: string; message: string };
    if (ran.status !== 'done' || ran.backend !== backend) {
      log(`Chromium ${backend}: ${ran.status} on ${ran.backend} (${ran.message ?? ''})`);
      return null;
    }
    await page.click('[data-testid=tab-explain]');
    await page.fill('input[type=number]', '8');
    let ms = 0;
    for (let i = 0; i < 2; i++) {
      await page.click('[data-testid=gradcam-run]');
      await waitFor(page, (s) => s.explain.pending === null && s.explain.sheet, 600_000);
      await waitFor(page, (s) => s.explain.pending === null, 600_000);
      ms = (await page.evaluate(onState((s) => s.explain.sheet.ms))) as number;
      await page.waitForTimeout(100);
    }
    const per = ms / (8 * 3);
    log(
      `Chromium ${backend} (worker): ${per.toFixed(1)} ms per map (8 images x 3 maps in ${ms} ms, models loaded from IndexedDB included)`,
    );
    return per;
  } finally {
    await browser.close();
  }
}

async function roundTrip(log: (s: string) => void): Promise<string> {
  await selectBackend(['wasm']);
  const m = buildModel(SPEC);
  const t0 = performance.now();
  let parts: ModelParts | null = null;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      parts = {
        modelTopology: a.modelTopology,
        weightSpecs: a.weightSpecs ?? [],
        weightData: tf.io.CompositeArrayBuffer.join(a.weightData!),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const cfg = makeConfig({});
  const zip = zipModel(
    parts!,
    labInfo({
      name: 'default',
      stage: 'teacher',
      config: cfg,
      classNames: [],
      visibility: 'full',
      rows: [],
      height: 48,
      width: 48,
      channels: 1,
    }),
  );
  const t1 = performance.now();
  const back = await loadChecked(await readModelFiles([{ name: 'm.zip', bytes: zip }], nodeImportPlatform.inflateRaw), {
    inputShape: [48, 48, 1],
    outputUnits: 8,
  });
  const t2 = performance.now();
  const x = tf.randomUniform([4, 48, 48, 1], 0, 1, 'float32', 3);
  const [a, b] = [m.predict(x) as tf.Tensor, back.predict(x) as tf.Tensor];
  const same = (await a.data()).every((v, i) => v === b.dataSync()[i]);
  tf.dispose([x, a, b]);
  m.dispose();
  back.dispose();
  const line = `default model export ${(t1 - t0).toFixed(0)} ms + import ${(t2 - t1).toFixed(0)} ms, zip ${(zip.length / 1e6).toFixed(2)} MB, predictions identical: ${same}`;
  log(line);
  return line;
}

export async function benchExplain(o: { quick: boolean; log: (s: string) => void }): Promise<string[]> {
  const { log } = o;
  const node: Record<string, { one: number; eight: number } | null> = {};
  for (const b of ['wasm', 'cpu'] as BackendName[]) node[b] = await nodeLatency(b, log);
  if (!existsSync('dist/index.html') || !o.quick) execFileSync('npx', ['vite', 'build'], { stdio: 'ignore' });
  const server = await serveDist();
  const web: Record<string, number | null> = {};
  try {
    for (const b of (o.quick ? ['wasm'] : ['webgpu', 'webgl', 'wasm']) as BackendName[])
      web[b] = await browserLatency(server.origin, b, log).catch((e: Error) => {
        log(`Chromium ${b}: ${e.message}`);
        return null;
      });
  } finally {
    await server.close();
  }
  const rt = await roundTrip(log);
  const fmt = (v: number | null | undefined) => (v == null ? 'n/a' : `${v.toFixed(1)} ms`);
  return [
    `Grad-CAM per image, default model 48x48: Node wasm ${fmt(node.wasm?.one)} (batch 8: ${fmt(node.wasm?.eight)}), Node cpu ${fmt(node.cpu?.one)}; ` +
      `lab worker in Chromium per map: ${Object.entries(web)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}`,
    rt,
  ];
}
