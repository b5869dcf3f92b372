// Streams labelled images into storage as a new dataset: chunks of CHUNK_IMAGES per split, each written
// in its own transaction while the next fills, the metadata marked incomplete until the end. Also
// assigns seeded splits, finds duplicates, counts classes and collects every rejection for the report.
// No DOM or Node imports: the browser's import worker and the headless runner share it.
import { bytesKey, hashUniform } from '../../core/hash';
import type { ImportOptions, ImportReport } from '../../core/data/importReport';
import { SPLITS, type Split, type Task } from '../../core/data/types';
import {
  CHUNK_IMAGES,
  chunkBytes,
  type ChunkRecord,
  type DatasetMeta,
  type ImportInfo,
  type LabStorage,
  type SplitSummary,
} from '../../core/records';

/** A failure the user must act on (wrong file, storage full...): the import stops and is removed. */
export class ImportError extends Error {
  override name = 'ImportError';
}

export interface LabelledImage {
  /** File name, or CSV name and line: what the report and the duplicate list name. */
  where: string;
  /** The source's split, or null to draw one (seeded, from `where`). */
  split: Split | null;
  /** [height, width, channels] bytes at the dataset's size. */
  pixels: Uint8Array;
  expression?: number;
  gender?: number;
  age?: number;
  race?: number;
}

/** Rejections and duplicate examples kept in full in memory and in the stored report. */
export const MAX_REPORTED = 5000;
export const MAX_DUPLICATE_EXAMPLES = 200;

/** The split of an image its source gives none: a seeded hash of its name, so the same file lands in
 *  the same split whatever the order of reading (a streamed archive has no second pass). */
export function drawSplit(where: string, seed: number, pct: readonly [number, number, number]): Split {
  const u = (hashUniform(`${seed}\u0000${where}`) / 2 ** 32) * (pct[0] + pct[1] + pct[2]);
  return u < pct[0] ? 'train' : u < pct[0] + pct[1] ? 'val' : 'test';
}

/** A chunk being filled: a ChunkRecord less what the flush adds, with buffers of CHUNK_IMAGES. */
type Pending = Omit<ChunkRecord, 'datasetId' | 'split' | 'race' | 'sources'> & {
  race: Int32Array | null;
  sources: string[];
};

interface SplitStats {
  count: number;
  chunks: number;
  expression: number[];
  gender: number[];
  ageMin: number;
  ageMax: number;
  ageSum: number;
}

export interface BuilderSpec {
  id: string;
  options: ImportOptions;
  format: ImportInfo['format'];
  files: ImportInfo['files'];
  tasks: Task[];
  /** May grow while importing (class folders of a streamed archive appear as they come). */
  classNames: DatasetMeta['classNames'];
  keepRace: boolean;
  metadata?: ImportInfo['metadata'];
}

/** Is this error the browser refusing to store more? */
export function isQuotaError(e: unknown): boolean {
  const x = e as { name?: string; message?: string; inner?: unknown } | null;
  return !!x && (x.name === 'QuotaExceededError' || /quota/i.test(x.message ?? ''));
}

export class DatasetBuilder {
  private readonly imgLen: number;
  private readonly pending: Record<Split, Pending | null> = { train: null, val: null, test: null };
  private readonly stats: Record<Split, SplitStats>;
  private readonly seen = new Map<string, string>();
  private writing: Promise<void> = Promise.resolve();
  private bytes = 0;
  private started = false;
  readonly rejected: { where: string; reason: string }[] = [];
  rejectedCount = 0;
  duplicates = { count: 0, examples: [] as [string, string][] };
  images = 0;

  constructor(
    private readonly storage: LabStorage,
    readonly spec: BuilderSpec,
  ) {
    const o = spec.options;
    this.imgLen = o.height * o.width * o.channels;
    const blank = (): SplitStats => ({
      count: 0,
      chunks: 0,
      expression: [],
      gender: [],
      ageMin: Infinity,
      ageMax: -Infinity,
      ageSum: 0,
    });
    this.stats = { train: blank(), val: blank(), test: blank() };
  }

  private meta(complete: boolean, ms: number): DatasetMeta {
    const s = this.spec;
    const splits = {} as Record<Split, SplitSummary>;
    for (const k of SPLITS) {
      const st = this.stats[k];
      const classCounts: SplitSummary['classCounts'] = {};
      if (s.tasks.includes('expression')) {
        classCounts.expression = (s.classNames.expression ?? []).map((_, i) => st.expression[i] ?? 0);
      }
      if (s.tasks.includes('gender')) classCounts.gender = (s.classNames.gender ?? []).map((_, i) => st.gender[i] ?? 0);
      const age =
        s.tasks.includes('age') && st.count > 0 ? { min: st.ageMin, max: st.ageMax, mean: st.ageSum / st.count } : null;
      splits[k] = { count: st.count, chunks: st.chunks, classCounts, age };
    }
    return {
      id: s.id,
      name: s.options.name,
      source: 'import',
      synth: null,
      height: s.options.height,
      width: s.options.width,
      channels: s.options.channels,
      tasks: s.tasks,
      classNames: structuredClone(s.classNames),
      splits,
      bytes: this.bytes,
      createdAt: Date.now(),
      complete,
      imported: {
        format: s.format,
        files: s.files,
        seed: s.options.seed,
        rejected: this.rejected.slice(0, MAX_REPORTED),
        rejectedCount: this.rejectedCount,
        duplicates: { count: this.duplicates.count, examples: this.duplicates.examples.slice() },
        metadata: s.metadata ?? {},
        ms,
      },
    };
  }

  /** Marks the dataset as being written (before any chunk). */
  async start(): Promise<void> {
    await this.guard(this.storage.beginDataset(this.meta(false, 0)));
    this.started = true;
  }

