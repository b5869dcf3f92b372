// Zip reader over random access (a File, a file handle): reads the central directory, then one entry at
// a time, so a large archive is never loaded whole. Plain TypeScript; inflating is the caller's (no zlib here).
// Hostile archives are refused before work is spent on them: an entry that inflates past the size the
// directory declares stops there (the caller's inflater is bounded: Inflate), an entry that declares more
// than deflate can produce from its compressed bytes is refused, and so are entries whose data overlap
// (one record listed thousands of times) or lie outside the file; so the total unpacked stays within
// deflate's own ratio (~1,032:1) of the file's size, and progress by compressed bytes never passes 100%.

import { decodeName } from './names';

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

/**
 * Raw deflate with a bound: inflates `deflated`, and rejects with InflateLimitError as soon as the output
 * would pass `maxBytes` (without producing the rest).
 */
export type Inflate = (deflated: Uint8Array, maxBytes: number) => Promise<Uint8Array>;

export class InflateLimitError extends Error {
  constructor(readonly maxBytes: number) {
    super(`inflates to more than ${maxBytes} bytes`);
    this.name = 'InflateLimitError';
  }
}

/** Deflate's largest possible expansion (a stream of one repeated byte): 258 bytes per 2 bits, ~1,032:1. */
export const MAX_DEFLATE_RATIO = 1032;

export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate; anything else is listed but cannot be read. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
  isDirectory: boolean;
  encrypted: boolean;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_LEN = 22;
/** The record plus the longest possible comment. */
const MAX_TAIL = EOCD_LEN + 0xffff;

/** Reads exactly `length` bytes, or explains that the archive is cut short. */
async function readExact(src: RandomAccess, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (offset < 0 || offset + length > src.size) {
    throw new ZipError(`damaged or truncated archive: the ${what} lies past the end of the file`);
  }
  const bytes = await src.read(offset, length);
  if (bytes.length !== length) throw new ZipError(`damaged or truncated archive: could not read the ${what}`);
  return bytes;
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** 64-bit little-endian as a number; offsets and sizes beyond 2^53 cannot be real files. */
function u64(b: Uint8Array, at: number): number {
  const v = u32(b, at + 4) * 0x100000000 + u32(b, at);
  if (!Number.isSafeInteger(v)) throw new ZipError('damaged archive: a 64-bit size or offset beyond 2^53');
  return v;
}

function cleanName(name: string): string {
  return name.replace(/^(\.\/)+/, '');
}

/** All entries listed in the central directory, in their stored order. */
export async function readZipDirectory(src: RandomAccess): Promise<ZipEntry[]> {
  const tailLen = Math.min(src.size, MAX_TAIL);
  const tailStart = src.size - tailLen;
  const tail = tailLen > 0 ? await readExact(src, tailStart, tailLen, 'end of the archive') : new Uint8Array(0);
  const eocd = findEocd(tail);
  if (eocd < 0) throw new ZipError('not a zip archive (no end-of-central-directory record)');

  const diskNo = u16(tail, eocd + 4);
  const cdDisk = u16(tail, eocd + 6);
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);

  // ZIP64: a locator right before the record points at the 64-bit record, which has the real values.
  const loc = eocd - 20;
  if (loc >= 0 && u32(tail, loc) === EOCD64_LOCATOR_SIG) {
    const rec = await readExact(src, u64(tail, loc + 8), 56, 'ZIP64 end-of-central-directory record');
    if (u32(rec, 0) !== EOCD64_SIG)
      throw new ZipError('damaged archive: the ZIP64 end-of-central-directory record is missing');
    if (u32(rec, 16) !== 0 || u32(rec, 20) !== 0)
      throw new ZipError('multi-part (split) zip archives are not supported');
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  } else if (diskNo !== 0 || cdDisk !== 0) {
    throw new ZipError('multi-part (split) zip archives are not supported');
  }
  if (count === 0) return [];

  const cd = await readExact(src, cdOffset, cdSize, 'central directory');
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || u32(cd, p) !== CENTRAL_SIG) {
      throw new ZipError(`damaged archive: central directory entry ${n + 1} of ${count} is missing`);
    }
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const crc = u32(cd, p + 16);
    let compressedSize = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    const externalAttrs = u32(cd, p + 38);
    let localHeaderOffset = u32(cd, p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) throw new ZipError(`damaged archive: central directory entry ${n + 1} is cut short`);
    const name = decodeName(cd.subarray(p + 46, p + 46 + nameLen));

    // ZIP64 extra field: 64-bit values, present only for the fields whose 32-bit slot is 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      const body = e + 4;
      if (body + len > extraEnd) break;
      if (id === 0x0001) {
        let q = body;
        const take = (): number => {
          if (q + 8 > body + len) throw new ZipError(`"${name}": damaged ZIP64 extra field`);
          const v = u64(cd, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e = body + len;
    }

    const clean = cleanName(name);
    const isDirectory = name.endsWith('/') || (size === 0 && (externalAttrs & 0x10) !== 0);
    if (!isDirectory && method === 0 && size !== compressedSize) {
      throw new ZipError(
        `"${clean}": stored (uncompressed), yet its directory gives ${compressedSize} bytes stored and ${size} unpacked (a crafted or damaged archive)`,
      );
    }
    if (!isDirectory && method === 8 && size > MAX_DEFLATE_RATIO * compressedSize + 1024) {
      throw new ZipError(
        `"${clean}": declares ${size} bytes unpacked from ${compressedSize} compressed, more than deflate can produce (a crafted or damaged archive)`,
      );
    }
    entries.push({
      name: clean,
      method,
      compressedSize,
      size,
      crc32: crc,
      localHeaderOffset,
      // Zips written on Windows may mark directories with the MS-DOS attribute alone.
      isDirectory,
      encrypted: (flags & 1) !== 0,
    });
    p = end;
  }
  checkLayout(entries, Math.min(cdOffset, src.size));
  return entries;
}

