// sniffImage on real files written by sharp (JPEG baseline/progressive, PNG, WebP VP8/VP8L/VP8X, GIF), hand-made
// headers (BMP, odd JPEG markers), every truncation of them, and things that are not images.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMPORTABLE_FORMATS, sniffImage, type ImageInfo } from '../../../../src/core/data/formats/sniff';
import { encodeImage, fakeFace } from '../../../helpers/images';

const fourcc = (b: Uint8Array): string => String.fromCharCode(...b.subarray(12, 16));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Sample {
  name: string;
  bytes: Uint8Array;
  expected: ImageInfo;
}

/** Real files of sizes whose 14- and 24-bit fields cross byte boundaries (300 - 1 > 255). */
const SIZES: [number, number][] = [
  [37, 23],
  [300, 257],
];
const samples: Sample[] = [];

beforeAll(async () => {
  for (const [w, h] of SIZES) {
    const rgb = fakeFace(w, h, 3, 7);
    const grey = fakeFace(w, h, 1, 7);
    const rgba = fakeFace(w, h, 4, 7);
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 100 + (i % 100); // real transparency, so WebP keeps alpha
    const add = (name: string, bytes: Uint8Array, format: ImageInfo['format']) =>
      samples.push({ name: `${name} ${w}x${h}`, bytes, expected: { format, width: w, height: h } });
    add('jpeg', await encodeImage(rgb, w, h, 3, 'jpeg'), 'jpeg');
    add('jpeg grey', await encodeImage(grey, w, h, 1, 'jpeg'), 'jpeg');
    add('jpeg progressive', await encodeImage(rgb, w, h, 3, 'jpeg', 80, { progressive: true }), 'jpeg');
    // EXIF and ICC segments before the frame header: the marker walk must skip them by length.
    const withMeta = await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } })
      .withMetadata({ exif: { IFD0: { Copyright: 'test' } } })
      .withIccProfile('srgb')
      .jpeg()
      .toBuffer();
    add('jpeg exif+icc', new Uint8Array(withMeta), 'jpeg');
    add('png rgb', await encodeImage(rgb, w, h, 3, 'png'), 'png');
    add('png grey', await encodeImage(grey, w, h, 1, 'png'), 'png');
    add('png rgba', await encodeImage(rgba, w, h, 4, 'png'), 'png');
    add('webp lossy', await encodeImage(rgb, w, h, 3, 'webp'), 'webp');
    add('webp lossy alpha', await encodeImage(rgba, w, h, 4, 'webp'), 'webp');
    add('webp lossless', await encodeImage(rgb, w, h, 3, 'webp', 90, { lossless: true }), 'webp');
    const gif = await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } })
      .gif()
      .toBuffer();
    add('gif', new Uint8Array(gif), 'gif');
  }
});

