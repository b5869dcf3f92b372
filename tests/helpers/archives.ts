// Test fixtures: small tar, gzip and zip writers (Node only: node:zlib, Buffer) and ways to feed the
// readers in src/core/data/formats. Written from the format specs, independently of the readers.
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { RandomAccess } from '../../src/core/data/formats/zip';

export interface ArchiveFile {
  name: string;
  data?: Uint8Array;
  dir?: boolean;
}

const enc = new TextEncoder();

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- tar

export interface TarHeaderFields {
  name: string;
  size?: number;
  /** Typeflag char: '0' file, '5' directory, 'L' GNU long name, 'x' pax, 'g' pax global... */
  type?: string;
  /** ustar prefix field (POSIX ustar magic only). */
  prefix?: string;
  magic?: 'ustar' | 'gnu' | 'v7';
  /** GNU base-256 instead of octal for the size field. */
  base256Size?: boolean;
  linkName?: string;
}

function putString(h: Uint8Array, at: number, len: number, s: string): void {
  const b = enc.encode(s);
  if (b.length > len) throw new Error(`tar fixture: "${s}" does not fit in ${len} bytes`);
  h.set(b, at);
}

function putOctal(h: Uint8Array, at: number, len: number, v: number): void {
  putString(h, at, len, v.toString(8).padStart(len - 1, '0')); // NUL-terminated
}

