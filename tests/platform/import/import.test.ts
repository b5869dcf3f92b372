// The importers end to end in Node over fixtures the tests make: FER2013 and FER+ CSVs (malformed rows,
// BOM, CRLF, other sizes), UTKFace .tar.gz, class-folder .zip and folders (non-images, hidden files,
// huge images), empty archives, cancel and storage-quota failures, and the runner's --dataset.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPRESSION_CLASSES } from '../../../src/core/data/types';
import type { LabStorage } from '../../../src/core/records';
import { memoryStorage } from '../../../src/platform/memoryStorage';
import { drawSplit } from '../../../src/platform/import/builder';
import { bytesKey as pixelKey, hashUniform } from '../../../src/core/hash';
import { formatImportReport } from '../../../src/core/data/importReport';
import { runImport, type ImportInput, type ImportOutcome, type ImportPlatform } from '../../../src/platform/import/run';
import { fileSource, folderFiles, importFromConfig, nodeImportPlatform } from '../../../src/platform/node/importFiles';
import { loadSplits } from '../../../src/platform/datasets';
import { concatBytes, gzip, makeTar, makeZip, tarHeader, type ArchiveFile } from '../../helpers/archives';
import { encodeImage, fakeFace } from '../../helpers/images';

const opts = (over: Partial<Parameters<typeof runImport>[2]> = {}) => ({
  name: 't',
  height: 48,
  width: 48,
  channels: 1 as const,
  seed: 1,
  split: [60, 20, 20] as [number, number, number],
  ...over,
});

/** A byte source over memory, read in pieces of `piece` bytes. */
function memSource(name: string, bytes: Uint8Array | string, piece = 4096) {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return {
    name,
    size: b.length,
    async *stream() {
      for (let i = 0; i < b.length; i += piece) yield b.slice(i, i + piece);
    },
    read: async (o: number, l: number) => b.slice(o, o + l),
  };
}

const pixelsText = (side: number, seed: number) =>
  Array.from({ length: side * side }, (_, i) => (i * 7 + seed * 13) % 256).join(' ');

function ferCsv(rows: string[], { bom = false, crlf = false } = {}): string {
  const nl = crlf ? '\r\n' : '\n';
  return `${bom ? '\uFEFF' : ''}emotion,pixels,Usage${nl}${rows.join(nl)}${nl}`;
}

async function outcome(
  input: ImportInput,
  format: Parameters<typeof runImport>[1] = 'auto',
  o = opts(),
  storage: LabStorage = memoryStorage(),
  platform: ImportPlatform = nodeImportPlatform,
  hooks = {},
) {
  const out = await runImport(input, format, o, storage, platform, hooks);
  return { out, storage };
}

function done(o: ImportOutcome) {
  if (o.status !== 'done') throw new Error(`import ${o.status}: ${o.message}`);
  return o;
}

