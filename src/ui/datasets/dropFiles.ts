// Files from a drop or a picker, with their paths below the dropped/chosen folder: a dropped folder is
// walked through the File System entries API (DataTransfer items are only valid during the drop event,
// so the entries are taken synchronously first).
import type { Picked } from './importPlan';

type Entry = FileSystemEntry;

function readAll(dir: FileSystemDirectoryEntry): Promise<Entry[]> {
  const reader = dir.createReader();
  const out: Entry[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(e: Entry, prefix: string, out: Picked[]): Promise<void> {
  if (e.isFile) {
    const file = await new Promise<File>((resolve, reject) => (e as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: prefix + e.name });
  } else if (e.isDirectory) {
    const children = (await readAll(e as FileSystemDirectoryEntry)).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const c of children) await walk(c, `${prefix}${e.name}/`, out);
  }
}

/** Everything dropped; `folder` when a directory was among it. */
export async function droppedFiles(dt: DataTransfer): Promise<{ picked: Picked[]; folder: boolean }> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.some((e) => e?.isDirectory)) {
    const out: Picked[] = [];
    for (const e of entries) if (e) await walk(e, '', out);
    return { picked: out, folder: true };
  }
  return { picked: [...dt.files].map((file) => ({ file, path: file.name })), folder: false };
}

/** Files from an <input type=file> (with webkitdirectory: paths from webkitRelativePath), in path order. */
export function inputFiles(list: FileList, folder: boolean): Picked[] {
  const out = [...list].map((file) => ({ file, path: folder ? file.webkitRelativePath || file.name : file.name }));
  return folder ? out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) : out;
}
