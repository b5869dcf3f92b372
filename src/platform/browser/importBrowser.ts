// Dataset import inside the browser's import worker: File objects read as streams (never whole),
// .tar.gz through DecompressionStream, .zip entries by File.slice + 'deflate-raw', images decoded,
// centre-cropped and resized by createImageBitmap + OffscreenCanvas (docs/architecture.md#platform-constraints: ~3 ms a
// JPEG).
import { centerCropBox, toChannels } from '../../core/data/formats/pixels';
import { sniffImage } from '../../core/data/formats/sniff';
import { InflateLimitError, type Inflate } from '../../core/data/formats/zip';
import type { ByteSource, FileItem, ImportInput, ImportPlatform } from '../import/run';
import type { ImportFiles } from '../../core/data/importReport';
import { storageEstimate } from './db';

/** A ReadableStream read as an async iterable (not every engine has ReadableStream's own iterator). */
export async function* readStream(rs: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = rs.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** An async iterable as a ReadableStream (pull-based, so nothing is read ahead of the consumer). */
export function toStream(src: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      const r = await it.next();
      if (r.done) ctl.close();
      else ctl.enqueue(r.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

export function blobSource(file: File): ByteSource {
  return {
    name: file.name,
    size: file.size,
    stream: () => readStream(file.stream()),
    read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()),
  };
}

export function browserInput(f: ImportFiles): ImportInput {
  if (f.kind === 'csv')
    return {
      kind: 'csv',
      images: blobSource(f.images),
      votes: f.votes ? blobSource(f.votes) : null,
      labels: f.labels ? blobSource(f.labels) : null,
    };
  if (f.kind === 'archive') return { kind: 'archive', file: blobSource(f.file) };
  const files: FileItem[] = f.files.map(({ file, path }) => ({
    path,
    size: file.size,
    read: async () => new Uint8Array(await file.arrayBuffer()),
  }));
  return { kind: 'files', root: f.root, files };
}

/** Raw deflate (a .zip entry) through the platform's DecompressionStream (browsers, and Node 18+),
 *  read piece by piece and abandoned as soon as it passes `maxBytes` (a zip bomb never inflates in full). */
export const inflateRaw: Inflate = async (d, maxBytes) => {
  const rs = new Blob([d as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  const reader = rs.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new InflateLimitError(maxBytes);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

let canvas: OffscreenCanvas | null = null;

export const browserImportPlatform: ImportPlatform = {
  concurrency: 8,
  async decode(bytes, t) {
    const info = sniffImage(bytes);
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    let bitmap: ImageBitmap;
    if (info?.width && info.height) {
      // Crop and resize while decoding: a large photo never exists at full size as RGBA.
      const box = centerCropBox(info.width, info.height, t.width, t.height);
      bitmap = await createImageBitmap(blob, box.x, box.y, box.w, box.h, {
        resizeWidth: t.width,
        resizeHeight: t.height,
        resizeQuality: 'high',
      });
      if (bitmap.width !== t.width || bitmap.height !== t.height) {
        bitmap.close();
        throw new Error(`decoded to ${bitmap.width}x${bitmap.height}, not ${t.width}x${t.height}`);
      }
    } else {
      const full = await createImageBitmap(blob);
      const box = centerCropBox(full.width, full.height, t.width, t.height);
      bitmap = await createImageBitmap(full, box.x, box.y, box.w, box.h, {
        resizeWidth: t.width,
        resizeHeight: t.height,
        resizeQuality: 'high',
      });
      full.close();
    }
    canvas ??= new OffscreenCanvas(t.width, t.height);
    if (canvas.width !== t.width || canvas.height !== t.height) {
      canvas.width = t.width;
      canvas.height = t.height;
    }
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas in this worker');
    ctx.clearRect(0, 0, t.width, t.height);
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    const rgba = new Uint8Array(ctx.getImageData(0, 0, t.width, t.height).data.buffer);
    return toChannels(rgba, t.width * t.height, 4, t.channels);
  },
  gunzip: (src) =>
    readStream(
      toStream(src).pipeThrough(
        new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
      ),
    ),
  inflateRaw,
  estimate: storageEstimate,
};
