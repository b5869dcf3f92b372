// Image format and size from the first bytes of a file, before (or instead of) decoding it.
// Plain TypeScript on Uint8Array (Node and worker alike); never throws, however short or odd the input.

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp';
/** What the importer can decode in every target (browser decoders and sharp). */
export const IMPORTABLE_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp'];

export interface ImageInfo {
  format: ImageFormat;
  /** Pixels, or null when the header is cut short or does not state it. */
  width: number | null;
  height: number | null;
}

// Readers answer null past the end instead of undefined arithmetic turning into NaN.
const u8 = (b: Uint8Array, i: number): number | null => (i >= 0 && i < b.length ? b[i] : null);
const u16be = (b: Uint8Array, i: number): number | null => (i + 2 <= b.length ? (b[i] << 8) | b[i + 1] : null);
const u16le = (b: Uint8Array, i: number): number | null => (i + 2 <= b.length ? b[i] | (b[i + 1] << 8) : null);
const u24le = (b: Uint8Array, i: number): number | null =>
  i + 3 <= b.length ? b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) : null;
const u32be = (b: Uint8Array, i: number): number | null =>
  i + 4 <= b.length ? ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0 : null;
const u32le = (b: Uint8Array, i: number): number | null =>
  i + 4 <= b.length ? (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0 : null;
const i32le = (b: Uint8Array, i: number): number | null =>
  i + 4 <= b.length ? b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24) : null;
const ascii = (b: Uint8Array, i: number, s: string): boolean => {
  if (i + s.length > b.length) return false;
  for (let k = 0; k < s.length; k++) if (b[i + k] !== s.charCodeAt(k)) return false;
  return true;
};

/** A zero or missing dimension cannot be decoded into an image, so both read as "unknown". */
function info(format: ImageFormat, w: number | null, h: number | null): ImageInfo {
  return w !== null && h !== null && w > 0 && h > 0
    ? { format, width: w, height: h }
    : { format, width: null, height: null };
}

/** Format from magic bytes, and the size from the header when it can be read; null when not an image. */
export function sniffImage(bytes: Uint8Array): ImageInfo | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegInfo(b);
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 'PNG\r\n\x1a\n')) {
    // IHDR must be the first chunk; its data starts with width, height (big-endian).
    return ascii(b, 12, 'IHDR') ? info('png', u32be(b, 16), u32be(b, 20)) : info('png', null, null);
  }
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return webpInfo(b);
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return info('gif', u16le(b, 6), u16le(b, 8));
  if (ascii(b, 0, 'BM')) return bmpInfo(b);
  return null;
}

// SOF0-3, 5-7, 9-11, 13-15: every frame header carries the size; C4 (DHT), C8 (JPG), CC (DAC) do not.
const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegInfo(b: Uint8Array): ImageInfo {
  let p = 2;
  for (;;) {
    // Each marker is 0xFF followed by a code; any number of 0xFF fill bytes may come first.
    if (u8(b, p) !== 0xff) return info('jpeg', null, null);
    while (u8(b, p) === 0xff) p++;
    const m = u8(b, p);
    if (m === null) return info('jpeg', null, null);
    p++;
    // Standalone markers (no length): TEM, RST0-7, a stray SOI.
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) continue;
    // Entropy-coded data (SOS) or the end: no frame header before it means the size is not stated.
    if (m === 0xda || m === 0xd9 || m === 0x00) return info('jpeg', null, null);
    const len = u16be(b, p);
    if (len === null || len < 2) return info('jpeg', null, null);
    if (isSof(m)) {
      // Length, precision (1 byte), then height and width. Height 0 means "see DNL", i.e. not known here.
      return info('jpeg', u16be(b, p + 5), u16be(b, p + 3));
    }
    p += len;
  }
}

function webpInfo(b: Uint8Array): ImageInfo {
  // The first chunk after the 12-byte RIFF header decides the layout; its payload starts at 20.
  const d = 20;
  if (ascii(b, 12, 'VP8 ')) {
    // Lossy: 3-byte frame tag, start code 9d 01 2a (key frames only), then 14-bit width and height (2 scale bits).
    if (u8(b, d + 3) !== 0x9d || u8(b, d + 4) !== 0x01 || u8(b, d + 5) !== 0x2a) return info('webp', null, null);
    const w = u16le(b, d + 6);
    const h = u16le(b, d + 8);
    return info('webp', w === null ? null : w & 0x3fff, h === null ? null : h & 0x3fff);
  }
  if (ascii(b, 12, 'VP8L')) {
    // Lossless: signature 0x2f, then width-1 and height-1 as two 14-bit fields packed little-endian.
    const bits = u32le(b, d + 1);
    if (u8(b, d) !== 0x2f || bits === null) return info('webp', null, null);
    return info('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(b, 12, 'VP8X')) {
    // Extended: flags (1), reserved (3), canvas width-1 and height-1 as 24-bit little-endian.
    const w = u24le(b, d + 4);
    const h = u24le(b, d + 7);
    return info('webp', w === null ? null : w + 1, h === null ? null : h + 1);
  }
  return info('webp', null, null);
}

// DIB header sizes in use: core (OS/2 1.x), info, the two Adobe variants, OS/2 2.x, v4, v5.
const DIB_SIZES = [12, 40, 52, 56, 64, 108, 124];

function bmpInfo(b: Uint8Array): ImageInfo | null {
  // 'BM' alone is weak evidence (a text file may start with it): once the DIB size is readable it must be a known one.
  const dib = u32le(b, 14);
  if (dib === null) return info('bmp', null, null);
  if (!DIB_SIZES.includes(dib)) return null;
  if (dib === 12) return info('bmp', u16le(b, 18), u16le(b, 20));
  const h = i32le(b, 22);
  // A negative height marks a top-down bitmap; the size is its magnitude.
  return info('bmp', i32le(b, 18), h === null ? null : Math.abs(h));
}
