// The image importers: UTKFace and class folders from a .tar.gz, a .zip or a chosen folder, entry by
// entry (sniffed, decoded by the platform, centre-cropped and resized), into the builder.
import { expressionIndex, folderPlace, outsideArchive, splitFromFolder } from '../../core/data/formats/folders';
import { IMPORTABLE_FORMATS, sniffImage } from '../../core/data/formats/sniff';
import { otherEntryReason, readTar } from '../../core/data/formats/tar';
import { parseUtkFaceName, UTK_RACES } from '../../core/data/formats/utkface';
import {
  ByteSource,
  ImportPlatform,
  ImportInput,
  MAX_IMAGE_PIXELS,
  MAX_ENTRY_BYTES,
  IMAGE_EXT,
  OTHER_IMAGE_EXT,
  mb,
  counted,
  throwIfAborted,
  Meter,
  Make,
} from './source';
import { readZipDirectory, readZipEntry, type RandomAccess } from '../../core/data/formats/zip';
import { EXPRESSION_CLASSES, GENDER_CLASSES, type Task } from '../../core/data/types';
import type { ImportInfo } from '../../core/records';
import type { ImportFormat } from '../../core/data/importReport';
import { DatasetBuilder, ImportError, type BuilderSpec } from './builder';
import type { ImportOptions } from '../../core/data/importReport';

/** An image-ish entry of an archive or folder, its bytes maybe already read (tar). */
interface Item {
  path: string;
  size: number;
  bytes: (() => Promise<Uint8Array>) | null;
  /** Why it has no bytes (oversized tar entry). */
  skipped?: string;
}

async function* tarItems(file: ByteSource, platform: ImportPlatform, meter: Meter): AsyncGenerator<Item> {
  const raw = counted(file.stream(), (n) => {
    meter.bytesDone += n;
  });
  const gz = /\.(tgz|gz)$/i.test(file.name);
  for await (const { entry, data } of readTar(gz ? platform.gunzip(raw) : raw, { maxEntryBytes: MAX_ENTRY_BYTES })) {
    if (entry.kind === 'directory') continue;
    // Links, devices, FIFOs: never read, but named in the report.
    if (entry.kind === 'other') {
      yield { path: entry.name, size: 0, bytes: null, skipped: otherEntryReason(entry.type) };
      continue;
    }
    yield data
      ? { path: entry.name, size: entry.size, bytes: async () => data }
      : { path: entry.name, size: entry.size, bytes: null, skipped: `larger than ${mb(MAX_ENTRY_BYTES)}` };
  }
}

/** Every regular file's path in a tar, bodies skipped: a first pass, so that a tar's class folders are
 *  known before any image is labelled, as a zip's are from its directory (the same archive then maps the
 *  same whichever the container: male/female folders to gender, happy/sad/... to the FER+ classes). */
async function tarPaths(
  file: ByteSource,
  platform: ImportPlatform,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const gz = /\.(tgz|gz)$/i.test(file.name);
  const raw = file.stream();
  const paths: string[] = [];
  for await (const { entry } of readTar(gz ? platform.gunzip(raw) : raw, { maxEntryBytes: 0 })) {
    if (entry.kind === 'file') paths.push(entry.name);
    if ((paths.length & 255) === 0) throwIfAborted(signal);
  }
  return paths;
}

function zipAccess(file: ByteSource): RandomAccess {
  const read = file.read;
  if (!read) throw new ImportError(`${file.name}: this source cannot be read at an offset, which a .zip needs.`);
  return { size: file.size, read: (o, l) => read.call(file, o, l) };
}

/** What a path tells: label placement for folders (split folder, class folder) below any root. */
function placeBelowRoot(path: string): ReturnType<typeof folderPlace> {
  const segs = path.split('/').filter((s) => s.length > 0);
  if (segs.some((s) => s.startsWith('.') || s === '__MACOSX')) return folderPlace(segs.join('/'));
  const n = segs.length;
  const rel = n >= 3 && splitFromFolder(segs[n - 3]) ? segs.slice(n - 3) : segs.slice(Math.max(0, n - 2));
  return folderPlace(rel.join('/'));
}

const GENDER_NAMES: Record<string, number> = { male: 0, man: 0, men: 0, female: 1, woman: 1, women: 1 };

/** How folder class names become labels: the FER+ classes when every name is an expression, the two
 *  genders for male/female folders, else the names themselves, sorted (every container's paths are listed
 *  first: a zip's directory, a tar's first pass, a folder's files; `null` grows them in order of appearance). */