/**
 * Every entry's data must lie before the central directory, and no two may share bytes: a local header
 * (30 bytes) and the compressed data, at least, from each entry's offset. Overlapping entries are how a
 * small archive lists one huge record thousands of times.
 */
function checkLayout(entries: ZipEntry[], dataEnd: number): void {
  const spans = entries
    .map((e) => ({ e, start: e.localHeaderOffset, end: e.localHeaderOffset + 30 + e.compressedSize }))
    .sort((a, b) => a.start - b.start);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (s.end > dataEnd) {
      throw new ZipError(
        `"${s.e.name}": its data would end at byte ${s.end}, past the ${dataEnd} bytes of entries the archive holds (a crafted or damaged archive)`,
      );
    }
    const prev = spans[i - 1];
    if (prev && s.start < prev.end) {
      throw new ZipError(
        `"${s.e.name}" and "${prev.e.name}" share the same bytes of the file: overlapping entries (a crafted archive) are not read`,
      );
    }
  }
}

/** Position of the end-of-central-directory record in `tail`, scanning backwards; -1 if none. */
function findEocd(tail: Uint8Array): number {
  let loose = -1;
  for (let i = tail.length - EOCD_LEN; i >= 0; i--) {
    if (tail[i] !== 0x50 || u32(tail, i) !== EOCD_SIG) continue;
    const end = i + EOCD_LEN + u16(tail, i + 20);
    // Its comment should reach the end of the file exactly; a signature inside a comment would not.
    if (end === tail.length) return i;
    if (end < tail.length && loose < 0) loose = i; // junk appended after the archive
  }
  return loose;
}

/** One entry's bytes, checked against its CRC-32 and size. */
export async function readZipEntry(src: RandomAccess, entry: ZipEntry, inflateRaw: Inflate): Promise<Uint8Array> {
  const name = entry.name;
  if (entry.encrypted) throw new ZipError(`"${name}": encrypted entries are not supported`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipError(`"${name}": compression method ${entry.method} is not supported (only stored and deflate)`);
  }
  // The local header repeats the name and has its own extra field, whose length can differ from the central one.
  const local = await readExact(src, entry.localHeaderOffset, 30, `local header of "${name}"`);
  if (u32(local, 0) !== LOCAL_SIG)
    throw new ZipError(`"${name}": damaged archive (no local header where the directory says)`);
  const dataStart = entry.localHeaderOffset + 30 + u16(local, 26) + u16(local, 28);
  const raw = await readExact(src, dataStart, entry.compressedSize, `data of "${name}"`);
  let data: Uint8Array;
  if (entry.method === 0) {
    data = raw;
  } else {
    try {
      data = await inflateRaw(raw, entry.size);
    } catch (err) {
      if (err instanceof InflateLimitError) {
        throw new ZipError(
          `"${name}": inflates to more than the ${entry.size} bytes the archive declares for it (a zip bomb or a damaged archive); stopped there`,
        );
      }
      throw new ZipError(
        `"${name}": the compressed data is damaged (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }
  if (data.length !== entry.size) {
    throw new ZipError(`"${name}": ${data.length} bytes instead of ${entry.size} (damaged archive)`);
  }
  if (crc32(data) !== entry.crc32) throw new ZipError(`"${name}": CRC mismatch (damaged archive)`);
  return data;
}

let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 (IEEE, as zip and gzip use it), unsigned. Pass a previous result as `seed` to continue it. */
export function crc32(bytes: Uint8Array, seed = 0): number {
  const t = crcTable();
  let c = ~seed;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