describe('FER2013 CSV', () => {
  const good = [
    `3,${pixelsText(48, 1)},Training`, // happy -> happiness (1)
    `0,${pixelsText(48, 2)},Training`, // angry -> anger (4)
    `6,${pixelsText(48, 3)},PublicTest`, // neutral (0)
    `5,${pixelsText(48, 4)},PrivateTest`, // surprise (2)
  ];
  const bad = [
    `-1,${pixelsText(48, 5)},Training`, // emotion out of range (a label beyond 6 would make the labels generic)
    `3,${pixelsText(47, 5)},Training`, // 2209 pixels
    `3,1 2 x 4,Training`, // not a number
    `3,${pixelsText(48, 6)},Elsewhere`, // bad Usage
    `3`, // short row
    `3,${pixelsText(48, 1)},Training`, // duplicate of row 1 (kept, reported)
  ];

  it('imports rows into their Usage splits with FER+-ordered labels, rejects bad rows by line, finds duplicates (BOM, CRLF)', async () => {
    const { out, storage } = await outcome({
      kind: 'csv',
      images: memSource('fer2013.csv', ferCsv([...good, ...bad], { bom: true, crlf: true }), 1000),
      votes: null,
    });
    const r = done(out).report;
    expect(r.format).toBe('fer2013');
    expect(r.classNames.expression).toEqual([
      'neutral',
      'happiness',
      'surprise',
      'sadness',
      'anger',
      'disgust',
      'fear',
    ]);
    expect([r.splits.train.count, r.splits.val.count, r.splits.test.count]).toEqual([3, 1, 1]);
    expect(r.splits.train.classCounts.expression).toEqual([0, 2, 0, 0, 1, 0, 0]);
    expect(r.rejected).toEqual([
      { where: 'fer2013.csv line 6', reason: 'emotion must be 0-6 (got "-1")' },
      { where: 'fer2013.csv line 7', reason: '2209 pixels, expected 2304 (48x48, the size of 7 of the first 10 rows)' },
      { where: 'fer2013.csv line 8', reason: 'pixel 3 is not a whole number 0-255 (found "x")' },
      { where: 'fer2013.csv line 9', reason: 'Usage must be Training, PublicTest or PrivateTest (got "Elsewhere")' },
      { where: 'fer2013.csv line 10', reason: '1 fields, expected emotion,pixels,Usage' },
    ]);
    expect(r.duplicates).toEqual({ count: 1, examples: [['fer2013.csv line 11', 'fer2013.csv line 2']] });
    const { data } = await loadSplits(storage, out.status === 'done' ? out.meta.id : '');
    expect(Array.from(data.train.expression!)).toEqual([1, 4, 1]);
    expect(Array.from(data.train.pixels.subarray(0, 2304))).toEqual(pixelsText(48, 1).split(' ').map(Number));
    expect(Array.from(data.test.expression!)).toEqual([2]);
    expect(formatImportReport(r)).toContain('1 x emotion must be 0-6 (got "-1")');
  });

  it('a quoted field over a line break rejects that row, named by its lines, and the import goes on', async () => {
    const rows = [`3,${pixelsText(48, 1)},Training`, `3,"1 2\n3 4",Training`, `6,${pixelsText(48, 2)},Training`];
    const { out } = await outcome({ kind: 'csv', images: memSource('fer2013.csv', ferCsv(rows)), votes: null });
    const r = done(out).report;
    expect(r.splits.train.count).toBe(2);
    expect(r.rejected).toEqual([
      { where: 'fer2013.csv lines 3-4', reason: 'a quoted field runs over a line break (a FER2013 row is one line)' },
    ]);
  });

  it('takes the image size from most of the first rows, not from an odd first row', async () => {
    const rows = [`3,${pixelsText(4, 1)},Training`, ...[1, 2, 3, 4, 5].map((i) => `3,${pixelsText(48, i)},Training`)];
    const { out } = await outcome({ kind: 'csv', images: memSource('fer2013.csv', ferCsv(rows)), votes: null });
    const r = done(out).report;
    expect(r.splits.train.count).toBe(5);
    expect(r.rejected).toEqual([
      { where: 'fer2013.csv line 2', reason: '16 pixels, expected 2304 (48x48, the size of 5 of the first 6 rows)' },
    ]);
  });

  it('accepts any square size and resizes it (4x4 -> 2x2 block means; grey -> 3 channels)', async () => {
    const px = '0 10 100 110 20 30 120 130 200 210 50 60 220 230 70 80';
    const { out, storage } = await outcome(
      { kind: 'csv', images: memSource('small.csv', ferCsv([`3,${px},Training`])), votes: null },
      'fer2013',
      opts({ height: 2, width: 2, channels: 3 }),
    );
    const { data } = await loadSplits(storage, done(out).meta.id);
    expect(Array.from(data.train.pixels)).toEqual([15, 15, 15, 115, 115, 115, 215, 215, 215, 65, 65, 65]);
  });

  it("labels beyond FER2013's 0-6: generic classes 0..K-1, numbered, kept as they are; the report says so", async () => {
    const rows = [0, 9, 3, 7, 9, 2].map(
      (l, i) => `${l},${pixelsText(48, 20 + i)},${i === 5 ? 'PrivateTest' : 'Training'}`,
    );
    const { out, storage } = await outcome({
      kind: 'csv',
      images: memSource('digits.csv', ferCsv([...rows, `x,${pixelsText(48, 40)},Training`]), 700),
      votes: null,
    });
    const r = done(out).report;
    expect(r.classNames.expression).toEqual(Array.from({ length: 10 }, (_, i) => `class ${i}`));
    expect(r.images).toBe(6);
    expect(r.rejected).toEqual([
      { where: 'digits.csv line 8', reason: 'the label must be a whole number 0-9 (got "x")' },
    ]);
    expect(r.labels).toBe(
      'generic labels 0-9 (10 classes, numbered), not FER2013\'s emotions: trained as classification under the task "expression"',
    );
    expect(formatImportReport(r)).toContain('labels: generic labels 0-9 (10 classes, numbered)');
    expect(r.splits.train.classCounts.expression).toEqual([1, 0, 0, 1, 0, 0, 0, 1, 0, 2]);
    const { data } = await loadSplits(storage, r.datasetId);
    expect(Array.from(data.train.expression!)).toEqual([0, 9, 3, 7, 9]);
    expect(data.train.classNames.expression).toHaveLength(10);
  });

  it('a labels file names generic classes (even 0-6 ones); a label it does not name, or a bad file, fails in words', async () => {
    const rows = [0, 2, 1, 2].map((l, i) => `${l},${pixelsText(48, 50 + i)},Training`);
    const names = memSource('signs.txt', 'stop\r\nyield\ngo\n\n');
    const { out } = await outcome({
      kind: 'csv',
      images: memSource('signs.csv', ferCsv(rows)),
      votes: null,
      labels: names,
    });
    const r = done(out).report;
    expect(r.classNames.expression).toEqual(['stop', 'yield', 'go']);
    expect(r.labels).toMatch(/^generic labels 0-2 \(3 classes, named by the labels file\)/);
    expect(r.splits.train.classCounts.expression).toEqual([1, 1, 2]);
    const tooFew = await outcome({
      kind: 'csv',
      images: memSource('signs.csv', ferCsv([...rows, `5,${pixelsText(48, 60)},Training`])),
      votes: null,
      labels: names,
    });
    expect(tooFew.out.status === 'failed' && tooFew.out.message).toBe(
      'signs.csv with signs.txt: the CSV has label 5, but the labels file names only 3 classes (0-2).',
    );
    const dup = await outcome({
      kind: 'csv',
      images: memSource('signs.csv', ferCsv(rows)),
      votes: null,
      labels: memSource('n.txt', 'a\nb\na\n'),
    });
    expect(dup.out.status === 'failed' && dup.out.message).toBe(
      'n.txt: lines 1 and 3 of the labels file both name "a".',
    );
  });

  it('FER+ votes relabel to 8 classes by majority; unknown, not-a-face, no majority and removed rows are dropped', async () => {
    const images = ferCsv([0, 1, 2, 3, 4, 5, 6].map((i) => `0,${pixelsText(48, 10 + i)},Training`));
    const votes = [
      'Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF',
      'Training,fer0000000.png,6,0,0,1,3,0,0,0,0,0', // the single vote is dropped: 6 / (6+3) > 0.5 -> neutral
      'Training,fer0000001.png,0,0,0,0,0,0,0,10,0,0', // contempt (7)
      // (4,0,0,1,3,2: 4 is not over half of 4+3+2 once the single vote is dropped: no majority, as in FERPlus)
      'Training,fer0000002.png,0,0,0,0,0,0,0,0,8,2', // unknown
      'Training,fer0000003.png,0,0,0,0,0,0,0,0,0,10', // not a face
      'Training,fer0000004.png,5,5,0,0,0,0,0,0,0,0', // tie: 5 is not > 5
      'Training,,0,10,0,0,0,0,0,0,0,0', // removed from FER+
      'Training,fer0000006.png,1,1,1,1,1,1,1,1,1,1', // all single votes -> no majority
    ].join('\n');
    const { out, storage } = await outcome({
      kind: 'csv',
      images: memSource('fer2013.csv', images),
      votes: memSource('fer2013new.csv', votes),
    });
    const r = done(out).report;
    expect(r.format).toBe('ferplus');
    expect(r.classNames.expression).toEqual([...EXPRESSION_CLASSES]);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      'FER+: voted unknown',
      'FER+: voted not a face',
      'FER+: no majority among the votes',
      'removed from FER+ (fer2013new.csv line 7 has no image name)',
      'FER+: no majority among the votes',
    ]);
    const { data } = await loadSplits(storage, done(out).meta.id);
    expect(Array.from(data.train.expression!)).toEqual([0, 7]);
  });

  it('fails, keeping nothing, when the votes file has fewer rows, or a file is the wrong one', async () => {
    const storage = memoryStorage();
    const images = ferCsv([`0,${pixelsText(48, 1)},Training`, `0,${pixelsText(48, 2)},Training`]);
    const votes =
      'Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\nTraining,a.png,10,0,0,0,0,0,0,0,0,0\n';
    const { out } = await outcome(
      { kind: 'csv', images: memSource('fer2013.csv', images), votes: memSource('fer2013new.csv', votes) },
      'auto',
      opts(),
      storage,
    );
    expect(out.status).toBe('failed');
    expect(out.status === 'failed' && out.message).toMatch(
      /fer2013new.csv ends before fer2013.csv \(which goes on at line 3\)/,
    );
    expect(await storage.listDatasets()).toEqual([]);
    const swapped = await outcome({ kind: 'csv', images: memSource('fer2013new.csv', votes), votes: null });
    expect(swapped.out.status === 'failed' && swapped.out.message).toMatch(
      /fer2013new.csv line 1: this is the FER\+ votes file/,
    );
    const empty = await outcome({ kind: 'csv', images: memSource('fer2013.csv', ''), votes: null });
    expect(empty.out.status === 'failed' && empty.out.message).toBe('fer2013.csv is empty.');
  });
});