class Classes {
  readonly task: Task;
  readonly names: string[];
  private readonly mode: 'expression' | 'gender' | 'names';
  private readonly growing: boolean;
  constructor(known: string[] | null) {
    const lower = (known ?? []).map((n) => n.toLowerCase());
    if (
      known &&
      known.length === 2 &&
      lower.every((n) => n in GENDER_NAMES) &&
      new Set(lower.map((n) => GENDER_NAMES[n])).size === 2
    ) {
      this.mode = 'gender';
      this.task = 'gender';
      this.names = [...GENDER_CLASSES];
    } else if (known && known.length > 0 && known.every((n) => expressionIndex(n) !== null)) {
      this.mode = 'expression';
      this.task = 'expression';
      this.names = [...EXPRESSION_CLASSES];
    } else {
      this.mode = 'names';
      this.task = 'expression';
      this.names = known ? [...known].sort() : [];
    }
    this.growing = known === null;
  }
  index(name: string): number | null {
    if (this.mode === 'gender') return GENDER_NAMES[name.toLowerCase()] ?? null;
    if (this.mode === 'expression') return expressionIndex(name);
    let i = this.names.indexOf(name);
    if (i < 0 && this.growing) {
      this.names.push(name);
      i = this.names.length - 1;
    }
    return i < 0 ? null : i;
  }
}

const looksLikeImage = (p: string) => IMAGE_EXT.test(p);

