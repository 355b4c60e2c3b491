/**
 * CreateTopics (key 19), v0–4.
 * v0: topics with partition count, replication factor, manual assignments and configs.
 * v1: validate_only; error_message per topic.
 * v2: throttle_time_ms.
 * v3: same as v2.
 * v4: num_partitions / replication_factor may be -1 = broker default.
 * One node means replication factor 1: larger factors get INVALID_REPLICATION_FACTOR, as Kafka
 * answers when it has fewer brokers than asked for.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { validateTopicConfig, validateTopicConfigSet } from '../configs.js';
import { partitionsPerTopicProblem, RequestPartitionBudget } from '../topic-limits.js';
import { topicNameProblem } from '../topics.js';
import { defineHandler } from './handler.js';

interface CreateTopicsRequest {
  topics: Array<{
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
    configs: Array<{ name: string; value: string | null }>;
  }>;
  timeoutMs: number;
  validateOnly?: boolean;
}

export default defineHandler<CreateTopicsRequest>({
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  async handle(req, { state }) {
    const seen = new Set<string>();
    const budget = new RequestPartitionBudget(state.settings.limits);
    const topics = [];
    for (const t of req.topics) {
      const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage });
      const result = await (async () => {
        if (seen.has(t.name))
          return fail(ErrorCode.INVALID_REQUEST, `topic '${t.name}' appears twice in the request`);
        seen.add(t.name);
        const nameProblem = topicNameProblem(t.name);
        if (nameProblem) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
        if (state.topics.get(t.name) || state.topics.pending(t.name))
          return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
        const partitions =
          t.assignments.length > 0
            ? t.assignments.length
            : t.numPartitions === -1
              ? state.settings.defaultPartitions
              : t.numPartitions;
        if (!(partitions >= 1))
          return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
        const rf = t.replicationFactor;
        if (t.assignments.length === 0 && rf !== -1 && rf !== 1) {
          return fail(
            rf < 1 ? ErrorCode.INVALID_REPLICATION_FACTOR : ErrorCode.INVALID_REPLICATION_FACTOR,
            rf < 1
              ? 'Replication factor must be larger than 0.'
              : `Replication factor: ${rf} larger than available brokers: 1.`,
          );
        }
        const overrides: Record<string, string> = {};
        for (const c of t.configs) {
          const problem = validateTopicConfig(c.name, c.value);
          if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
          overrides[c.name] = c.value!.trim();
        }
        const conflict = validateTopicConfigSet(overrides);
        if (conflict) return fail(ErrorCode.INVALID_CONFIG, conflict);
        const tooMany =
          partitionsPerTopicProblem(state.settings.limits, t.name, partitions) ?? budget.take(partitions);
        if (tooMany) return fail(ErrorCode.INVALID_PARTITIONS, tooMany);
        if (req.validateOnly) return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
        try {
          await state.topics.create(t.name, partitions, overrides);
          return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (err) {
          if (state.topics.get(t.name))
            return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
          state.logger.error('create topic failed', { topic: t.name, error: String(err) });
          return fail(ErrorCode.KAFKA_STORAGE_ERROR, `could not create topic '${t.name}': ${String(err)}`);
        }
      })();
      topics.push(result);
    }
    return { throttleTimeMs: 0, topics };
  },
});
