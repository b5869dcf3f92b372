// The FER2013 importer: fer2013.csv read as bytes line by line (no string per row), optionally joined row
// by row with FER+'s votes (fer2013new.csv), each row checked, resized and handed to the builder.
import { CsvParser, csvRows, type CsvRow } from '../../core/data/formats/csv';
import {
  FER2013_CLASSES,
  ferColumns,
  fitGrey,
  ferEmotion,
  ferPlusColumns,
  ferPlusMajority,
  ferPlusVotes,
  ferUsageSplit,
  parsePixelBytes,
  parsePixels,
  squareSide,
  type Parsed,
} from '../../core/data/formats/fer';
import { asciiField, byteLines, splitCommas, type ByteLine } from '../../core/data/formats/lines';
import { ImportInput, counted, decodeText, throwIfAborted, Meter, Make } from './source';
import { EXPRESSION_CLASSES } from '../../core/data/types';
import { ImportError } from './builder';
import { ferLabelsOf } from './ferLabels';
import { genericLabel } from '../../core/data/formats/ferLabels';
import type { ImportOptions } from '../../core/data/importReport';

/** Lines a quoted field may run over before the record is cut (a stray quote must not swallow the file). */
const MAX_RECORD_LINES = 64;

/** Data rows looked at to decide the image size. */
export const SIZE_SAMPLE_ROWS = 64;

/**
 * The image side most of the first `sample` data rows have (fer2013.csv read a second time, from the
 * start, and dropped after those rows): one odd first row does not set the size of every other. null
 * when none of them is a square.
 */
async function majoritySide(
  images: Extract<ImportInput, { kind: 'csv' }>['images'],
  pixelsCol: number,
  sample: number,
): Promise<{ side: number; of: number; rows: number } | null> {
  const tally = new Map<number, number>();
  let rows = 0;
  const it = byteLines(images.stream())[Symbol.asyncIterator]();
  let header = true;
  try {
    while (rows < sample) {
      const r = await it.next();
      if (r.done) break;
      for (const l of r.value) {
        if (header) {
          header = false;
          continue;
        }
        if (rows >= sample) break;
        rows++;
        const b = l.bytes;
        if (b.indexOf(34) >= 0) continue; // quoted lines: left to the main pass
        const { starts, ends } = splitCommas(b);
        if (pixelsCol >= starts.length) continue;
        const px = parsePixelBytes(b, starts[pixelsCol], ends[pixelsCol], null);
        const side = px.ok ? squareSide(px.value.length) : null;
        if (side) tally.set(side, (tally.get(side) ?? 0) + 1);
      }
    }
  } catch {
    return null; // the main pass reports what is wrong with the file
  } finally {
    await it.return?.(undefined);
  }
  let best: { side: number; of: number; rows: number } | null = null;
  for (const [side, n] of tally) if (!best || n > best.of) best = { side, of: n, rows };
  return best;
}