export async function importImages(
  input: Exclude<ImportInput, { kind: 'csv' }>,
  format: ImportFormat,
  o: ImportOptions,
  platform: ImportPlatform,
  make: Make,
  meter: Meter,
  signal: AbortSignal | undefined,
  quota: () => Promise<void>,
): Promise<void> {
  // The items, and every path up front: a zip's directory, a tar's first pass, a folder's files.
  let items: AsyncIterable<Item>;
  let allPaths: string[] | null;
  let files: ImportInfo['files'];
  if (input.kind === 'archive') {
    const f = input.file;
    files = [{ name: f.name, bytes: f.size }];
    if (/\.zip$/i.test(f.name)) {
      const src = zipAccess(f);
      let entries;
      try {
        entries = await readZipDirectory(src);
      } catch (e) {
        throw new ImportError(`${f.name}: ${(e as Error).message}.`);
      }
      const list = entries.filter((e) => !e.isDirectory);
      allPaths = list.map((e) => e.name);
      items = (async function* () {
        for (const e of list) {
          meter.bytesDone += e.compressedSize;
          if (e.size > MAX_ENTRY_BYTES) {
            yield { path: e.name, size: e.size, bytes: null, skipped: `larger than ${mb(MAX_ENTRY_BYTES)}` };
            continue;
          }
          yield { path: e.name, size: e.size, bytes: () => readZipEntry(src, e, platform.inflateRaw) };
        }
      })();
    } else if (/\.(tar|tgz|tar\.gz)$/i.test(f.name)) {
      allPaths = await tarPaths(f, platform, signal);
      items = tarItems(f, platform, meter);
    } else {
      throw new ImportError(`${f.name}: not a .tar.gz, .tgz, .tar or .zip archive.`);
    }
  } else {
    files = [{ name: input.root, bytes: input.files.reduce((n, f) => n + f.size, 0) }];
    allPaths = input.files.map((f) => f.path);
    items = (async function* () {
      for (const f of input.files) {
        meter.bytesDone += f.size;
        yield { path: f.path, size: f.size, bytes: f.read };
      }
    })();
  }

  // The format: UTKFace when most image names parse as UTKFace names, else class folders.
  const it = items[Symbol.asyncIterator]();
  const peeked: Item[] = [];
  let fmt: 'utkface' | 'folder';
  if (format === 'utkface' || format === 'folder') fmt = format;
  else if (format === 'fer2013')
    throw new ImportError('FER2013 is a CSV file (fer2013.csv), not an archive or folder.');
  else {
    let names: string[];
    if (allPaths) names = allPaths.filter(looksLikeImage).slice(0, 200);
    else {
      names = [];
      while (names.length < 32) {
        const r = await it.next();
        if (r.done) break;
        peeked.push(r.value);
        if (looksLikeImage(r.value.path)) names.push(r.value.path);
      }
    }
    const utk = names.filter((n) => parseUtkFaceName(n).ok).length;
    fmt = names.length > 0 && utk >= names.length / 2 ? 'utkface' : 'folder';
  }

  let classes: Classes | null = null;
  let spec: Omit<BuilderSpec, 'id' | 'options'>;
  if (fmt === 'utkface') {
    spec = {
      format: 'utkface',
      files,
      tasks: ['gender', 'age'],
      classNames: { gender: [...GENDER_CLASSES] },
      keepRace: true,
      metadata: { race: [...UTK_RACES] },
    };
  } else {
    let known: string[] | null = null;
    if (allPaths) {
      const set = new Set<string>();
      for (const p of allPaths) {
        const pl = placeBelowRoot(p);
        if (pl.ok && looksLikeImage(p)) set.add(pl.className);
      }
      known = [...set];
    }
    classes = new Classes(known);
    spec = {
      format: 'folder',
      files,
      tasks: [classes.task],
      classNames: { [classes.task]: classes.names },
      keepRace: false,
    };
  }
  const b = await make(spec);

  // Decoding runs `concurrency` deep; images are added in reading order, so a dataset is the same
  // whatever the timing.
  type Job = {
    where: string;
    labels: Omit<Parameters<DatasetBuilder['add']>[0], 'pixels' | 'where'>;
    px: Promise<{ ok: true; px: Uint8Array } | { ok: false; reason: string }>;
  };
  const queue: Job[] = [];
  const drain = async (keep: number) => {
    while (queue.length > keep) {
      const j = queue.shift()!;
      const r = await j.px;
      if (r.ok) await b.add({ where: j.where, ...j.labels, pixels: r.px });
      else b.reject(j.where, r.reason);
    }
  };
  const target = { width: o.width, height: o.height, channels: o.channels };
  const all = (async function* () {
    yield* peeked;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
  let n = 0;
  for await (const item of all) {
    if ((n++ & 15) === 0) {
      throwIfAborted(signal);
      meter.tick();
      await quota();
    }
    const where = item.path;
    // Not readable (a link, a device, an entry over the size limit): said as such, whatever its name.
    if (!item.bytes) {
      b.reject(where, item.skipped ?? 'could not be read');
      continue;
    }
    const outside = outsideArchive(where);
    if (outside) {
      b.reject(where, outside);
      continue;
    }
    let labels: Job['labels'];
    if (fmt === 'utkface') {
      if (!looksLikeImage(where) && !OTHER_IMAGE_EXT.test(where)) {
        b.reject(where, 'not an image file');
        continue;
      }
      const u = parseUtkFaceName(where);
      if (!u.ok) {
        b.reject(where, u.reason);
        continue;
      }
      labels = { split: null, gender: u.gender, age: u.age, race: u.race };
    } else {
      const pl = placeBelowRoot(where);
      if (!pl.ok) {
        b.reject(where, pl.reason);
        continue;
      }
      if (!looksLikeImage(where) && !OTHER_IMAGE_EXT.test(where)) {
        b.reject(where, 'not an image file');
        continue;
      }
      const k = classes!.index(pl.className);
      if (k === null) {
        b.reject(where, `class folder "${pl.className}" is not one of ${classes!.names.join(', ')}`);
        continue;
      }
      labels = classes!.task === 'gender' ? { split: pl.split, gender: k } : { split: pl.split, expression: k };
    }
    const read = item.bytes;
    const px = (async () => {
      let bytes: Uint8Array;
      try {
        bytes = await read();
      } catch (e) {
        return { ok: false as const, reason: `could not be read: ${(e as Error).message}` };
      }
      const info = sniffImage(bytes);
      if (!info)
        return { ok: false as const, reason: bytes.length === 0 ? 'empty file' : 'not an image (unknown content)' };
      if (!IMPORTABLE_FORMATS.includes(info.format))
        return { ok: false as const, reason: `unsupported image format (${info.format}; JPEG, PNG and WebP are read)` };
      if (info.width && info.height && info.width * info.height > MAX_IMAGE_PIXELS) {
        return {
          ok: false as const,
          reason: `image is ${info.width}x${info.height} (${((info.width * info.height) / 1e6).toFixed(0)} megapixels), over the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit`,
        };
      }
      try {
        return { ok: true as const, px: await platform.decode(bytes, target) };
      } catch (e) {
        return { ok: false as const, reason: `could not be decoded (${info.format}): ${(e as Error).message}` };
      }
    })();
    queue.push({ where, labels, px });
    await drain(platform.concurrency);
  }
  await drain(0);
}