describe('sniffImage on real files', () => {
  it('reads format and size of every encoder output', () => {
    expect(samples.length).toBe(22);
    for (const s of samples)
      expect({ name: s.name, info: sniffImage(s.bytes) }).toEqual({ name: s.name, info: s.expected });
  });

  it('covers the three WebP layouts', () => {
    const webp = samples.filter((s) => s.expected.format === 'webp' && s.expected.width === 300);
    expect(webp.map((s) => [s.name, fourcc(s.bytes)])).toEqual([
      ['webp lossy 300x257', 'VP8 '],
      ['webp lossy alpha 300x257', 'VP8X'],
      ['webp lossless 300x257', 'VP8L'],
    ]);
  });

  it('reports the progressive JPEG size from its SOF2 header', () => {
    const prog = samples.find((s) => s.name === 'jpeg progressive 37x23')!.bytes;
    const sof2 = prog.findIndex((v, i) => v === 0xff && prog[i + 1] === 0xc2);
    expect(sof2).toBeGreaterThan(0);
    expect(prog.findIndex((v, i) => v === 0xff && prog[i + 1] === 0xc0)).toBe(-1);
  });

  it('never throws on a truncated file: the format, and either the true size or none', () => {
    for (const s of samples) {
      const upTo = Math.min(s.bytes.length, 1200);
      for (let n = 0; n <= upTo; n++) {
        const got = sniffImage(s.bytes.subarray(0, n));
        if (got === null) {
          // Only before the magic bytes are complete (12 for RIFF/WEBP, 8 for PNG, 6 for GIF, 3 for JPEG).
          expect(n, `${s.name} cut at ${n}`).toBeLessThan(12);
          continue;
        }
        expect(got.format, `${s.name} cut at ${n}`).toBe(s.expected.format);
        if (got.width !== null) expect(got, `${s.name} cut at ${n}`).toEqual(s.expected);
        else expect(got.height).toBeNull();
      }
    }
  });

  it('gives the size once the header is in, for the fixed-layout formats', () => {
    const png = samples.find((s) => s.name === 'png rgb 37x23')!.bytes;
    expect(sniffImage(png.subarray(0, 23))).toEqual({ format: 'png', width: null, height: null });
    expect(sniffImage(png.subarray(0, 24))).toEqual({ format: 'png', width: 37, height: 23 });
    const vp8l = samples.find((s) => s.name === 'webp lossless 300x257')!.bytes;
    expect(sniffImage(vp8l.subarray(0, 24))).toEqual({ format: 'webp', width: null, height: null });
    expect(sniffImage(vp8l.subarray(0, 25))).toEqual({ format: 'webp', width: 300, height: 257 });
    const gif = samples.find((s) => s.name === 'gif 37x23')!.bytes;
    expect(sniffImage(gif.subarray(0, 9))).toEqual({ format: 'gif', width: null, height: null });
    expect(sniffImage(gif.subarray(0, 10))).toEqual({ format: 'gif', width: 37, height: 23 });
  });
});

