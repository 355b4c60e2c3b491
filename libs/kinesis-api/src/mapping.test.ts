import { describe, expect, it } from 'vitest';
import { hashKeyOf, hashKeyRange, MAX_HASH_KEY, partitionForHashKey } from './hash-keys.js';
import {
  decodeSequenceNumber,
  encodeSequenceNumber,
  partitionOf,
  SEQUENCE_NUMBER_LENGTH,
  shardIdOf,
} from './sequence.js';

describe('sequence numbers', () => {
  it('are 56 digits that decode back to the exact partition and offset', () => {
    for (const [p, o] of [
      [0, 0],
      [2, 41],
      [4095, Number.MAX_SAFE_INTEGER],
    ] as const) {
      const s = encodeSequenceNumber(p, o);
      expect(s).toMatch(/^\d+$/);
      expect(s).toHaveLength(SEQUENCE_NUMBER_LENGTH);
      expect(SEQUENCE_NUMBER_LENGTH).toBe(56);
      expect(decodeSequenceNumber(s)).toEqual({ partition: p, offset: o });
    }
    expect(encodeSequenceNumber(2, 41)).toBe('49000000000200000000000000000000000000000000000000000041');
  });

  it('grow with the offset within a shard', () => {
    const seqs = [0, 1, 9, 10, 99, 100, 123456789].map((o) => BigInt(encodeSequenceNumber(3, o)));
    expect([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(seqs);
  });

  it('refuses numbers that are not ours', () => {
    expect(decodeSequenceNumber('12345')).toBeUndefined();
    expect(decodeSequenceNumber('49590338271490256608559692538361571095921575989136588898')).toBeUndefined();
  });

  it('shard ids name partitions', () => {
    expect(shardIdOf(7)).toBe('shardId-000000000007');
    expect(partitionOf('shardId-000000000007')).toBe(7);
    expect(partitionOf('7')).toBe(7);
    expect(partitionOf('shard-7')).toBeUndefined();
  });
});

describe('hash-key ranges', () => {
  it('cover 0 … 2^128-1 in equal, adjacent slices', () => {
    for (const n of [1, 2, 3, 5, 7]) {
      const ranges = Array.from({ length: n }, (_, p) => hashKeyRange(p, n));
      expect(ranges[0]!.StartingHashKey).toBe('0');
      expect(ranges[n - 1]!.EndingHashKey).toBe(MAX_HASH_KEY.toString());
      for (let p = 1; p < n; p++)
        expect(BigInt(ranges[p]!.StartingHashKey)).toBe(BigInt(ranges[p - 1]!.EndingHashKey) + 1n);
    }
  });

  it('route a hash key to the shard whose range holds it, boundaries included', () => {
    for (const n of [1, 3, 5, 7]) {
      for (let p = 0; p < n; p++) {
        const r = hashKeyRange(p, n);
        expect(partitionForHashKey(BigInt(r.StartingHashKey), n)).toBe(p);
        expect(partitionForHashKey(BigInt(r.EndingHashKey), n)).toBe(p);
      }
    }
  });

  it('hash a partition key with MD5, as Kinesis does', () => {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e
    expect(hashKeyOf('')).toBe(BigInt('0xd41d8cd98f00b204e9800998ecf8427e'));
  });
});
