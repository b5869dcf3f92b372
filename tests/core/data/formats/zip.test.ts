// readZipDirectory / readZipEntry / crc32: stored and deflate, ZIP64, damage and refusal messages, and
// archives checked or written by Python's zipfile when python3 is installed.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import {
  crc32,
  InflateLimitError,
  readZipDirectory,
  readZipEntry,
  ZipError,
  type ZipEntry,
} from '../../../../src/core/data/formats/zip';
import { inflateRaw as browserInflateRaw } from '../../../../src/platform/browser/importBrowser';
import { nodeImportPlatform } from '../../../../src/platform/node/importFiles';
import { createRng } from '../../../../src/core/random';
import { concatBytes, inflateRawNode, makeTar, makeZip, memoryAccess, errorOf } from '../../../helpers/archives';

const enc = new TextEncoder();

function bytes(n: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

const csv = enc.encode('file,age\n'.repeat(200)); // compresses well
const png = bytes(3000, 1);
const files = [
  { name: 'set/', dir: true },
  { name: 'set/labels.csv', data: csv },
  { name: 'set/face.png', data: png },
  { name: 'set/empty', data: new Uint8Array(0) },
  { name: 'set/gesicht-\u00e4\u00f6\u00fc-\u9854.png', data: enc.encode('utf8 name') },
];

async function readAll(zip: Uint8Array): Promise<{ entries: ZipEntry[]; contents: Map<string, Uint8Array> }> {
  const src = memoryAccess(zip);
  const entries = await readZipDirectory(src);
  const contents = new Map<string, Uint8Array>();
  for (const e of entries) contents.set(e.name, await readZipEntry(src, e, inflateRawNode));
  return { entries, contents };
}

describe('crc32', () => {
  it('matches the standard check values and continues from a seed', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(enc.encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    const all = bytes(1000, 2);
    expect(crc32(all.subarray(300), crc32(all.subarray(0, 300)))).toBe(crc32(all));
  });
});

describe('readZipDirectory and readZipEntry', () => {
  for (const method of [0, 8] as const) {
    it(`lists and reads ${method === 0 ? 'stored' : 'deflated'} entries with exact bytes`, async () => {
      const zip = makeZip(files, { method });
      const { entries, contents } = await readAll(zip);
      expect(entries.map((e) => [e.name, e.method, e.size, e.isDirectory, e.encrypted])).toEqual([
        ['set/', 0, 0, true, false],
        ['set/labels.csv', method, 1800, false, false],
        ['set/face.png', method, 3000, false, false],
        ['set/empty', method, 0, false, false],
        ['set/gesicht-\u00e4\u00f6\u00fc-\u9854.png', method, 9, false, false],
      ]);
      expect(entries[1].crc32).toBe(crc32(csv));
      expect(entries[2].crc32).toBe(crc32(png));
      if (method === 0) expect(entries[1].compressedSize).toBe(1800);
      else expect(entries[1].compressedSize).toBeLessThan(100);
      expect(entries[0].localHeaderOffset).toBe(0);
      expect(entries[1].localHeaderOffset).toBe(30 + 4);
      expect(contents.get('set/')).toEqual(new Uint8Array(0));
      expect(contents.get('set/labels.csv')).toEqual(csv);
      expect(contents.get('set/face.png')).toEqual(png);
      expect(contents.get('set/empty')).toEqual(new Uint8Array(0));
      expect(new TextDecoder().decode(contents.get('set/gesicht-\u00e4\u00f6\u00fc-\u9854.png'))).toBe('utf8 name');
    });
  }

  it('reads ZIP64 archives (EOCD64 locator and record, 0x0001 extra fields, local extras unlike central ones)', async () => {
    const zip = makeZip(files, { method: 8, zip64: true });
    const { entries, contents } = await readAll(zip);
    const plain = await readZipDirectory(memoryAccess(makeZip(files, { method: 8 })));
    expect(entries.map((e) => [e.name, e.size, e.compressedSize, e.crc32, e.isDirectory])).toEqual(
      plain.map((e) => [e.name, e.size, e.compressedSize, e.crc32, e.isDirectory]),
    );
    // Each local header carries a 20-byte extra field: offsets differ from the plain archive's.
    expect(entries[1].localHeaderOffset).toBe(30 + 4 + 20);
    expect(contents.get('set/labels.csv')).toEqual(csv);
    expect(contents.get('set/face.png')).toEqual(png);
  });

  it('an empty archive has no entries', async () => {
    const zip = makeZip([]);
    expect(zip.length).toBe(22);
    expect(await readZipDirectory(memoryAccess(zip))).toEqual([]);
    expect(await readZipDirectory(memoryAccess(makeZip([], { zip64: true })))).toEqual([]);
  });

  it('finds the end record behind an archive comment, even one containing a fake signature', async () => {
    const zip = makeZip([files[1]], { method: 8 });
    const comment = concatBytes([enc.encode('made by '), Uint8Array.of(0x50, 0x4b, 0x05, 0x06), new Uint8Array(40)]);
    zip[zip.length - 2] = comment.length;
    const withComment = concatBytes([zip, comment]);
    const { entries, contents } = await readAll(withComment);
    expect(entries.map((e) => e.name)).toEqual(['set/labels.csv']);
    expect(contents.get('set/labels.csv')).toEqual(csv);
  });

  it('strips a leading ./ from names', async () => {
    const entries = await readZipDirectory(memoryAccess(makeZip([{ name: './a/b.txt', data: enc.encode('b') }])));
    expect(entries[0].name).toBe('a/b.txt');
  });

  it('not a zip: text, a tar, tiny and empty inputs', async () => {
    const message = 'not a zip archive (no end-of-central-directory record)';
    const text = enc.encode('emotion,pixels\n'.repeat(10_000));
    const inputs = [text, makeTar([files[1]]), Uint8Array.of(1, 2, 3), new Uint8Array(0)];
    for (const input of inputs) {
      const err = await errorOf(readZipDirectory(memoryAccess(input)));
      expect(err).toBeInstanceOf(ZipError);
      expect(err.message).toBe(message);
    }
  });

  it('only reads the last 65,557 bytes to find the end record', async () => {
    const zip = makeZip([{ name: 'pad.bin', data: bytes(200_000, 3) }], { method: 0 });
    const reads: [number, number][] = [];
    const src = memoryAccess(zip);
    const spy = {
      size: src.size,
      read: (o: number, n: number) => {
        reads.push([o, n]);
        return src.read(o, n);
      },
    };
    expect((await readZipDirectory(spy)).map((e) => e.size)).toEqual([200_000]);
    expect(reads[0]).toEqual([zip.length - 65_557, 65_557]);
    expect(reads.every(([, n]) => n <= 65_557)).toBe(true);
    // Without an end record in that tail, it gives up rather than reading more.
    const padded = concatBytes([zip, new Uint8Array(70_000)]);
    const err = await errorOf(readZipDirectory(memoryAccess(padded)));
    expect(err.message).toBe('not a zip archive (no end-of-central-directory record)');
  });

  it('a truncated start (central directory out of range) is a ZipError', async () => {
    const zip = makeZip(files, { method: 0 });
    const err = await errorOf(readZipDirectory(memoryAccess(zip.subarray(1000))));
    expect(err).toBeInstanceOf(ZipError);
    expect(err.message).toBe('damaged or truncated archive: the central directory lies past the end of the file');
  });

  it('a flipped data byte is a CRC mismatch', async () => {
    const zip = makeZip(files, { method: 0 });
    const src = memoryAccess(zip);
    const entries = await readZipDirectory(src);
    const face = entries[2];
    zip[face.localHeaderOffset + 30 + 'set/face.png'.length + 100] ^= 0x01;
    const err = await errorOf(readZipEntry(src, face, inflateRawNode));
    expect(err).toBeInstanceOf(ZipError);
    expect(err.message).toBe('"set/face.png": CRC mismatch (damaged archive)');
    // The other entries are intact.
    expect(await readZipEntry(src, entries[1], inflateRawNode)).toEqual(csv);
  });

  it('a wrong size is reported, and inflate errors become ZipErrors naming the entry', async () => {
    const zip = makeZip(files, { method: 8 });
    const src = memoryAccess(zip);
    const entries = await readZipDirectory(src);
    const err = await errorOf(readZipEntry(src, { ...entries[1], size: 1801 }, inflateRawNode));
    expect(err.message).toBe('"set/labels.csv": 1800 bytes instead of 1801 (damaged archive)');
    const bad = zip.slice();
    bad[entries[1].localHeaderOffset + 30 + 'set/labels.csv'.length] = 0x07; // deflate block type 3 does not exist
    const inflateErr = await errorOf(readZipEntry(memoryAccess(bad), entries[1], inflateRawNode));
    expect(inflateErr).toBeInstanceOf(ZipError);
    expect(inflateErr.message).toBe('"set/labels.csv": the compressed data is damaged (invalid block type)');
  });

  it('refuses compression methods other than stored and deflate', async () => {
    const zip = makeZip([files[2]], { method: 8 });
    const cdStart = zip.length - 22 - (46 + 'set/face.png'.length);
    expect(zip[cdStart]).toBe(0x50);
    zip[cdStart + 10] = 12; // bzip2
    const src = memoryAccess(zip);
    const [entry] = await readZipDirectory(src);
    expect(entry.method).toBe(12);
    const err = await errorOf(readZipEntry(src, entry, inflateRawNode));
    expect(err).toBeInstanceOf(ZipError);
    expect(err.message).toBe('"set/face.png": compression method 12 is not supported (only stored and deflate)');
  });

  it('refuses encrypted entries', async () => {
    const zip = makeZip([files[2]], { method: 0 });
    const cdStart = zip.length - 22 - (46 + 'set/face.png'.length);
    zip[cdStart + 8] |= 1;
    const src = memoryAccess(zip);
    const [entry] = await readZipDirectory(src);
    expect(entry.encrypted).toBe(true);
    const err = await errorOf(readZipEntry(src, entry, inflateRawNode));
    expect(err).toBeInstanceOf(ZipError);
    expect(err.message).toBe('"set/face.png": encrypted entries are not supported');
  });

  it('a local header missing where the directory points is a ZipError', async () => {
    const zip = makeZip(files, { method: 0 });
    const src = memoryAccess(zip);
    const entries = await readZipDirectory(src);
    const moved = { ...entries[2], localHeaderOffset: entries[2].localHeaderOffset + 1 };
    const err = await errorOf(readZipEntry(src, moved, inflateRawNode));
    expect(err.message).toBe('"set/face.png": damaged archive (no local header where the directory says)');
  });
});

const hasPython = existsSync('/usr/bin/python3');

describe('zip interoperability with Python zipfile', () => {
  it.skipIf(!hasPython)('Python accepts archives written by makeZip (stored, deflate, ZIP64)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-interop-'));
    try {
      for (const [i, opts] of [{ method: 0 }, { method: 8 }, { method: 8, zip64: true }].entries()) {
        const path = join(dir, `a${i}.zip`);
        writeFileSync(path, makeZip(files, opts as { method: 0 | 8; zip64?: boolean }));
        const check = 'import zipfile,sys; assert zipfile.ZipFile(sys.argv[1]).testzip() is None';
        execFileSync('/usr/bin/python3', ['-c', check, path]);
        const list =
          'import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1]); ' +
          'print(json.dumps([[i.filename,i.file_size,i.CRC] for i in z.infolist()]))';
        const listed = execFileSync('/usr/bin/python3', ['-c', list, path]).toString();
        expect(JSON.parse(listed)).toEqual([
          ['set/', 0, 0],
          ['set/labels.csv', 1800, crc32(csv)],
          ['set/face.png', 3000, crc32(png)],
          ['set/empty', 0, 0],
          ['set/gesicht-\u00e4\u00f6\u00fc-\u9854.png', 9, crc32(enc.encode('utf8 name'))],
        ]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasPython)('reads archives written by Python (deflate, and force_zip64 entries)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-interop-'));
    try {
      const path = join(dir, 'py.zip');
      const script = [
        'import zipfile, sys',
        'with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as zf:',
        '    zf.writestr("faces/a.txt", "hello " * 500)',
        '    zf.writestr("faces/b.bin", bytes(range(256)) * 40)',
        '    zf.writestr("faces/sub/", "")',
        '    with zf.open("faces/z64.txt", "w", force_zip64=True) as f:',
        '        f.write(b"zip64 entry " * 300)',
        '    zf.writestr(zipfile.ZipInfo("stored.txt"), "kept as is", compress_type=zipfile.ZIP_STORED)',
      ].join('\n');
      execFileSync('/usr/bin/python3', ['-c', script, path]);
      const { entries, contents } = await readAll(new Uint8Array(readFileSync(path)));
      expect(entries.map((e) => [e.name, e.method, e.size, e.isDirectory])).toEqual([
        ['faces/a.txt', 8, 3000, false],
        ['faces/b.bin', 8, 10240, false],
        ['faces/sub/', 8, 0, true], // Python deflates even an empty directory entry
        ['faces/z64.txt', 8, 3600, false],
        ['stored.txt', 0, 10, false],
      ]);
      // force_zip64 gave that entry a 20-byte ZIP64 extra field in its local header only, not in the directory.
      const zip = readFileSync(path);
      expect(zip.readUInt16LE(entries[3].localHeaderOffset + 28)).toBe(20);
      const dec = new TextDecoder();
      expect(dec.decode(contents.get('faces/a.txt'))).toBe('hello '.repeat(500));
      const b = contents.get('faces/b.bin') as Uint8Array;
      expect(b.length).toBe(10240);
      expect(b.every((v, i) => v === i % 256)).toBe(true);
      expect(dec.decode(contents.get('faces/z64.txt'))).toBe('zip64 entry '.repeat(300));
      expect(dec.decode(contents.get('stored.txt'))).toBe('kept as is');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The archive's end record fields (no comment, no ZIP64). */
function endRecord(zip: Uint8Array): { count: number; cdSize: number; cdOffset: number } {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const e = zip.length - 22;
  return { count: v.getUint16(e + 10, true), cdSize: v.getUint32(e + 12, true), cdOffset: v.getUint32(e + 16, true) };
}

/** Sets the unpacked size of a one-entry archive, in its central and local headers (a lying archive). */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice();
  const v = new DataView(out.buffer);
  const { cdOffset } = endRecord(out);
  v.setUint32(cdOffset + 24, size, true);
  v.setUint32(22, size, true);
  return out;
}

/** A one-entry archive whose central directory lists that entry `times` times, all at the same bytes. */
function overlapping(zip: Uint8Array, times: number): Uint8Array {
  const { cdSize, cdOffset } = endRecord(zip);
  const data = zip.subarray(0, cdOffset);
  const cd = zip.subarray(cdOffset, cdOffset + cdSize);
  const out = new Uint8Array(cdOffset + times * cdSize + 22);
  out.set(data, 0);
  for (let i = 0; i < times; i++) out.set(cd, cdOffset + i * cdSize);
  const v = new DataView(out.buffer);
  const e = cdOffset + times * cdSize;
  v.setUint32(e, 0x06054b50, true);
  v.setUint16(e + 8, times, true);
  v.setUint16(e + 10, times, true);
  v.setUint32(e + 12, times * cdSize, true);
  v.setUint32(e + 16, cdOffset, true);
  return out;
}

describe('hostile archives', () => {
  // 64 MB of zeros deflate to ~64 KB: the archive says the entry is 1,000 bytes.
  const bomb = declareSize(makeZip([{ name: 'face.png', data: new Uint8Array(64 * 2 ** 20) }]), 1000);

  it.each([
    ['node:zlib (the runner)', nodeImportPlatform.inflateRaw],
    ['DecompressionStream (the page)', browserInflateRaw],
  ])('a zip bomb stops at the declared size instead of inflating in full, with %s', async (_, inflate) => {
    expect(bomb.length).toBeLessThan(200_000);
    const src = memoryAccess(bomb);
    const [entry] = await readZipDirectory(src);
    expect(entry.size).toBe(1000);
    const heap = process.memoryUsage().arrayBuffers;
    const err = await errorOf(readZipEntry(src, entry, inflate));
    expect(err).toBeInstanceOf(ZipError);
    expect(err.message).toBe(
      '"face.png": inflates to more than the 1000 bytes the archive declares for it (a zip bomb or a damaged archive); stopped there',
    );
    // Nothing near the 64 MB the entry really holds was kept.
    expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(16 * 2 ** 20);
  });

  it('the bounded inflaters return what fits and refuse one byte more', async () => {
    const packed = new Uint8Array(zlib.deflateRawSync(Buffer.from('x'.repeat(5000))));
    for (const inflate of [nodeImportPlatform.inflateRaw, browserInflateRaw]) {
      expect((await inflate(packed, 5000)).length).toBe(5000);
      expect(await errorOf(inflate(packed, 4999))).toBeInstanceOf(InflateLimitError);
    }
  });

  it('refuses an entry that declares more than deflate can produce, and a stored entry whose sizes differ', async () => {
    const huge = declareSize(makeZip([{ name: 'a.png', data: bytes(2000, 3) }]), 2 ** 31);
    expect((await errorOf(readZipDirectory(memoryAccess(huge)))).message).toMatch(
      /^"a\.png": declares 2147483648 bytes unpacked from \d+ compressed, more than deflate can produce/,
    );
    const stored = declareSize(makeZip([{ name: 'b.png', data: bytes(100, 4) }], { method: 0 }), 5000);
    expect((await errorOf(readZipDirectory(memoryAccess(stored)))).message).toMatch(
      /^"b\.png": stored \(uncompressed\), yet its directory gives 100 bytes stored and 5000 unpacked/,
    );
  });

  it('refuses overlapping entries (one record listed 3,000 times) before reading any', async () => {
    const one = makeZip([{ name: 'big.png', data: bytes(20_000, 5) }]);
    const many = overlapping(one, 3000);
    const err = await errorOf(readZipDirectory(memoryAccess(many)));
    expect(err).toBeInstanceOf(ZipError);
    expect(err.message).toBe(
      '"big.png" and "big.png" share the same bytes of the file: overlapping entries (a crafted archive) are not read',
    );
    // The same record listed once is fine.
    expect(await readZipDirectory(memoryAccess(overlapping(one, 1)))).toHaveLength(1);
  });

  it('refuses an entry whose data would run into the central directory', async () => {
    const zip = makeZip([{ name: 'c.png', data: bytes(500, 6) }], { method: 0 });
    const v = new DataView(zip.buffer);
    const { cdOffset } = endRecord(zip);
    // Stored, so both sizes grow together: 500 → 900 bytes, past the directory at byte cdOffset.
    v.setUint32(cdOffset + 20, 900, true);
    v.setUint32(cdOffset + 24, 900, true);
    expect((await errorOf(readZipDirectory(memoryAccess(zip)))).message).toMatch(
      /^"c\.png": its data would end at byte \d+, past the \d+ bytes of entries the archive holds/,
    );
  });
});