async function utkFiles(n: number): Promise<ArchiveFile[]> {
  const out: ArchiveFile[] = [];
  for (let i = 0; i < n; i++) {
    const age = 1 + ((i * 7) % 90);
    const name = `UTKFace/${age}_${i % 2}_${i % 5}_2017011617452${String(i).padStart(4, '0')}.jpg.chip.jpg`;
    out.push({ name, data: await encodeImage(fakeFace(64, 64, 3, i), 64, 64, 3, 'jpeg') });
  }
  return out;
}

/** A PNG header claiming w x h (enough for the size check, which runs before decoding). */
function pngHeader(w: number, h: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  b.set([8, 2, 0, 0, 0], 24);
  return b;
}

describe('UTKFace archives', () => {
  it('reads a .tar.gz: labels from names, seeded 60/20/20 split, malformed names / non-images / huge images reported', async () => {
    const files = await utkFiles(30);
    files.push(
      { name: 'UTKFace/39_1_20170116174525125.jpg.chip.jpg', data: files[0].data }, // race missing
      { name: 'UTKFace/notes.txt', data: new TextEncoder().encode('hello') },
      { name: 'UTKFace/24_0_1_20170116220224657.jpg.chip.jpg', data: pngHeader(9000, 9000) },
      { name: 'UTKFace/25_0_1_20170116220224658.jpg.chip.jpg', data: new Uint8Array(0) },
      { name: 'UTKFace/26_0_1_20170116220224659.jpg.chip.jpg', data: new TextEncoder().encode('not a jpeg at all') },
    );
    const big = await encodeImage(fakeFace(1200, 900, 3, 3), 1200, 900, 3, 'jpeg');
    files.push({ name: 'UTKFace/27_1_3_20170116220224650.jpg.chip.jpg', data: big });
    const archive = gzip(makeTar(files));
    const { out, storage } = await outcome(
      { kind: 'archive', file: memSource('UTKFace.tar.gz', archive, 777) },
      'auto',
      opts({ channels: 3 }),
    );
    const r = done(out).report;
    expect(r.format).toBe('utkface');
    expect(r.tasks).toEqual(['gender', 'age']);
    expect(r.images).toBe(31);
    const expected = { train: 0, val: 0, test: 0 };
    for (const f of files.slice(0, 30)) expected[drawSplit(f.name, 1, [60, 20, 20])]++;
    expected[drawSplit('UTKFace/27_1_3_20170116220224650.jpg.chip.jpg', 1, [60, 20, 20])]++;
    expect({ train: r.splits.train.count, val: r.splits.val.count, test: r.splits.test.count }).toEqual(expected);
    const reasons = Object.fromEntries(r.rejected.map((x) => [x.where.replace('UTKFace/', ''), x.reason]));
    expect(reasons['39_1_20170116174525125.jpg.chip.jpg']).toMatch(/race is missing/);
    expect(reasons['notes.txt']).toBe('not an image file');
    expect(reasons['24_0_1_20170116220224657.jpg.chip.jpg']).toBe(
      'image is 9000x9000 (81 megapixels), over the 50-megapixel limit',
    );
    expect(reasons['25_0_1_20170116220224658.jpg.chip.jpg']).toBe('empty file');
    expect(reasons['26_0_1_20170116220224659.jpg.chip.jpg']).toBe('not an image (unknown content)');
    expect(r.rejectedCount).toBe(5);
    const meta = done(out).meta;
    expect(meta.imported?.metadata.race).toEqual(['White', 'Black', 'Asian', 'Indian', 'Others']);
    const { data } = await loadSplits(storage, meta.id);
    expect(data.train.channels).toBe(3);
    expect(data.train.pixels.length).toBe(data.train.count * 48 * 48 * 3);
    const chunks = [
      ...(await storage.getChunks(meta.id, 'train')),
      ...(await storage.getChunks(meta.id, 'val')),
      ...(await storage.getChunks(meta.id, 'test')),
    ];
    const all = chunks.flatMap((c) =>
      c.sources!.map((s, i) => ({ s, age: c.age![i], gender: c.gender![i], race: c.race![i] })),
    );
    expect(all.find((x) => x.s.endsWith('27_1_3_20170116220224650.jpg.chip.jpg'))).toMatchObject({
      age: 27,
      gender: 1,
      race: 3,
    });
  });

  it('links, devices and FIFOs in a tar are not read, and each leaves a line in the report', async () => {
    const files = await utkFiles(4);
    const tar = concatBytes([
      tarHeader({ name: 'UTKFace/30_1_0_20170116174525125.jpg.chip.jpg', type: '2', linkName: '/etc/passwd' }),
      tarHeader({ name: 'UTKFace/31_0_1_20170116174525126.jpg.chip.jpg', type: '1', linkName: 'UTKFace/x' }),
      tarHeader({ name: 'UTKFace/pipe', type: '6' }),
      tarHeader({ name: 'UTKFace/tty', type: '3' }),
      makeTar(files),
    ]);
    const { out } = await outcome(
      { kind: 'archive', file: memSource('UTKFace.tar', tar, 5) },
      'auto',
      opts({ channels: 3 }),
    );
    const r = done(out).report;
    expect(r.images).toBe(4);
    expect(r.rejected).toEqual([
      {
        where: 'UTKFace/30_1_0_20170116174525125.jpg.chip.jpg',
        reason: 'a symbolic link, not a file: not followed or read',
      },
      {
        where: 'UTKFace/31_0_1_20170116174525126.jpg.chip.jpg',
        reason: 'a hard link, not a file: not followed or read',
      },
      { where: 'UTKFace/pipe', reason: 'a FIFO (named pipe), not a file: not followed or read' },
      { where: 'UTKFace/tty', reason: 'a character device, not a file: not followed or read' },
    ]);
  });

  it('the same files give the same dataset from a .zip and a .tar.gz (order and split are seeded, not timing)', async () => {
    const files = await utkFiles(12);
    const a = await outcome({ kind: 'archive', file: memSource('u.tar.gz', gzip(makeTar(files))) });
    const b = await outcome({ kind: 'archive', file: memSource('u.zip', makeZip(files, { method: 8 })) });
    const da = await loadSplits(a.storage, done(a.out).meta.id);
    const db = await loadSplits(b.storage, done(b.out).meta.id);
    for (const s of ['train', 'val', 'test'] as const) {
      expect(pixelKey(db.data[s].pixels)).toBe(pixelKey(da.data[s].pixels));
      expect(Array.from(db.data[s].age!)).toEqual(Array.from(da.data[s].age!));
    }
  });

  it('an empty archive fails with a clear message and leaves nothing', async () => {
    const storage = memoryStorage();
    const { out } = await outcome(
      { kind: 'archive', file: memSource('empty.tar.gz', gzip(makeTar([]))) },
      'auto',
      opts(),
      storage,
    );
    expect(out.status === 'failed' && out.message).toBe('No image could be imported (the source is empty).');
    expect(await storage.listDatasets()).toEqual([]);
    const z = await outcome({ kind: 'archive', file: memSource('empty.zip', makeZip([])) });
    expect(z.out.status).toBe('failed');
    const notZip = await outcome({ kind: 'archive', file: memSource('x.zip', 'hello') });
    expect(notZip.out.status === 'failed' && notZip.out.message).toMatch(/^x\.zip: not a zip archive/);
  });
});

