// Streaming tar reader (ustar, v7, GNU long names, pax): chunks of any size go in, entries come out one
// at a time; only a 512-byte header and the bodies it returns are copied. Plain TypeScript, no Node APIs.

import { decodeName } from './names';

export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

export interface TarEntry {
  name: string;
  size: number;
  kind: 'file' | 'directory' | 'other';
  /** The header's type flag ('0' file, '2' symbolic link, '6' FIFO...). */
  type: string;
}

const OTHER_TYPES: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO (named pipe)',
};

/** Why an entry that is neither a file nor a folder is not read, for the import report. */
export function otherEntryReason(type: string): string {
  const what = OTHER_TYPES[type] ?? `an entry of tar type ${JSON.stringify(type)}`;
  return `${what}, not a file: not followed or read`;
}

export interface TarItem {
  entry: TarEntry;
  /** The body, in its own buffer; null for non-files and for files over `maxEntryBytes` (skipped). */
  data: Uint8Array | null;
}

const BLOCK = 512;
const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;
/** Bodies of 'L' and 'x' headers are read into memory; anything this large is not a real name. */
const MAX_META_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8');

/** Pulls bytes from the chunk iterator, holding on to the current chunk only. */
class ByteReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private off = 0;
  private done = false;
  /** Bytes consumed so far: the archive offset of the next byte. */
  position = 0;

  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** Makes the current chunk non-empty; false at the end of input. */
  private async more(): Promise<boolean> {
    while (this.off >= this.chunk.length) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      this.chunk = r.value;
      this.off = 0;
    }
    return true;
  }

  /** Copies up to `n` bytes into `dst` at `at`; returns how many arrived (fewer only at the end of input). */
  async read(dst: Uint8Array, at: number, n: number): Promise<number> {
    let got = 0;
    while (got < n && (await this.more())) {
      const k = Math.min(n - got, this.chunk.length - this.off);
      dst.set(this.chunk.subarray(this.off, this.off + k), at + got);
      this.off += k;
      got += k;
    }
    this.position += got;
    return got;
  }

  /** Drops up to `n` bytes; returns how many were there. */
  async skip(n: number): Promise<number> {
    let got = 0;
    while (got < n && (await this.more())) {
      const k = Math.min(n - got, this.chunk.length - this.off);
      this.off += k;
      got += k;
    }
    this.position += got;
    return got;
  }

  /** The source said it has nothing more. */
  get finished(): boolean {
    return this.done;
  }
}

/** Entries of a tar archive. Stops at two zero blocks, or at the end of input on a block boundary. */
export async function* readTar(
  chunks: AsyncIterable<Uint8Array>,
  opts: { maxEntryBytes?: number } = {},
): AsyncGenerator<TarItem> {
  const maxEntryBytes = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const it = chunks[Symbol.asyncIterator]();
  const reader = new ByteReader(it);
  const header = new Uint8Array(BLOCK);
  // Set by 'L' / 'x' headers, applied to the next real entry.
  let longName: string | null = null;
  let paxPath: string | null = null;
  let paxSize: number | null = null;
  let first = true;
  try {
    for (;;) {
      const at = reader.position;
      const got = await reader.read(header, 0, BLOCK);
      if (got === 0) {
        if (longName !== null || paxPath !== null) throw truncated(longName ?? paxPath ?? '');
        return; // end of input right after a complete entry
      }
      if (got < BLOCK) {
        if (first) throw new TarError('not a tar archive (shorter than one 512-byte header)');
        throw new TarError(`the archive ends inside a header at byte ${at} (truncated download?)`);
      }
      if (isZeroBlock(header)) {
        // End-of-archive marker: two zero blocks (a lone one at the end of input is accepted too).
        const got2 = await reader.read(header, 0, BLOCK);
        if (got2 === 0 || isZeroBlock(header)) return;
        if (got2 < BLOCK)
          throw new TarError(`the archive ends inside a header at byte ${at + BLOCK} (truncated download?)`);
      }
      if (!checksumOk(header)) {
        if (first) throw new TarError("not a tar archive (the first header's checksum is wrong)");
        throw new TarError(`damaged archive: the header at byte ${reader.position - BLOCK} has a wrong checksum`);
      }
      first = false;

      const type = String.fromCharCode(header[156]);
      let size = readNumber(header, 124, 12);
      if (paxSize !== null && type !== 'x' && type !== 'g' && type !== 'L' && type !== 'K') size = paxSize;
      let name = headerName(header);
      const padding = (BLOCK - (size % BLOCK)) % BLOCK;

      if (type === 'L' || type === 'x') {
        if (size > MAX_META_BYTES) throw new TarError(`damaged archive: a ${size}-byte extended header for "${name}"`);
        const body = new Uint8Array(size);
        if ((await reader.read(body, 0, size)) < size || (await reader.skip(padding)) < padding) throw truncated(name);
        if (type === 'L') {
          longName = decodeName(body.subarray(0, nulIndex(body, 0, size)));
        } else {
          const pax = parsePax(body);
          if (pax.path !== undefined) paxPath = pax.path;
          if (pax.size !== undefined) paxSize = pax.size;
        }
        continue;
      }
      if (type === 'K' || type === 'g') {
        // GNU long link target and pax global headers carry nothing this reader uses.
        if ((await reader.skip(size + padding)) < size + padding) throw truncated(name);
        continue;
      }

      if (paxPath !== null) name = paxPath;
      else if (longName !== null) name = longName;
      longName = null;
      paxPath = null;
      paxSize = null;
      name = name.replace(/^(\.\/)+/, '');

      let kind: TarEntry['kind'] = 'other';
      // v7 archives mark directories by a trailing '/' only.
      if (type === '0' || type === '\0' || type === '7') kind = name.endsWith('/') ? 'directory' : 'file';
      else if (type === '5') kind = 'directory';

      let data: Uint8Array | null = null;
      if (kind === 'file' && size <= maxEntryBytes) {
        data = new Uint8Array(size);
        if ((await reader.read(data, 0, size)) < size) throw truncated(name);
        if ((await reader.skip(padding)) < padding) throw truncated(name);
      } else if ((await reader.skip(size + padding)) < size + padding) {
        throw truncated(name);
      }
      yield { entry: { name, size, kind, type }, data };
    }
  } finally {
    // Lets the source close early (e.g. a file stream) when the archive ends before the input does,
    // or when the caller stops iterating.
    if (!reader.finished) await it.return?.();
  }
}

