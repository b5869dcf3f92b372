// readTar: header variants (ustar prefix, v7, GNU and pax long names, base-256 sizes), checksums,
// truncation, skipped oversize bodies, any chunking, and archives written by the system's tar.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { readTar, TarError, type TarItem } from '../../../../src/core/data/formats/tar';
import { createRng } from '../../../../src/core/random';
import {
  chunked,
  concatBytes,
  gzip,
  makeTar,
  paxRecords,
  setTarChecksum,
  tarBody,
  tarHeader,
  errorOf,
} from '../../../helpers/archives';

const enc = new TextEncoder();

async function collect(chunks: AsyncIterable<Uint8Array>, opts?: { maxEntryBytes?: number }): Promise<TarItem[]> {
  const items: TarItem[] = [];
  for await (const item of readTar(chunks, opts)) items.push(item);
  return items;
}

function bytes(n: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

/** Entries as plain values, data as arrays, so toEqual compares every byte. */
function summary(items: TarItem[]): { name: string; size: number; kind: string; data: number[] | null }[] {
  return items.map(({ entry: { name, size, kind }, data }) => ({ name, size, kind, data: data && Array.from(data) }));
}

const files = [
  { name: 'faces/', dir: true },
  { name: 'faces/a.png', data: bytes(1000, 1) },
  { name: 'faces/empty.txt', data: new Uint8Array(0) },
  { name: 'faces/block.bin', data: bytes(512, 2) },
  { name: 'labels.csv', data: enc.encode('file,age\na.png,31\n') },
];
const expected = [
  { name: 'faces/', size: 0, kind: 'directory', data: null },
  { name: 'faces/a.png', size: 1000, kind: 'file', data: Array.from(files[1].data as Uint8Array) },
  { name: 'faces/empty.txt', size: 0, kind: 'file', data: [] },
  { name: 'faces/block.bin', size: 512, kind: 'file', data: Array.from(files[3].data as Uint8Array) },
  { name: 'labels.csv', size: 18, kind: 'file', data: Array.from(enc.encode('file,age\na.png,31\n')) },
];

describe('readTar', () => {
  it('reads files and directories with exact bytes', async () => {
    const tar = makeTar(files);
    expect(summary(await collect(chunked(tar, 65536)))).toEqual(expected);
  });

  it('gives the same entries for 1-byte chunks and for random chunk sizes', async () => {
    const tar = makeTar(files);
    expect(summary(await collect(chunked(tar, 1)))).toEqual(expected);
    const rng = createRng(7);
    const sizes = Array.from({ length: 50 }, () => 1 + rng.int(1500));
    expect(summary(await collect(chunked(tar, sizes)))).toEqual(expected);
  });

  it('returns each body in its own buffer, even when the source reuses one chunk buffer', async () => {
    const tar = makeTar(files);
    async function* reusing(): AsyncGenerator<Uint8Array> {
      const buf = new Uint8Array(700);
      for (let i = 0; i < tar.length; i += buf.length) {
        const n = Math.min(buf.length, tar.length - i);
        buf.set(tar.subarray(i, i + n));
        yield buf.subarray(0, n);
        buf.fill(0xee); // what a reader reusing its buffer would do next
      }
    }
    const items = await collect(reusing());
    expect(summary(items)).toEqual(expected);
    for (const { data } of items) if (data) expect(data.buffer.byteLength).toBe(data.length);
  });

  it('ends at the end of input on a block boundary without the two zero blocks', async () => {
    const tar = makeTar(files);
    expect(summary(await collect(chunked(tar.subarray(0, tar.length - 1024), 4096)))).toEqual(expected);
    expect(await collect(chunked(new Uint8Array(0), 1))).toEqual([]);
  });

  it('stops at two zero blocks and ignores what follows', async () => {
    const tar = concatBytes([makeTar([files[1]]), enc.encode('trailing garbage after the end marker')]);
    expect(summary(await collect(chunked(tar, 100)))).toEqual([expected[1]]);
  });

  it('strips a leading ./ from names', async () => {
    const tar = makeTar([
      { name: './', dir: true },
      { name: './x/y.txt', data: enc.encode('hi') },
    ]);
    const items = await collect(chunked(tar, 512));
    expect(items.map(({ entry: { name, size, kind } }) => ({ name, size, kind }))).toEqual([
      { name: '', size: 0, kind: 'directory' },
      { name: 'x/y.txt', size: 2, kind: 'file' },
    ]);
  });

  it('joins the ustar prefix field and the name', async () => {
    const body = enc.encode('prefixed');
    const tar = concatBytes([
      tarHeader({ name: 'file.txt', prefix: 'a/b/c', size: body.length }),
      tarBody(body),
      new Uint8Array(1024),
    ]);
    const items = await collect(chunked(tar, 512));
    expect(summary(items)).toEqual([{ name: 'a/b/c/file.txt', size: 8, kind: 'file', data: Array.from(body) }]);
  });

  it('reads old v7 headers (no magic), with directories marked by a trailing slash', async () => {
    const body = enc.encode('v7 body');
    const tar = concatBytes([
      tarHeader({ name: 'old/', type: '\0', magic: 'v7' }),
      tarHeader({ name: 'old/f', type: '\0', magic: 'v7', size: body.length }),
      tarBody(body),
      new Uint8Array(1024),
    ]);
    expect(summary(await collect(chunked(tar, 300)))).toEqual([
      { name: 'old/', size: 0, kind: 'directory', data: null },
      { name: 'old/f', size: 7, kind: 'file', data: Array.from(body) },
    ]);
  });

  const longName = `${'very-long-directory-name/'.repeat(5)}face_00001.png`; // 139 chars
  for (const scheme of ['gnu', 'pax'] as const) {
    it(`reads ${scheme} long names and applies them to the next entry only`, async () => {
      const data = bytes(700, 3);
      const tar = makeTar(
        [
          { name: longName, data },
          { name: 'short.txt', data: enc.encode('s') },
        ],
        { longNames: scheme },
      );
      const items = await collect(chunked(tar, 333));
      expect(summary(items)).toEqual([
        { name: longName, size: 700, kind: 'file', data: Array.from(data) },
        { name: 'short.txt', size: 1, kind: 'file', data: [115] },
      ]);
    });
  }

  it('ignores GNU long link (K) and pax global (g) headers; pax keys other than path are ignored', async () => {
    const link = enc.encode(`${'t'.repeat(150)}\0`);
    const global = paxRecords([
      ['comment', 'made for a test'],
      ['path', 'not/for/this/entry'],
    ]);
    const pax = paxRecords([
      ['mtime', '1.5'],
      ['path', 'from/pax.txt'],
      ['uname', 'someone'],
    ]);
    const body = enc.encode('pax body');
    const tar = concatBytes([
      tarHeader({ name: 'pax_global_header', type: 'g', size: global.length }),
      tarBody(global),
      tarHeader({ name: '././@LongLink', type: 'K', size: link.length, magic: 'gnu' }),
      tarBody(link),
      tarHeader({ name: 'symlink', type: '2', linkName: 'target' }),
      tarHeader({ name: 'PaxHeader/x', type: 'x', size: pax.length }),
      tarBody(pax),
      tarHeader({ name: 'truncated-name.txt', size: body.length }),
      tarBody(body),
      new Uint8Array(1024),
    ]);
    expect(summary(await collect(chunked(tar, 1000)))).toEqual([
      { name: 'symlink', size: 0, kind: 'other', data: null },
      { name: 'from/pax.txt', size: 8, kind: 'file', data: Array.from(body) },
    ]);
  });

  it('reads GNU base-256 sizes', async () => {
    const data = bytes(70_000, 4); // 0x011170: spans three bytes of the base-256 field
    const tar = concatBytes([
      tarHeader({ name: 'big.bin', size: data.length, base256Size: true, magic: 'gnu' }),
      tarBody(data),
      tarHeader({ name: 'after.txt', size: 1 }),
      tarBody(enc.encode('z')),
      new Uint8Array(1024),
    ]);
    const items = await collect(chunked(tar, 8192));
    expect(summary(items)).toEqual([
      { name: 'big.bin', size: 70_000, kind: 'file', data: Array.from(data) },
      { name: 'after.txt', size: 1, kind: 'file', data: [122] },
    ]);
  });

  it('a base-256 size beyond 8 GB is read as such (the body is then missing here)', async () => {
    const header = tarHeader({ name: 'huge.bin', size: 9_000_000_000, base256Size: true, magic: 'gnu' });
    const tar = concatBytes([header, new Uint8Array(4096)]);
    const err = await errorOf(collect(chunked(tar, 4096)));
    expect(err).toBeInstanceOf(TarError);
    expect(err.message).toBe('the archive ends inside "huge.bin" (truncated download?)');
  });

  it('skips files over maxEntryBytes (data null) and reads on', async () => {
    const tar = makeTar([
      { name: 'big', data: bytes(2000, 5) },
      { name: 'edge', data: bytes(1000, 6) },
      { name: 'small', data: enc.encode('ok') },
    ]);
    const items = await collect(chunked(tar, 100), { maxEntryBytes: 1000 });
    expect(summary(items)).toEqual([
      { name: 'big', size: 2000, kind: 'file', data: null },
      { name: 'edge', size: 1000, kind: 'file', data: Array.from(bytes(1000, 6)) },
      { name: 'small', size: 2, kind: 'file', data: [111, 107] },
    ]);
  });

  it('input ending inside an entry is a truncated download', async () => {
    const tar = makeTar(files);
    // faces/a.png's header is at 512, its body at 1024..2024, padded to 2048.
    for (const cut of [1500, 2024, 2040]) {
      const err = await errorOf(collect(chunked(tar.subarray(0, cut), 256)));
      expect(err).toBeInstanceOf(TarError);
      expect(err.message).toBe('the archive ends inside "faces/a.png" (truncated download?)');
    }
    const skipped = await errorOf(collect(chunked(tar.subarray(0, 1500), 256), { maxEntryBytes: 10 }));
    expect(skipped.message).toBe('the archive ends inside "faces/a.png" (truncated download?)');
    const inHeader = await errorOf(collect(chunked(tar.subarray(0, 2048 + 100), 256)));
    expect(inHeader.message).toBe('the archive ends inside a header at byte 2048 (truncated download?)');
  });

  it('input ending after a long-name header but before its entry is truncated too', async () => {
    const tar = makeTar([{ name: 'n'.repeat(120), data: enc.encode('x') }], { longNames: 'gnu' });
    const err = await errorOf(collect(chunked(tar.subarray(0, 1024), 512)));
    expect(err.message).toBe(`the archive ends inside "${'n'.repeat(120)}" (truncated download?)`);
  });

  it('a wrong checksum on the first header means not a tar archive', async () => {
    const tar = makeTar(files);
    tar[0] ^= 1;
    const err = await errorOf(collect(chunked(tar, 512)));
    expect(err).toBeInstanceOf(TarError);
    expect(err.message).toBe("not a tar archive (the first header's checksum is wrong)");
  });

  it('text, gzip bytes and short inputs are not tar archives', async () => {
    const csv = enc.encode('emotion,pixels,Usage\n'.repeat(40));
    expect((await errorOf(collect(chunked(csv, 64)))).message).toBe(
      "not a tar archive (the first header's checksum is wrong)",
    );
    const gz = gzip(makeTar(files));
    expect((await errorOf(collect(chunked(gz, 64)))).message).toBe(
      "not a tar archive (the first header's checksum is wrong)",
    );
    expect((await errorOf(collect(chunked(enc.encode('hello'), 64)))).message).toBe(
      'not a tar archive (shorter than one 512-byte header)',
    );
  });

  it('a wrong checksum on a later header names its byte offset', async () => {
    const tar = makeTar(files);
    tar[2048 + 3] ^= 0x20; // faces/empty.txt's header
    const err = await errorOf(collect(chunked(tar, 777)));
    expect(err).toBeInstanceOf(TarError);
    expect(err.message).toBe('damaged archive: the header at byte 2048 has a wrong checksum');
  });

  it('accepts checksums summed over signed bytes (old tars)', async () => {
    const h = tarHeader({ name: 'caf\u00e9.txt', size: 0 });
    h.fill(32, 148, 156);
    let signed = 0;
    for (const b of h) signed += b > 127 ? b - 256 : b;
    h.set(enc.encode(`${signed.toString(8).padStart(6, '0')}\0`), 148);
    const items = await collect(chunked(concatBytes([h, new Uint8Array(1024)]), 512));
    expect(items.map((i) => i.entry.name)).toEqual(['caf\u00e9.txt']);
    h[0] ^= 1;
    setTarChecksum(h); // the fixture's own unsigned sum still works after a change
    expect((await collect(chunked(h, 512))).map((i) => i.entry.name)).toEqual(['baf\u00e9.txt']);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunked(makeTar(files), 512);
      } finally {
        closed = true;
      }
    }
    for await (const item of readTar(source())) {
      expect(item.entry.name).toBe('faces/');
      break;
    }
    expect(closed).toBe(true);
  });
});

