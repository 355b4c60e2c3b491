/**
 * DeleteTopics (key 20), v0–3.
 * v0: topic names.
 * v1: throttle_time_ms.
 * v2: same as v1.
 * v3: same as v2 (TOPIC_DELETION_DISABLED may be returned; we always allow deletion).
 * Fetches waiting on a deleted topic's partitions are woken and see UNKNOWN_TOPIC_OR_PARTITION.
 * A delete is all or nothing and frees the space even on a full disk (see topics.ts); a storage
 * failure is answered KAFKA_STORAGE_ERROR for that topic, never by closing the connection.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

export default defineHandler<{ topicNames: string[] }>({
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 3,
  async handle(req, { state }) {
    const responses = [];
    for (const name of req.topicNames) {
      if (!state.topics.get(name)) {
        responses.push({ name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      try {
        await state.topics.delete(name);
      } catch (err) {
        state.logger.error('delete topic failed', { topic: name, error: String(err) });
        responses.push({ name, errorCode: ErrorCode.KAFKA_STORAGE_ERROR });
        continue;
      }
      state.producers.forgetTopic(name);
      // the topic is gone either way; offsets left behind for it are harmless and dropped later
      await state.groups.offsets.deleteTopic(name).catch((err) =>
        state.logger.warn('committed offsets of a deleted topic not dropped', {
          topic: name,
          error: String(err),
        }),
      );
      state.appends.notifyAll();
      responses.push({ name, errorCode: ErrorCode.NONE });
    }
    return { throttleTimeMs: 0, responses };
  },
});
