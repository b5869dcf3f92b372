// The dataset importers: FER2013 (+ FER+ votes) CSVs, UTKFace and class-folder images from a .tar.gz,
// a .zip or a chosen folder, streamed into storage through DatasetBuilder. Sources, decoding and
// decompression come from the platform (browser worker or Node), so this file has no DOM or Node import.
import { CsvParser, csvRows, type CsvRow } from '../../core/data/formats/csv';
import {
  FER2013_CLASSES, ferColumns, ferEmotion, ferPlusColumns, ferPlusMajority, ferPlusVotes, ferUsageSplit, parsePixelBytes, parsePixels,
  squareSide, type Parsed,
} from '../../core/data/formats/fer';
import { asciiField, byteLines, splitCommas, type ByteLine } from '../../core/data/formats/lines';
import { expressionIndex, folderPlace, splitFromFolder } from '../../core/data/formats/folders';
import { resizeImage, toChannels } from '../../core/data/formats/pixels';
import { IMPORTABLE_FORMATS, sniffImage } from '../../core/data/formats/sniff';
import { readTar } from '../../core/data/formats/tar';
import { parseUtkFaceName, UTK_RACES } from '../../core/data/formats/utkface';
import { readZipDirectory, readZipEntry, type RandomAccess } from '../../core/data/formats/zip';
import { EXPRESSION_CLASSES, GENDER_CLASSES, type Task } from '../../core/data/types';
import type { DatasetMeta, ImportInfo, LabStorage } from '../browser/storage';
import { DatasetBuilder, hash32, ImportError, type BuilderSpec, type ImportOptions, type ImportReport } from './builder';

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
  inflateRaw(deflated: Uint8Array): Promise<Uint8Array>;
  /** Storage used / available, where the platform knows (browser). */
  estimate?(): Promise<{ usage: number; quota: number } | null>;
  /** Images decoded at once (decoding runs off the JS thread in both platforms). */
  concurrency: number;
}

export type ImportInput =
  | { kind: 'csv'; images: ByteSource; votes: ByteSource | null }
  | { kind: 'archive'; file: ByteSource }
  | { kind: 'files'; root: string; files: FileItem[] };

export type ImportFormat = 'auto' | 'fer2013' | 'utkface' | 'folder';

export interface ImportProgress {
  bytesDone: number;
  bytesTotal: number;
  images: number;
  rejected: number;
  /** Images stored per second so far. */
  rate: number;
  /** Seconds left, from the bytes read so far (null until it can be told). */
  etaS: number | null;
}

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

export const DEFAULT_IMPORT_OPTIONS: Omit<ImportOptions, 'name'> = { height: 48, width: 48, channels: 1, seed: 1, split: [60, 20, 20] };

const IMAGE_EXT = /\.(jpe?g|png|webp)$/i;
const OTHER_IMAGE_EXT = /\.(gif|bmp|tiff?|heic|avif)$/i;
const mb = (b: number) => `${(b / 1e6).toFixed(b < 1e7 ? 1 : 0)} MB`;

/** Counts the bytes a stream hands out. */
async function* counted(src: AsyncIterable<Uint8Array>, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const c of src) {
    add(c.length);
    yield c;
  }
}

async function* decodeText(src: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const dec = new TextDecoder('utf-8');
  for await (const c of src) yield dec.decode(c, { stream: true });
  const tail = dec.decode();
  if (tail) yield tail;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMExceptionLike('The import was cancelled.');
}

class DOMExceptionLike extends Error {
  override name = 'AbortError';
}

