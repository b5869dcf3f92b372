// The Monitor's messages (pure): the combined students' progress lines ("…: C 3/7", one per value of C
// tried) folded into one progress row, the latest; every other line kept in order.
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface FoldedLogs {
  lines: LogLine[];
  /** The latest progress line's model, and how far it is. */
  progress: { what: string; done: number; total: number } | null;
}

/** "…: C 3/7", or within the 4th C "…: C 3/7, binary problems 120/1225 of the next" (a fraction of one C). */
const PROGRESS = /^(.*): C (\d+)\/(\d+)(?:, binary problems (\d+)\/(\d+) of the next)?$/;

export function foldLogs(logs: LogLine[]): FoldedLogs {
  const lines: LogLine[] = [];
  let progress: FoldedLogs['progress'] = null;
  for (const l of logs) {
    const m = PROGRESS.exec(l.message);
    if (m)
      progress = { what: m[1], done: Number(m[2]) + (m[4] ? Number(m[4]) / Number(m[5]) : 0), total: Number(m[3]) };
    else lines.push(l);
  }
  return { lines, progress };
}
