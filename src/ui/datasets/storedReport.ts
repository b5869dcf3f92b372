// An imported dataset's import report rebuilt from what its stored record keeps (pure): the dataset card
// lists the rejection reasons and offers the report for download long after the import's own panel
// has closed.
import type { ImportReport } from '../../core/data/importReport';
import type { DatasetMeta } from '../../core/records';

export function storedReport(meta: DatasetMeta): ImportReport | null {
  const i = meta.imported;
  if (!i) return null;
  return {
    datasetId: meta.id,
    name: meta.name,
    format: i.format,
    files: i.files,
    tasks: meta.tasks,
    classNames: meta.classNames,
    splits: meta.splits,
    images: meta.splits.train.count + meta.splits.val.count + meta.splits.test.count,
    rejected: i.rejected,
    rejectedCount: i.rejectedCount,
    duplicates: i.duplicates,
    bytesRead: i.files.reduce((n, f) => n + f.bytes, 0),
    ms: i.ms,
    ...(i.metadata?.labels ? { labels: i.metadata.labels } : {}),
  };
}