/** Progress, rate and ETA, emitted at most every `ms`. */
class Meter {
  bytesDone = 0;
  private last = 0;
  private readonly t0 = Date.now();
  constructor(readonly bytesTotal: number, private readonly b: () => DatasetBuilder | null, private readonly emit?: (p: ImportProgress) => void, private readonly ms = 200) {}
  tick(force = false): void {
    const now = Date.now();
    if (!this.emit || (!force && now - this.last < this.ms)) return;
    this.last = now;
    const s = (now - this.t0) / 1000;
    const b = this.b();
    const images = b?.images ?? 0;
    const frac = this.bytesTotal > 0 ? this.bytesDone / this.bytesTotal : 0;
    this.emit({
      bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, images, rejected: b?.rejectedCount ?? 0,
      rate: s > 0 ? images / s : 0, etaS: frac > 0.01 && s > 0.5 ? (s / frac) * (1 - frac) : null,
    });
  }
}

/** Runs one import to the end: done (the dataset is stored, complete), cancelled or failed (nothing of
 *  it is left in storage; other datasets are never touched). */
export async function runImport(
  input: ImportInput, format: ImportFormat, options: ImportOptions, storage: LabStorage, platform: ImportPlatform, hooks: ImportHooks = {},
): Promise<ImportOutcome> {
  const t0 = Date.now();
  let builder: DatasetBuilder | null = null;
  const total = input.kind === 'csv' ? input.images.size + (input.votes?.size ?? 0)
    : input.kind === 'archive' ? input.file.size : input.files.reduce((n, f) => n + f.size, 0);
  const meter = new Meter(total, () => builder, hooks.onProgress, hooks.progressMs);
  const id = hooks.id ?? `import-${Date.now().toString(36)}-${hash32(`${options.name}\u0000${Math.random()}`).toString(36)}`;
  const make = async (spec: Omit<BuilderSpec, 'id' | 'options'>): Promise<DatasetBuilder> => {
    builder = new DatasetBuilder(storage, { ...spec, id, options });
    await builder.start();
    return builder;
  };
  const quota = quotaCheck(platform, meter, () => builder);
  try {
    if (input.kind === 'csv') {
      if (format !== 'auto' && format !== 'fer2013') throw new ImportError(`${input.images.name}: a CSV is read as FER2013; choose the format "FER2013" or an archive/folder for ${format}.`);
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
    const message = cancelled ? 'The import was cancelled; nothing of it was kept.' : e instanceof ImportError ? e.message
      : `The import failed: ${(e as Error).message ?? String(e)}. Nothing of it was kept.`;
    return { status: cancelled ? 'cancelled' : 'failed', message, report: b?.report(null, meter.bytesDone, Date.now() - t0) ?? null };
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
      throw new ImportError(`Not enough browser storage: this import needs about ${mb(projected)} and ${mb(free)} are free for this page. `
        + 'Nothing was kept. Free space (delete datasets or runs) or import at a smaller image size.');
    }
  };
}

type Make = (spec: Omit<BuilderSpec, 'id' | 'options'>) => Promise<DatasetBuilder>;

/** Converts a grey square of `side` to the dataset's size and channels. */
function fitGrey(px: Uint8Array, side: number, o: ImportOptions): Uint8Array {
  const g = side === o.width && side === o.height ? px : resizeImage(px, side, side, 1, o.width, o.height);
  return o.channels === 1 ? g : toChannels(g, o.width * o.height, 1, 3);
}