const hasTar = existsSync('/usr/bin/tar');

describe('readTar with archives written by the system tar', () => {
  for (const format of ['gnu', 'posix'] as const) {
    it.skipIf(!hasTar)(`reads a .tar.gz made by /usr/bin/tar --format=${format} through a gunzip stream`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tar-interop-'));
      try {
        // 120 chars whose last part alone exceeds 100, so that no ustar prefix split can hold it.
        const long = `${'d'.repeat(8)}/${'n'.repeat(107)}.png`;
        mkdirSync(join(dir, 'src', 'd'.repeat(8)), { recursive: true });
        const a = bytes(5000, 8);
        const b = enc.encode('hello\n');
        writeFileSync(join(dir, 'src', long), a);
        writeFileSync(join(dir, 'src', 'small.txt'), b);
        const archive = join(dir, 'out.tar.gz');
        execFileSync('/usr/bin/tar', [`--format=${format}`, '-czf', archive, '-C', join(dir, 'src'), '.']);
        const items = await collect(createReadStream(archive, { highWaterMark: 1000 }).pipe(createGunzip()));
        const byName = new Map(items.map((i) => [i.entry.name, i]));
        expect([...byName.keys()].sort()).toEqual(['', `${'d'.repeat(8)}/`, long, 'small.txt'].sort());
        expect(long.length).toBe(120);
        expect(Array.from(byName.get(long)?.data ?? [])).toEqual(Array.from(a));
        expect(byName.get(long)?.entry).toEqual({ name: long, size: 5000, kind: 'file', type: '0' });
        expect(byName.get('small.txt')?.data).toEqual(b);
        expect(byName.get(`${'d'.repeat(8)}/`)?.entry.kind).toBe('directory');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
