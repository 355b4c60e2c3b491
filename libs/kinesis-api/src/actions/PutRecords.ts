/**
 * PutRecords: up to 500 records (5 MiB in all), each routed like PutRecord. Records for one shard
 * are appended in request order as one batch (or a few, under the topic's max.message.bytes), so
 * Kafka consumers see them in that order. Results come back per record, in request order: a record
 * that could not be stored carries ErrorCode/ErrorMessage and counts in FailedRecordCount while
 * the others succeed — as on AWS, callers retry only the failed ones.
 */
import { z } from 'zod';
import { invalidArgument } from '../errors.js';
import { resolveStream } from '../context.js';
import { writeShard, type RecordToWrite } from '../records.js';
import { encodeSequenceNumber, shardIdOf } from '../sequence.js';
import { streamRef } from '../validation.js';
import { defineAction } from './action.js';
import { MAX_RECORD_BYTES, recordFields, routeRecord } from './put.js';

const MAX_RECORDS = 500;
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

export default defineAction({
  name: 'PutRecords',
  input: z.object({
    ...streamRef,
    Records: z
      .array(z.object(recordFields), {
        error: (i) => (i.input === undefined ? 'Member must not be null' : 'Member must be a list'),
      })
      .min(1, 'Member must have length greater than or equal to 1')
      .max(MAX_RECORDS, `Member must have length less than or equal to ${MAX_RECORDS}`),
  }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    let total = 0;
    input.Records.forEach((r, i) => {
      const size = r.Data.length + Buffer.byteLength(r.PartitionKey);
      if (size > MAX_RECORD_BYTES)
        throw invalidArgument(
          `Record ${i}: data and partition key together are ${size} bytes; the limit is ${MAX_RECORD_BYTES} (1 MiB).`,
        );
      total += size;
    });
    if (total > MAX_REQUEST_BYTES)
      throw invalidArgument(
        `Records total ${total} bytes; a PutRecords request may carry at most ${MAX_REQUEST_BYTES} (5 MiB).`,
      );
    const count = stream.topic.partitions.length;
    const byShard = new Map<number, { indexes: number[]; records: RecordToWrite[] }>();
    const partitions = input.Records.map((r) => routeRecord(r.PartitionKey, r.ExplicitHashKey, count));
    partitions.forEach((p, i) => {
      let group = byShard.get(p);
      if (!group) byShard.set(p, (group = { indexes: [], records: [] }));
      group.indexes.push(i);
      group.records.push({ partitionKey: input.Records[i]!.PartitionKey, data: input.Records[i]!.Data });
    });
    const results: object[] = new Array(input.Records.length);
    let failed = 0;
    await Promise.all(
      [...byShard].map(async ([p, group]) => {
        const written = await writeShard(ctx.store, stream.topic, p, group.records);
        written.forEach((w, n) => {
          const i = group.indexes[n]!;
          if ('offset' in w)
            results[i] = { SequenceNumber: encodeSequenceNumber(p, w.offset), ShardId: shardIdOf(p) };
          else {
            failed++;
            results[i] = { ErrorCode: w.error, ErrorMessage: w.message };
          }
        });
      }),
    );
    return { FailedRecordCount: failed, Records: results, EncryptionType: 'NONE' };
  },
});