describe('class folders', () => {
  it('a .zip of train/val/test class folders keeps the splits and maps expression names to the FER+ classes', async () => {
    const files: ArchiveFile[] = [];
    let k = 0;
    for (const split of ['train', 'val', 'test']) {
      for (const cls of ['Happy', 'sad', 'neutral']) {
        for (let i = 0; i < 2; i++)
          files.push({
            name: `AffectNet/${split}/${cls}/${i}.png`,
            data: await encodeImage(fakeFace(40, 30, 3, k++), 40, 30, 3, 'png'),
          });
      }
    }
    files.push({ name: 'AffectNet/train/Happy/.DS_Store', data: new Uint8Array([0, 1]) });
    files.push({ name: '__MACOSX/AffectNet/._x.png', data: new Uint8Array([0, 1]) });
    files.push({
      name: 'AffectNet/train/sad/anim.gif',
      data: new TextEncoder().encode('GIF89a\u0001\u0000\u0001\u0000'),
    });
    files.push({
      name: 'AffectNet/train/sad/w.webp',
      data: await encodeImage(fakeFace(20, 20, 3, 99), 20, 20, 3, 'webp'),
    });
    const { out, storage } = await outcome({
      kind: 'archive',
      file: memSource('affect.zip', makeZip(files, { method: 8 })),
    });
    const r = done(out).report;
    expect(r.format).toBe('folder');
    expect(r.classNames.expression).toEqual([...EXPRESSION_CLASSES]);
    expect([r.splits.train.count, r.splits.val.count, r.splits.test.count]).toEqual([7, 6, 6]);
    expect(r.splits.train.classCounts.expression).toEqual([2, 2, 0, 3, 0, 0, 0, 0]);
    expect(r.rejected.map((x) => x.reason).sort()).toEqual([
      'hidden or system file',
      'hidden or system file',
      'unsupported image format (gif; JPEG, PNG and WebP are read)',
    ]);
    const { data } = await loadSplits(storage, done(out).meta.id);
    expect(data.val.pixels.length).toBe(6 * 48 * 48);
  });

  it('a folder on disk with male/female folders becomes a gender dataset; other names stay as sorted classes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'odl-folder-'));
    for (const [cls, n] of [
      ['female', 3],
      ['male', 2],
    ] as const) {
      await mkdir(join(root, 'faces', cls), { recursive: true });
      for (let i = 0; i < n; i++)
        await writeFile(
          join(root, 'faces', cls, `${i}.jpg`),
          await encodeImage(fakeFace(32, 32, 1, i), 32, 32, 1, 'jpeg'),
        );
    }
    await writeFile(join(root, 'faces', 'README.txt'), 'not in a class folder');
    const items = await folderFiles(join(root, 'faces'));
    expect(items.map((f) => f.path)).toEqual([
      'README.txt',
      'female/0.jpg',
      'female/1.jpg',
      'female/2.jpg',
      'male/0.jpg',
      'male/1.jpg',
    ]);
    const g = await outcome({ kind: 'files', root: 'faces', files: items });
    expect(done(g.out).report.tasks).toEqual(['gender']);
    const counts = ['train', 'val', 'test'].map((s) => done(g.out).report.splits[s as 'train'].classCounts.gender!);
    expect(counts.reduce((a, c) => [a[0] + c[0], a[1] + c[1]], [0, 0])).toEqual([2, 3]);
    expect(done(g.out).report.rejected).toEqual([{ where: 'README.txt', reason: 'not inside a class folder' }]);

    await mkdir(join(root, 'pets', 'dog'), { recursive: true });
    await mkdir(join(root, 'pets', 'cat'), { recursive: true });
    await writeFile(join(root, 'pets', 'dog', 'a.jpg'), await encodeImage(fakeFace(16, 16, 3, 1), 16, 16, 3, 'jpeg'));
    await writeFile(join(root, 'pets', 'cat', 'b.jpg'), await encodeImage(fakeFace(16, 16, 3, 2), 16, 16, 3, 'jpeg'));
    const p = await outcome({ kind: 'files', root: 'pets', files: await folderFiles(join(root, 'pets')) }, 'folder');
    expect(done(p.out).report.classNames.expression).toEqual(['cat', 'dog']);
  });

  it('a .tar.gz of class names no scheme knows: the names sorted, as a .zip of the same folders gives them', async () => {
    const files: ArchiveFile[] = [];
    for (const [i, cls] of ['zebra', 'ant', 'zebra'].entries())
      files.push({ name: `d/${cls}/${i}.jpg`, data: await encodeImage(fakeFace(16, 16, 3, i), 16, 16, 3, 'jpeg') });
    const { out } = await outcome({ kind: 'archive', file: memSource('d.tgz', gzip(makeTar(files))) });
    expect(done(out).report.classNames.expression).toEqual(['ant', 'zebra']);
  });
});

