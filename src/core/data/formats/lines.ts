// Lines of a large text file straight from its bytes, with no string per line: a FER2013 CSV is 290 MB
// of digits, and decoding it to strings first made the import worker's heap peak above 1 GB before
// the garbage collector caught up. Each line is a view valid until the next batch is asked for.

export interface ByteLine {
  /** 1-based physical line number. */
  line: number;
  /** The line without its '\n' or '\r\n' (a view: copy what must outlive the batch). */
  bytes: Uint8Array;
}

export class LineTooLongError extends Error {
  constructor(
    readonly line: number,
    max: number,
  ) {
    super(`line ${line} is longer than ${max} bytes (not a text file, or no line breaks?)`);
    this.name = 'LineTooLongError';
  }
}

/** Lines in batches (one batch per input chunk); blank lines are skipped but counted; a UTF-8 BOM at the
 *  start is dropped. A line split across chunks is joined into one copy. */
export async function* byteLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLine = 16 * 1024 * 1024,
): AsyncGenerator<ByteLine[]> {
  let carry: Uint8Array | null = null;
  let line = 1;
  let first = true;
  const trim = (b: Uint8Array) => (b.length > 0 && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b);
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    const out: ByteLine[] = [];
    let start = 0;
    let nl = chunk.indexOf(10);
    if (carry && nl >= 0) {
      const joined = new Uint8Array(carry.length + nl);
      joined.set(carry);
      joined.set(chunk.subarray(0, nl), carry.length);
      const b = trim(joined);
      if (b.length) out.push({ line, bytes: b });
      line++;
      carry = null;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (carry) {
      // No line end in this chunk: the line goes on.
      if (carry.length + chunk.length > maxLine) throw new LineTooLongError(line, maxLine);
      const joined: Uint8Array = new Uint8Array(carry.length + chunk.length);
      joined.set(carry);
      joined.set(chunk, carry.length);
      carry = joined;
      continue;
    }
    while (nl >= 0) {
      const b = trim(chunk.subarray(start, nl));
      if (b.length) out.push({ line, bytes: b });
      line++;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      if (chunk.length - start > maxLine) throw new LineTooLongError(line, maxLine);
      carry = chunk.slice(start);
    }
    if (out.length) yield out;
  }
  if (carry) {
    const b = trim(carry);
    if (b.length) yield [{ line, bytes: b }];
  }
}

/** Positions of the field separators of an unquoted CSV line: fields are [starts[i], ends[i]). */
export function splitCommas(b: Uint8Array): { starts: number[]; ends: number[] } {
  const starts = [0];
  const ends: number[] = [];
  for (let i = b.indexOf(44); i >= 0; i = b.indexOf(44, i + 1)) {
    ends.push(i);
    starts.push(i + 1);
  }
  ends.push(b.length);
  return { starts, ends };
}

/** A short ASCII field as a string (labels, Usage). */
export function asciiField(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, Math.min(end, start + 256)));
}
