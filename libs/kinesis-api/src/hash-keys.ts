/**
 * Kinesis routes a record by the MD5 of its partition key, read as a 128-bit unsigned integer, into
 * the shard whose hash-key range holds it (an ExplicitHashKey replaces the MD5). Here each shard
 * (partition) owns an equal slice of 0 … 2^128-1, as a freshly created Kinesis stream's shards do.
 *
 * Kafka clients keep their own partitioner (murmur2 of the key, modulo the partition count), so the
 * same key can land on a different partition depending on which dialect wrote it. Ordering per key
 * holds within one dialect; mixing writers for one key does not keep its records on one shard.
 *
 * When shards are added (UpdateShardCount → partitions added), the ranges are re-divided equally
 * over the new count; Kinesis instead splits parent shards into children and closes the parents.
 */
import { createHash } from 'node:crypto';

export const HASH_KEY_SPACE = 1n << 128n;
export const MAX_HASH_KEY = HASH_KEY_SPACE - 1n;

export interface HashKeyRange {
  StartingHashKey: string;
  EndingHashKey: string;
}

export function hashKeyRange(partition: number, partitionCount: number): HashKeyRange {
  const n = BigInt(partitionCount);
  const start = (BigInt(partition) * HASH_KEY_SPACE) / n;
  const end = ((BigInt(partition) + 1n) * HASH_KEY_SPACE) / n - 1n;
  return { StartingHashKey: start.toString(), EndingHashKey: end.toString() };
}

export function hashKeyOf(partitionKey: string): bigint {
  return BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex'));
}

/** The partition whose range holds `hashKey` (the inverse of hashKeyRange's division). */
export function partitionForHashKey(hashKey: bigint, partitionCount: number): number {
  const n = BigInt(partitionCount);
  let p = Number((hashKey * n) / HASH_KEY_SPACE);
  // floor division on both sides can put a boundary key one slice off; correct against the ranges
  while (p > 0 && hashKey < BigInt(hashKeyRange(p, partitionCount).StartingHashKey)) p--;
  while (p < partitionCount - 1 && hashKey > BigInt(hashKeyRange(p, partitionCount).EndingHashKey)) p++;
  return p;
}