describe('sniffImage on hand-made headers', () => {
  /** A 54-byte BMP header (file header + BITMAPINFOHEADER) of the given width and height. */
  const bmp = (w: number, h: number): Uint8Array => {
    const b = new Uint8Array(54);
    const v = new DataView(b.buffer);
    b.set(text('BM'));
    v.setUint32(2, 54, true);
    v.setUint32(10, 54, true);
    v.setUint32(14, 40, true);
    v.setInt32(18, w, true);
    v.setInt32(22, h, true);
    v.setUint16(26, 1, true);
    v.setUint16(28, 24, true);
    return b;
  };

  it('reads BMP sizes, top-down (negative height) included', () => {
    expect(sniffImage(bmp(640, 480))).toEqual({ format: 'bmp', width: 640, height: 480 });
    expect(sniffImage(bmp(70000, -3))).toEqual({ format: 'bmp', width: 70000, height: 3 });
    expect(sniffImage(bmp(640, 480).subarray(0, 20))).toEqual({ format: 'bmp', width: null, height: null });
  });

  it('walks fill bytes, TEM and RST markers and segments up to SOF1', () => {
    const jpeg = new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0x01, // TEM, no length
      0xff,
      0xff,
      0xff,
      0xe0,
      0x00,
      0x04,
      0xaa,
      0xbb, // fill bytes, then APP0 with 2 bytes of payload
      0xff,
      0xd3, // RST3, no length
      0xff,
      0xc4,
      0x00,
      0x03,
      0x00, // DHT: a C-marker that is not a frame header
      0xff,
      0xc1,
      0x00,
      0x0b,
      0x08,
      0x01,
      0x2c,
      0x00,
      0x25,
      0x01,
      0x01,
      0x11,
      0x00, // SOF1: height 300, width 37
    ]);
    expect(sniffImage(jpeg)).toEqual({ format: 'jpeg', width: 37, height: 300 });
    // The same with SOS before any frame header: the size is not stated before the data.
    const early = new Uint8Array([
      0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x10,
    ]);
    expect(sniffImage(early)).toEqual({ format: 'jpeg', width: null, height: null });
    // Garbage where a marker should be: give up on the size, keep the format.
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0x12, 0x34]))).toEqual({
      format: 'jpeg',
      width: null,
      height: null,
    });
    // SOF with height 0 (defined later by DNL): unknown, not zero.
    const dnl = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x00, 0x00, 0x10]);
    expect(sniffImage(dnl)).toEqual({ format: 'jpeg', width: null, height: null });
  });

  /** RIFF....WEBP with one chunk of the given fourcc and payload (sizes left 0: the sniffer does not read them). */
  const riff = (fourccName: string, payload: number[]): Uint8Array => {
    const b = new Uint8Array(20 + payload.length);
    b.set(text('RIFF'));
    b.set(text(`WEBP${fourccName}`), 8);
    b.set(payload, 20);
    return b;
  };

  it('reads every bit of the WebP size fields', () => {
    // VP8L: width-1 = 0x3fff and height-1 = 0x3fff fill 28 bits after the 0x2f signature; the version bits above are 0.
    expect(sniffImage(riff('VP8L', [0x2f, 0xff, 0xff, 0xff, 0x0f]))).toEqual({
      format: 'webp',
      width: 16384,
      height: 16384,
    });
    // VP8L: width-1 = 0x1234, height-1 = 0x2abc -> bits 0x2abc << 14 | 0x1234 = 0x0aaf1234, little-endian.
    expect(sniffImage(riff('VP8L', [0x2f, 0x34, 0x12, 0xaf, 0x0a]))).toEqual({
      format: 'webp',
      width: 0x1235,
      height: 0x2abd,
    });
    // VP8: the top two bits of each 16-bit field are the upscaling hint, not size.
    expect(sniffImage(riff('VP8 ', [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0xe8, 0xc3, 0x39, 0x40]))).toEqual({
      format: 'webp',
      width: 1000,
      height: 57,
    });
    // VP8 without the key-frame start code: no size to read.
    expect(sniffImage(riff('VP8 ', [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2b, 0xe8, 0x03, 0x39, 0x00]))).toEqual({
      format: 'webp',
      width: null,
      height: null,
    });
    // VP8X: 24-bit canvas sizes minus one, past 16 bits: 20000 and 70000.
    const w = 20000 - 1;
    const h = 70000 - 1;
    expect(
      sniffImage(riff('VP8X', [0x10, 0, 0, 0, w & 255, (w >> 8) & 255, w >> 16, h & 255, (h >> 8) & 255, h >> 16])),
    ).toEqual({ format: 'webp', width: 20000, height: 70000 });
  });

  it('knows a RIFF WEBP with an unknown first chunk as WebP of unknown size', () => {
    const b = new Uint8Array(32);
    b.set(text('RIFF'));
    b.set(text('WEBPALPH'), 8);
    expect(sniffImage(b)).toEqual({ format: 'webp', width: null, height: null });
  });
});

describe('sniffImage on things that are not images', () => {
  it('returns null', () => {
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['text', text('hello, this is a README and not a picture\n')],
      ['text starting with BM', text('BMW 320i service notes, 2019 edition\n')],
      ['csv', text('age,gender,race\n26,1,2\n')],
      [
        'RIFF WAVE',
        (() => {
          const b = new Uint8Array(44);
          b.set(text('RIFF'));
          b.set(text('WAVEfmt '), 8);
          return b;
        })(),
      ],
      ['two JPEG bytes', new Uint8Array([0xff, 0xd8])],
      ['PNG signature cut short', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a])],
      ['zip', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00])],
      ['zeros', new Uint8Array(64)],
    ];
    for (const [name, bytes] of cases) expect({ name, info: sniffImage(bytes) }).toEqual({ name, info: null });
  });

  it('lists the importable formats', () => {
    expect(IMPORTABLE_FORMATS).toEqual(['jpeg', 'png', 'webp']);
  });
});