async function importFer(
  input: Extract<ImportInput, { kind: 'csv' }>, o: ImportOptions, make: Make, meter: Meter, signal: AbortSignal | undefined, quota: () => Promise<void>,
): Promise<void> {
  const imgName = input.images.name;
  // fer2013.csv is read as bytes, line by line (no string per row: see lines.ts); the small FER+ votes
  // file goes through the CSV parser.
  const lineBatches = byteLines(counted(input.images.stream(), (n) => { meter.bytesDone += n; }))[Symbol.asyncIterator]();
  let batch: ByteLine[] = [];
  let at = 0;
  const nextLine = async (): Promise<ByteLine | null> => {
    while (at >= batch.length) {
      let r;
      try {
        r = await lineBatches.next();
      } catch (e) {
        const line = (e as { line?: number }).line;
        throw new ImportError(`${imgName}${line ? ` line ${line}` : ''}: ${(e as Error).message}`);
      }
      if (r.done) return null;
      batch = r.value;
      at = 0;
    }
    return batch[at++];
  };
  /** One line as CSV fields: byte ranges for plain lines, the CSV parser for a line with quotes. */
  const fieldsOf = (l: ByteLine): { count: number; text(i: number): string; pixels(i: number, out: Uint8Array | null): Parsed<Uint8Array> } => {
    const b = l.bytes;
    if (b.indexOf(34) < 0) {
      const { starts, ends } = splitCommas(b);
      return { count: starts.length, text: (i) => asciiField(b, starts[i], ends[i]), pixels: (i, out) => parsePixelBytes(b, starts[i], ends[i], out) };
    }
    const p = new CsvParser();
    let f: string[];
    try {
      f = [...p.push(`${new TextDecoder().decode(b)}\n`), ...p.end()][0]?.fields ?? [];
    } catch (e) {
      throw new ImportError(`${imgName} line ${l.line}: ${(e as Error).message}`);
    }
    return { count: f.length, text: (i) => f[i], pixels: (i, out) => parsePixels(f[i], out) };
  };
  const votesName = input.votes?.name ?? '';
  const votes = input.votes ? csvRows(decodeText(counted(input.votes.stream(), (n) => { meter.bytesDone += n; })))[Symbol.asyncIterator]() : null;
  const next = async (it: AsyncIterator<CsvRow>, name: string): Promise<CsvRow | null> => {
    try {
      const r = await it.next();
      return r.done ? null : r.value;
    } catch (e) {
      const line = (e as { line?: number }).line;
      throw new ImportError(`${name}${line ? ` line ${line}` : ''}: ${(e as Error).message}`);
    }
  };
  const head = await nextLine();
  if (!head) throw new ImportError(`${imgName} is empty.`);
  const hf = fieldsOf(head);
  const cols = ferColumns(Array.from({ length: hf.count }, (_, i) => hf.text(i)));
  if (!cols.ok) throw new ImportError(`${imgName} line ${head.line}: ${cols.reason}.`);
  let voteCols: number[] = [];
  let nameCol = -1;
  if (votes) {
    const vh = await next(votes, votesName);
    if (!vh) throw new ImportError(`${votesName} is empty.`);
    const vc = ferPlusColumns(vh.fields);
    if (!vc.ok) throw new ImportError(`${votesName} line ${vh.line}: ${vc.reason}.`);
    voteCols = vc.value.votes;
    nameCol = vc.value.name;
  }
  const b = await make({
    format: votes ? 'ferplus' : 'fer2013',
    files: [input.images, ...(input.votes ? [input.votes] : [])].map((f) => ({ name: f.name, bytes: f.size })),
    tasks: ['expression'],
    classNames: { expression: votes ? [...EXPRESSION_CLASSES] : [...FER2013_CLASSES] },
    keepRace: false,
  });
  let side: number | null = null;
  let buf: Uint8Array | null = null;
  const c = cols.value;
  for (let n = 0; ; n++) {
    if ((n & 63) === 0) { throwIfAborted(signal); meter.tick(); await quota(); }
    const row = await nextLine();
    const vrow = votes ? await next(votes, votesName) : null;
    if (!row) {
      if (vrow) throw new ImportError(`${votesName} has more rows than ${imgName} (it goes on at line ${vrow.line}): FER+ rows are joined with FER2013's by order, so both files must be the matching versions.`);
      return;
    }
    if (votes && !vrow) throw new ImportError(`${votesName} ends before ${imgName} (which goes on at line ${row.line}): FER+ rows are joined with FER2013's by order, so both files must be the matching versions.`);
    const where = `${imgName} line ${row.line}`;
    const f = fieldsOf(row);
    if (f.count <= Math.max(c.emotion, c.pixels, c.usage)) { b.reject(where, `${f.count} fields, expected emotion,pixels,Usage`); continue; }
    const usage = f.text(c.usage);
    const split = ferUsageSplit(usage);
    if (!split) { b.reject(where, `Usage must be Training, PublicTest or PrivateTest (got ${JSON.stringify(usage.slice(0, 40))})`); continue; }
    let label: number;
    if (vrow) {
      if (!(vrow.fields[nameCol] ?? '').trim()) { b.reject(where, `removed from FER+ (${votesName} line ${vrow.line} has no image name)`); continue; }
      const v = ferPlusVotes(vrow.fields, voteCols);
      if (!v.ok) { b.reject(where, `${votesName} line ${vrow.line}: ${v.reason}`); continue; }
      const m = ferPlusMajority(v.value);
      if (!m.ok) { b.reject(where, m.reason); continue; }
      label = m.value;
    } else {
      const e = ferEmotion(f.text(c.emotion));
      if (!e.ok) { b.reject(where, e.reason); continue; }
      label = e.value;
    }
    if (side === null) {
      const first = f.pixels(c.pixels, null);
      if (!first.ok) { b.reject(where, first.reason); continue; }
      const s = squareSide(first.value.length);
      if (!s) { b.reject(where, `${first.value.length} pixels is not a square image`); continue; }
      side = s;
      buf = new Uint8Array(s * s);
    }
    const px = f.pixels(c.pixels, buf);
    if (!px.ok) { b.reject(where, px.reason.includes('expected') ? `${px.reason} (${side}x${side}, as in the first row)` : px.reason); continue; }
    const img = fitGrey(px.value, side, o);
    // The row buffer is reused: keep a copy only when no resize made a new array already.
    await b.add({ where, split, pixels: img === buf ? img.slice() : img, expression: label });
  }
}

