// Dropped and picked files against fake DataTransfer and File System entries: loose files keep drop order,
// folders are walked depth-first in name order with batched readEntries, entries are taken synchronously,
// errors propagate, and <input> files take webkitRelativePath and sort by path.
import { describe, expect, it } from 'vitest';
import { droppedFiles, inputFiles } from '../../../src/ui/datasets/dropFiles';

// --- fakes of just what the module reads ---------------------------------------------------------------

interface FakeEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
}
const later = (f: () => void): void => {
  setTimeout(f, 0);
}; // the real APIs call back asynchronously

function fileEntry(
  name: string,
  file = new File([name], name),
): FakeEntry & { file: (ok: (f: File) => void, err: (e: unknown) => void) => void } {
  return { name, isFile: true, isDirectory: false, file: (ok) => later(() => ok(file)) };
}

/** A directory whose reader hands its children out `batch` at a time, then an empty batch (as Chrome does). */
function dirEntry(name: string, children: FakeEntry[], batch = 100, calls = { n: 0 }) {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let i = 0;
      return {
        readEntries: (ok: (b: FakeEntry[]) => void) => {
          calls.n++;
          const b = children.slice(i, i + batch);
          i += b.length;
          later(() => ok(b));
        },
      };
    },
  };
}

function transfer(entries: (FakeEntry | null | 'no-api')[], files: File[] = []): DataTransfer {
  const items = entries.map((e) => (e === 'no-api' ? {} : { webkitGetAsEntry: () => e }));
  return { items, files } as unknown as DataTransfer;
}

const list = (files: File[]): FileList => files as unknown as FileList;
const withPath = (name: string, rel: string): File => {
  const f = new File(['x'], name);
  Object.defineProperty(f, 'webkitRelativePath', { value: rel });
  return f;
};
const paths = (picked: { path: string }[]): string[] => picked.map((p) => p.path);

// --- droppedFiles --------------------------------------------------------------------------------------

