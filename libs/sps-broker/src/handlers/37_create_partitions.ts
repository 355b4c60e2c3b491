/**
 * CreatePartitions (key 37), v0–1.
 * v0: topics with the new total count, optional assignments, validate_only.
 * v1: same as v0.
 * Partitions can only be added: a count at or below the current one gets INVALID_PARTITIONS,
 * with Kafka's wording.
 * Limits (sps, not Kafka): partitions per topic and added per request (BrokerOptions.limits) are
 * refused with INVALID_PARTITIONS naming the limit, before anything is created.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { partitionsPerTopicProblem, RequestPartitionBudget } from '../topic-limits.js';
import { partitionIncreaseProblem } from '../topics.js';
import { defineHandler } from './handler.js';

interface CreatePartitionsRequest {
  topics: Array<{ name: string; count: number; assignments: Array<{ brokerIds: number[] }> | null }>;
  timeoutMs: number;
  validateOnly: boolean;
}

export default defineHandler<CreatePartitionsRequest>({
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 1,
  async handle(req, { state }) {
    const results = [];
    const budget = new RequestPartitionBudget(state.settings.limits);
    for (const t of req.topics) {
      const topic = state.topics.get(t.name);
      const current = topic?.partitions.length ?? 0;
      let errorCode: number = ErrorCode.NONE;
      let errorMessage: string | null = null;
      if (!topic) {
        errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        errorMessage = `The topic '${t.name}' does not exist.`;
      } else if (partitionIncreaseProblem(t.name, current, t.count)) {
        errorCode = ErrorCode.INVALID_PARTITIONS;
        errorMessage = partitionIncreaseProblem(t.name, current, t.count)!;
      } else if (
        (errorMessage =
          partitionsPerTopicProblem(state.settings.limits, t.name, t.count) ??
          budget.take(t.count - current) ??
          null)
      ) {
        errorCode = ErrorCode.INVALID_PARTITIONS;
      } else if (!req.validateOnly) {
        try {
          await state.topics.addPartitions(t.name, t.count);
        } catch (err) {
          errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
          errorMessage = `could not add partitions to '${t.name}': ${String(err)}`;
        }
      }
      results.push({ name: t.name, errorCode, errorMessage });
    }
    return { throttleTimeMs: 0, results };
  },
});