function truncated(name: string): TarError {
  return new TarError(`the archive ends inside "${name}" (truncated download?)`);
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** The checksum field counts as eight spaces; old tars summed signed bytes, so both sums are accepted. */
function checksumOk(h: Uint8Array): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 32 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const field = h.subarray(148, 156);
  if (!field.some((b) => b >= 0x30 && b <= 0x37)) return false;
  const stored = readOctal(h, 148, 8);
  return stored === unsigned || stored === signed;
}

/** A numeric field: octal text, or GNU base-256 when the high bit of the first byte is set. */
function readNumber(h: Uint8Array, at: number, len: number): number {
  if ((h[at] & 0x80) === 0) return readOctal(h, at, len);
  if (h[at] & 0x40) throw new TarError('damaged archive: a negative size');
  let v = h[at] & 0x3f;
  for (let i = at + 1; i < at + len; i++) v = v * 256 + h[i];
  if (!Number.isSafeInteger(v)) throw new TarError('damaged archive: an entry size beyond 2^53 bytes');
  return v;
}

function readOctal(h: Uint8Array, at: number, len: number): number {
  let i = at;
  const end = at + len;
  while (i < end && (h[i] === 32 || h[i] === 0)) i++; // leading spaces (and NULs from some writers)
  let v = 0;
  for (; i < end; i++) {
    const c = h[i];
    if (c < 0x30 || c > 0x37) break; // NUL or space ends the number
    v = v * 8 + (c - 0x30);
  }
  return v;
}

function nulIndex(b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] === 0) return i;
  return to;
}

function field(h: Uint8Array, at: number, len: number): string {
  return decodeName(h.subarray(at, nulIndex(h, at, at + len)));
}

/** name, prefixed by the ustar prefix field (GNU tar's magic "ustar  " uses that area for other data). */
function headerName(h: Uint8Array): string {
  const name = field(h, 0, 100);
  const posix =
    h[257] === 0x75 && h[258] === 0x73 && h[259] === 0x74 && h[260] === 0x61 && h[261] === 0x72 && h[262] === 0;
  if (!posix) return name;
  const prefix = field(h, 345, 155);
  return prefix.length > 0 ? `${prefix}/${name}` : name;
}

/** pax records: "<length> <key>=<value>\n", the length counting the whole record in bytes. */
function parsePax(body: Uint8Array): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let i = 0;
  while (i < body.length) {
    let sp = i;
    while (sp < body.length && body[sp] !== 32) sp++;
    const len = Number(utf8.decode(body.subarray(i, sp)));
    if (!Number.isInteger(len) || len <= sp - i || i + len > body.length) break; // trailing NULs or junk
    const record = utf8.decode(body.subarray(sp + 1, i + len - 1)); // drops the final '\n'
    const eq = record.indexOf('=');
    if (eq > 0) {
      const key = record.slice(0, eq);
      const value = record.slice(eq + 1);
      if (key === 'path') out.path = value;
      // The real size of entries over 8 GB, whose header field cannot hold it.
      else if (key === 'size' && /^\d+$/.test(value) && Number.isSafeInteger(Number(value))) out.size = Number(value);
    }
    i += len;
  }
  return out;
}
