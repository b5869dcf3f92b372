// The dataset importers: FER2013 (+ FER+ votes) CSVs, UTKFace and class-folder images from a .tar.gz,
// a .zip or a chosen folder, streamed into storage through DatasetBuilder. Sources, decoding and
// decompression come from the platform (browser worker or Node), so this file has no DOM or Node import.
import type { LabStorage } from '../../core/records';
import { hashUniform } from '../../core/hash';
import type { ImportFormat } from '../../core/data/importReport';
import { DatasetBuilder, ImportError, type BuilderSpec } from './builder';
import type { ImportOptions } from '../../core/data/importReport';

import {
  Meter,
  mb,
  throwIfAborted,
  type ImportHooks,
  type ImportInput,
  type ImportOutcome,
  type ImportPlatform,
} from './source';
import { importFer } from './fer';
import { importImages } from './images';

export * from './source';

/** Runs one import to the end: done (the dataset is stored, complete), cancelled or failed (nothing of
 *  it is left in storage; other datasets are never touched). */
export async function runImport(
  input: ImportInput,
  format: ImportFormat,
  options: ImportOptions,
  storage: LabStorage,
  platform: ImportPlatform,
  hooks: ImportHooks = {},
): Promise<ImportOutcome> {
  const t0 = Date.now();
  let builder: DatasetBuilder | null = null;
  const total =
    input.kind === 'csv'
      ? input.images.size + (input.votes?.size ?? 0)
      : input.kind === 'archive'
        ? input.file.size
        : input.files.reduce((n, f) => n + f.size, 0);
  const meter = new Meter(total, () => builder, hooks.onProgress, hooks.progressMs);
  const id =
    hooks.id ??
    `import-${Date.now().toString(36)}-${hashUniform(`${options.name}\u0000${Math.random()}`).toString(36)}`;
  const make = async (spec: Omit<BuilderSpec, 'id' | 'options'>): Promise<DatasetBuilder> => {
    builder = new DatasetBuilder(storage, { ...spec, id, options });
    await builder.start();
    return builder;
  };
  const quota = quotaCheck(platform, meter, () => builder);
  try {
    if (input.kind === 'csv') {
      if (format !== 'auto' && format !== 'fer2013')
        throw new ImportError(
          `${input.images.name}: a CSV is read as FER2013; choose the format "FER2013" or an archive/folder for ${format}.`,
        );
      await importFer(input, options, make, meter, hooks.signal, quota);
    } else {
      await importImages(input, format, options, platform, make, meter, hooks.signal, quota);
    }
    throwIfAborted(hooks.signal);
    const b = builder as DatasetBuilder | null;
    if (!b) throw new ImportError('Nothing was read.');
    const meta = await b.finish(Date.now() - t0);
    meter.tick(true);
    return { status: 'done', meta, report: b.report(meta, meter.bytesDone, Date.now() - t0) };
  } catch (e) {
    const b = builder as DatasetBuilder | null;
    await b?.abort().catch(() => {});
    const cancelled = (e as Error).name === 'AbortError' || !!hooks.signal?.aborted;
    const message = cancelled
      ? 'The import was cancelled; nothing of it was kept.'
      : e instanceof ImportError
        ? e.message
        : `The import failed: ${(e as Error).message ?? String(e)}. Nothing of it was kept.`;
    return {
      status: cancelled ? 'cancelled' : 'failed',
      message,
      report: b?.report(null, meter.bytesDone, Date.now() - t0) ?? null,
    };
  }
}

/** After the first images, projects the stored size from the bytes read and stops early when the
 *  browser's quota cannot hold it (before the first chunk is written). */
function quotaCheck(platform: ImportPlatform, meter: Meter, b: () => DatasetBuilder | null): () => Promise<void> {
  let done = false;
  return async () => {
    const builder = b();
    if (done || !builder || builder.images < 200 || !platform.estimate) return;
    done = true;
    const est = await platform.estimate();
    if (!est || est.quota <= 0 || meter.bytesDone <= 0) return;
    const projected = (builder.images / meter.bytesDone) * meter.bytesTotal * builder.bytesPerImage * 1.1;
    const free = est.quota - est.usage;
    if (projected > free) {
      throw new ImportError(
        `Not enough browser storage: this import needs about ${mb(projected)} and ${mb(free)} are free for this page. ` +
          'Nothing was kept. Free space (delete datasets or runs) or import at a smaller image size.',
      );
    }
  };
}
