/**
 * SubscribeToShard (enhanced fan-out): an HTTP/2 response of event-stream messages
 * (application/vnd.amazon.eventstream: length-prefixed, CRC-checked frames). First an
 * `initial-response` event, then SubscribeToShardEvent events: at once with what is already there
 * from the starting position, then one as soon as records are appended (woken by the append, not
 * by polling), and an empty one after 5 seconds without records so the client sees
 * MillisBehindLatest and the ContinuationSequenceNumber. The subscription ends after 5 minutes, as
 * on AWS (subscribe again from ContinuationSequenceNumber with AFTER_SEQUENCE_NUMBER). One live
 * subscription per consumer and shard; a second one gets ResourceInUseException.
 */
import { z } from 'zod';
import { shardIndex } from '../context.js';
import { resourceInUse } from '../errors.js';
import { readShard } from '../records.js';
import { encodeSequenceNumber } from '../sequence.js';
import { consumerArn, sequenceNumber, shardId, timestamp } from '../validation.js';
import { defineAction, EventStreamReply } from './action.js';
import { findConsumer } from './consumers.js';
import { POSITION_TYPES, startingOffset } from './position.js';

export const SUBSCRIPTION_MS = 5 * 60 * 1000;
const HEARTBEAT_MS = 5000;
const MAX_EVENT_RECORDS = 10000;

export default defineAction({
  name: 'SubscribeToShard',
  input: z.object({
    ConsumerARN: consumerArn,
    ShardId: shardId,
    StartingPosition: z.object({
      Type: z.enum(POSITION_TYPES, {
        error: () => `Member must satisfy enum value set: [${POSITION_TYPES.join(', ')}]`,
      }),
      SequenceNumber: sequenceNumber.optional(),
      Timestamp: timestamp.optional(),
    }),
  }),
  async handle(input, ctx) {
    const { stream } = findConsumer(ctx, { ConsumerARN: input.ConsumerARN });
    const partition = shardIndex(stream, input.ShardId);
    const log = stream.topic.partitions[partition]!;
    let offset = await startingOffset(
      log,
      { stream: stream.name, partition, shardId: input.ShardId },
      input.StartingPosition.Type,
      input.StartingPosition.SequenceNumber,
      input.StartingPosition.Timestamp,
    );
    const release = ctx.subscriptions.tryStart(input.ConsumerARN, input.ShardId);
    if (!release)
      throw resourceInUse(
        `Another active subscription exists for consumer ${input.ConsumerARN} on shard ${input.ShardId}.`,
      );
    const topicId = stream.topic.id;
    return new EventStreamReply(async (sink) => {
      const ends = ctx.now() + SUBSCRIPTION_MS;
      try {
        sink.event('initial-response', {});
        let first = true;
        while (!sink.closed && ctx.now() < ends) {
          const topic = ctx.store.get(stream.name);
          if (!topic || topic.id !== topicId || !topic.partitions[partition]) {
            sink.exception(
              'ResourceNotFoundException',
              `Stream ${stream.name} under account 000000000000 not found.`,
            );
            return;
          }
          const current = topic.partitions[partition]!;
          if (!first && offset >= current.highWatermark) {
            await Promise.race([
              ctx.store.waitForAppend(stream.name, [partition], Math.min(HEARTBEAT_MS, ends - ctx.now())),
              sink.gone,
            ]);
            if (sink.closed) return;
          }
          const batch = await readShard(
            current,
            partition,
            offset,
            MAX_EVENT_RECORDS,
            ctx.store.logger,
            ctx.now(),
          );
          if (batch.records.length > 0 || first || offset >= batch.highWatermark) {
            offset = batch.nextOffset;
            sink.event('SubscribeToShardEvent', {
              Records: batch.records,
              ...(offset > 0
                ? { ContinuationSequenceNumber: encodeSequenceNumber(partition, offset - 1) }
                : {}),
              MillisBehindLatest: batch.millisBehindLatest,
            });
          }
          first = false;
        }
      } finally {
        release();
      }
    });
  },
});
