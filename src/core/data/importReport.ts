// The dataset import's contracts, shared by the importers (platform), the import worker's protocol and
// the page: options, progress, the end-of-import report and the report as plain text (the runner prints
// it; the lab offers it as a download).
import { SPLITS, type Split, type Task } from './types';
import type { DatasetMeta, ImportInfo, SplitSummary } from '../records';

export type ImportFormat = 'auto' | 'fer2013' | 'utkface' | 'folder';

export interface ImportOptions {
  /** Shown in the Datasets panel. */
  name: string;
  height: number;
  width: number;
  channels: 1 | 3;
  /** Seed of the split drawn for images their source puts in no split. */
  seed: number;
  /** Percentages train / val / test for those images. */
  split: [number, number, number];
}

export const DEFAULT_IMPORT_OPTIONS: Omit<ImportOptions, 'name'> = {
  height: 48,
  width: 48,
  channels: 1,
  seed: 1,
  split: [60, 20, 20],
};

export interface ImportProgress {
  bytesDone: number;
  bytesTotal: number;
  images: number;
  rejected: number;
  /** Images stored per second so far. */
  rate: number;
  /** Seconds left, from the bytes read so far (null until it can be told). */
  etaS: number | null;
}

/** Everything the import reports at the end (and keeps, trimmed, with the dataset). */
export interface ImportReport {
  datasetId: string;
  name: string;
  format: ImportInfo['format'];
  files: ImportInfo['files'];
  tasks: Task[];
  classNames: DatasetMeta['classNames'];
  splits: Record<Split, SplitSummary>;
  images: number;
  rejected: { where: string; reason: string }[];
  rejectedCount: number;
  duplicates: { count: number; examples: [string, string][] };
  bytesRead: number;
  ms: number;
  /** What the labels are when they are not the format's own (a FER-layout CSV with generic classes). */
  labels?: string;
}

/** What the page hands the worker (File objects clone into a worker without copying their bytes). */
export type ImportFiles =
  | { kind: 'csv'; images: File; votes: File | null; labels?: File | null }
  | { kind: 'archive'; file: File }
  | { kind: 'files'; root: string; files: { file: File; path: string }[] };

/** Rejections grouped by reason (the reason's text up to any per-row detail), largest group first. */
export function groupRejections(
  rejected: ImportReport['rejected'],
): { reason: string; count: number; where: string[] }[] {
  const groups = new Map<string, { reason: string; count: number; where: string[] }>();
  for (const r of rejected) {
    const key = r.reason.replace(/\d+/g, '#');
    const g = groups.get(key) ?? { reason: r.reason, count: 0, where: [] };
    g.count++;
    g.where.push(r.where);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

export function formatImportReport(r: ImportReport, opts: { maxListed?: number } = {}): string {
  const max = opts.maxListed ?? 20;
  const lines: string[] = [];
  lines.push(
    `${r.name}: ${r.images} images imported (${r.format}, ${(r.bytesRead / 1e6).toFixed(1)} MB read in ${(r.ms / 1000).toFixed(1)} s, ` +
      `${(r.images / Math.max(r.ms / 1000, 1e-3)).toFixed(0)} images/s)`,
  );
  if (r.labels) lines.push(`labels: ${r.labels}`);
  for (const task of ['expression', 'gender'] as const) {
    const names = r.classNames[task];
    if (!names || !r.tasks.includes(task)) continue;
    const w = Math.max(8, ...names.map((n) => n.length));
    lines.push('', `${task.padEnd(w)}  ${SPLITS.map((s) => s.padStart(7)).join('')}`);
    names.forEach((n, i) =>
      lines.push(
        `${n.padEnd(w)}  ${SPLITS.map((s) => String(r.splits[s].classCounts[task]?.[i] ?? 0).padStart(7)).join('')}`,
      ),
    );
    lines.push(`${'total'.padEnd(w)}  ${SPLITS.map((s) => String(r.splits[s].count).padStart(7)).join('')}`);
  }
  if (r.tasks.includes('age')) {
    lines.push(
      '',
      'age (years)  ' +
        SPLITS.map((s) => {
          const a = r.splits[s].age;
          return `${s} ${a ? `${a.min}-${a.max}, mean ${a.mean.toFixed(1)}` : '-'}`;
        }).join('; '),
    );
  }
  lines.push('', `rejected: ${r.rejectedCount}`);
  for (const g of groupRejections(r.rejected)) {
    lines.push(`  ${g.count} x ${g.reason}`);
    for (const w of g.where.slice(0, max)) lines.push(`      ${w}`);
    if (g.where.length > max) lines.push(`      ... and ${g.where.length - max} more`);
  }
  if (r.rejectedCount > r.rejected.length) lines.push(`  (${r.rejectedCount - r.rejected.length} more not listed)`);
  lines.push('', `duplicates (identical pixels, kept): ${r.duplicates.count}`);
  for (const [a, b] of r.duplicates.examples.slice(0, max)) lines.push(`  ${a} = ${b}`);
  if (r.duplicates.count > Math.min(max, r.duplicates.examples.length))
    lines.push(`  ... and ${r.duplicates.count - Math.min(max, r.duplicates.examples.length)} more`);
  return lines.join('\n');
}
