// Dataset import from paths, for the headless runner: files streamed with node:fs, archives gunzipped
// and inflated by node:zlib, images decoded, cropped and resized by sharp (libvips, off the JS thread).
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, inflateRaw } from 'node:zlib';
import sharp from 'sharp';
import type { FileDatasetConfig } from '../../core/config/config';
import { toChannels } from '../../core/data/formats/pixels';
import { InflateLimitError } from '../../core/data/formats/zip';
import { ImportError } from '../import/builder';
import type { ImportOptions } from '../../core/data/importReport';
import {
  MAX_IMAGE_PIXELS,
  runImport,
  type ByteSource,
  type FileItem,
  type ImportHooks,
  type ImportInput,
  type ImportOutcome,
  type ImportPlatform,
} from '../import/run';
import type { LabStorage } from '../../core/records';

/** A file on disk as a ByteSource (streamed in 1 MiB pieces; random reads for .zip). */
export async function fileSource(path: string): Promise<ByteSource> {
  const st = await stat(path).catch((e: Error) => {
    throw new ImportError(`Cannot read ${path}: ${e.message}`);
  });
  if (!st.isFile()) throw new ImportError(`${path} is not a file.`);
  return {
    name: basename(path),
    size: st.size,
    stream: () => createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>,
    read: async (offset, length) => {
      const fh = await open(path, 'r');
      try {
        const buf = new Uint8Array(length);
        const { bytesRead } = await fh.read(buf, 0, length, offset);
        return bytesRead === length ? buf : buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
  };
}

/** Every file below a folder, in sorted order (the same dataset whatever the file system's order). */
export async function folderFiles(root: string): Promise<FileItem[]> {
  const out: FileItem[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const size = (await stat(p)).size;
        out.push({
          path: relative(root, p).split(sep).join('/'),
          size,
          read: async () => new Uint8Array(await readFile(p)),
        });
      }
    }
  };
  await walk(root);
  return out;
}

/** Decoding and decompression with sharp and node:zlib. */
export const nodeImportPlatform: ImportPlatform = {
  concurrency: 4,
  async decode(bytes, t) {
    const img = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' })
      .rotate() // EXIF orientation, as browsers apply it
      .resize(t.width, t.height, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' });
    const { data, info } = await (t.channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const px = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (info.channels === t.channels) return px.slice();
    return toChannels(px, t.width * t.height, info.channels as 1 | 2 | 3 | 4, t.channels);
  },
  gunzip: (src) => Readable.from(src).pipe(createGunzip()) as AsyncIterable<Uint8Array>,
  // Bounded: zlib stops at maxOutputLength (ERR_BUFFER_TOO_LARGE) instead of inflating a bomb in full.
  inflateRaw: (d, maxBytes) =>
    new Promise((resolve, reject) =>
      inflateRaw(d, { maxOutputLength: Math.max(1, maxBytes) }, (err, out) => {
        if (err)
          reject(
            (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? new InflateLimitError(maxBytes) : err,
          );
        else resolve(new Uint8Array(out));
      }),
    ),
};

/** What a path is: a folder, a CSV (with the FER+ votes beside it when given), or an archive. */
export async function inputFromPath(
  path: string,
  ferplus: string | null,
  labels: string | null = null,
): Promise<ImportInput> {
  if (labels && !/\.csv$/i.test(path))
    throw new ImportError('A labels file goes with a FER-layout CSV (class folders are named by their folders).');
  const st = await stat(path).catch((e: Error) => {
    throw new ImportError(`Cannot read ${path}: ${e.message}`);
  });
  if (st.isDirectory()) {
    if (ferplus) throw new ImportError('FER+ votes go with a fer2013.csv, not with a folder.');
    return { kind: 'files', root: basename(path), files: await folderFiles(path) };
  }
  if (/\.csv$/i.test(path))
    return {
      kind: 'csv',
      images: await fileSource(path),
      votes: ferplus ? await fileSource(ferplus) : null,
      labels: labels ? await fileSource(labels) : null,
    };
  if (ferplus) throw new ImportError('FER+ votes go with a fer2013.csv, not with an archive.');
  return { kind: 'archive', file: await fileSource(path) };
}

/** Imports a dataset described in a config (or by --dataset) into `storage`. */
export async function importFromConfig(
  ds: FileDatasetConfig,
  storage: LabStorage,
  hooks: ImportHooks = {},
): Promise<ImportOutcome> {
  const input = await inputFromPath(ds.path, ds.ferplus, ds.labels ?? null);
  const options: ImportOptions = {
    name: basename(ds.path),
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    seed: ds.seed,
    split: [60, 20, 20],
  };
  return runImport(input, ds.format, options, storage, nodeImportPlatform, hooks);
}
