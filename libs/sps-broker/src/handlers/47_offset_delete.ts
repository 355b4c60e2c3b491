/**
 * OffsetDelete (key 47), v0.
 * v0: deletes a group's committed offsets for some partitions. Refused per topic with
 *     GROUP_SUBSCRIBED_TO_TOPIC while a member of the group subscribes to it; GROUP_ID_NOT_FOUND
 *     for an unknown group.
 */
import { ApiKey, ErrorCode, decodeSubscription } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface OffsetDeleteRequest {
  groupId: string;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>;
}

export default defineHandler<OffsetDeleteRequest>({
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  async handle(req, { state }) {
    const group = state.groups.get(req.groupId);
    if (!group && !state.groups.offsets.hasOffsets(req.groupId))
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] };
    const subscribed = group
      ? state.groups.subscribedTopics(group, (m) => decodeSubscription(m)?.topics ?? null)
      : new Set<string>();
    const toDelete: Array<{ topic: string; partition: number }> = [];
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (subscribed.has(t.name))
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        if (!state.topics.partition(t.name, p.partitionIndex))
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        toDelete.push({ topic: t.name, partition: p.partitionIndex });
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    await state.groups.offsets.deletePartitions(req.groupId, toDelete);
    return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics };
  },
});
