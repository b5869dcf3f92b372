// What a set of picked or dropped files is to import: FER2013 CSV (+ FER+ votes), one archive, or a
// folder; or why it cannot be imported as picked. Pure, apart from reading the CSVs' first line.
import type { ImportFiles } from '../../core/data/importReport';
import type { ImportFormat } from '../../core/data/importReport';

export interface Picked {
  file: File;
  /** Path below the chosen/dropped folder root, '/'-separated (the file name alone for loose files). */
  path: string;
}

export type ImportPlan =
  | { ok: true; files: ImportFiles; label: string; name: string; format: ImportFormat; channels: 1 | 3 }
  | { ok: false; reason: string };

const ARCHIVE = /\.(zip|tar|tgz|tar\.gz)$/i;

/** The header line of a CSV (first 64 kB are plenty). */
export async function firstLine(f: File): Promise<string> {
  const text = await f.slice(0, 65536).text();
  const end = text.search(/\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/^\uFEFF/, '');
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const stem = (n: string) => n.replace(/\.(csv|zip|tar|tgz|tar\.gz)$/i, '');

export function planFromKinds(picked: Picked[], headers: Map<File, string>, fromFolder: boolean): ImportPlan {
  if (picked.length === 0) return { ok: false, reason: 'No file was chosen.' };
  const csv = picked.filter((p) => /\.csv$/i.test(p.file.name));
  // A FER-layout CSV whose labels are generic classes may come with a labels file: one name per line.
  const txt = picked.filter((p) => /\.txt$/i.test(p.file.name));
  if (!fromFolder && csv.length > 0) {
    if (csv.length + txt.length !== picked.length || csv.length > 2 || txt.length > 1) {
      return {
        ok: false,
        reason:
          'Choose fer2013.csv alone, or with its FER+ votes file (fer2013new.csv) or a labels file (.txt, one class name per line); other files go in a separate import.',
      };
    }
    const isVotes = (f: File) => /image name/i.test(headers.get(f) ?? '') && !/pixels/i.test(headers.get(f) ?? '');
    const images = csv.filter((p) => !isVotes(p.file));
    const votes = csv.filter((p) => isVotes(p.file));
    if (images.length !== 1) {
      return {
        ok: false,
        reason:
          images.length === 0
            ? 'Only the FER+ votes file was chosen: choose fer2013.csv (the images) with it.'
            : 'Two image CSVs were chosen: choose one fer2013.csv, and optionally the FER+ votes file (fer2013new.csv).',
      };
    }
    const img = images[0].file;
    const vot = votes[0]?.file ?? null;
    const names = txt[0]?.file ?? null;
    if (vot && names)
      return {
        ok: false,
        reason: 'A labels file names generic classes; the FER+ votes give FER+’s own 8: choose one of them.',
      };
    return {
      ok: true,
      files: { kind: 'csv', images: img, votes: vot, labels: names },
      format: 'fer2013',
      channels: 1,
      name: vot ? 'FER+' : stem(img.name),
      label: `${img.name} (${mb(img.size)})${vot ? ` with FER+ votes ${vot.name}` : ''}${names ? ` with class names from ${names.name}` : ''}`,
    };
  }
  if (!fromFolder && picked.length === 1 && ARCHIVE.test(picked[0].file.name)) {
    const f = picked[0].file;
    return {
      ok: true,
      files: { kind: 'archive', file: f },
      format: 'auto',
      channels: 3,
      name: stem(f.name),
      label: `${f.name} (${mb(f.size)})`,
    };
  }
  if (!fromFolder) {
    return {
      ok: false,
      reason: picked.some((p) => ARCHIVE.test(p.file.name))
        ? 'Choose one archive at a time.'
        : 'Loose images have no labels: choose a folder (class folders inside), an archive (.tar.gz, .zip) or fer2013.csv.',
    };
  }
  const root = picked[0].path.split('/')[0] || 'folder';
  const files = picked.map((p) => ({ file: p.file, path: p.path }));
  const bytes = picked.reduce((n, p) => n + p.file.size, 0);
  return {
    ok: true,
    files: { kind: 'files', root, files },
    format: 'auto',
    channels: 3,
    name: root,
    label: `folder ${root}: ${picked.length} files (${mb(bytes)})`,
  };
}

/** Reads the CSV headers it needs, then plans. */
export async function planImport(picked: Picked[], fromFolder: boolean): Promise<ImportPlan> {
  const headers = new Map<File, string>();
  for (const p of picked) if (!fromFolder && /\.csv$/i.test(p.file.name)) headers.set(p.file, await firstLine(p.file));
  return planFromKinds(picked, headers, fromFolder);
}