/** An image-ish entry of an archive or folder, its bytes maybe already read (tar). */
interface Item {
  path: string;
  size: number;
  bytes: (() => Promise<Uint8Array>) | null;
  /** Why it has no bytes (oversized tar entry). */
  skipped?: string;
}

async function* tarItems(file: ByteSource, platform: ImportPlatform, meter: Meter): AsyncGenerator<Item> {
  const raw = counted(file.stream(), (n) => { meter.bytesDone += n; });
  const gz = /\.(tgz|gz)$/i.test(file.name);
  for await (const { entry, data } of readTar(gz ? platform.gunzip(raw) : raw, { maxEntryBytes: MAX_ENTRY_BYTES })) {
    if (entry.kind !== 'file') continue;
    yield data ? { path: entry.name, size: entry.size, bytes: async () => data }
      : { path: entry.name, size: entry.size, bytes: null, skipped: `larger than ${mb(MAX_ENTRY_BYTES)}` };
  }
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
 *  genders for male/female folders, else the names themselves (sorted; in order of appearance when the
 *  archive is streamed and the names cannot be known first). */
class Classes {
  readonly task: Task;
  readonly names: string[];
  private readonly mode: 'expression' | 'gender' | 'names';
  private readonly growing: boolean;
  constructor(known: string[] | null) {
    const lower = (known ?? []).map((n) => n.toLowerCase());
    if (known && known.length === 2 && lower.every((n) => n in GENDER_NAMES) && new Set(lower.map((n) => GENDER_NAMES[n])).size === 2) {
      this.mode = 'gender'; this.task = 'gender'; this.names = [...GENDER_CLASSES];
    } else if (known && known.length > 0 && known.every((n) => expressionIndex(n) !== null)) {
      this.mode = 'expression'; this.task = 'expression'; this.names = [...EXPRESSION_CLASSES];
    } else {
      this.mode = 'names'; this.task = 'expression'; this.names = known ? [...known].sort() : [];
    }
    this.growing = known === null;
  }
  index(name: string): number | null {
    if (this.mode === 'gender') return GENDER_NAMES[name.toLowerCase()] ?? null;
    if (this.mode === 'expression') return expressionIndex(name);
    let i = this.names.indexOf(name);
    if (i < 0 && this.growing) { this.names.push(name); i = this.names.length - 1; }
    return i < 0 ? null : i;
  }
}

const looksLikeImage = (p: string) => IMAGE_EXT.test(p);

async function importImages(
  input: Exclude<ImportInput, { kind: 'csv' }>, format: ImportFormat, o: ImportOptions, platform: ImportPlatform,
  make: Make, meter: Meter, signal: AbortSignal | undefined, quota: () => Promise<void>,
): Promise<void> {
  // The items, and every path up front where the source has a directory (zip, folder).
  let items: AsyncIterable<Item>;
  let allPaths: string[] | null = null;
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
          if (e.size > MAX_ENTRY_BYTES) { yield { path: e.name, size: e.size, bytes: null, skipped: `larger than ${mb(MAX_ENTRY_BYTES)}` }; continue; }
          yield { path: e.name, size: e.size, bytes: () => readZipEntry(src, e, platform.inflateRaw) };
        }
      })();
    } else if (/\.(tar|tgz|tar\.gz)$/i.test(f.name)) {
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
  else if (format === 'fer2013') throw new ImportError('FER2013 is a CSV file (fer2013.csv), not an archive or folder.');
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
    spec = { format: 'utkface', files, tasks: ['gender', 'age'], classNames: { gender: [...GENDER_CLASSES] }, keepRace: true, metadata: { race: [...UTK_RACES] } };
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
    spec = { format: 'folder', files, tasks: [classes.task], classNames: { [classes.task]: classes.names }, keepRace: false };
  }
  const b = await make(spec);

  // Decoding runs `concurrency` deep; images are added in reading order, so a dataset is the same
  // whatever the timing.
  type Job = { where: string; labels: Omit<Parameters<DatasetBuilder['add']>[0], 'pixels' | 'where'>; px: Promise<{ ok: true; px: Uint8Array } | { ok: false; reason: string }> };
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
    if ((n++ & 15) === 0) { throwIfAborted(signal); meter.tick(); await quota(); }
    const where = item.path;
    let labels: Job['labels'];
    if (fmt === 'utkface') {
      if (!looksLikeImage(where) && !OTHER_IMAGE_EXT.test(where)) { b.reject(where, 'not an image file'); continue; }
      const u = parseUtkFaceName(where);
      if (!u.ok) { b.reject(where, u.reason); continue; }
      labels = { split: null, gender: u.gender, age: u.age, race: u.race };
    } else {
      const pl = placeBelowRoot(where);
      if (!pl.ok) { b.reject(where, pl.reason); continue; }
      if (!looksLikeImage(where) && !OTHER_IMAGE_EXT.test(where)) { b.reject(where, 'not an image file'); continue; }
      const k = classes!.index(pl.className);
      if (k === null) { b.reject(where, `class folder "${pl.className}" is not one of ${classes!.names.join(', ')}`); continue; }
      labels = classes!.task === 'gender' ? { split: pl.split, gender: k } : { split: pl.split, expression: k };
    }
    if (!item.bytes) { b.reject(where, item.skipped ?? 'could not be read'); continue; }
    const read = item.bytes;
    const px = (async () => {
      let bytes: Uint8Array;
      try {
        bytes = await read();
      } catch (e) {
        return { ok: false as const, reason: `could not be read: ${(e as Error).message}` };
      }
      const info = sniffImage(bytes);
      if (!info) return { ok: false as const, reason: bytes.length === 0 ? 'empty file' : 'not an image (unknown content)' };
      if (!IMPORTABLE_FORMATS.includes(info.format)) return { ok: false as const, reason: `unsupported image format (${info.format}; JPEG, PNG and WebP are read)` };
      if (info.width && info.height && info.width * info.height > MAX_IMAGE_PIXELS) {
        return { ok: false as const, reason: `image is ${info.width}x${info.height} (${(info.width * info.height / 1e6).toFixed(0)} megapixels), over the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit` };
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
