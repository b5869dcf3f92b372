// A .zip writer for the lab's exports (models, reports): entries stored uncompressed (weights do not
// compress), CRC-32 from the reader, UTF-8 names. Plain TypeScript; the result is one Uint8Array.
import { crc32 } from './zip';

export interface ZipInput {
  name: string;
  data: Uint8Array;
}

const DOS_DATE_2000 = (20 << 9) | (1 << 5) | 1; // 2000-01-01: exports are reproducible byte for byte

/** The archive bytes; throws past the 4 GiB / 65,535-entry limits of a zip without ZIP64. */
export function writeZip(files: ZipInput[]): Uint8Array {
  if (files.length > 0xffff) throw new Error(`a zip without ZIP64 holds at most 65,535 files (got ${files.length})`);
  const enc = new TextEncoder();
  const names = files.map((f) => enc.encode(f.name));
  const crcs = files.map((f) => crc32(f.data));
  const localSize = files.reduce((n, f, i) => n + 30 + names[i].length + f.data.length, 0);
  const centralSize = files.reduce((n, _, i) => n + 46 + names[i].length, 0);
  const total = localSize + centralSize + 22;
  if (total > 0xffffffff) throw new Error('the archive would be over 4 GiB');
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const offsets: number[] = [];
  let p = 0;
  files.forEach((f, i) => {
    offsets.push(p);
    v.setUint32(p, 0x04034b50, true);
    v.setUint16(p + 4, 20, true);
    v.setUint16(p + 6, 0x0800, true); // UTF-8 names
    v.setUint16(p + 8, 0, true); // stored
    v.setUint16(p + 10, 0, true);
    v.setUint16(p + 12, DOS_DATE_2000, true);
    v.setUint32(p + 14, crcs[i], true);
    v.setUint32(p + 18, f.data.length, true);
    v.setUint32(p + 22, f.data.length, true);
    v.setUint16(p + 26, names[i].length, true);
    v.setUint16(p + 28, 0, true);
    out.set(names[i], p + 30);
    out.set(f.data, p + 30 + names[i].length);
    p += 30 + names[i].length + f.data.length;
  });
  const cdStart = p;
  files.forEach((f, i) => {
    v.setUint32(p, 0x02014b50, true);
    v.setUint16(p + 4, 20, true);
    v.setUint16(p + 6, 20, true);
    v.setUint16(p + 8, 0x0800, true);
    v.setUint16(p + 10, 0, true);
    v.setUint16(p + 12, 0, true);
    v.setUint16(p + 14, DOS_DATE_2000, true);
    v.setUint32(p + 16, crcs[i], true);
    v.setUint32(p + 20, f.data.length, true);
    v.setUint32(p + 24, f.data.length, true);
    v.setUint16(p + 28, names[i].length, true);
    // extra, comment, disk, internal attributes: 0
    v.setUint32(p + 38, 0, true);
    v.setUint32(p + 42, offsets[i], true);
    out.set(names[i], p + 46);
    p += 46 + names[i].length;
  });
  v.setUint32(p, 0x06054b50, true);
  v.setUint16(p + 8, files.length, true);
  v.setUint16(p + 10, files.length, true);
  v.setUint32(p + 12, p - cdStart, true);
  v.setUint32(p + 16, cdStart, true);
  return out;
}