/** Recomputes a header's checksum after its bytes were changed. */
export function setTarChecksum(h: Uint8Array): void {
  h.fill(32, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  putString(h, 148, 7, sum.toString(8).padStart(6, '0') + '\0');
}

/** One 512-byte header block. */
export function tarHeader(f: TarHeaderFields): Uint8Array {
  const h = new Uint8Array(512);
  const size = f.size ?? 0;
  putString(h, 0, 100, f.name);
  putOctal(h, 100, 8, f.type === '5' ? 0o755 : 0o644);
  putOctal(h, 108, 8, 1000);
  putOctal(h, 116, 8, 1000);
  if (f.base256Size) {
    h[124] = 0x80;
    let v = size;
    for (let i = 135; i > 124; i--) {
      h[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else {
    putOctal(h, 124, 12, size);
  }
  putOctal(h, 136, 12, 1_700_000_000);
  h[156] = (f.type ?? '0').charCodeAt(0);
  if (f.linkName) putString(h, 157, 100, f.linkName);
  const magic = f.magic ?? 'ustar';
  if (magic === 'ustar') {
    putString(h, 257, 6, 'ustar\0');
    putString(h, 263, 2, '00');
  } else if (magic === 'gnu') {
    putString(h, 257, 8, 'ustar  \0');
  }
  if (magic !== 'v7') {
    putString(h, 265, 32, 'lab');
    putString(h, 297, 32, 'lab');
  }
  if (f.prefix) putString(h, 345, 155, f.prefix);
  setTarChecksum(h);
  return h;
}

/** A body padded to whole 512-byte blocks. */
export function tarBody(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** A pax extended-header body: "<len> <key>=<value>\n" records, len counting the whole record. */
export function paxRecords(records: [string, string][]): Uint8Array {
  const parts = records.map(([k, v]) => {
    const rest = ` ${k}=${v}\n`;
    const restLen = enc.encode(rest).length;
    let len = restLen + 1;
    while (String(len).length + restLen !== len) len = String(len).length + restLen;
    return enc.encode(`${len}${rest}`);
  });
  return concatBytes(parts);
}

/** A tar archive; names over 100 bytes use GNU 'L' headers or pax 'x' headers (default). */
export function makeTar(files: ArchiveFile[], opts: { longNames?: 'gnu' | 'pax' } = {}): Uint8Array {
  const scheme = opts.longNames ?? 'pax';
  const parts: Uint8Array[] = [];
  for (const f of files) {
    const name = f.dir && !f.name.endsWith('/') ? `${f.name}/` : f.name;
    const data = f.dir ? new Uint8Array(0) : (f.data ?? new Uint8Array(0));
    let shortName = name;
    const nameBytes = enc.encode(name);
    if (nameBytes.length > 100) {
      shortName = new TextDecoder().decode(nameBytes.subarray(0, 90)).replace(/\uFFFD+$/, '');
      if (scheme === 'gnu') {
        const body = concatBytes([nameBytes, new Uint8Array(1)]);
        parts.push(tarHeader({ name: '././@LongLink', type: 'L', size: body.length, magic: 'gnu' }), tarBody(body));
      } else {
        const body = paxRecords([
          ['path', name],
          ['mtime', '1700000000.5'],
        ]);
        parts.push(tarHeader({ name: 'PaxHeader/long', type: 'x', size: body.length }), tarBody(body));
      }
    }
    const magic = scheme === 'gnu' ? 'gnu' : 'ustar';
    parts.push(tarHeader({ name: shortName, type: f.dir ? '5' : '0', size: data.length, magic }), tarBody(data));
  }
  parts.push(new Uint8Array(1024));
  return concatBytes(parts);
}

export function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(zlib.gzipSync(bytes));
}

// ---------------------------------------------------------------------------------------------- zip

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Kept apart from src/core's crc32 so a bug there cannot hide in fixtures made with it. */
function fixtureCrc(b: Uint8Array): number {
  let c = -1;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

class Writer {
  private parts: number[] = [];
  get length(): number {
    return this.parts.length;
  }
  u16(v: number): this {
    this.parts.push(v & 0xff, (v >>> 8) & 0xff);
    return this;
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(Math.floor(v / 0x10000) & 0xffff);
  }
  u64(v: number): this {
    return this.u32(v % 0x100000000).u32(Math.floor(v / 0x100000000));
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** A zip archive (UTF-8 names). zip64: ZIP64 extra fields and end records even though nothing needs them. */
export function makeZip(files: ArchiveFile[], opts: { method?: 0 | 8; zip64?: boolean } = {}): Uint8Array {
  const z64 = opts.zip64 ?? false;
  const out: Uint8Array[] = [];
  let offset = 0;
  const central = new Writer();
  const DOS_TIME = 0;
  const DOS_DATE = (44 << 9) | (1 << 5) | 1; // 2024-01-01
  for (const f of files) {
    const dir = f.dir ?? false;
    const name = enc.encode(dir && !f.name.endsWith('/') ? `${f.name}/` : f.name);
    const data = dir ? new Uint8Array(0) : (f.data ?? new Uint8Array(0));
    const method = dir ? 0 : (opts.method ?? 8);
    const packed = method === 8 ? new Uint8Array(zlib.deflateRawSync(data)) : data;
    const crc = fixtureCrc(data);
    const version = z64 ? 45 : 20;

    const localExtra = z64 ? new Writer().u16(1).u16(16).u64(data.length).u64(packed.length).done() : new Uint8Array(0);
    const local = new Writer()
      .u32(0x04034b50)
      .u16(version)
      .u16(0x0800)
      .u16(method)
      .u16(DOS_TIME)
      .u16(DOS_DATE)
      .u32(crc)
      .u32(z64 ? 0xffffffff : packed.length)
      .u32(z64 ? 0xffffffff : data.length)
      .u16(name.length)
      .u16(localExtra.length)
      .bytes(name)
      .bytes(localExtra)
      .done();

    const centralExtra = z64
      ? new Writer().u16(1).u16(24).u64(data.length).u64(packed.length).u64(offset).done()
      : new Uint8Array(0);
    central
      .u32(0x02014b50)
      .u16((3 << 8) | version)
      .u16(version)
      .u16(0x0800)
      .u16(method)
      .u16(DOS_TIME)
      .u16(DOS_DATE)
      .u32(crc)
      .u32(z64 ? 0xffffffff : packed.length)
      .u32(z64 ? 0xffffffff : data.length)
      .u16(name.length)
      .u16(centralExtra.length)
      .u16(0)
      .u16(0)
      .u16(0)
      .u32(dir ? ((0o40755 << 16) | 0x10) >>> 0 : (0o100644 << 16) >>> 0)
      .u32(z64 ? 0xffffffff : offset)
      .bytes(name)
      .bytes(centralExtra);

    out.push(local, packed);
    offset += local.length + packed.length;
  }
  const cd = central.done();
  out.push(cd);
  const cdOffset = offset;
  const end = new Writer();
  if (z64) {
    const eocd64Offset = cdOffset + cd.length;
    end
      .u32(0x06064b50)
      .u64(44)
      .u16((3 << 8) | 45)
      .u16(45)
      .u32(0)
      .u32(0)
      .u64(files.length)
      .u64(files.length)
      .u64(cd.length)
      .u64(cdOffset);
    end.u32(0x07064b50).u32(0).u64(eocd64Offset).u32(1);
  }
  end
    .u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(z64 ? 0xffff : files.length)
    .u16(z64 ? 0xffff : files.length)
    .u32(z64 ? 0xffffffff : cd.length)
    .u32(z64 ? 0xffffffff : cdOffset)
    .u16(0);
  out.push(end.done());
  return concatBytes(out);
}

/** Random access over bytes in memory; each read returns a copy, as a File slice would. */
export function memoryAccess(bytes: Uint8Array): RandomAccess {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.slice(offset, offset + length),
  };
}

/** `bytes` as a stream of views: fixed-size chunks, or sizes taken in turn from the list (cycling). */
export async function* chunked(bytes: Uint8Array, sizes: number[] | number): AsyncGenerator<Uint8Array> {
  const list = typeof sizes === 'number' ? [sizes] : sizes;
  if (list.length === 0 || list.some((s) => !(s > 0))) throw new Error('chunked: sizes must be positive');
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const n = list[k % list.length];
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

const inflateRawAsync = promisify(zlib.inflateRaw);

export const inflateRawNode = async (d: Uint8Array): Promise<Uint8Array> => new Uint8Array(await inflateRawAsync(d));

/** The error a promise rejects with (fails the test when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}