describe('cancel and storage failures', () => {
  const rows = Array.from({ length: 1500 }, (_, i) => `${i % 7},${pixelsText(48, i)},Training`);
  const csv = ferCsv(rows);

  it('a cancelled import leaves no half dataset and never touches another', async () => {
    const storage = memoryStorage();
    const first = await outcome(
      { kind: 'csv', images: memSource('a.csv', ferCsv(rows.slice(0, 10))), votes: null },
      'auto',
      opts(),
      storage,
    );
    const keep = done(first.out).meta;
    const controller = new AbortController();
    let calls = 0;
    const { out } = await outcome(
      { kind: 'csv', images: memSource('fer2013.csv', csv, 16384), votes: null },
      'auto',
      opts(),
      storage,
      nodeImportPlatform,
      {
        signal: controller.signal,
        progressMs: 0,
        onProgress: (p: { images: number }) => {
          calls++;
          if (p.images > 600) controller.abort();
        },
      },
    );
    expect(calls).toBeGreaterThan(1);
    expect(out.status).toBe('cancelled');
    expect(out.status === 'cancelled' && out.report!.images).toBeGreaterThan(600);
    const left = await storage.listDatasets();
    expect(left.map((d) => d.id)).toEqual([keep.id]);
    expect((await loadSplits(storage, keep.id)).data.train.count).toBe(10);
  });

  it('storage full while writing: a clear message, nothing of the import kept, other datasets intact', async () => {
    const base = memoryStorage();
    const keep = done(
      (
        await outcome(
          { kind: 'csv', images: memSource('a.csv', ferCsv(rows.slice(0, 10))), votes: null },
          'auto',
          opts(),
          base,
        )
      ).out,
    ).meta;
    let writes = 0;
    const full: LabStorage = {
      ...base,
      putChunks: async (c) => {
        if (++writes > 1)
          throw Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
        return base.putChunks(c);
      },
    };
    const { out } = await outcome(
      { kind: 'csv', images: memSource('fer2013.csv', csv), votes: null },
      'auto',
      opts(),
      full,
    );
    expect(out.status).toBe('failed');
    expect(out.status === 'failed' && out.message).toMatch(/^The browser ran out of storage space/);
    expect((await base.listDatasets()).map((d) => d.id)).toEqual([keep.id]);
    expect((await base.getChunks(keep.id, 'train')).length).toBe(1);
  });

  it('a projected need over the free quota stops before the first chunk is written', async () => {
    const storage = memoryStorage();
    let wrote = 0;
    const watched: LabStorage = {
      ...storage,
      putChunks: async (c) => {
        wrote++;
        return storage.putChunks(c);
      },
    };
    const platform: ImportPlatform = { ...nodeImportPlatform, estimate: async () => ({ usage: 0, quota: 1_000_000 }) };
    const { out } = await outcome(
      { kind: 'csv', images: memSource('fer2013.csv', csv), votes: null },
      'auto',
      opts(),
      watched,
      platform,
    );
    expect(out.status === 'failed' && out.message).toMatch(
      /^Not enough browser storage: this import needs about 3\.\d MB and 1\.0 MB are free/,
    );
    expect(wrote).toBe(0);
    expect(await storage.listDatasets()).toEqual([]);
  });
});

describe('paths and the runner', () => {
  it('imports from paths as the runner does (CSV with votes, archive, folder) and names unreadable paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odl-paths-'));
    await writeFile(join(dir, 'fer2013.csv'), ferCsv([`3,${pixelsText(48, 1)},Training`]));
    const o = await importFromConfig(
      {
        source: 'file',
        path: join(dir, 'fer2013.csv'),
        ferplus: null,
        format: 'auto',
        height: 48,
        width: 48,
        channels: 1,
        seed: 1,
      },
      memoryStorage(),
    );
    expect(done(o).report.images).toBe(1);
    await expect(fileSource(join(dir, 'missing.csv'))).rejects.toThrow(/Cannot read .*missing\.csv/);
    expect(hashUniform('a')).not.toBe(hashUniform('b'));
  });
});
