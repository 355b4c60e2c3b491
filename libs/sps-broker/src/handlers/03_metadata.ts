/**
 * Metadata (key 3), v0–6.
 * v0: an empty topic list means all topics.
 * v1: null means all topics and [] means none; adds rack, controller_id and is_internal.
 * v2: cluster_id.
 * v3: throttle_time_ms.
 * v4: allow_auto_topic_creation (earlier versions always auto-create when the broker allows it).
 * v5: offline_replicas per partition.
 * v6: same as v5.
 * Auto-creation (when the broker and, v4+, the request allow it) is bounded per request
 * (limits.maxAutoCreatedTopicsPerRequest): further unknown names get LEADER_NOT_AVAILABLE, which
 * clients retry, so a request naming thousands of topics cannot create them all at once.
 * We stop at v6: v7+ adds leader epochs, which a single node does not track.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { autoCreateTopic } from '../auto-create.js';
import { advertisedAddress } from '../address.js';
import { defineHandler } from './handler.js';

interface MetadataRequest {
  topics: Array<{ name: string }> | null;
  allowAutoTopicCreation?: boolean;
}

export default defineHandler<MetadataRequest>({
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 6,
  async handle(req, ctx) {
    const { state, version } = ctx;
    const { nodeId, clusterId } = state.settings;
    const { host, port } = advertisedAddress(ctx);
    const allTopics = req.topics === null || (version === 0 && req.topics.length === 0);
    const names = allTopics ? state.topics.names() : [...new Set(req.topics!.map((t) => t.name))];
    const allowAutoCreate = version < 4 || req.allowAutoTopicCreation !== false;

    const topics = [];
    let autoCreated = 0;
    for (const name of names) {
      let topic = state.topics.get(name);
      let errorCode: number = ErrorCode.NONE;
      if (!topic && !allTopics) {
        const created = !allowAutoCreate
          ? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
          : autoCreated >= state.settings.limits.maxAutoCreatedTopicsPerRequest &&
              state.settings.autoCreateTopics
            ? { errorCode: ErrorCode.LEADER_NOT_AVAILABLE }
            : await autoCreateTopic(state, name);
        if (created.topic) autoCreated++;
        topic = created.topic;
        errorCode = created.errorCode;
      }
      topics.push({
        errorCode,
        name,
        isInternal: false,
        partitions: (topic?.partitions ?? []).map((_, partitionIndex) => ({
          errorCode: ErrorCode.NONE,
          partitionIndex,
          leaderId: nodeId,
          leaderEpoch: 0,
          replicaNodes: [nodeId],
          isrNodes: [nodeId],
          offlineReplicas: [],
        })),
      });
    }
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host, port, rack: null }],
      clusterId,
      controllerId: nodeId,
      topics,
    };
  },
});