export async function importFer(
  input: Extract<ImportInput, { kind: 'csv' }>,
  o: ImportOptions,
  make: Make,
  meter: Meter,
  signal: AbortSignal | undefined,
  quota: () => Promise<void>,
): Promise<void> {
  const imgName = input.images.name;
  // fer2013.csv is read as bytes, line by line (no string per row: see lines.ts); the small FER+ votes
  // file goes through the CSV parser.
  const lineBatches = byteLines(
    counted(input.images.stream(), (n) => {
      meter.bytesDone += n;
    }),
  )[Symbol.asyncIterator]();
  let batch: ByteLine[] = [];
  let at = 0;
  const nextLine = async (): Promise<ByteLine | null> => {
    while (at >= batch.length) {
      let r;
      try {
        r = await lineBatches.next();
      } catch (e) {
        const line = (e as { line?: number }).line;
        throw new ImportError(`${imgName}${line ? ` line ${line}` : ''}: ${(e as Error).message}`);
      }
      if (r.done) return null;
      batch = r.value;
      at = 0;
    }
    return batch[at++];
  };
  /** Quotes in a line (a field quoted across a line break leaves an odd count). */
  const quotes = (b: Uint8Array): number => {
    let n = 0;
    for (let i = 0; i < b.length; i++) if (b[i] === 34) n++;
    return n;
  };
  /** The next CSV record: a line, or the lines a quoted field spans, joined (`lines` > 1 then). A quote
   *  left open runs at most MAX_RECORD_LINES lines, or to the end of the file. */
  const nextRecord = async (): Promise<(ByteLine & { lines: number }) | null> => {
    const first = await nextLine();
    if (!first || quotes(first.bytes) % 2 === 0) return first && { ...first, lines: 1 };
    const parts = [first.bytes.slice()];
    let open = true;
    while (open && parts.length < MAX_RECORD_LINES) {
      const more = await nextLine();
      if (!more) break;
      parts.push(more.bytes.slice());
      if (quotes(more.bytes) % 2 === 1) open = false;
    }
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, -1));
    let o = 0;
    parts.forEach((p, i) => {
      if (i) joined[o++] = 10;
      joined.set(p, o);
      o += p.length;
    });
    return { line: first.line, bytes: joined, lines: parts.length };
  };
  /** One line as CSV fields: byte ranges for plain lines, the CSV parser for a line with quotes. */
  const fieldsOf = (
    l: ByteLine,
  ): { count: number; text(i: number): string; pixels(i: number, out: Uint8Array | null): Parsed<Uint8Array> } => {
    const b = l.bytes;
    if (b.indexOf(34) < 0) {
      const { starts, ends } = splitCommas(b);
      return {
        count: starts.length,
        text: (i) => asciiField(b, starts[i], ends[i]),
        pixels: (i, out) => parsePixelBytes(b, starts[i], ends[i], out),
      };
    }
    const p = new CsvParser();
    let f: string[];
    try {
      f = [...p.push(`${new TextDecoder().decode(b)}\n`), ...p.end()][0]?.fields ?? [];
    } catch (e) {
      throw new ImportError(`${imgName} line ${l.line}: ${(e as Error).message}`);
    }
    return { count: f.length, text: (i) => f[i], pixels: (i, out) => parsePixels(f[i], out) };
  };
  const votesName = input.votes?.name ?? '';
  const votes = input.votes
    ? csvRows(
        decodeText(
          counted(input.votes.stream(), (n) => {
            meter.bytesDone += n;
          }),
        ),
      )[Symbol.asyncIterator]()
    : null;
  const next = async (it: AsyncIterator<CsvRow>, name: string): Promise<CsvRow | null> => {
    try {
      const r = await it.next();
      return r.done ? null : r.value;
    } catch (e) {
      const line = (e as { line?: number }).line;
      throw new ImportError(`${name}${line ? ` line ${line}` : ''}: ${(e as Error).message}`);
    }
  };
  const head = await nextLine();
  if (!head) throw new ImportError(`${imgName} is empty.`);
  const hf = fieldsOf(head);
  const cols = ferColumns(Array.from({ length: hf.count }, (_, i) => hf.text(i)));
  if (!cols.ok) throw new ImportError(`${imgName} line ${head.line}: ${cols.reason}.`);
  let voteCols: number[] = [];
  let nameCol = -1;
  if (votes) {
    const vh = await next(votes, votesName);
    if (!vh) throw new ImportError(`${votesName} is empty.`);
    const vc = ferPlusColumns(vh.fields);
    if (!vc.ok) throw new ImportError(`${votesName} line ${vh.line}: ${vc.reason}.`);
    voteCols = vc.value.votes;
    nameCol = vc.value.name;
  }
  const c = cols.value;
  // Labels that are not FER2013's 7 emotions (or named by a labels file): generic classes 0..K-1.
  if (votes && input.labels)
    throw new ImportError(`${input.labels.name}: a labels file names generic classes; FER+ votes give FER+'s own 8.`);
  const scheme = votes ? null : await ferLabelsOf(input.images, c.emotion, input.labels, signal);
  const generic = scheme?.kind === 'generic' ? scheme : null;
  const b = await make({
    format: votes ? 'ferplus' : 'fer2013',
    files: [input.images, ...(input.votes ? [input.votes] : []), ...(input.labels ? [input.labels] : [])].map((f) => ({
      name: f.name,
      bytes: f.size,
    })),
    tasks: ['expression'],
    classNames: {
      expression: votes ? [...EXPRESSION_CLASSES] : generic ? [...generic.classNames] : [...FER2013_CLASSES],
    },
    keepRace: false,
    ...(generic ? { metadata: { labels: generic.note } } : {}),
  });
  const major = await majoritySide(input.images, c.pixels, SIZE_SAMPLE_ROWS);
  let side: number | null = major?.side ?? null;
  let buf: Uint8Array | null = side ? new Uint8Array(side * side) : null;
  const sizeSource = major ? `the size of ${major.of} of the first ${major.rows} rows` : 'as in the first row';
  for (let n = 0; ; n++) {
    if ((n & 63) === 0) {
      throwIfAborted(signal);
      meter.tick();
      await quota();
    }
    const row = await nextRecord();
    const vrow = votes ? await next(votes, votesName) : null;
    if (!row) {
      if (vrow)
        throw new ImportError(
          `${votesName} has more rows than ${imgName} (it goes on at line ${vrow.line}): FER+ rows are joined with FER2013's by order, so both files must be the matching versions.`,
        );
      return;
    }
    if (votes && !vrow)
      throw new ImportError(
        `${votesName} ends before ${imgName} (which goes on at line ${row.line}): FER+ rows are joined with FER2013's by order, so both files must be the matching versions.`,
      );
    const where =
      row.lines > 1 ? `${imgName} lines ${row.line}-${row.line + row.lines - 1}` : `${imgName} line ${row.line}`;
    if (row.lines > 1) {
      b.reject(where, 'a quoted field runs over a line break (a FER2013 row is one line)');
      continue;
    }
    const f = fieldsOf(row);
    if (f.count <= Math.max(c.emotion, c.pixels, c.usage)) {
      b.reject(where, `${f.count} fields, expected emotion,pixels,Usage`);
      continue;
    }
    const usage = f.text(c.usage);
    const split = ferUsageSplit(usage);
    if (!split) {
      b.reject(where, `Usage must be Training, PublicTest or PrivateTest (got ${JSON.stringify(usage.slice(0, 40))})`);
      continue;
    }
    let label: number;
    if (vrow) {
      if (!(vrow.fields[nameCol] ?? '').trim()) {
        b.reject(where, `removed from FER+ (${votesName} line ${vrow.line} has no image name)`);
        continue;
      }
      const v = ferPlusVotes(vrow.fields, voteCols);
      if (!v.ok) {
        b.reject(where, `${votesName} line ${vrow.line}: ${v.reason}`);
        continue;
      }
      const m = ferPlusMajority(v.value);
      if (!m.ok) {
        b.reject(where, m.reason);
        continue;
      }
      label = m.value;
    } else {
      const e = generic ? genericLabel(f.text(c.emotion), generic.classNames.length) : ferEmotion(f.text(c.emotion));
      if (!e.ok) {
        b.reject(where, e.reason);
        continue;
      }
      label = e.value;
    }
    if (side === null) {
      const first = f.pixels(c.pixels, null);
      if (!first.ok) {
        b.reject(where, first.reason);
        continue;
      }
      const s = squareSide(first.value.length);
      if (!s) {
        b.reject(where, `${first.value.length} pixels is not a square image`);
        continue;
      }
      side = s;
      buf = new Uint8Array(s * s);
    }
    const px = f.pixels(c.pixels, buf);
    if (!px.ok) {
      b.reject(where, px.reason.includes('expected') ? `${px.reason} (${side}x${side}, ${sizeSource})` : px.reason);
      continue;
    }
    const img = fitGrey(px.value, side, o);
    // The row buffer is reused: keep a copy only when no resize made a new array already.
    await b.add({ where, split, pixels: img === buf ? img.slice() : img, expression: label });
  }
}
