/**
 * PutRecord: one record, routed by the MD5 of its partition key (or ExplicitHashKey) into the shard
 * whose hash-key range holds it; stored as a Kafka record (key = partition key, value = data) and
 * fsynced before the answer. SequenceNumberForOrdering is accepted and has no effect: sequence
 * numbers here always grow within a shard.
 */
import { z } from 'zod';
import { KinesisError } from '../errors.js';
import { resolveStream } from '../context.js';
import { writeShard } from '../records.js';
import { encodeSequenceNumber, shardIdOf } from '../sequence.js';
import { sequenceNumber, streamRef } from '../validation.js';
import { defineAction } from './action.js';
import { checkRecordSize, recordFields, routeRecord } from './put.js';

export default defineAction({
  name: 'PutRecord',
  input: z.object({ ...streamRef, ...recordFields, SequenceNumberForOrdering: sequenceNumber.optional() }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    checkRecordSize(input.Data, input.PartitionKey);
    const partition = routeRecord(input.PartitionKey, input.ExplicitHashKey, stream.topic.partitions.length);
    const [result] = await writeShard(ctx.store, stream.topic, partition, [
      { partitionKey: input.PartitionKey, data: input.Data },
    ]);
    if (!result || 'error' in result)
      throw new KinesisError('InternalFailureException', result?.message ?? 'Internal service failure.', 500);
    return {
      ShardId: shardIdOf(partition),
      SequenceNumber: encodeSequenceNumber(partition, result.offset),
      EncryptionType: 'NONE',
    };
  },
});
