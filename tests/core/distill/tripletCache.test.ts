import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { teacherEmbeddingCache } from '../../../src/core/distill/tripletStage';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A fake teacher: image i embeds to [i, 10 i], and is judged right when i is even. */
function fakeTeacher() {
  const calls: number[][] = [];
  const embed = async (idx: Int32Array) => {
    calls.push([...idx]);
    return {
      emb: tf.tensor2d(
        Array.from(idx, (i) => [i, 10 * i]),
        [idx.length, 2],
      ),
      correct: Uint8Array.from(idx, (i) => (i % 2 === 0 ? 1 : 0)),
    };
  };
  return { embed, calls };
}

describe('the triplet stage teacher cache', () => {
  it('embeds each training image once per stage and answers later pools from memory, in the order asked', async () => {
    const before = tf.memory().numTensors;
    const { embed, calls } = fakeTeacher();
    const cache = teacherEmbeddingCache(embed, 10);
    const a = await cache.get(Int32Array.from([3, 1, 4]));
    expect(await a.emb.array()).toEqual([
      [3, 30],
      [1, 10],
      [4, 40],
    ]);
    expect([...a.correct]).toEqual([0, 0, 1]);
    const b = await cache.get(Int32Array.from([4, 5, 1, 9]));
    expect(await b.emb.array()).toEqual([
      [4, 40],
      [5, 50],
      [1, 10],
      [9, 90],
    ]);
    expect([...b.correct]).toEqual([1, 0, 0, 0]);
    expect(calls).toEqual([
      [3, 1, 4],
      [5, 9],
    ]); // the second epoch sent only the two images not seen before
    const c = await cache.get(Int32Array.from([9, 3]));
    expect(calls).toHaveLength(2);
    expect(await c.emb.array()).toEqual([
      [9, 90],
      [3, 30],
    ]);
    expect(cache.stats.embedded).toBe(5);
    tf.dispose([a.emb, b.emb, c.emb]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps nothing when the whole set would not fit under the limit, and embeds every pool again', async () => {
    const before = tf.memory().numTensors;
    const { embed, calls } = fakeTeacher();
    const cache = teacherEmbeddingCache(embed, 10, 10 * 2 * 4 - 1); // one byte short of 10 x 2 floats
    const a = await cache.get(Int32Array.from([2, 7]));
    expect(await a.emb.array()).toEqual([
      [2, 20],
      [7, 70],
    ]);
    const b = await cache.get(Int32Array.from([2, 7]));
    expect(await b.emb.array()).toEqual([
      [2, 20],
      [7, 70],
    ]);
    expect(calls).toEqual([
      [2, 7],
      [2, 7],
    ]); // once per call: the first call's answer is not embedded again
    expect(cache.stats.embedded).toBe(4);
    tf.dispose([a.emb, b.emb]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
