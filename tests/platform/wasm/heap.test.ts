// The wasm heap view the fused BatchNorm and conv-gradient kernels use works above 2 GiB: with `>> 2` a
// heap of 2^31 bytes or more gave a negative length (RangeError) and offsets past 2 GiB negative indices.
import { describe, expect, it } from 'vitest';
import { heapView } from '../../../src/platform/wasm/heap';

describe('wasm heap view', () => {
  it('maps a tensor past 2 GiB in a heap over 2 GiB to the same floats', () => {
    // Pages of an untouched ArrayBuffer are not committed: the 2 GiB here costs a few KB of real memory.
    const buffer = new ArrayBuffer(2 ** 31 + 4096);
    const at = 2 ** 31 + 1024; // byte offset of a "tensor" beyond 2 GiB
    const tensor = new Float32Array(buffer, at, 4);
    tensor.set([1.5, -2, 3, 4]);
    const { heap, at: index } = heapView(tensor);
    expect(heap.length).toBe((2 ** 31 + 4096) / 4);
    expect(index).toBe(at / 4);
    expect(Array.from(heap.subarray(index, index + 4))).toEqual([1.5, -2, 3, 4]);
    // What `>> 2` gave: a negative length and index.
    expect((2 ** 31 + 4096) >> 2).toBeLessThan(0);
    expect(at >> 2).toBeLessThan(0);
  });

  it('small heaps as before', () => {
    const t = new Float32Array(new ArrayBuffer(64), 16, 2);
    expect(heapView(t).at).toBe(4);
    expect(heapView(t).heap.length).toBe(16);
  });
});
