// What the importers read and share: byte sources and files as the platform hands them over, the
// platform's decoders, progress metering, cancel checks, and the limits on images and entries.
import type { DatasetMeta } from '../../core/records';
import type { Inflate } from '../../core/data/formats/zip';
import type { ImportProgress } from '../../core/data/importReport';
import { DatasetBuilder, type BuilderSpec } from './builder';
import type { ImportReport } from '../../core/data/importReport';

/** A file read front to back; `read` where it can also be read at an offset (what a .zip needs). */
export interface ByteSource {
  name: string;
  size: number;
  stream(): AsyncIterable<Uint8Array>;
  read?(offset: number, length: number): Promise<Uint8Array>;
}

/** One file of a chosen folder: its path below the folder, read on demand. */
export interface FileItem {
  path: string;
  size: number;
  read(): Promise<Uint8Array>;
}

export interface ImportPlatform {
  /** Decodes an image file to [height, width, channels] bytes at the target size (centre crop to its
   *  aspect, then resize); throws with a reason the report can show. */
  decode(bytes: Uint8Array, target: { width: number; height: number; channels: 1 | 3 }): Promise<Uint8Array>;
  gunzip(compressed: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  /** Raw deflate, bounded: rejects with InflateLimitError past `maxBytes` (core/data/formats/zip.ts). */
  inflateRaw: Inflate;
  /** Storage used / available, where the platform knows (browser). */
  estimate?(): Promise<{ usage: number; quota: number } | null>;
  /** Images decoded at once (decoding runs off the JS thread in both platforms). */
  concurrency: number;
}

export type ImportInput =
  /** `labels`: names of generic classes 0..K-1, one per line (core/data/formats/ferLabels.ts). */
  | { kind: 'csv'; images: ByteSource; votes: ByteSource | null; labels?: ByteSource | null }
  | { kind: 'archive'; file: ByteSource }
  | { kind: 'files'; root: string; files: FileItem[] };

export interface ImportHooks {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Least time between two progress calls. */
  progressMs?: number;
  /** Dataset id to write under (default: a fresh one). */
  id?: string;
}

export type ImportOutcome =
  | { status: 'done'; meta: DatasetMeta; report: ImportReport }
  | { status: 'cancelled' | 'failed'; message: string; report: ImportReport | null };

/** Images over this many pixels are rejected before decoding (a 64 MP image is 256 MB of RGBA). */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Archive entries over this size are skipped with a reason. */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export const IMAGE_EXT = /\.(jpe?g|png|webp)$/i;
export const OTHER_IMAGE_EXT = /\.(gif|bmp|tiff?|heic|avif)$/i;
export const mb = (b: number) => `${(b / 1e6).toFixed(b < 1e7 ? 1 : 0)} MB`;

/** Counts the bytes a stream hands out. */
export async function* counted(src: AsyncIterable<Uint8Array>, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const c of src) {
    add(c.length);
    yield c;
  }
}

export async function* decodeText(src: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const dec = new TextDecoder('utf-8');
  for await (const c of src) yield dec.decode(c, { stream: true });
  const tail = dec.decode();
  if (tail) yield tail;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMExceptionLike('The import was cancelled.');
}

class DOMExceptionLike extends Error {
  override name = 'AbortError';
}

/** Progress, rate and ETA, emitted at most every `ms`. */
export class Meter {
  bytesDone = 0;
  private last = 0;
  private readonly t0 = Date.now();
  constructor(
    readonly bytesTotal: number,
    private readonly b: () => DatasetBuilder | null,
    private readonly emit?: (p: ImportProgress) => void,
    private readonly ms = 200,
  ) {}
  tick(force = false): void {
    const now = Date.now();
    if (!this.emit || (!force && now - this.last < this.ms)) return;
    this.last = now;
    const s = (now - this.t0) / 1000;
    const b = this.b();
    const images = b?.images ?? 0;
    const frac = this.bytesTotal > 0 ? this.bytesDone / this.bytesTotal : 0;
    this.emit({
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      images,
      rejected: b?.rejectedCount ?? 0,
      rate: s > 0 ? images / s : 0,
      etaS: frac > 0.01 && s > 0.5 ? (s / frac) * (1 - frac) : null,
    });
  }
}

export type Make = (spec: Omit<BuilderSpec, 'id' | 'options'>) => Promise<DatasetBuilder>;
