/**
 * DescribeTopicPartitions (key 75), v0 (the only version; flexible). Kafka 4.4 serves v0.
 * v0 (KIP-966): the topic part of Metadata, paged. The Java Admin (so `kafka-topics --describe`)
 * uses it instead of Metadata when the broker advertises it, and follows next_cursor.
 * - topics: the names to describe, answered in name order (Java's String order); an empty list
 *   means every topic. Never auto-creates. An unknown name is UNKNOWN_TOPIC_OR_PARTITION with the
 *   zero topic id and no partitions; an illegal one INVALID_TOPIC_EXCEPTION.
 * - response_partition_limit: at most this many partitions per answer, capped by the broker's
 *   max.request.partition.size.limit (2000, as Kafka's default).
 * - cursor (nullable): start at this topic and partition index. The topic must be among those
 *   asked for and the index not negative, otherwise INVALID_REQUEST for every topic asked for.
 * - next_cursor: where the next page starts, when the limit cut the answer short: the topic and
 *   partition not yet answered (partition 0 of the next topic when a topic ended exactly at the
 *   limit); null when everything was answered.
 * One node: it leads every partition (leader epoch 0, replicas and ISR just this node, no ELR).
 * No authorizer, so topic_authorized_operations stays at its "not provided" value.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { topicNameProblem, type Topic } from '../topics.js';
import { defineHandler } from './handler.js';

/** Kafka's max.request.partition.size.limit default. */
export const MAX_PARTITIONS_PER_RESPONSE = 2000;
const ZERO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const NOT_PROVIDED = -2147483648;

interface Cursor {
  topicName: string;
  partitionIndex: number;
}

interface DescribeTopicPartitionsRequest {
  topics: Array<{ name: string }>;
  responsePartitionLimit: number;
  cursor: Cursor | null;
}

/** Our topic ids are RFC 4122 strings; the protocol carries the 16 bytes (base64url in the codec). */
function wireTopicId(topic: Topic): string {
  return Buffer.from(topic.id.replace(/-/g, ''), 'hex').toString('base64url');
}

const byJavaOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export default defineHandler<DescribeTopicPartitionsRequest>({
  apiKey: ApiKey.DescribeTopicPartitions,
  name: 'DescribeTopicPartitions',
  minVersion: 0,
  maxVersion: 0,
  handle(req, { state }) {
    const { nodeId } = state.settings;
    const all = req.topics.length === 0;
    const names = (all ? state.topics.names() : [...new Set(req.topics.map((t) => t.name))]).sort(
      byJavaOrder,
    );
    const cursor = req.cursor;
    const invalid = (message: string) => {
      state.logger.debug('DescribeTopicPartitions refused', { reason: message });
      return {
        throttleTimeMs: 0,
        topics: names.map((name) => ({
          errorCode: ErrorCode.INVALID_REQUEST,
          name,
          topicId: ZERO_TOPIC_ID,
          isInternal: false,
          partitions: [],
          topicAuthorizedOperations: NOT_PROVIDED,
        })),
        nextCursor: null,
      };
    };
    if (cursor) {
      if (cursor.partitionIndex < 0) return invalid('the partition index in the cursor cannot be negative');
      if (!all && !names.includes(cursor.topicName))
        return invalid(`the cursor topic '${cursor.topicName}' is not among the topics asked for`);
    }

    let remaining = Math.min(req.responsePartitionLimit, MAX_PARTITIONS_PER_RESPONSE);
    const topics = [];
    let nextCursor: Cursor | null = null;
    const start = cursor ? names.findIndex((n) => byJavaOrder(n, cursor.topicName) >= 0) : 0;
    for (let i = start; i >= 0 && i < names.length; i++) {
      const name = names[i]!;
      if (remaining <= 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const topic = state.topics.get(name);
      if (!topic) {
        topics.push({
          errorCode: topicNameProblem(name)
            ? ErrorCode.INVALID_TOPIC_EXCEPTION
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          name,
          topicId: ZERO_TOPIC_ID,
          isInternal: false,
          partitions: [],
          topicAuthorizedOperations: NOT_PROVIDED,
        });
        continue;
      }
      const first = cursor && name === cursor.topicName ? cursor.partitionIndex : 0;
      const count = topic.partitions.length;
      const end = Math.min(count, first + remaining);
      const partitions = [];
      for (let p = first; p < end; p++)
        partitions.push({
          errorCode: ErrorCode.NONE,
          partitionIndex: p,
          leaderId: nodeId,
          leaderEpoch: 0,
          replicaNodes: [nodeId],
          isrNodes: [nodeId],
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: [],
        });
      remaining -= partitions.length;
      topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: wireTopicId(topic),
        isInternal: false,
        partitions,
        topicAuthorizedOperations: NOT_PROVIDED,
      });
      if (end < count) {
        nextCursor = { topicName: name, partitionIndex: end };
        break;
      }
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});
