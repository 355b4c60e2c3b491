/** DescribeStreamSummary: the stream without its shard list; OpenShardCount = partitions. */
import { z } from 'zod';
import { resolveStream, retentionHours, seconds, streamModeDetails } from '../context.js';
import { streamRef } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'DescribeStreamSummary',
  input: z.object({ ...streamRef }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    return {
      StreamDescriptionSummary: {
        StreamName: stream.name,
        StreamARN: stream.arn,
        StreamStatus: 'ACTIVE',
        StreamModeDetails: streamModeDetails(stream.meta),
        RetentionPeriodHours: retentionHours(ctx, stream.topic),
        StreamCreationTimestamp: seconds(stream.topic.createdAt),
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: 'NONE',
        OpenShardCount: stream.topic.partitions.length,
        ConsumerCount: stream.meta.consumers.length,
      },
    };
  },
});
