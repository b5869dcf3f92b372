// The wasm heap seen as floats. Divisions, not `>> 2`: a heap of 2 GiB or more has byte counts of 2^31 and
// above, which a signed shift turns negative (and `>>> 2` turns a 4 GiB heap's length into 0).

/** The whole heap `v` lives in, as floats, and `v`'s index in it. */
export function heapView(v: Float32Array): { heap: Float32Array; at: number } {
  return { heap: new Float32Array(v.buffer, 0, v.buffer.byteLength / 4), at: v.byteOffset / 4 };
}
