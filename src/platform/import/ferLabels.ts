// Before a FER-layout CSV is imported, its label column read once (only that field of each line) and the
// labels file, if any: what decides between FER2013's emotions and generic classes 0..K-1 (the scheme
// itself is core/data/formats/ferLabels.ts).
import { ferLabelScheme, parseLabelNames, wholeLabel, type LabelScheme } from '../../core/data/formats/ferLabels';
import { asciiField, byteLines, splitCommas } from '../../core/data/formats/lines';
import { ImportError } from './builder';
import { decodeText, throwIfAborted, type ByteSource } from './source';

/** Largest labels file read (names of at most a thousand classes). */
const MAX_LABELS_BYTES = 1 << 20;

/** The largest whole-number label in column `col` of every data line (quoted lines are left to the main
 *  pass, which reports them). */
export async function scanFerLabels(
  images: ByteSource,
  col: number,
  signal?: AbortSignal,
): Promise<{ max: number; rows: number }> {
  let max = -1;
  let rows = 0;
  let header = true;
  let n = 0;
  for await (const batch of byteLines(images.stream())) {
    if ((n++ & 15) === 0) throwIfAborted(signal);
    for (const l of batch) {
      if (header) {
        header = false;
        continue;
      }
      const b = l.bytes;
      if (b.indexOf(34) >= 0) continue;
      const { starts, ends } = splitCommas(b);
      if (col >= starts.length) continue;
      const n = wholeLabel(asciiField(b, starts[col], ends[col]));
      if (n < 0) continue;
      rows++;
      max = Math.max(max, n);
    }
  }
  return { max, rows };
}

/** The label scheme of a FER-layout CSV: reads the labels file (when given) and the label column. */
export async function ferLabelsOf(
  images: ByteSource,
  col: number,
  labels: ByteSource | null | undefined,
  signal?: AbortSignal,
): Promise<LabelScheme> {
  let names: string[] | null = null;
  if (labels) {
    if (labels.size > MAX_LABELS_BYTES)
      throw new ImportError(
        `${labels.name}: ${labels.size} bytes is too large for a labels file (one class name per line).`,
      );
    let text = '';
    for await (const s of decodeText(labels.stream())) text += s;
    const parsed = parseLabelNames(text);
    if (!parsed.ok) throw new ImportError(`${labels.name}: ${parsed.reason}.`);
    names = parsed.value;
  }
  const scan = await scanFerLabels(images, col, signal);
  const scheme = ferLabelScheme(scan, names);
  if (!scheme.ok) throw new ImportError(`${images.name}${labels ? ` with ${labels.name}` : ''}: ${scheme.reason}.`);
  return scheme.value;
}
