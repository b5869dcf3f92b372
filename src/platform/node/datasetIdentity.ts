// What a run's dataset is, as a hash a resumed run can check: SHA-256 of every file it reads (a folder:
// every file under it, by relative path), or of the synthetic dataset's spec (its faces follow from it).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DatasetConfig } from '../../core/config/config';
import type { DatasetIdentity } from './checkpointFiles';

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** JSON with sorted keys, so that the same spec always hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export async function datasetIdentity(ds: DatasetConfig): Promise<DatasetIdentity> {
  if (ds.source !== 'file') {
    return { kind: 'synth', sha256: createHash('sha256').update(canonical(ds)).digest('hex') };
  }
  const files: NonNullable<DatasetIdentity['files']> = [];
  for (const p of [ds.path, ds.ferplus, ds.labels]) {
    if (!p) continue;
    const s = await stat(p);
    const paths = s.isDirectory() ? await filesUnder(p) : [p];
    for (const f of paths) {
      const name = s.isDirectory() ? join(p, relative(p, f)) : f;
      files.push({ path: name, bytes: (await stat(f)).size, sha256: await fileSha256(f) });
    }
  }
  const all = createHash('sha256').update(canonical({ ...ds, files: files.map((f) => [f.path, f.bytes, f.sha256]) }));
  return { kind: 'file', sha256: all.digest('hex'), files };
}

/** Why `now` is not the dataset `then` recorded, naming the file that changed; null when they agree. */
export function datasetChange(then: DatasetIdentity, now: DatasetIdentity): string | null {
  if (then.sha256 === now.sha256) return null;
  if (then.kind !== now.kind)
    return `the dataset was ${then.kind === 'synth' ? 'synthetic' : 'read from files'}, now it is not`;
  if (then.kind === 'synth') return "the synthetic dataset's spec differs";
  const before = new Map((then.files ?? []).map((f) => [f.path, f]));
  const after = new Map((now.files ?? []).map((f) => [f.path, f]));
  for (const [p, f] of before) {
    const g = after.get(p);
    if (!g) return `${p} is gone`;
    if (g.sha256 !== f.sha256) {
      return (
        `${p} changed (${f.bytes} bytes, SHA-256 ${f.sha256.slice(0, 12)}… when the checkpoint was written; ` +
        `now ${g.bytes} bytes, ${g.sha256.slice(0, 12)}…)`
      );
    }
  }
  for (const p of after.keys()) if (!before.has(p)) return `${p} is new`;
  return 'the dataset settings differ';
}
