// Byte lines of a large CSV: the same lines and numbers whatever the chunking (a line or a '\r\n' split
// across chunks), BOM dropped, blank lines counted but skipped, over-long lines refused.
import { describe, expect, it } from 'vitest';
import { asciiField, byteLines, LineTooLongError, splitCommas } from '../../../../src/core/data/formats/lines';

async function lines(text: string, sizes: number[]): Promise<[number, string][]> {
  const bytes = new TextEncoder().encode(text);
  async function* chunks() {
    let i = 0;
    for (let k = 0; i < bytes.length; k++) {
      const n = sizes[k % sizes.length];
      yield bytes.slice(i, i + n);
      i += n;
    }
  }
  const out: [number, string][] = [];
  for await (const batch of byteLines(chunks()))
    for (const l of batch) out.push([l.line, new TextDecoder().decode(l.bytes)]);
  return out;
}

describe('byteLines', () => {
  const text = '\uFEFFemotion,pixels,Usage\r\n0,1 2,Training\r\n\r\n3,4 5,PublicTest\n6,7 8,PrivateTest';
  const expected: [number, string][] = [
    [1, 'emotion,pixels,Usage'],
    [2, '0,1 2,Training'],
    [4, '3,4 5,PublicTest'],
    [5, '6,7 8,PrivateTest'],
  ];

  it('gives the same lines for every chunking, including 1-byte chunks and a \\r\\n split in two', async () => {
    expect(await lines(text, [1000])).toEqual(expected);
    expect(await lines(text.slice(1), [1])).toEqual(expected); // no BOM, one byte at a time
    for (let n = 3; n < 40; n++) expect(await lines(text, [n, 7])).toEqual(expected);
  });

  it('refuses a line longer than the limit, naming it', async () => {
    async function* one() {
      yield new TextEncoder().encode('a,b\n');
      yield new Uint8Array(50).fill(65);
      yield new Uint8Array(50).fill(65);
    }
    const it = byteLines(one(), 64);
    await expect(
      (async () => {
        for await (const _ of it) {
          /* drain */
        }
      })(),
    ).rejects.toThrow(new LineTooLongError(2, 64));
  });

  it('splits unquoted fields by byte ranges', () => {
    const b = new TextEncoder().encode('3,12 7,Training');
    const { starts, ends } = splitCommas(b);
    expect([starts, ends]).toEqual([
      [0, 2, 7],
      [1, 6, 15],
    ]);
    expect([0, 1, 2].map((i) => asciiField(b, starts[i], ends[i]))).toEqual(['3', '12 7', 'Training']);
  });
});
