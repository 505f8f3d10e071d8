import { describe, expect, it } from 'vitest';
import { countHeads } from './warm-up';

const head = 'GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n';

describe('countHeads', () => {
  it('counts every complete request head in a read, none of a partial one', () => {
    expect(countHeads(Buffer.from(''))).toBe(0);
    expect(countHeads(Buffer.from(head))).toBe(1);
    expect(countHeads(Buffer.from(head.repeat(3)))).toBe(3);
    expect(countHeads(Buffer.from(head + head.slice(0, 10)))).toBe(1);
  });

  it('finds a head whose end straddles two reads once the caller carries the last 3 bytes over', () => {
    const bytes = Buffer.from(head.repeat(2));
    // Every split point: the first read, then the carried tail with the second read.
    for (let cut = 1; cut < bytes.length; cut++) {
      const first = bytes.subarray(0, cut);
      const carried = first.subarray(Math.max(0, first.length - 3));
      const total = countHeads(first) + countHeads(Buffer.concat([carried, bytes.subarray(cut)]));
      expect(total, `split at ${cut}`).toBe(2);
    }
  });
});
