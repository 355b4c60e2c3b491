/** Shared by PutRecord and PutRecords: routing by hash key, and the per-record input rules. */
import { z } from 'zod';
import { invalidArgument } from '../errors.js';
import { hashKeyOf, MAX_HASH_KEY, partitionForHashKey } from '../hash-keys.js';
import { blob, str } from '../validation.js';

/** 1 MiB: Kinesis' limit on a record's data (the partition key counts towards it on AWS). */
export const MAX_RECORD_BYTES = 1024 * 1024;

export const recordFields = {
  Data: blob(MAX_RECORD_BYTES),
  PartitionKey: str(1, 256),
  ExplicitHashKey: str(1, 128, { re: /^(0|[1-9]\d{0,38})$/, text: '0|([1-9]\\d{0,38})' }).optional(),
};

/** The partition a record goes to: MD5 of its partition key (or its ExplicitHashKey) in equal ranges. */
export function routeRecord(
  partitionKey: string,
  explicitHashKey: string | undefined,
  partitions: number,
): number {
  let hashKey: bigint;
  if (explicitHashKey !== undefined) {
    hashKey = BigInt(explicitHashKey);
    if (hashKey > MAX_HASH_KEY)
      throw invalidArgument(
        `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${explicitHashKey}`,
      );
  } else hashKey = hashKeyOf(partitionKey);
  return partitionForHashKey(hashKey, partitions);
}

export function checkRecordSize(data: Buffer, partitionKey: string): void {
  if (data.length + Buffer.byteLength(partitionKey) > MAX_RECORD_BYTES)
    throw invalidArgument(
      `The record's data and partition key together are ${data.length + Buffer.byteLength(partitionKey)} bytes; the limit is ${MAX_RECORD_BYTES} (1 MiB).`,
    );
}

export type RecordInput = z.infer<z.ZodObject<typeof recordFields>>;
