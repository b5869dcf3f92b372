// Class folders read the same whatever the container: the same files in a .zip, a .tar.gz and a .tar give
// identical import reports (classes, task, splits, rejections) and identical labels. A tar used to be
// streamed with its class names unknown until the end: male/female trained as an "expression" task with
// classes male and female, happy/sad/angry as three classes of their own instead of the FER+ classes.
import { describe, expect, it } from 'vitest';
import { EXPRESSION_CLASSES, GENDER_CLASSES } from '../../../src/core/data/types';
import type { ImportReport } from '../../../src/core/data/importReport';
import { memoryStorage } from '../../../src/platform/memoryStorage';
import { loadSplits } from '../../../src/platform/datasets';
import { runImport, type ImportOutcome } from '../../../src/platform/import/run';
import { nodeImportPlatform } from '../../../src/platform/node/importFiles';
import { gzip, makeTar, makeZip, type ArchiveFile } from '../../helpers/archives';
import { encodeImage, fakeFace } from '../../helpers/images';

const opts = {
  name: 't',
  height: 16,
  width: 16,
  channels: 1 as const,
  seed: 1,
  split: [60, 20, 20] as [number, number, number],
};

function memSource(name: string, b: Uint8Array) {
  return {
    name,
    size: b.length,
    async *stream() {
      for (let i = 0; i < b.length; i += 777) yield b.slice(i, i + 777);
    },
    read: async (o: number, l: number) => b.slice(o, o + l),
  };
}

async function folders(classes: string[], perClass = 3): Promise<ArchiveFile[]> {
  const files: ArchiveFile[] = [];
  let k = 0;
  // Interleaved, not grouped by class: the order a streamed reader meets the names in is not sorted.
  for (let i = 0; i < perClass; i++) {
    for (const cls of [...classes].reverse()) {
      files.push({
        name: `faces/${cls}/${i}.png`,
        data: await encodeImage(fakeFace(20, 20, 3, k++), 20, 20, 3, 'png'),
      });
    }
  }
  files.push({ name: 'faces/README.txt', data: new TextEncoder().encode('not an image') });
  files.push({ name: '../evil/x.png', data: files[0].data });
  return files;
}

/** The report without what names the container (file name, bytes read, time, id). */
const comparable = ({ datasetId: _d, name: _n, files: _f, bytesRead: _b, ms: _m, ...r }: ImportReport) => r;

async function importAs(name: string, bytes: Uint8Array) {
  const storage = memoryStorage();
  const out: ImportOutcome = await runImport(
    { kind: 'archive', file: memSource(name, bytes) },
    'auto',
    opts,
    storage,
    nodeImportPlatform,
    {},
  );
  if (out.status !== 'done') throw new Error(`${name}: ${out.message}`);
  const { data } = await loadSplits(storage, out.meta.id);
  const task = out.report.tasks[0];
  const labels = [data.train, data.val, data.test].map((s) =>
    Array.from((s as unknown as Record<string, ArrayLike<number>>)[task] ?? []),
  );
  return { report: out.report, labels, meta: out.meta };
}

describe('class folders in any container', () => {
  it.each([
    ['male/female folders: gender', ['male', 'female'], 'gender', [...GENDER_CLASSES]],
    ['happy/sad/angry: the FER+ expression classes', ['happy', 'sad', 'angry'], 'expression', [...EXPRESSION_CLASSES]],
    ['other names: the names, sorted', ['zebra', 'cat', 'moose'], 'expression', ['cat', 'moose', 'zebra']],
  ])('%s, the same from .zip, .tar.gz and .tar', async (_t, classes, task, names) => {
    const files = await folders(classes);
    const zip = await importAs('faces.zip', makeZip(files, { method: 8 }));
    expect(zip.report.tasks).toEqual([task]);
    expect(zip.labels.flat()).toHaveLength(classes.length * 3);
    expect(zip.report.classNames[task as 'gender' | 'expression']).toEqual(names);
    expect(zip.report.rejected).toContainEqual({
      where: '../evil/x.png',
      reason: 'a path outside the archive (it climbs out with "..")',
    });
    const tar = makeTar(files);
    for (const [name, bytes] of [
      ['faces.tar.gz', gzip(tar)],
      ['faces.tar', tar],
    ] as const) {
      const other = await importAs(name, bytes);
      expect(comparable(other.report), name).toEqual(comparable(zip.report));
      expect(other.labels, name).toEqual(zip.labels);
      expect(other.meta.tasks).toEqual(zip.meta.tasks);
    }
  });
});