describe('droppedFiles', () => {
  it('takes loose files from dt.files, in drop order, path = name', async () => {
    const b = new File(['b'], 'b.csv');
    const a = new File(['a'], 'a.csv');
    const r = await droppedFiles(transfer([fileEntry('b.csv'), fileEntry('a.csv')], [b, a]));
    expect(r.folder).toBe(false);
    expect(r.picked).toEqual([
      { file: b, path: 'b.csv' },
      { file: a, path: 'a.csv' },
    ]);
    expect(r.picked[0].file).toBe(b);
  });

  it('falls back to dt.files when items have no entries API or no entry', async () => {
    const f = new File(['x'], 'x.zip');
    expect(await droppedFiles(transfer(['no-api', null], [f]))).toEqual({
      picked: [{ file: f, path: 'x.zip' }],
      folder: false,
    });
  });

  it('gives nothing for an empty drop', async () => {
    expect(await droppedFiles(transfer([], []))).toEqual({ picked: [], folder: false });
  });

  it('walks a dropped folder depth-first, each directory in name order, with paths below the drop', async () => {
    const z = new File(['z'], 'z.png');
    const tree = dirEntry('photos', [fileEntry('b.png'), dirEntry('A', [fileEntry('z.png', z)]), fileEntry('a.png')]);
    const r = await droppedFiles(transfer([tree]));
    expect(r.folder).toBe(true);
    // Code-unit order: 'A' (65) < 'a.png' (97) < 'b.png' (98).
    expect(paths(r.picked)).toEqual(['photos/A/z.png', 'photos/a.png', 'photos/b.png']);
    expect(r.picked[0].file).toBe(z);
    expect(r.picked.map((p) => p.file.name)).toEqual(['z.png', 'a.png', 'b.png']);
  });

  it('walks loose files dropped with a folder from the entries, top level in drop order', async () => {
    const notes = new File(['n'], 'notes.txt');
    const loose = new File(['other'], 'notes.txt'); // what dt.files holds: must not be used
    const r = await droppedFiles(
      transfer([fileEntry('notes.txt', notes), dirEntry('data', [fileEntry('x.csv')]), fileEntry('0.txt')], [loose]),
    );
    expect(r.folder).toBe(true);
    expect(paths(r.picked)).toEqual(['notes.txt', 'data/x.csv', '0.txt']);
    expect(r.picked[0].file).toBe(notes);
  });

  it('reads a directory until readEntries gives an empty batch', async () => {
    const calls = { n: 0 };
    const names = ['e', 'd', 'c', 'b', 'a'];
    const r = await droppedFiles(
      transfer([
        dirEntry(
          'big',
          names.map((n) => fileEntry(n)),
          2,
          calls,
        ),
      ]),
    );
    expect(paths(r.picked)).toEqual(['big/a', 'big/b', 'big/c', 'big/d', 'big/e']);
    expect(calls.n).toBe(4); // 2 + 2 + 1 + empty
  });

  it('gives no files but folder = true for an empty folder', async () => {
    expect(await droppedFiles(transfer([dirEntry('empty', [])]))).toEqual({ picked: [], folder: true });
  });

  it('nests prefixes for deep folders and skips null entries and entries that are neither file nor folder', async () => {
    const odd: FakeEntry = { name: 'link', isFile: false, isDirectory: false };
    const tree = dirEntry('r', [dirEntry('s', [dirEntry('t', [fileEntry('u.jpg'), odd])])]);
    const r = await droppedFiles(transfer([null, tree, 'no-api']));
    expect(r).toEqual({ picked: [{ file: expect.any(File), path: 'r/s/t/u.jpg' }], folder: true });
  });

  it('takes every entry synchronously, before the first await (items die after the drop event)', async () => {
    let taken = 0;
    const entries = [fileEntry('a'), dirEntry('d', [fileEntry('b')])];
    const dt = {
      items: entries.map((e) => ({
        webkitGetAsEntry: () => {
          taken++;
          return e;
        },
      })),
      files: [],
    } as unknown as DataTransfer;
    const pending = droppedFiles(dt);
    expect(taken).toBe(2);
    expect(paths((await pending).picked)).toEqual(['a', 'd/b']);
  });

  it('rejects when a file cannot be read', async () => {
    const bad = {
      name: 'bad',
      isFile: true,
      isDirectory: false,
      file: (_ok: unknown, err: (e: unknown) => void) => later(() => err(new Error('gone'))),
    };
    await expect(droppedFiles(transfer([dirEntry('d', [bad])]))).rejects.toThrow('gone');
  });

  it('rejects when a directory cannot be listed', async () => {
    const bad = {
      name: 'locked',
      isFile: false,
      isDirectory: true,
      createReader: () => ({
        readEntries: (_ok: unknown, err: (e: unknown) => void) => later(() => err(new Error('denied'))),
      }),
    };
    await expect(droppedFiles(transfer([bad]))).rejects.toThrow('denied');
  });
});

// --- inputFiles ----------------------------------------------------------------------------------------

describe('inputFiles', () => {
  it('is empty for an empty list', () => {
    expect(inputFiles(list([]), false)).toEqual([]);
    expect(inputFiles(list([]), true)).toEqual([]);
  });

  it('uses the bare name and keeps the pick order for loose files', () => {
    const b = withPath('b.csv', 'dir/b.csv');
    const a = new File(['a'], 'a.csv');
    const out = inputFiles(list([b, a]), false);
    expect(out).toEqual([
      { file: b, path: 'b.csv' },
      { file: a, path: 'a.csv' },
    ]);
    expect(out[0].file).toBe(b);
  });

  it('uses webkitRelativePath for a folder and sorts by path in code-unit order', () => {
    const files = [withPath('x.png', 'root/b/x.png'), withPath('a.png', 'root/a.png'), withPath('B.png', 'root/B.png')];
    const out = inputFiles(list(files), true);
    // 'B' (66) < 'a' (97) < 'b' (98).
    expect(paths(out)).toEqual(['root/B.png', 'root/a.png', 'root/b/x.png']);
    expect(out.map((p) => p.file)).toEqual([files[2], files[1], files[0]]);
  });

  it('falls back to the name when webkitRelativePath is empty or absent', () => {
    const out = inputFiles(list([withPath('z.txt', ''), new File(['y'], 'y.txt'), withPath('m.txt', 'd/m.txt')]), true);
    expect(paths(out)).toEqual(['d/m.txt', 'y.txt', 'z.txt']);
  });

  it('keeps the input order of equal paths', () => {
    const first = withPath('a', 'd/a');
    const second = withPath('a', 'd/a');
    const out = inputFiles(list([first, second]), true);
    expect(out[0].file).toBe(first);
    expect(out[1].file).toBe(second);
  });
});
