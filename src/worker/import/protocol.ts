// The import worker's typed protocol: what the page sends (the files to read, core/data/importReport.ts ImportFiles)
// and what it hears back (progress, the stored dataset and its report, or why it stopped).
import type { ImportFormat, ImportOptions, ImportProgress, ImportReport } from '../../core/data/importReport';
import type { DatasetMeta } from '../../core/records';

export type ImportCommand<F = unknown> =
  | { type: 'import'; jobId: string; files: F; format: ImportFormat; options: ImportOptions }
  | { type: 'cancel'; jobId: string };

export type ImportEvent =
  | { type: 'progress'; jobId: string; progress: ImportProgress }
  | { type: 'done'; jobId: string; meta: DatasetMeta; report: ImportReport }
  | { type: 'failed'; jobId: string; status: 'cancelled' | 'failed'; message: string; report: ImportReport | null };
