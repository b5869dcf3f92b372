import { describe, expect, it } from 'vitest';
import { decodeName } from '../../../../src/core/data/formats/names';
import { readZipDirectory } from '../../../../src/core/data/formats/zip';
import { readTar } from '../../../../src/core/data/formats/tar';
import { concatBytes, makeZip, memoryAccess, tarHeader } from '../../../helpers/archives';

describe('archive names', () => {
  it('UTF-8 where valid; otherwise one character per byte, so different names stay different', () => {
    expect(decodeName(new TextEncoder().encode('gesicht-äöü/顔.png'))).toBe('gesicht-äöü/顔.png');
    const e9 = decodeName(Uint8Array.from([0x63, 0x61, 0x66, 0xe9]));
    const e8 = decodeName(Uint8Array.from([0x63, 0x61, 0x66, 0xe8]));
    expect(e9).toBe('café');
    expect(e8).toBe('cafè');
    expect(e9).not.toBe(e8);
  });

  it('two class folders whose names differ in one non-UTF-8 byte do not merge, in a zip or a tar', async () => {
    // makeZip / tarHeader take text names: write placeholders, then put the Latin-1 bytes in.
    const patch = (b: Uint8Array, from: string, to: number) => {
      const f = new TextEncoder().encode(from);
      for (let i = 0; i + f.length <= b.length; i++) if (f.every((x, j) => b[i + j] === x)) b[i + f.length - 1] = to;
      return b;
    };
    const zip = patch(
      patch(
        makeZip([
          { name: 'cafX/a.png', data: Uint8Array.of(1) },
          { name: 'cafY/b.png', data: Uint8Array.of(2) },
        ]),
        'cafX',
        0xe9,
      ),
      'cafY',
      0xe8,
    );
    expect((await readZipDirectory(memoryAccess(zip))).map((e) => e.name)).toEqual(['café/a.png', 'cafè/b.png']);
    /** A header's checksum again after its bytes changed: the sum of its bytes, the field itself as spaces. */
    const resum = (h: Uint8Array) => {
      h.fill(32, 148, 156);
      const sum = h.reduce((a, x) => a + x, 0);
      h.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
      return h;
    };
    const tar = concatBytes([
      resum(patch(tarHeader({ name: 'cafX/a.png' }), 'cafX', 0xe9)),
      resum(patch(tarHeader({ name: 'cafY/b.png' }), 'cafY', 0xe8)),
      new Uint8Array(1024),
    ]);
    const names: string[] = [];
    for await (const { entry } of readTar(
      (async function* () {
        yield tar;
      })(),
    ))
      names.push(entry.name);
    expect(names).toEqual(['café/a.png', 'cafè/b.png']);
  });
});