  reject(where: string, reason: string): void {
    this.rejectedCount++;
    if (this.rejected.length < MAX_REPORTED) this.rejected.push({ where, reason });
  }

  /** Stored bytes per image (what the quota estimate multiplies). */
  get bytesPerImage(): number {
    return this.imgLen + 4 * (this.spec.tasks.length + (this.spec.keepRace ? 1 : 0)) + 40;
  }

  async add(img: LabelledImage): Promise<void> {
    if (img.pixels.length !== this.imgLen)
      throw new Error(`${img.where}: ${img.pixels.length} bytes, expected ${this.imgLen}`);
    const split = img.split ?? drawSplit(img.where, this.spec.options.seed, this.spec.options.split);
    const key = bytesKey(img.pixels);
    const first = this.seen.get(key);
    if (first !== undefined) {
      this.duplicates.count++;
      if (this.duplicates.examples.length < MAX_DUPLICATE_EXAMPLES) this.duplicates.examples.push([img.where, first]);
    } else this.seen.set(key, img.where);

    const st = this.stats[split];
    let p = this.pending[split];
    if (!p) {
      const t = this.spec.tasks;
      p = this.pending[split] = {
        index: st.chunks,
        start: st.count,
        count: 0,
        pixels: new Uint8Array(CHUNK_IMAGES * this.imgLen),
        expression: t.includes('expression') ? new Int32Array(CHUNK_IMAGES) : null,
        gender: t.includes('gender') ? new Int32Array(CHUNK_IMAGES) : null,
        age: t.includes('age') ? new Float32Array(CHUNK_IMAGES) : null,
        race: this.spec.keepRace ? new Int32Array(CHUNK_IMAGES) : null,
        sources: [],
      };
    }
    const i = p.count;
    p.pixels.set(img.pixels, i * this.imgLen);
    if (p.expression) {
      p.expression[i] = img.expression ?? -1;
      st.expression[img.expression ?? -1] = (st.expression[img.expression ?? -1] ?? 0) + 1;
    }
    if (p.gender) {
      p.gender[i] = img.gender ?? -1;
      st.gender[img.gender ?? -1] = (st.gender[img.gender ?? -1] ?? 0) + 1;
    }
    if (p.age) {
      const a = img.age ?? NaN;
      p.age[i] = a;
      st.ageMin = Math.min(st.ageMin, a);
      st.ageMax = Math.max(st.ageMax, a);
      st.ageSum += a;
    }
    if (p.race) p.race[i] = img.race ?? -1;
    p.sources.push(img.where);
    p.count++;
    st.count++;
    this.images++;
    if (p.count === CHUNK_IMAGES) await this.flush(split);
  }

  /** Hands a split's pending chunk to storage; at most one write is in flight, so reading goes on
   *  while the previous chunk is stored, and memory stays at two chunks a split. */
  private async flush(split: Split): Promise<void> {
    const p = this.pending[split];
    if (!p || p.count === 0) return;
    this.pending[split] = null;
    this.stats[split].chunks++;
    const n = p.count;
    const rec: ChunkRecord = {
      datasetId: this.spec.id,
      split,
      index: p.index,
      start: p.start,
      count: n,
      pixels: n === CHUNK_IMAGES ? p.pixels : p.pixels.slice(0, n * this.imgLen),
      expression: p.expression && p.expression.slice(0, n),
      gender: p.gender && p.gender.slice(0, n),
      age: p.age && p.age.slice(0, n),
      race: p.race && p.race.slice(0, n),
      sources: p.sources,
    };
    this.bytes += chunkBytes(rec);
    await this.writing;
    this.writing = this.guard(this.storage.putChunks([rec]));
    this.writing.catch(() => {}); // observed by the next flush / finish
  }

  private async guard(p: Promise<void>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (isQuotaError(e)) {
        throw new ImportError(
          'The browser ran out of storage space for this origin while writing the dataset. The import was ' +
            'stopped and what it had written removed; nothing else was touched. Free space (delete datasets or runs, or ' +
            'import at a smaller image size) and try again.',
        );
      }
      throw e;
    }
  }

  /** Writes the last partial chunks and the complete metadata; the dataset becomes usable. */
  async finish(ms: number): Promise<DatasetMeta> {
    for (const s of SPLITS) await this.flush(s);
    await this.writing;
    if (this.images === 0) {
      throw new ImportError(
        `No image could be imported${this.rejectedCount ? ` (${this.rejectedCount} rejected: first, ${this.rejected[0].where}: ${this.rejected[0].reason})` : ' (the source is empty)'}.`,
      );
    }
    const meta = this.meta(true, ms);
    await this.guard(this.storage.finishDataset(meta));
    return meta;
  }

  /** Removes whatever was written (cancel, failure). Never touches another dataset. */
  async abort(): Promise<void> {
    await this.writing.catch(() => {});
    if (this.started) await this.storage.deleteDataset(this.spec.id);
  }

  report(meta: DatasetMeta | null, bytesRead: number, ms: number): ImportReport {
    const m = meta ?? this.meta(false, ms);
    return {
      datasetId: this.spec.id,
      name: this.spec.options.name,
      format: this.spec.format,
      files: this.spec.files,
      tasks: this.spec.tasks,
      classNames: m.classNames,
      splits: m.splits,
      images: this.images,
      rejected: this.rejected.slice(),
      rejectedCount: this.rejectedCount,
      duplicates: { count: this.duplicates.count, examples: this.duplicates.examples.slice() },
      bytesRead,
      ms,
      ...(this.spec.metadata?.labels ? { labels: this.spec.metadata.labels } : {}),
    };
  }
}
